// Mirroring with real processes (issue 13, parts 1-2): an upstream `mcpreg serve`, a counting
// proxy in front of it (the test's own HTTP server: it counts and can refuse requests), a
// downstream database synced by `mcpreg mirror --once` and read through a downstream
// `mcpreg serve`, and a downstream `serve` that syncs in the background by itself.
// SQLite only: the store's mirror columns run on both backends in the store conformance suite.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "integration/server_process.h"
#include "mcpreg/clock.h"
#include "support/test_issuer.h"
#include "testing/registry_documents.h"
#include "transport/http_client.h"
#include "transport/http_server.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;
using testing::RunCli;

using testing::kOfficialMeta;
using testing::kTestSchema;
constexpr const char* kOfficial = kOfficialMeta;

std::string RemoteServer(const std::string& name, const std::string& version) {
  return testing::RemoteServerJson(name, version);
}

std::string LocalServer(const std::string& name, const std::string& version) {
  return std::string(R"({"$schema":")") + kTestSchema + R"(","name":")" + name +
         R"(","description":"Local )" + name + R"(","version":")" + version +
         R"(","packages":[{"registryType":"npm","identifier":"@acme/)" +
         name.substr(name.find('/') + 1) + R"(","version":")" + version +
         R"(","transport":{"type":"stdio"}}]})";
}

std::string Response(const std::string& server, const std::string& status,
                     const std::string& message = "") {
  return testing::ServerResponseJson(server, status, message);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

http::ClientResponse Do(const std::string& method, const std::string& url,
                        const std::string& body = "", http::Headers headers = {}) {
  http::ClientRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.headers = std::move(headers);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto r = http::Fetch(req);
  EXPECT_TRUE(r.ok()) << url << ": " << r.status().ToString();
  return r.ok() ? *r : http::ClientResponse{};
}

// Every entry of a registry's list (all pages): "name@version" -> the item.
std::map<std::string, bj::object> Listing(const std::string& base, bool include_deleted) {
  std::map<std::string, bj::object> out;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    std::string url = base + "/v0.1/servers?limit=100" +
                      (include_deleted ? "&include_deleted=true" : "") +
                      (cursor.empty() ? "" : "&cursor=" + cursor);
    auto r = Do("GET", url);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    auto doc = bj::parse(r.body).as_object();
    for (auto& item : doc.at("servers").as_array()) {
      const auto& s = item.at("server").as_object();
      out[std::string(s.at("name").as_string()) + "@" + std::string(s.at("version").as_string())] =
          item.as_object();
    }
    const auto& md = doc.at("metadata").as_object();
    if (!md.contains("nextCursor")) break;
    // Cursors are name:version; percent-encode the two characters that matter here.
    cursor.clear();
    for (char c : std::string(md.at("nextCursor").as_string())) {
      if (c == '/') cursor += "%2F";
      else if (c == ':') cursor += "%3A";
      else cursor += c;
    }
  }
  return out;
}

// The bytes of the "server" object in a ServerResponse body (everything before _meta).
std::string ServerBytes(const std::string& response_body) {
  auto end = response_body.find(",\"_meta\":");
  return end == std::string::npos ? "" : response_body.substr(10, end - 10);
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The test's reverse proxy in front of the upstream: forwards GETs, records every target, and
// answers the first `refuse` requests itself with `refuse_status` (+ Retry-After) instead.
class Proxy {
 public:
  explicit Proxy(std::string upstream) : upstream_(std::move(upstream)) {
    http::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 2;
    server_ = std::make_unique<http::HttpServer>(
        so, [this](http::HttpRequest&& req, std::shared_ptr<http::Responder> r) {
          Handle(std::move(req), std::move(r));
        });
    EXPECT_TRUE(server_->Start().ok());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<std::string> Targets() {
    std::lock_guard lock(mu_);
    return targets_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    targets_.clear();
  }
  void Refuse(int n, int status, std::string retry_after) {
    std::lock_guard lock(mu_);
    refuse_ = n;
    refuse_status_ = status;
    retry_after_ = std::move(retry_after);
  }
  void Delay(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    delay_ = d;
  }
  void Redirect(std::string location) {
    std::lock_guard lock(mu_);
    redirect_ = std::move(location);
  }
  // Paths containing `part` get 404 (an upstream that does not sign snapshots).
  void Hide(std::string part) {
    std::lock_guard lock(mu_);
    hide_ = std::move(part);
  }

 private:
  void Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> r) {
    http::HttpResponse resp;
    std::chrono::milliseconds delay;
    {
      std::lock_guard lock(mu_);
      targets_.push_back(req.target);
      delay = delay_;
      if (!hide_.empty() && req.target.find(hide_) != std::string::npos) {
        resp.status = 404;
        resp.body = "{}";
        r->Send(std::move(resp));
        return;
      }
      if (!redirect_.empty()) {
        resp.status = 302;
        resp.Set("Location", redirect_);
        r->Send(std::move(resp));
        return;
      }
      if (refuse_ > 0) {
        --refuse_;
        resp.status = refuse_status_;
        if (!retry_after_.empty()) resp.Set("Retry-After", retry_after_);
        resp.body = "{}";
        r->Send(std::move(resp));
        return;
      }
    }
    if (delay.count()) std::this_thread::sleep_for(delay);
    auto got = Do("GET", upstream_ + req.target);
    resp.status = got.status;
    resp.body = got.body;
    resp.Set("Content-Type", "application/json");
    r->Send(std::move(resp));
  }

  std::string upstream_;
  std::unique_ptr<http::HttpServer> server_;
  std::mutex mu_;
  std::vector<std::string> targets_;
  int refuse_ = 0, refuse_status_ = 0;
  std::string retry_after_, redirect_, hide_;
  std::chrono::milliseconds delay_{0};
};

class MirrorE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    idp_ = new testing::TestIssuer("https://idp.mirror.test", *dir_ + "/idp-jwks.json");
    WriteFile(*dir_ + "/upstream.yaml", idp_->AuthConfig());
    std::string seed = "[";
    for (int i = 0; i < 120; ++i)
      seed += Response(RemoteServer("com.acme/remote-" + std::to_string(1000 + i), "1.0.0"), "active") + ",";
    for (int i = 0; i < 40; ++i)
      seed += Response(LocalServer("com.acme/local-" + std::to_string(1000 + i), "1.0.0"), "active") + ",";
    seed += Response(RemoteServer("com.acme/experimental-x", "1.0.0"), "active") + ",";
    seed += Response(RemoteServer("org.other/thing", "1.0.0"), "active") + ",";
    seed += Response(RemoteServer("com.acme/gone", "1.0.0"), "deleted") + ",";
    seed += Response(RemoteServer("com.acme/old", "1.0.0"), "deprecated", "use 2.x") + ",";
    seed += Response(RemoteServer("com.acme/old", "2.0.0"), "active") + "]";
    WriteFile(*dir_ + "/seed.json", seed);
    std::string out, err;
    ASSERT_EQ(RunCli({"import", "--db", *dir_ + "/up.db", "-q", *dir_ + "/seed.json"}, &out, &err), 0)
        << out << err;
    upstream_ = new testing::ServerProcess(
        *dir_ + "/up.db", {"--config", *dir_ + "/upstream.yaml", "--no-demo"});
    ASSERT_TRUE(upstream_->started()) << upstream_->log();
    proxy_ = new Proxy(upstream_->base_url());
  }
  static void TearDownTestSuite() {
    delete proxy_;
    delete upstream_;
    delete idp_;
  }

  // A downstream config mirroring the proxy with `filters` (YAML lines under the upstream).
  static std::string Config(const std::string& file, const std::string& filters,
                            const std::string& url = "") {
    std::string path = *dir_ + "/" + file;
    WriteFile(path, "upstreams:\n  - name: up\n    url: " + (url.empty() ? proxy_->url() : url) +
                        "\n" + filters);
    return path;
  }
  static const std::string kFilters;

  // Runs `mcpreg mirror --once`; returns the exit code, stdout in *out.
  static int Mirror(const std::string& config, const std::string& db, std::string* out,
                    std::string* err) {
    return RunCli({"mirror", "--once", "--config", config, "--db", db}, out, err);
  }

  std::string Token() {
    auto r = Do("POST", upstream_->base_url() + "/v0.1/auth/oidc",
                idp_->ExchangeBody("repo:acme/tools", "acme"));
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(bj::parse(r.body).at("registry_token").as_string());
  }

  // The upstream entries the test filters select (non-deleted unless `deleted_too`).
  static std::map<std::string, bj::object> Selected(bool deleted_too) {
    std::map<std::string, bj::object> out;
    for (auto& [key, item] : Listing(upstream_->base_url(), true)) {
      const auto& s = item.at("server").as_object();
      std::string name(s.at("name").as_string());
      bool remote = s.contains("remotes");
      bool deleted = item.at("_meta").at(kOfficial).at("status") == "deleted";
      if (name.rfind("com.acme/", 0) != 0 || name.find("/experimental-") != std::string::npos ||
          !remote || (deleted && !deleted_too))
        continue;
      out[key] = item;
    }
    return out;
  }

  static inline std::string* dir_ = nullptr;
  static inline testing::TestIssuer* idp_ = nullptr;
  static inline testing::ServerProcess* upstream_ = nullptr;
  static inline Proxy* proxy_ = nullptr;
};

const std::string MirrorE2ETest::kFilters =
    "    include: [\"com.acme/*\"]\n    exclude: [\"*/experimental-*\"]\n    transports: [remote]\n";

TEST_F(MirrorE2ETest, FilteredSyncThenIncrementalThroughUpdatedSinceThenFilterChange) {
  const std::string db = *dir_ + "/down-a.db";
  const std::string cfg = Config("down-a.yaml", kFilters);
  proxy_->Clear();
  std::string out, err;
  ASSERT_EQ(Mirror(cfg, db, &out, &err), 0) << out << err;
  auto expected = Selected(false);
  ASSERT_EQ(expected.size(), 122u);  // 120 remote-N + old 1.0.0 and 2.0.0; gone was deleted
  EXPECT_EQ(out, "mirror: up: 122 applied, 0 removed, 0 skipped, 122 mirrored (2 requests, full)\n");
  EXPECT_EQ(proxy_->Targets().size(), 2u);  // 165 upstream versions: two pages of 100

  testing::ServerProcess down(db, {"--no-demo"});
  ASSERT_TRUE(down.started()) << down.log();
  auto got = Listing(down.base_url(), true);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, item] : expected) {
    ASSERT_TRUE(got.count(key)) << key;
    const auto& mine = got[key];
    EXPECT_EQ(bj::serialize(mine.at("server")), bj::serialize(item.at("server"))) << key;
    const auto& up_meta = item.at("_meta").at(kOfficial).as_object();
    const auto& my_meta = mine.at("_meta").at(kOfficial).as_object();
    for (const char* f : {"status", "statusChangedAt", "publishedAt"})
      EXPECT_EQ(my_meta.at(f), up_meta.at(f)) << key << " " << f;
    EXPECT_EQ(my_meta.contains("statusMessage"), up_meta.contains("statusMessage")) << key;
    const auto& prov = mine.at("_meta").at("dev.mcpreg/mirror").as_object();
    EXPECT_EQ(prov.at("upstream"), "up");
    EXPECT_EQ(prov.at("url").as_string(), proxy_->url());
    EXPECT_TRUE(prov.at("fetchedAt").is_string());
  }
  // Byte for byte: the server object of a single-version read equals upstream's.
  for (const char* path : {"/v0.1/servers/com.acme%2Fremote-1000/versions/1.0.0",
                           "/v0.1/servers/com.acme%2Fold/versions/1.0.0"}) {
    auto mine = Do("GET", down.base_url() + path);
    auto theirs = Do("GET", upstream_->base_url() + path);
    ASSERT_EQ(mine.status, 200);
    EXPECT_EQ(ServerBytes(mine.body), ServerBytes(theirs.body));
    EXPECT_FALSE(ServerBytes(mine.body).empty());
  }
  EXPECT_EQ(got["com.acme/old@2.0.0"].at("_meta").at(kOfficial).at("isLatest"), true);
  EXPECT_EQ(got["com.acme/old@1.0.0"].at("_meta").at(kOfficial).at("statusMessage"), "use 2.x");

  // The newest local change time so far: what a consumer of the downstream would ask after.
  Micros newest = 0;
  for (const auto& [key, item] : got)
    newest = std::max(newest, *ParseRfc3339(item.at("_meta").at(kOfficial).at("updatedAt").as_string()));

  // An unchanged upstream costs one request and writes nothing.
  proxy_->Clear();
  ASSERT_EQ(Mirror(cfg, db, &out, &err), 0) << out << err;
  EXPECT_EQ(out, "mirror: up: 0 applied, 0 removed, 0 skipped, 122 mirrored (1 requests)\n");
  ASSERT_EQ(proxy_->Targets().size(), 1u);
  EXPECT_NE(proxy_->Targets()[0].find("updated_since="), std::string::npos);

  // Upstream: a new version, a deprecation, a deletion.
  std::string token = Token();
  http::Headers auth = {{"Authorization", "Bearer " + token}};
  auto r = Do("POST", upstream_->base_url() + "/v0.1/publish",
              RemoteServer("com.acme/remote-1000", "1.1.0"), auth);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Do("PATCH", upstream_->base_url() + "/v0.1/servers/com.acme%2Fremote-1001/versions/1.0.0/status",
         R"({"status":"deprecated","statusMessage":"superseded"})", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Do("PATCH", upstream_->base_url() + "/v0.1/servers/com.acme%2Fremote-1002/versions/1.0.0/status",
         R"({"status":"deleted"})", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  proxy_->Clear();
  ASSERT_EQ(Mirror(cfg, db, &out, &err), 0) << out << err;
  EXPECT_EQ(out, "mirror: up: 3 applied, 0 removed, 0 skipped, 123 mirrored (1 requests)\n");
  ASSERT_EQ(proxy_->Targets().size(), 1u);  // 3 changes: one request
  ASSERT_TRUE(WaitFor([&] { return Listing(down.base_url(), true).size() == 123; }));
  got = Listing(down.base_url(), true);
  EXPECT_EQ(got["com.acme/remote-1000@1.1.0"].at("_meta").at(kOfficial).at("isLatest"), true);
  EXPECT_EQ(got["com.acme/remote-1000@1.0.0"].at("_meta").at(kOfficial).at("isLatest"), false);
  EXPECT_EQ(got["com.acme/remote-1001@1.0.0"].at("_meta").at(kOfficial).at("status"), "deprecated");
  EXPECT_EQ(got["com.acme/remote-1001@1.0.0"].at("_meta").at(kOfficial).at("statusMessage"),
            "superseded");
  EXPECT_EQ(got["com.acme/remote-1002@1.0.0"].at("_meta").at(kOfficial).at("status"), "deleted");
  EXPECT_EQ(Listing(down.base_url(), false).count("com.acme/remote-1002@1.0.0"), 0u);
  // The downstream's own updated_since serves the changes to its consumers.
  auto since = Do("GET", down.base_url() + "/v0.1/servers?updated_since=" + FormatRfc3339(newest));
  std::set<std::string> changed;
  bj::value since_doc = bj::parse(since.body);
  for (const auto& item : since_doc.at("servers").as_array())
    changed.insert(std::string(item.at("server").at("name").as_string()) + "@" +
                   std::string(item.at("server").at("version").as_string()));
  EXPECT_EQ(changed, (std::set<std::string>{"com.acme/remote-1000@1.1.0", "com.acme/remote-1001@1.0.0",
                                            "com.acme/remote-1002@1.0.0"}))
      << since.body;

  // Narrowing the filter removes what it no longer selects; the set equals upstream again.
  const std::string narrow = Config("down-a.yaml", "    include: [\"com.acme/remote-10*\"]\n"
                                                   "    transports: [remote]\n");
  ASSERT_EQ(Mirror(narrow, db, &out, &err), 0) << out << err;
  EXPECT_EQ(out, "mirror: up: 0 applied, 22 removed, 0 skipped, 101 mirrored (2 requests, full)\n");
  ASSERT_TRUE(WaitFor([&] { return !Listing(down.base_url(), false).count("com.acme/old@2.0.0"); }));
  std::set<std::string> live;
  for (const auto& [key, item] : Listing(down.base_url(), false)) live.insert(key);
  std::set<std::string> want;
  for (const auto& [key, item] : Listing(upstream_->base_url(), false))
    if (key.rfind("com.acme/remote-10", 0) == 0) want.insert(key);
  EXPECT_EQ(live, want);
}

TEST_F(MirrorE2ETest, LocalWinsAndTheSkippedEntryIsReported) {
  const std::string db = *dir_ + "/down-b.db";
  std::string out, err;
  WriteFile(*dir_ + "/local.json",
            "[" + Response(RemoteServer("com.acme/remote-1005", "9.0.0"), "active") + "]");
  ASSERT_EQ(RunCli({"import", "--db", db, "-q", *dir_ + "/local.json"}, &out, &err), 0) << err;
  ASSERT_EQ(Mirror(Config("down-b.yaml", "    include: [\"com.acme/remote-100*\"]\n"), db, &out, &err), 0)
      << out << err;
  EXPECT_EQ(out, "mirror: up: 9 applied, 0 removed, 1 skipped, 9 mirrored (2 requests, full)\n");
  EXPECT_NE(err.find("skipped com.acme/remote-1005 1.0.0: published locally (local wins)"),
            std::string::npos)
      << err;
  testing::ServerProcess down(db, {"--no-demo"});
  ASSERT_TRUE(down.started());
  auto got = Listing(down.base_url(), true);
  EXPECT_TRUE(got.count("com.acme/remote-1005@9.0.0"));
  EXPECT_FALSE(got.count("com.acme/remote-1005@1.0.0"));
  EXPECT_FALSE(got["com.acme/remote-1005@9.0.0"].at("_meta").as_object().contains("dev.mcpreg/mirror"));
}

// Starts `mcpreg mirror --once ...` without waiting; returns the pid.
pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    std::vector<char*> argv = {const_cast<char*>(testing::BinaryPath())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

TEST_F(MirrorE2ETest, KillNineDuringASyncThenResyncGivesTheSameSet) {
  const std::string cfg = Config("down-c.yaml", kFilters);
  std::string out, err;
  ASSERT_EQ(Mirror(cfg, *dir_ + "/clean.db", &out, &err), 0) << out << err;

  const std::string db = *dir_ + "/down-c.db";
  proxy_->Clear();
  proxy_->Delay(std::chrono::milliseconds(700));
  pid_t pid = Spawn({"mirror", "--once", "--config", cfg, "--db", db});
  // Kill it while the second page is in flight: the first page is committed, the sync is not.
  ASSERT_TRUE(WaitFor([&] { return proxy_->Targets().size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  proxy_->Delay(std::chrono::milliseconds(0));
  EXPECT_TRUE(WIFSIGNALED(status));

  ASSERT_EQ(Mirror(cfg, db, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("mirrored (2 requests, full)"), std::string::npos) << out;  // watermark not kept
  ASSERT_EQ(Mirror(cfg, db, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("0 applied, 0 removed"), std::string::npos) << out;

  testing::ServerProcess clean(*dir_ + "/clean.db", {"--no-demo"});
  testing::ServerProcess resumed(db, {"--no-demo"});
  ASSERT_TRUE(clean.started() && resumed.started());
  auto a = Listing(clean.base_url(), true), b = Listing(resumed.base_url(), true);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, item] : a) {
    ASSERT_TRUE(b.count(key)) << key;
    EXPECT_EQ(bj::serialize(item.at("server")), bj::serialize(b[key].at("server")));
    EXPECT_EQ(item.at("_meta").at(kOfficial).at("status"), b[key].at("_meta").at(kOfficial).at("status"));
    EXPECT_EQ(item.at("_meta").at(kOfficial).at("isLatest"), b[key].at("_meta").at(kOfficial).at("isLatest"));
  }
}

TEST_F(MirrorE2ETest, RetriesHonourRetryAfterAndAFailedUpstreamIsNamed) {
  const std::string db = *dir_ + "/down-d.db";
  std::string out, err;
  proxy_->Clear();
  proxy_->Refuse(2, 429, "1");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(Mirror(Config("down-d.yaml", kFilters), db, &out, &err), 0) << out << err;
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(1900));  // two Retry-After: 1 waits
  EXPECT_EQ(proxy_->Targets().size(), 4u);            // 2 refused + 2 pages

  // A Retry-After beyond what a sync waits fails it at once; an unreachable upstream is named
  // while a healthy one in the same config still syncs.
  proxy_->Refuse(1, 503, "3600");
  ASSERT_EQ(Mirror(Config("down-d.yaml", kFilters), db, &out, &err), 1) << out << err;
  EXPECT_NE(out.find("FAILED: upstream up ("), std::string::npos) << out;
  EXPECT_NE(out.find("Retry-After 3600 s"), std::string::npos) << out;
  proxy_->Refuse(0, 0, "");

  const std::string two = *dir_ + "/two.yaml";
  WriteFile(two, "upstreams:\n  - name: dead\n    url: http://127.0.0.1:1\n  - name: up\n    url: " +
                     proxy_->url() + "\n" + kFilters);
  ASSERT_EQ(RunCli({"mirror", "--once", "--config", two, "--db", *dir_ + "/down-e.db"}, &out, &err), 1);
  EXPECT_NE(out.find("mirror: dead: 0 applied, 0 removed, 0 skipped, 0 mirrored FAILED: upstream dead "
                     "(http://127.0.0.1:1): "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("mirror: up: 122 applied, 0 removed, 0 skipped, 122 mirrored"), std::string::npos) << out;
}

TEST_F(MirrorE2ETest, RedirectToAnotherHostIsRefusedWithoutFollowingIt) {
  std::string out, err;
  for (std::string target : {"http://127.0.0.2:" + std::to_string(upstream_->port()) + "/v0.1/servers",
                             "http://[::1]:" + std::to_string(upstream_->port()) + "/v0.1/servers",
                             "https://127.0.0.1:" + std::to_string(upstream_->port()) + "/x"}) {
    proxy_->Redirect(target);
    proxy_->Clear();
    EXPECT_EQ(Mirror(Config("down-f.yaml", kFilters), *dir_ + "/down-f.db", &out, &err), 1);
    EXPECT_NE(out.find("refused: another scheme, host or port"), std::string::npos) << out;
    EXPECT_EQ(proxy_->Targets().size(), 1u);  // the redirect was not retried
  }
  proxy_->Redirect("");
}

TEST_F(MirrorE2ETest, MirrorCliUsageErrors) {
  std::string out, err;
  EXPECT_EQ(RunCli({"mirror", "--once"}, &out, &err), 2);
  EXPECT_EQ(err, "mcpreg mirror: --config FILE is required (it lists the upstreams)\n");
  WriteFile(*dir_ + "/none.yaml", "listen: 127.0.0.1:0\n");
  EXPECT_EQ(RunCli({"mirror", "--once", "--config", *dir_ + "/none.yaml"}, &out, &err), 2);
  EXPECT_NE(err.find("has no upstreams"), std::string::npos) << err;
  EXPECT_EQ(RunCli({"mirror", "--once", "--config", Config("down-g.yaml", ""), "--upstream", "nope"},
                   &out, &err),
            2);
  EXPECT_NE(err.find("no upstream named \"nope\""), std::string::npos) << err;
  WriteFile(*dir_ + "/bad.yaml", "upstreams:\n  - name: up\n    url: http://x\n    colour: red\n");
  EXPECT_EQ(RunCli({"mirror", "--once", "--config", *dir_ + "/bad.yaml"}, &out, &err), 2);
  EXPECT_NE(err.find("bad.yaml:4:5: upstreams[0].colour: unknown key"), std::string::npos) << err;
}

TEST_F(MirrorE2ETest, ServeSyncsItsUpstreamsInTheBackgroundAndRefusesLocalPublishesIntoThem) {
  const std::string cfg = *dir_ + "/down-h.yaml";
  WriteFile(cfg, idp_->AuthConfig() + "upstreams:\n  - name: up\n    url: " + proxy_->url() +
                     "\n    interval_seconds: 3600\n" + kFilters);
  testing::ServerProcess down(*dir_ + "/down-h.db", {"--config", cfg, "--no-demo"});
  ASSERT_TRUE(down.started()) << down.log();
  ASSERT_TRUE(WaitFor([&] { return Listing(down.base_url(), false).size() == Selected(false).size(); }))
      << down.log();
  // A publisher whose rights are the namespace wildcard com.acme/* (the issuer's rule, plus an
  // operator's admin grant on the same wildcard) cannot publish into a mirrored name:
  // 409 problem+json.
  std::string out, err;
  ASSERT_EQ(RunCli({"admin", "grant", "--db", *dir_ + "/down-h.db", "--issuer", idp_->issuer(),
                    "--subject", "repo:acme/tools", "--namespace", "com.acme/*", "--role", "admin"},
                   &out, &err),
            0)
      << err;
  auto tok = Do("POST", down.base_url() + "/v0.1/auth/oidc", idp_->ExchangeBody("repo:acme/tools", "acme"));
  ASSERT_EQ(tok.status, 200) << tok.body;
  std::string token(bj::parse(tok.body).at("registry_token").as_string());
  auto r = Do("POST", down.base_url() + "/v0.1/publish", RemoteServer("com.acme/remote-1010", "5.0.0"),
              {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("mirrored from upstream up"), std::string::npos) << r.body;
  // Nor edit a mirrored version in place (the mirror would never restore upstream's bytes).
  r = Do("PUT", down.base_url() + "/v0.1/servers/com.acme%2Fremote-1010/versions/1.0.0",
         RemoteServer("com.acme/remote-1010", "1.0.0"), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("edit it upstream"), std::string::npos) << r.body;
  // A grant naming exactly the server opens it.
  ASSERT_EQ(RunCli({"admin", "grant", "--db", *dir_ + "/down-h.db", "--issuer", idp_->issuer(),
                    "--subject", "repo:acme/tools", "--namespace", "com.acme/remote-1010", "--role",
                    "publisher"},
                   &out, &err),
            0)
      << err;
  tok = Do("POST", down.base_url() + "/v0.1/auth/oidc", idp_->ExchangeBody("repo:acme/tools", "acme"));
  token = std::string(bj::parse(tok.body).at("registry_token").as_string());
  r = Do("POST", down.base_url() + "/v0.1/publish", RemoteServer("com.acme/remote-1010", "5.0.0"),
         {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 200) << r.body;
  // A name nobody mirrors still publishes.
  r = Do("POST", down.base_url() + "/v0.1/publish", RemoteServer("com.acme/own-thing", "1.0.0"),
         {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(MirrorE2ETest, RequireSignatureSyncsFromTheVerifiedSnapshotOnly) {
  auto jwks = Do("GET", upstream_->base_url() + "/v0.1/x/dev.mcpreg/jwks");
  ASSERT_EQ(jwks.status, 200);
  WriteFile(*dir_ + "/up.jwks", jwks.body);
  // Another registry's key: a snapshot signed by the upstream does not verify with it.
  {
    // Its own directory: a SQLite registry keeps its key next to the database file.
    std::filesystem::create_directories(*dir_ + "/other");
    testing::ServerProcess other(*dir_ + "/other/other.db", {"--no-demo"});
    ASSERT_TRUE(other.started());
    WriteFile(*dir_ + "/other.jwks", Do("GET", other.base_url() + "/v0.1/x/dev.mcpreg/jwks").body);
  }
  const std::string signed_filters =
      kFilters + "    require_signature: true\n    public_key: " + *dir_ + "/up.jwks\n";
  const std::string db = *dir_ + "/down-s.db";
  std::string out, err;
  proxy_->Clear();
  ASSERT_EQ(Mirror(Config("down-s.yaml", signed_filters), db, &out, &err), 0) << out << err;
  EXPECT_EQ(out, "mirror: up: 122 applied, 0 removed, 0 skipped, 122 mirrored (1 requests, full)\n");
  ASSERT_EQ(proxy_->Targets().size(), 1u);
  EXPECT_EQ(proxy_->Targets()[0], "/v0.1/x/dev.mcpreg/snapshot");
  {
    testing::ServerProcess down(db, {"--no-demo"});
    ASSERT_TRUE(down.started());
    auto got = Listing(down.base_url(), true);
    auto want = Selected(false);
    ASSERT_EQ(got.size(), want.size());
    for (const auto& [key, item] : want) {
      ASSERT_TRUE(got.count(key)) << key;
      EXPECT_EQ(bj::serialize(got[key].at("server")), bj::serialize(item.at("server")));
    }
  }

  // Signed by a key the config does not name: refused, nothing applied.
  const std::string wrong_db = *dir_ + "/down-w.db";
  ASSERT_EQ(Mirror(Config("down-w.yaml", kFilters + "    require_signature: true\n    public_key: " +
                                             *dir_ + "/other.jwks\n"),
                   wrong_db, &out, &err),
            1);
  EXPECT_NE(out.find("0 applied, 0 removed, 0 skipped, 0 mirrored FAILED: upstream up"), std::string::npos) << out;
  EXPECT_NE(out.find("snapshot refused"), std::string::npos) << out;
  // An upstream that serves no signed snapshot: refused too (the list API is never used).
  proxy_->Hide("/x/dev.mcpreg/snapshot");
  proxy_->Clear();
  ASSERT_EQ(Mirror(Config("down-w.yaml", signed_filters), wrong_db, &out, &err), 1);
  proxy_->Hide("");
  EXPECT_NE(out.find("answered HTTP 404"), std::string::npos) << out;
  for (const auto& t : proxy_->Targets()) EXPECT_EQ(t.find("/v0.1/servers"), std::string::npos) << t;
  testing::ServerProcess wrong(wrong_db, {"--no-demo"});
  ASSERT_TRUE(wrong.started());
  EXPECT_TRUE(Listing(wrong.base_url(), true).empty());
}

}  // namespace
}  // namespace mcpreg
