// Issue 10 end to end: three `mcpreg serve` processes on one real PostgreSQL database behind
// no load balancer (the test talks to each directly). Publishing through one replica is served
// by the others within a second; tokens and feed uploads work across replicas; concurrent
// publishes through all three lose nothing, leave one latest and one verifiable audit chain;
// a replica killed with SIGKILL mid-write loses nothing it acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/sha256.h"
#include "integration/server_process.h"
#include "support/pg_test_db.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::RunCli;
using testing::ServerProcess;

constexpr char kIssuer[] = "https://idp.replicas.example";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

http::ClientResponse Do(const ServerProcess& s, const std::string& method, const std::string& path,
                        const std::string& body = "", http::Headers headers = {}) {
  http::ClientRequest req;
  req.method = method;
  req.url = s.base_url() + path;
  req.body = body;
  req.headers = std::move(headers);
  if (!body.empty() && method != "PUT") req.headers.emplace_back("Content-Type", "application/json");
  auto r = http::Fetch(req);
  return r.ok() ? *r : http::ClientResponse{};
}

std::string ServerJson(const std::string& name, const std::string& version,
                       const std::string& extra = "") {
  return std::string("{\"$schema\":\"") + kSchema + "\",\"name\":\"" + name +
         "\",\"description\":\"Replicated server\",\"version\":\"" + version + "\"" + extra + "}";
}

class ReplicasE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    uri_ = new std::string(testing::CreateTestDatabase("replicas"));
    key_ = new auth::Key(*auth::Key::Generate(auth::KeyType::kEcP256, "replica-key"));
    auth::JwkSet set;
    set.Add(*auth::Key::FromJwk(key_->PublicJwk()));
    std::ofstream(*dir_ + "/jwks.json") << set.ToJson();
    // No registry_key_file: the replicas share the signing key through the database.
    std::ofstream(*dir_ + "/mcpreg.yaml") << "auth:\n"
        "  issuers:\n"
        "    - name: test-idp\n"
        "      issuer: " << kIssuer << "\n"
        "      audience: mcpreg\n"
        "      jwks_file: " << *dir_ << "/jwks.json\n"
        "      rules:\n"
        "        - match: {org: acme}\n"
        "          grant: {actions: [publish, feed], resource: \"com.acme/*\"}\n"
        "        - match: {team: platform}\n"
        "          grant: {action: review, resource: \"*\"}\n"
        "feed:\n"
        "  max_bytes: 1048576\n";
    std::string out, err;
    ASSERT_EQ(RunCli({"migrate", "--db", *uri_}, &out, &err), 0) << err;
    for (int i = 0; i < 3; ++i) {
      replicas_[i] = new ServerProcess(*uri_, {"--config", *dir_ + "/mcpreg.yaml", "--no-demo"});
      ASSERT_TRUE(replicas_[i]->started()) << replicas_[i]->log();
    }
  }
  static void TearDownTestSuite() {
    for (auto*& r : replicas_) {
      delete r;
      r = nullptr;
    }
    testing::DropTestDatabase(*uri_);
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete uri_;
    delete key_;
  }

  static std::string OidcToken(const std::string& sub, const std::string& team = "") {
    long now = static_cast<long>(std::time(nullptr));
    boost::json::object c{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", sub}, {"org", "acme"},
                          {"iat", now}, {"exp", now + 300}};
    if (!team.empty()) c["team"] = team;
    return *auth::SignJwt(*key_, auth::JwsAlg::kES256, boost::json::serialize(c));
  }
  static std::string RegistryToken(const ServerProcess& s, const std::string& sub,
                                   const std::string& team = "") {
    auto r = Do(s, "POST", "/v0.1/auth/oidc",
                boost::json::serialize(boost::json::object{{"oidc_token", OidcToken(sub, team)}}));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return "";
    return std::string(boost::json::parse(r.body).at("registry_token").as_string());
  }
  static http::Headers Bearer(const std::string& t) { return {{"Authorization", "Bearer " + t}}; }

  // Polls `s` until GET `path` answers 200, up to `limit`; returns the time it took or -1.
  static double WaitVisible(const ServerProcess& s, const std::string& path,
                            std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
    auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - t0 < limit) {
      if (Do(s, "GET", path).status == 200)
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
            .count();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }

  static std::string* dir_;
  static std::string* uri_;
  static auth::Key* key_;
  static ServerProcess* replicas_[3];
};

std::string* ReplicasE2ETest::dir_ = nullptr;
std::string* ReplicasE2ETest::uri_ = nullptr;
auth::Key* ReplicasE2ETest::key_ = nullptr;
ServerProcess* ReplicasE2ETest::replicas_[3] = {nullptr, nullptr, nullptr};

TEST_F(ReplicasE2ETest, PublishThroughOneIsServedByTheOthersWithinOneSecond) {
  std::string token = RegistryToken(*replicas_[0], "repo:acme/one");
  auto r = Do(*replicas_[0], "POST", "/v0.1/publish", ServerJson("com.acme/one", "1.0.0"),
              Bearer(token));
  ASSERT_EQ(r.status, 200) << r.body;
  for (int i : {1, 2}) {
    double ms = WaitVisible(*replicas_[i], "/v0.1/servers/com.acme%2Fone/versions/1.0.0");
    EXPECT_GE(ms, 0) << "replica " << i + 1 << " never served the version";
    EXPECT_LT(ms, 1000) << "replica " << i + 1;
    std::printf("[ figures ] replica %d served the publish after %.1f ms\n", i + 1, ms);
  }
  // Same bytes everywhere.
  auto a = Do(*replicas_[0], "GET", "/v0.1/servers/com.acme%2Fone/versions/1.0.0");
  auto b = Do(*replicas_[2], "GET", "/v0.1/servers/com.acme%2Fone/versions/1.0.0");
  EXPECT_EQ(a.body, b.body);
}

// Governance state (requests and decisions) made through one replica is what the others serve
// within the same catch-up window.
TEST_F(ReplicasE2ETest, RequestsAndDecisionsAreSharedAcrossReplicas) {
  const std::string name = "com.acme/governed";
  const std::string enc = "com.acme%2Fgoverned";
  const std::string base = "/v0.1/x/dev.mcpreg";
  std::string team = RegistryToken(*replicas_[0], "weather-dev", "weather");
  std::string reviewer = RegistryToken(*replicas_[1], "platform-reviewer", "platform");
  std::string server = std::string("{\"$schema\":\"") + kSchema + "\",\"name\":\"" + name +
                       "\",\"description\":\"Governed\",\"version\":\"1.0.0\"}";
  std::string request =
      "{\"name\":\"" + name + "\",\"team\":\"Weather\",\"contacts\":[\"w@acme.example\"],"
      "\"consumption\":\"first-party\",\"hosting\":\"remote\",\"publisher\":{\"issuer\":\"" +
      std::string(kIssuer) + "\",\"subject\":\"repo:acme/governed\"},"
      "\"pipeline\":\"https://ci.acme.example/governed\",\"apis\":[{\"name\":\"A\","
      "\"owner\":\"Weather\"}],\"server\":" + server + "}";
  auto filed = Do(*replicas_[0], "POST", base + "/requests", request, Bearer(team));
  ASSERT_EQ(filed.status, 201) << filed.body;

  auto until = [](auto&& ok) {
    auto t0 = std::chrono::steady_clock::now();
    while (!ok()) {
      if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(1)) return -1.0;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  double queued = until([&] {
    auto q = Do(*replicas_[1], "GET", base + "/review", "", Bearer(reviewer));
    return q.status == 200 && q.body.find(name) != std::string::npos;
  });
  EXPECT_GE(queued, 0) << "replica 2's review queue never showed the request";
  auto rejected = Do(*replicas_[2], "POST", base + "/requests/" + enc + "/reject",
                     "{\"reason\":\"needs a threat model\"}", Bearer(reviewer));
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  double decided = until([&] {
    auto r = Do(*replicas_[0], "GET", base + "/requests/" + enc, "", Bearer(reviewer));
    return r.status == 200 && r.body.find("\"rejected\"") != std::string::npos;
  });
  EXPECT_GE(decided, 0) << "replica 1 never served the decision";
  std::printf("[ figures ] request visible on replica 2 after %.1f ms, decision on replica 1 "
              "after %.1f ms\n", queued, decided);
}

TEST_F(ReplicasE2ETest, TokenMintedByOneReplicaWorksOnAnother) {
  std::string token = RegistryToken(*replicas_[0], "repo:acme/token");
  auto r = Do(*replicas_[2], "POST", "/v0.1/publish", ServerJson("com.acme/token", "1.0.0"),
              Bearer(token));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ReplicasE2ETest, FeedUploadThroughOneDownloadsFromAnother) {
  std::string token = RegistryToken(*replicas_[1], "repo:acme/feed");
  // Larger than one 1 MiB chunk would need max_bytes above 1 MiB; 700 KB spans one chunk and
  // a ranged read crosses into its middle.
  std::string bundle(700 * 1024, '\0');
  for (size_t i = 0; i < bundle.size(); ++i) bundle[i] = static_cast<char>((i * 7919) % 251);
  std::string sha = Sha256Hex(bundle);
  auto up = Do(*replicas_[1], "PUT", "/v0.1/x/dev.mcpreg/feed/com.acme%2Ffeed/1.0.0/feed.mcpb",
               bundle, {{"Authorization", "Bearer " + token}, {"X-Content-SHA256", sha}});
  ASSERT_EQ(up.status, 201) << up.body;
  std::string url = std::string(boost::json::parse(up.body).at("url").as_string());
  std::string path = url.substr(url.find("/v0.1"));
  auto dl = Do(*replicas_[0], "GET", path);
  EXPECT_EQ(dl.status, 200);
  EXPECT_TRUE(dl.body == bundle) << "downloaded " << dl.body.size() << " bytes";
  auto part = Do(*replicas_[2], "GET", path, "", {{"Range", "bytes=500000-500009"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, bundle.substr(500000, 10));
}

TEST_F(ReplicasE2ETest, ConcurrentPublishesThroughAllReplicasLoseNothing) {
  std::string token = RegistryToken(*replicas_[0], "repo:acme/burst");
  constexpr int kPerReplicaThreads = 6, kPerThread = 20;  // 360 publishes
  std::atomic<int> ok{0}, other{0};
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int rep = 0; rep < 3; ++rep)
    for (int t = 0; t < kPerReplicaThreads; ++t)
      threads.emplace_back([&, rep, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string v = std::to_string(rep + 1) + "." + std::to_string(t) + "." + std::to_string(i);
          auto r = Do(*replicas_[rep], "POST", "/v0.1/publish", ServerJson("com.acme/burst", v),
                      Bearer(token));
          (r.status == 200 ? ok : other)++;
        }
      });
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int total = 3 * kPerReplicaThreads * kPerThread;
  std::printf("[ figures ] %d publishes through 3 replicas in %.2f s = %.0f/s\n", total, secs,
              total / secs);
  EXPECT_EQ(ok.load(), total);
  EXPECT_EQ(other.load(), 0);
  // A duplicate raced through all three replicas at once: exactly one wins, the others get
  // today's 400 problem+json.
  std::atomic<int> won{0}, dup{0};
  std::vector<std::thread> racers;
  for (int rep = 0; rep < 3; ++rep)
    for (int k = 0; k < 3; ++k)
      racers.emplace_back([&, rep] {
        auto r = Do(*replicas_[rep], "POST", "/v0.1/publish", ServerJson("com.acme/burst", "9.9.9"),
                    Bearer(token));
        if (r.status == 200) ++won;
        if (r.status == 400 && r.body.find("cannot publish duplicate version") != std::string::npos)
          ++dup;
      });
  for (auto& th : racers) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(dup.load(), 8);

  // Every replica converges on the same set: each version once, exactly one latest.
  for (int rep = 0; rep < 3; ++rep) {
    std::string body;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    size_t n = 0;
    do {
      body = Do(*replicas_[rep], "GET", "/v0.1/servers/com.acme%2Fburst/versions").body;
      n = boost::json::parse(body).at("servers").as_array().size();
    } while (n != static_cast<size_t>(total + 1) && std::chrono::steady_clock::now() < deadline);
    auto v = boost::json::parse(body);
    std::set<std::string> versions;
    int latest = 0;
    for (const auto& s : v.at("servers").as_array()) {
      versions.insert(std::string(s.at("server").at("version").as_string()));
      if (s.at("_meta").at("io.modelcontextprotocol.registry/official").at("isLatest").as_bool())
        ++latest;
    }
    EXPECT_EQ(versions.size(), static_cast<size_t>(total + 1)) << "replica " << rep + 1;
    EXPECT_EQ(v.at("servers").as_array().size(), static_cast<size_t>(total + 1));
    EXPECT_EQ(latest, 1) << "replica " << rep + 1;
  }
  std::string out, err;
  EXPECT_EQ(RunCli({"audit", "verify", "--db", *uri_}, &out, &err), 0) << out << err;
}

TEST_F(ReplicasE2ETest, KilledReplicaLosesNothingItAcknowledged) {
  ServerProcess victim(*uri_, {"--config", *dir_ + "/mcpreg.yaml", "--no-demo"});
  ASSERT_TRUE(victim.started()) << victim.log();
  std::string token = RegistryToken(victim, "repo:acme/crash");
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; !stop.load() && i < 10000; ++i) {
        std::string v = "1." + std::to_string(t) + "." + std::to_string(i);
        auto r = Do(victim, "POST", "/v0.1/publish", ServerJson("com.acme/crash", v), Bearer(token));
        if (r.status == 200) {
          std::lock_guard lock(mu);
          acknowledged.push_back(v);
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  victim.Kill();
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_GT(acknowledged.size(), 10u) << "the writers did not get going before the kill";
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  auto listed = Do(*replicas_[0], "GET", "/v0.1/servers/com.acme%2Fcrash/versions");
  ASSERT_EQ(listed.status, 200) << listed.body;
  std::set<std::string> present;
  auto doc = boost::json::parse(listed.body);  // outlives the loop (no dangling temporary)
  for (const auto& s : doc.at("servers").as_array())
    present.insert(std::string(s.at("server").at("version").as_string()));
  for (const auto& v : acknowledged) EXPECT_TRUE(present.count(v)) << "lost acknowledged " << v;
  std::printf("[ figures ] %zu acknowledged publishes before SIGKILL, all present\n",
              acknowledged.size());
  std::string out, err;
  EXPECT_EQ(RunCli({"audit", "verify", "--db", *uri_}, &out, &err), 0) << out << err;
}

}  // namespace
}  // namespace mcpreg
