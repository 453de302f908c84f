// Issue 3 end to end over real HTTP: workload-identity token exchange, the package feed,
// publish, status changes, the audit log, an authorization matrix over every write route,
// and concurrent publishing; each test once per storage backend (…/sqlite, …/postgres).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "app/registry.h"
#include "auth/registry_token.h"
#include "mcpreg/clock.h"
#include "core/percent.h"
#include "core/sha256.h"
#include "integration/server_process.h"
#include "support/backend.h"
#include "support/test_issuer.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::RunCli;
using testing::ServerProcess;

constexpr char kIssuer[] = "https://idp.test.example";
constexpr char kSchema[] = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

// One registry per backend, started by the first test of that backend and shared by the
// rest (ctest runs each test in its own process, so a process starts only the one it needs).
struct Suite {
  std::string dir;
  std::string db;  // SQLite file or PostgreSQL URI
  std::unique_ptr<testing::TestIssuer> idp;
  std::unique_ptr<ServerProcess> server;
  std::string error;  // why the start failed; "" = started
};

std::unique_ptr<Suite> StartSuite(testing::Backend backend) {
  auto s = std::make_unique<Suite>();
  s->dir = testing::TempDir();
  s->db = testing::NewDbLocation(backend, s->dir, "publish_e2e");
  s->idp = std::make_unique<testing::TestIssuer>(kIssuer, s->dir + "/jwks.json");
  // Rule-based rights for the CI identities of the "acme" org; the "contoso" identity gets its
  // rights from `mcpreg admin grant` below. The database is the --db flag's.
  std::ofstream(s->dir + "/mcpreg.yaml") << s->idp->AuthConfig() << "feed:\n  max_bytes: 1048576\n";
  std::string out, err;
  if (RunCli({"admin", "grant", "--db", s->db, "--issuer", kIssuer, "--subject",
              "mi-contoso-publisher", "--namespace", "com.contoso/*", "--role", "admin"},
             &out, &err) != 0) {
    s->error = "mcpreg admin grant failed: " + err;
    return s;
  }
  s->server = std::make_unique<ServerProcess>(
      s->db, std::vector<std::string>{"--config", s->dir + "/mcpreg.yaml", "--no-demo"});
  if (!s->server->started()) s->error = "the server did not start:\n" + s->server->log();
  return s;
}

class PublishE2ETest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [backend, s] : suites_) {
      s->server.reset();
      std::filesystem::remove_all(s->dir);
    }
    suites_.clear();
  }
  void SetUp() override {
    auto& s = (suites_)[GetParam()];
    if (!s) s = StartSuite(GetParam());
    s_ = s.get();
    ASSERT_TRUE(s_->error.empty()) << s_->error;
  }

  std::string OidcToken(const std::string& sub, const std::string& org, long exp_offset = 300) {
    return s_->idp->Token(sub, org, exp_offset);
  }

  http::ClientResponse Do(const std::string& method, const std::string& path,
                          const std::string& body = "", http::Headers headers = {}) {
    http::ClientRequest req;
    req.method = method;
    req.url = s_->server->base_url() + path;
    req.body = body;
    req.headers = std::move(headers);
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }
  std::string RegistryToken(const std::string& sub, const std::string& org) {
    auto r = Do("POST", "/v0.1/auth/oidc", s_->idp->ExchangeBody(sub, org));
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(boost::json::parse(r.body).at("registry_token").as_string());
  }
  static http::Headers Bearer(const std::string& t) { return {{"Authorization", "Bearer " + t}}; }
  static std::string ServerJson(const std::string& name, const std::string& version,
                                const std::string& extra = "") {
    return std::string("{\"$schema\":\"") + kSchema + "\",\"name\":\"" + name +
           "\",\"description\":\"Test server\",\"version\":\"" + version + "\"" + extra + "}";
  }

  static inline std::map<testing::Backend, std::unique_ptr<Suite>> suites_;
  Suite* s_ = nullptr;
};

TEST_P(PublishE2ETest, TokenExchangeRejectsBadTokensWithTheFailedCheck) {
  auto r = Do("POST", "/v0.1/auth/oidc", "{\"oidc_token\":\"" + OidcToken("x", "acme", -120) + "\"}");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;
  r = Do("POST", "/v0.1/auth/oidc", "{\"oidc_token\":\"not.a.jwt\"}");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body.find("not.a.jwt"), std::string::npos) << "never echo the token";
  r = Do("POST", "/v0.1/auth/oidc", "{}");
  EXPECT_EQ(r.status, 422);
  r = Do("POST", "/v0.1/auth/github-oidc", "{\"oidc_token\":\"" + OidcToken("x", "acme") + "\"}");
  EXPECT_EQ(r.status, 200);
  auto v = boost::json::parse(r.body);
  EXPECT_TRUE(v.as_object().contains("registry_token"));
  EXPECT_GT(v.at("expires_at").as_int64(), std::time(nullptr));
}

TEST_P(PublishE2ETest, UploadPublishListDeprecateDeleteRestoreWithAudit) {
  std::string token = RegistryToken("repo:acme/tools", "acme");
  std::string bundle = "MCPB\x01 pretend bundle bytes";
  std::string sha = Sha256Hex(bundle);
  // Upload with a wrong digest is refused and stores nothing.
  auto bad = Do("PUT", "/v0.1/x/dev.mcpreg/feed/com.acme%2Ftools/1.0.0/tools.mcpb", bundle,
                {{"Authorization", "Bearer " + token}, {"X-Content-SHA256", Sha256Hex("other")}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto up = Do("PUT", "/v0.1/x/dev.mcpreg/feed/com.acme%2Ftools/1.0.0/tools.mcpb", bundle,
               {{"Authorization", "Bearer " + token}, {"X-Content-SHA256", sha}});
  ASSERT_EQ(up.status, 201) << up.body;
  std::string url = std::string(boost::json::parse(up.body).at("url").as_string());
  // Download: full, ranged, conditional.
  auto dl = Do("GET", url.substr(url.find("/v0.1")));
  EXPECT_EQ(dl.body, bundle);
  auto part = Do("GET", url.substr(url.find("/v0.1")), "", {{"Range", "bytes=0-3"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "MCPB");
  auto cached = Do("GET", url.substr(url.find("/v0.1")), "", {{"If-None-Match", "\"" + sha + "\""}});
  EXPECT_EQ(cached.status, 304);

  // Warm the page cache before the write: the listing must still show the new version after.
  EXPECT_EQ(Do("GET", "/v0.1/servers?search=com.acme%2Ftools").body.find("com.acme/tools"), std::string::npos);
  std::string https_url = "https://registry.example" + url.substr(url.find("/v0.1"));
  std::string pkg = ",\"packages\":[{\"registryType\":\"mcpb\",\"identifier\":\"" + https_url +
                    "\",\"fileSha256\":\"" + sha + "\",\"transport\":{\"type\":\"stdio\"}}]";
  // A feed package with another digest is refused.
  std::string wrong = ",\"packages\":[{\"registryType\":\"mcpb\",\"identifier\":\"" + https_url +
                      "\",\"fileSha256\":\"" + Sha256Hex("x") + "\",\"transport\":{\"type\":\"stdio\"}}]";
  auto r = Do("POST", "/v0.1/publish", ServerJson("com.acme/tools", "1.0.0", wrong), Bearer(token));
  EXPECT_EQ(r.status, 400) << r.body;
  r = Do("POST", "/v0.1/publish", ServerJson("com.acme/tools", "1.0.0", pkg), Bearer(token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"isLatest\":true"), std::string::npos);
  // Duplicate version refused like upstream.
  r = Do("POST", "/v0.1/publish", ServerJson("com.acme/tools", "1.0.0", pkg), Bearer(token));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("cannot publish duplicate version"), std::string::npos) << r.body;

  auto list = Do("GET", "/v0.1/servers?search=com.acme%2Ftools");
  EXPECT_NE(list.body.find("\"name\":\"com.acme/tools\""), std::string::npos);

  r = Do("PATCH", "/v0.1/servers/com.acme%2Ftools/versions/1.0.0/status",
         "{\"status\":\"deprecated\",\"statusMessage\":\"use 2.x\"}", Bearer(token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"statusMessage\":\"use 2.x\""), std::string::npos);
  r = Do("PATCH", "/v0.1/servers/com.acme%2Ftools/status", "{\"status\":\"deleted\",\"statusMessage\":\"retired\"}", Bearer(token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("updatedCount").as_int64(), 1);
  EXPECT_EQ(Do("GET", "/v0.1/servers/com.acme%2Ftools/versions/latest").status, 404);
  EXPECT_EQ(Do("GET", "/v0.1/servers?search=com.acme%2Ftools").body.find("com.acme/tools"), std::string::npos)
      << "deleted versions leave the (cached) listing";
  r = Do("PATCH", "/v0.1/servers/com.acme%2Ftools/versions/1.0.0/status", "{\"status\":\"active\"}", Bearer(token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Do("GET", "/v0.1/servers/com.acme%2Ftools/versions/latest").status, 200);
  // Nothing to change → 400; message with active → 400.
  EXPECT_EQ(Do("PATCH", "/v0.1/servers/com.acme%2Ftools/versions/1.0.0/status", "{\"status\":\"active\"}", Bearer(token)).status, 400);
  EXPECT_EQ(Do("PATCH", "/v0.1/servers/com.acme%2Ftools/status", "{\"status\":\"active\",\"statusMessage\":\"x\"}", Bearer(token)).status, 400);

  std::string out, err;
  ASSERT_EQ(RunCli({"audit", "show", "--db", s_->db, "com.acme/tools"}, &out, &err), 0) << err;
  for (const char* step : {"upload", "publish", "status"}) EXPECT_NE(out.find(step), std::string::npos) << out;
  EXPECT_NE(out.find("oidc:" + std::string(kIssuer) + "#repo:acme/tools"), std::string::npos) << out;
  EXPECT_NE(out.find("\"status\":\"deleted\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"status\":\"active\""), std::string::npos) << out;
  ASSERT_EQ(RunCli({"audit", "verify", "--db", s_->db}, &out, &err), 0) << err;
}

TEST_P(PublishE2ETest, AdminGrantGivesRightsToAnIdentityWithoutRules) {
  std::string token = RegistryToken("mi-contoso-publisher", "none");
  auto r = Do("POST", "/v0.1/publish", ServerJson("com.contoso/weather", "1.0.0"), Bearer(token));
  EXPECT_EQ(r.status, 200) << r.body;
  // admin role includes edit.
  r = Do("PUT", "/v0.1/servers/com.contoso%2Fweather/versions/1.0.0",
         ServerJson("com.contoso/weather", "1.0.0", ",\"title\":\"Weather\""), Bearer(token));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"title\":\"Weather\""), std::string::npos);
  r = Do("PUT", "/v0.1/servers/com.contoso%2Fweather/versions/1.0.0",
         ServerJson("com.contoso/renamed", "1.0.0"), Bearer(token));
  EXPECT_EQ(r.status, 400);
}

// Every write route × {no token, garbage token, token for another namespace, right token}.
TEST_P(PublishE2ETest, AuthorizationMatrixOverEveryWriteRoute) {
  std::string acme = RegistryToken("repo:acme/matrix", "acme");
  std::string other = RegistryToken("repo:umbrella/x", "umbrella");  // no rights
  ASSERT_EQ(Do("POST", "/v0.1/publish", ServerJson("com.acme/matrix", "0.1.0"), Bearer(acme)).status, 200);
  // A registry token signed with the server's own key but already expired. The key is found
  // where the server finds it (app/registry.h: a file next to a SQLite database, the database
  // itself for PostgreSQL); a fresh token signed with it is accepted, so the 401s below are
  // for the expiry alone.
  auto reg = app::OpenRegistryAt(s_->db, app::MigratePolicy::kRequireCurrent);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  auto key = app::LoadRegistryKey(*reg);
  auto same_key = app::LoadRegistryKey(*reg);
  ASSERT_TRUE(key.ok() && same_key.ok()) << key.status().ToString();
  auth::Principal who;
  who.auth_method = "oidc";
  who.issuer = kIssuer;
  who.subject = "repo:acme/matrix";
  who.permissions = {{"publish", "*"}};
  auth::RegistryTokens now_tokens(std::move(*same_key), SystemClock::Instance(), 300);
  auto fresh = Do("POST", "/v0.1/publish", ServerJson("com.acme/matrix", "0.0.1"),
                  Bearer(now_tokens.Issue(who)->registry_token));
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  ManualClock past(SystemClock::Instance().Now() - 3600LL * 1000000);
  auth::RegistryTokens old_tokens(std::move(*key), past, 300);
  std::string expired = old_tokens.Issue(who)->registry_token;
  std::string blob = "artifact";
  struct Route {
    std::string method, path, body;
    http::Headers extra;
    int ok_status;
  };
  std::vector<Route> routes = {
      {"POST", "/v0.1/publish", ServerJson("com.acme/matrix", "0.2.0"), {}, 200},
      {"PATCH", "/v0.1/servers/com.acme%2Fmatrix/versions/0.1.0/status", "{\"status\":\"deprecated\"}", {}, 200},
      {"PATCH", "/v0.1/servers/com.acme%2Fmatrix/status", "{\"status\":\"deprecated\",\"statusMessage\":\"m\"}", {}, 200},
      {"PUT", "/v0.1/x/dev.mcpreg/feed/com.acme%2Fmatrix/0.1.0/m.bin", blob, {{"X-Content-SHA256", Sha256Hex(blob)}}, 201},
      {"PUT", "/v0/servers/com.acme%2Fmatrix/versions/0.1.0", ServerJson("com.acme/matrix", "0.1.0"), {}, 403},  // acme lacks edit
  };
  for (const auto& rt : routes) {
    auto with = [&](http::Headers h) {
      for (const auto& e : rt.extra) h.push_back(e);
      return Do(rt.method, rt.path, rt.body, h);
    };
    EXPECT_EQ(with({}).status, 422) << rt.method << " " << rt.path << " without token";
    EXPECT_EQ(with({{"Authorization", "Bearer garbage"}}).status, 401) << rt.path;
    EXPECT_EQ(with(Bearer(expired)).status, 401) << rt.path << " expired token";
    EXPECT_EQ(with({{"Authorization", "Basic abc"}}).status, 401) << rt.path;
    auto forbidden = with(Bearer(other));
    EXPECT_EQ(forbidden.status, 403) << rt.path << " " << forbidden.body;
    EXPECT_EQ(with(Bearer(acme)).status, rt.ok_status) << rt.path;
  }
  auto r = Do("POST", "/v0.1/publish", ServerJson("com.acme/matrix", "0.3.0"), Bearer(other));
  EXPECT_NE(r.body.find("You do not have permission to publish this server"), std::string::npos) << r.body;
}

TEST_P(PublishE2ETest, ConcurrentPublishesLeaveOneLatestAndLoseNothing) {
  std::string token = RegistryToken("repo:acme/burst", "acme");
  constexpr int kThreads = 16, kPerThread = 25;
  std::atomic<int> ok{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string v = "1." + std::to_string(t) + "." + std::to_string(i);
        if (Do("POST", "/v0.1/publish", ServerJson("com.acme/burst", v), Bearer(token)).status == 200) ++ok;
      }
    });
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ figures ] %d durable publishes in %.2f s = %.0f publishes/s (%d clients, %s)\n",
              kThreads * kPerThread, secs, kThreads * kPerThread / secs, kThreads,
              std::string(testing::BackendName(GetParam())).c_str());
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  auto r = Do("GET", "/v0.1/servers/com.acme%2Fburst/versions");
  auto v = boost::json::parse(r.body);
  EXPECT_EQ(v.at("servers").as_array().size(), static_cast<size_t>(kThreads * kPerThread));
  int latest = 0;
  std::string latest_version;
  for (const auto& s : v.at("servers").as_array())
    if (s.at("_meta").at("io.modelcontextprotocol.registry/official").at("isLatest").as_bool()) {
      ++latest;
      latest_version = std::string(s.at("server").at("version").as_string());
    }
  EXPECT_EQ(latest, 1);
  EXPECT_EQ(latest_version, "1.15.24");
}

INSTANTIATE_TEST_SUITE_P(Backends, PublishE2ETest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
