// Issue 9 crash-safety test: concurrent publishers, status changes and feed
// uploads against a real `mcpreg serve`, killed with SIGKILL at a random point
// of each round and restarted. After every restart: every acknowledged write (a
// 2xx the client saw) is there, PRAGMA integrity_check says ok, `mcpreg audit
// verify` exits 0, and no orphan *.tmp.* file is left in the feed directory.
//
// MCPREG_CRASH_ROUNDS sets the number of kill rounds (default 8: ~12 s on an
// idle 2-core machine); MCPREG_CRASH_SEED fixes the random kill points
// (default: time-based, printed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/percent.h"
#include "core/sha256.h"
#include "feed/artifact_store.h"
#include "integration/server_process.h"
#include "store/sqlite/sqlite_db.h"
#include "transport/http_client.h"

extern char **environ;

namespace mcpreg {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;

constexpr char kIssuer[] = "https://idp.crash.test";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/"
    "2025-12-11/server.schema.json";

// `mcpreg serve` as a child whose pid we own, so it can be killed with SIGKILL.
class Server {
 public:
  Server(const std::string &dir) : dir_(dir) {}
  ~Server() { Kill(); }
  // Starts the server and waits for its "listening on" line. False on failure.
  bool Start() {
    log_path_ = dir_ + "/serve-" + std::to_string(++starts_) + ".log";
    std::vector<std::string> args = {MCPREG_BINARY, "serve",
                                     "--listen",    "127.0.0.1:0",
                                     "--db",        dir_ + "/registry.db",
                                     "--config",    dir_ + "/mcpreg.yaml",
                                     "--no-demo"};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawn(&pid_, MCPREG_BINARY, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return pid_ = -1, false;
    constexpr std::string_view kListen = "listening on http://127.0.0.1:";
    for (int i = 0; i < 300; ++i) {
      std::string log = Log();
      if (auto at = log.find(kListen); at != std::string::npos) {
        port_ = std::atoi(log.c_str() + at + kListen.size());
        if (port_ > 0) return true;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return pid_ = -1, false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_, log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
};

Result<http::ClientResponse> Do(const std::string &url, const std::string &method,
                                std::string body = "", http::Headers headers = {}) {
  http::ClientRequest req;
  req.method = method;
  req.url = url;
  req.body = std::move(body);
  req.headers = std::move(headers);
  req.timeout = std::chrono::seconds(10);
  if (!req.body.empty() && method != "PUT")
    req.headers.emplace_back("Content-Type", "application/json");
  return http::Fetch(req);
}

std::vector<std::string> TempFilesUnder(const std::string &dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().find(".tmp.") != std::string::npos)
      out.push_back(it->path().string());
  return out;
}

// What the clients saw acknowledged, across all rounds.
struct Acked {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> versions;      // (name, version) published
  std::map<std::pair<std::string, std::string>, int> status_msg;  // last acked "m<k>"
  std::map<std::string, std::string> artifacts;  // download path -> sha256 of the content
};

TEST(CrashSafetyTest, KillNineUnderConcurrentWritesLosesNoAcknowledgedWrite) {
  int rounds = 8;
  if (const char *r = std::getenv("MCPREG_CRASH_ROUNDS")) rounds = std::max(1, std::atoi(r));
  unsigned seed = static_cast<unsigned>(std::time(nullptr));
  if (const char *s = std::getenv("MCPREG_CRASH_SEED")) seed = static_cast<unsigned>(std::atol(s));
  std::printf("[ crash    ] rounds=%d seed=%u\n", rounds, seed);
  std::mt19937 rng(seed);

  const std::string dir = testing::TempDir();
  auto key = auth::Key::Generate(auth::KeyType::kEcP256, "crash-key");
  ASSERT_TRUE(key.ok());
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key->PublicJwk()));
  std::ofstream(dir + "/jwks.json") << set.ToJson();
  std::ofstream(dir + "/mcpreg.yaml")
      << "db: registry.db\nauth:\n  issuers:\n    - name: crash-idp\n      "
         "issuer: "
      << kIssuer
      << "\n      audience: mcpreg\n      jwks_file: jwks.json\n      rules:\n"
         "        - match: {org: acme}\n"
         "          grant: {actions: [publish, feed], resource: "
         "\"com.acme/*\"}\n"
         "feed:\n  max_bytes: 4194304\n";
  const std::string feed_dir = dir + "/feed";

  Server server(dir);
  ASSERT_TRUE(server.Start()) << server.Log();
  long now = static_cast<long>(std::time(nullptr));
  boost::json::object claims{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", "repo:acme/crash"},
                             {"org", "acme"},  {"iat", now},      {"exp", now + 3600}};
  std::string oidc = *auth::SignJwt(*key, auth::JwsAlg::kES256, boost::json::serialize(claims));
  auto ex = Do(server.base() + "/v0.1/auth/oidc", "POST",
               boost::json::serialize(boost::json::object{{"oidc_token", oidc}}));
  ASSERT_TRUE(ex.ok() && ex->status == 200) << (ex.ok() ? ex->body : ex.status().ToString());
  const http::Headers auth = {
      {"Authorization",
       "Bearer " + std::string(boost::json::parse(ex->body).at("registry_token").as_string())}};

  Acked acked;
  std::atomic<int> msg_counter{0}, upload_counter{0};
  long checked_versions = 0, checked_status = 0, checked_artifacts = 0, orphans_seen = 0;
  long failures = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::string base = server.base();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 2; ++t) {  // publishers: new versions of a few names (latest flips)
      clients.emplace_back([&, t] {
        for (int i = 0; !stop.load(); ++i) {
          std::string name = "com.acme/crash-" + std::to_string((t * 7 + i) % 5);
          std::string version =
              std::to_string(round + 1) + "." + std::to_string(t) + "." + std::to_string(i);
          std::string body = std::string("{\"$schema\":\"") + kSchema + "\",\"name\":\"" + name +
                             "\",\"description\":\"crash\",\"version\":\"" + version + "\"}";
          auto r = Do(base + "/v0.1/publish", "POST", body, auth);
          if (!r.ok()) continue;  // killed mid-request: not acknowledged
          if (r->status == 200) {
            std::lock_guard lock(acked.mu);
            acked.versions.emplace_back(name, version);
          }
        }
      });
    }
    clients.emplace_back([&] {  // status changes on acknowledged versions
      std::mt19937 local(seed + round);
      while (!stop.load()) {
        std::pair<std::string, std::string> v;
        {
          std::lock_guard lock(acked.mu);
          if (acked.versions.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
          }
          v = acked.versions[local() % acked.versions.size()];
        }
        int k = ++msg_counter;
        auto r = Do(
            base + "/v0.1/servers/" + PercentEncode(v.first) + "/versions/" + v.second + "/status",
            "PATCH", "{\"status\":\"deprecated\",\"statusMessage\":\"m" + std::to_string(k) + "\"}",
            auth);
        if (r.ok() && r->status == 200) {
          std::lock_guard lock(acked.mu);
          acked.status_msg[v] = k;
        }
      }
    });
    for (int u = 0; u < 2; ++u) {  // feed uploads, 64 KiB to 1 MiB each
      clients.emplace_back([&, u] {
        std::mt19937 local(seed * 31 + round * 2 + u);
        while (!stop.load()) {
          int n = ++upload_counter;
          std::string data((64 << 10) + local() % (1 << 20), '\0');
          for (size_t i = 0; i + 4 <= data.size(); i += 4) {
            uint32_t x = local();
            std::memcpy(&data[i], &x, 4);
          }
          std::string sha = Sha256Hex(data);
          std::string file = "a" + std::to_string(n) + ".mcpb";
          auto r = Do(base + "/v0.1/x/dev.mcpreg/feed/com.acme%2Ffeed/1.0." + std::to_string(n) +
                          "/" + file,
                      "PUT", data, [&] {
                        http::Headers h = auth;
                        h.emplace_back("X-Content-SHA256", sha);
                        h.emplace_back("Content-Type", "application/octet-stream");
                        return h;
                      }());
          if (r.ok() && r->status / 100 == 2) {
            std::string url(boost::json::parse(r->body).at("url").as_string());
            std::lock_guard lock(acked.mu);
            acked.artifacts[url.substr(url.find("/v0.1"))] = sha;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 1000));
    server.Kill();  // SIGKILL at a random point of the write load
    stop = true;
    for (auto &c : clients) c.join();
    orphans_seen += static_cast<long>(TempFilesUnder(feed_dir).size());
    // A kill inside Put's temp write (random kill points hit that window only
    // sometimes) leaves exactly this: a temp file nobody holds. Plant one so
    // every restart must sweep.
    {
      std::string sha = Sha256Hex("planted " + std::to_string(round));
      fs::create_directories(feed_dir + "/sha256/" + sha.substr(0, 2));
      std::ofstream(feed_dir + "/sha256/" + sha.substr(0, 2) + "/" + sha + ".tmp.999999." +
                    std::to_string(round))
          << "partial";
    }

    ASSERT_TRUE(server.Start()) << "restart after round " << round << ":\n" << server.Log();
    const std::string b2 = server.base();
    std::lock_guard lock(acked.mu);
    // 1. Every acknowledged publish, with at least its last acknowledged status
    // message.
    std::map<std::pair<std::string, std::string>, std::string> listed;  // -> statusMessage
    std::string cursor;
    for (int page = 0; page < 10000; ++page) {
      std::string path = "/v0.1/servers?limit=100";
      if (!cursor.empty()) path += "&cursor=" + PercentEncode(cursor);
      auto r = Do(b2 + path, "GET");
      ASSERT_TRUE(r.ok() && r->status == 200);
      auto v = boost::json::parse(r->body).as_object();
      for (const auto &s : v.at("servers").as_array()) {
        const auto &srv = s.at("server").as_object();
        const auto &meta =
            s.at("_meta").at("io.modelcontextprotocol.registry/official").as_object();
        auto *m = meta.if_contains("statusMessage");
        listed[{std::string(srv.at("name").as_string()),
                std::string(srv.at("version").as_string())}] =
            m && m->is_string() ? std::string(m->as_string()) : "";
      }
      auto *next = v.at("metadata").as_object().if_contains("nextCursor");
      if (!next || !next->is_string()) break;
      cursor = std::string(next->as_string());
    }
    for (const auto &v : acked.versions) {
      ++checked_versions;
      if (!listed.count(v)) {
        ++failures;
        ADD_FAILURE() << "acknowledged publish lost: " << v.first << "@" << v.second;
      }
    }
    for (const auto &[v, k] : acked.status_msg) {
      ++checked_status;
      auto it = listed.find(v);
      int got = it == listed.end() || it->second.size() < 2 ? 0 : std::atoi(it->second.c_str() + 1);
      if (got < k) {
        ++failures;
        ADD_FAILURE() << "acknowledged status m" << k << " of " << v.first << "@" << v.second
                      << " lost (stored '" << (it == listed.end() ? "-" : it->second) << "')";
      }
    }
    // 2. Every acknowledged upload downloads with its exact content.
    for (const auto &[path, sha] : acked.artifacts) {
      ++checked_artifacts;
      auto r = Do(b2 + path, "GET");
      if (!r.ok() || r->status != 200 || Sha256Hex(r->body) != sha) {
        ++failures;
        ADD_FAILURE() << "acknowledged upload lost: " << path << " -> "
                      << (r.ok() ? std::to_string(r->status) : r.status().ToString());
      }
    }
    // 3. The file is sound and the audit chain intact.
    auto db = store::Db::Open(dir + "/registry.db");
    ASSERT_TRUE(db.ok());
    auto integrity = (*db)->QueryString("PRAGMA integrity_check");
    EXPECT_TRUE(integrity.ok() && *integrity == "ok")
        << (integrity.ok() ? *integrity : integrity.status().ToString());
    if (!integrity.ok() || *integrity != "ok") ++failures;
    db->reset();
    std::string out, err;
    int rc = RunCli({"audit", "verify", "--db", dir + "/registry.db"}, &out, &err);
    EXPECT_EQ(rc, 0) << out << err;
    if (rc != 0) ++failures;
    // 4. The restart swept the orphans the kill left.
    auto temps = TempFilesUnder(feed_dir);
    EXPECT_TRUE(temps.empty()) << temps.size() << " orphan temp files, e.g. " << temps[0];
    if (!temps.empty()) ++failures;
  }
  std::printf(
      "[ crash    ] rounds=%d acked: versions=%zu status=%zu "
      "artifacts=%zu; checks: "
      "versions=%ld status=%ld artifacts=%ld; orphan temp files after "
      "kills=%ld; failures=%ld\n",
      rounds, acked.versions.size(), acked.status_msg.size(), acked.artifacts.size(),
      checked_versions, checked_status, checked_artifacts, orphans_seen, failures);
  EXPECT_GT(acked.versions.size(), 0u);
  EXPECT_GT(acked.artifacts.size(), 0u);
  server.Kill();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
