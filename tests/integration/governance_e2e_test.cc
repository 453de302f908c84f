// The whole governed life of a server over real HTTP and the real binary (issue 5):
// request → gates fail → fix → evidence → review → approve → publish → listed → deprecate →
// retire → gone from listing and exports; `mcpreg audit verify` passes, then fails after a row
// of the audit log is altered behind the registry's back. Each test once per storage backend
// (…/sqlite, …/postgres).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/percent.h"
#include "integration/server_process.h"
#include "support/backend.h"
#include "unit/client_fake_registry.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;

constexpr char kName[] = "com.contoso/weather";
constexpr char kIssuer[] = "https://idp.gov.example";
constexpr char kPublisherSub[] = "sp:weather-release-pipeline";
const std::string kDigest = "fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce";

std::string Server(const std::string& runtime_hint) {
  std::string pkg =
      runtime_hint.empty()
          ? R"({"registryType":"mcpb","identifier":"https://github.com/contoso/weather/releases/download/v1.0.0/weather.mcpb","fileSha256":")" +
                kDigest + R"(","transport":{"type":"stdio"}})"
          : R"({"registryType":"npm","identifier":"@contoso/weather","version":"1.0.0","runtimeHint":")" +
                runtime_hint + R"(","transport":{"type":"stdio"}})";
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":"com.contoso/weather","description":"Weather forecasts for Contoso field teams",)"
         R"("version":"1.0.0","packages":[)" + pkg + R"(],)"
         R"("_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":"MIT"}}})";
}

std::string Request(const std::string& server) {
  return R"({"name":"com.contoso/weather","team":"Weather","contacts":["weather@contoso.example"],)"
         R"("consumption":"first-party","hosting":"local",)"
         R"("publisher":{"issuer":")" + std::string(kIssuer) + R"(","subject":")" + kPublisherSub + R"("},)"
         R"("pipeline":"https://dev.azure.com/contoso/weather/_build?definitionId=7",)"
         R"("apis":[{"name":"Forecast API","owner":"Weather"}],"server":)" + server + "}";
}

class GovernanceE2E : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    key_ = std::make_unique<auth::Key>(*auth::Key::Generate(auth::KeyType::kEd25519, "k1"));
    auth::JwkSet set;
    set.Add(*auth::Key::FromJwk(key_->PublicJwk()));
    std::ofstream(dir_ + "/jwks.json") << set.ToJson();
    std::ofstream(dir_ + "/mcpreg.yaml")
        << "auth:\n  issuers:\n    - name: idp\n      issuer: " << kIssuer << "\n"
           "      audience: mcpreg\n      jwks_file: jwks.json\n      rules:\n"
           "        - match: {team: platform}\n          grant: {action: review, resource: \"*\"}\n"
           "policy:\n  strict: true\n";
    db_ = testing::NewDbLocation(GetParam(), dir_, "governance_e2e");
    server_ = std::make_unique<testing::ServerProcess>(
        db_, std::vector<std::string>{"--config", dir_ + "/mcpreg.yaml", "--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  http::ClientResponse Call(const std::string& method, const std::string& path,
                            const std::string& body = "", const std::string& token = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = server_->base_url() + path;
    req.body = body;
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << (r.ok() ? "" : r.status().message());
    return r.ok() ? *r : http::ClientResponse{};
  }
  // A registry token for a workload identity of the test issuer.
  std::string Token(const std::string& sub, const std::string& team) {
    long now = static_cast<long>(std::time(nullptr));
    std::string oidc = *auth::SignJwt(*key_, auth::JwsAlg::kEdDSA,
        bj::serialize(bj::object{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", sub}, {"team", team},
                                 {"iat", now}, {"exp", now + 300}}));
    auto t = Call("POST", "/v0.1/auth/oidc", "{\"oidc_token\":\"" + oidc + "\"}");
    EXPECT_EQ(t.status, 200) << t.body;
    return std::string(bj::parse(t.body).at("registry_token").as_string());
  }
  bool InListing() {
    auto r = Call("GET", "/v0.1/servers?search=weather&version=latest");
    EXPECT_EQ(r.status, 200);
    return r.body.find(kName) != std::string::npos;
  }

  std::string dir_, db_;  // db_: a SQLite file or a PostgreSQL URI
  std::unique_ptr<auth::Key> key_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_P(GovernanceE2E, RequestToRetirement) {
  const std::string base = "/v0.1/x/dev.mcpreg";
  const std::string enc = PercentEncode(kName);
  const std::string team = Token("weather-dev-portal", "weather");
  const std::string reviewer = Token("platform-reviewer", "platform");

  // Requests need a token; a malformed one is a 422 naming the field.
  EXPECT_EQ(Call("POST", base + "/requests", Request(Server("npx"))).status, 401);
  auto bad = Call("POST", base + "/requests", R"({"name":"com.contoso/weather"})", team);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("request.team"), std::string::npos);

  // 1. Request with a draft that needs the Node runtime: filed, gates fail.
  auto filed = Call("POST", base + "/requests", Request(Server("npx")), team);
  ASSERT_EQ(filed.status, 201) << filed.body;
  bj::value v = bj::parse(filed.body);
  EXPECT_EQ(v.at("state"), "pending");
  EXPECT_EQ(v.at("gates").at("pass"), false);
  EXPECT_NE(filed.body.find("local.runtime-required"), std::string::npos);

  // 2. The review queue shows it; approval is refused while a gate fails.
  auto queue = Call("GET", base + "/review", "", reviewer);
  ASSERT_EQ(queue.status, 200);
  EXPECT_EQ(bj::parse(queue.body).at("metadata").at("count"), 1);
  EXPECT_EQ(Call("GET", base + "/review", "", "").status, 401);
  auto refused = Call("POST", base + "/requests/" + enc + "/approve", "{}", reviewer);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("local.runtime-required"), std::string::npos);
  EXPECT_EQ(Call("POST", base + "/requests/" + enc + "/approve", "{}", team).status, 403);

  // 3. Fix: a self-contained bundle with its digest.
  auto fixed = Call("PUT", base + "/requests/" + enc, Request(Server("")), team);
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(bj::parse(fixed.body).at("gates").at("pass"), true) << fixed.body;

  // 4. Evidence for 1.0.0, bound to the bundle's digest: the team's scan, the reviewers'
  //    attestations.
  const std::string ev = base + "/servers/" + enc + "/versions/1.0.0/evidence";
  const std::string clean = R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[]}]})";
  auto scan = Call("POST", ev, R"({"kind":"sarif","digest":")" + kDigest + R"(","sarif":)" + clean + "}", team);
  ASSERT_EQ(scan.status, 201) << scan.body;
  EXPECT_EQ(bj::parse(scan.body).at("verdict"), "pass");
  EXPECT_EQ(Call("POST", ev, R"({"kind":"legal","verdict":"approved","reviewer":"x"})", team).status, 403);
  for (std::string kind : {"threat-model", "legal", "license"}) {
    std::string body = R"({"kind":")" + kind + R"(","verdict":"approved","reviewer":"Alice Platform",)"
                       R"("link":"https://contoso.example/reviews/12","digest":")" + kDigest + "\"" +
                       (kind == "license" ? R"(,"expression":"MIT")" : "") + "}";
    auto a = Call("POST", ev, body, reviewer);
    ASSERT_EQ(a.status, 201) << a.body;
  }

  // A big scan (beyond the 4 MiB default body limit) is accepted on the evidence route
  // (limits.max_evidence_bytes, 32 MiB by default).
  std::string big = R"({"kind":"sarif","sarif":{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[)";
  for (int i = 0; i < 30000; ++i)
    big += std::string(i ? "," : "") + R"({"ruleId":"N)" + std::to_string(i) +
           R"(","level":"note","message":{"text":"informational finding number )" + std::to_string(i) +
           R"( with some padding text to make the log realistically large"}})";
  big += "]}]}}";
  ASSERT_GT(big.size(), 4u << 20);
  auto bigscan = Call("POST", base + "/servers/" + enc + "/versions/0.0.1/evidence", big, team);
  EXPECT_EQ(bigscan.status, 201) << bigscan.body.substr(0, 300);

  // 5. Approve: the publisher identity gets publish + feed-contributor on the name.
  auto approved = Call("POST", base + "/requests/" + enc + "/approve",
                       R"({"note":"threat model DR-12 reviewed"})", reviewer);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(bj::parse(approved.body).at("state"), "approved");

  // 6. Publish with the pipeline's workload identity (its grants arrive with a fresh token).
  EXPECT_FALSE(InListing());
  const std::string publisher = Token(kPublisherSub, "weather");
  auto pub = Call("POST", "/v0.1/publish", Server(""), publisher);
  ASSERT_EQ(pub.status, 200) << pub.body;

  // 7. Listed: the request is approved, gates and all four evidence kinds pass.
  EXPECT_TRUE(InListing());
  EXPECT_EQ(Call("GET", "/v0.1/servers/" + enc + "/versions/latest").status, 200);
  auto allow = Call("GET", base + "/export/allowlist");
  ASSERT_EQ(allow.status, 200);
  EXPECT_NE(allow.body.find(R"("serverName":"com.contoso/weather")"), std::string::npos) << allow.body;
  auto readme = Call("GET", base + "/export/readme");
  EXPECT_NE(readme.body.find("com.contoso/weather"), std::string::npos);
  EXPECT_NE(readme.body.find("[MCP bundle](https://github.com/contoso/weather/releases/download/v1.0.0/weather.mcpb)"),
            std::string::npos) << readme.body;
  auto cat = Call("GET", base + "/export/catalog");
  EXPECT_EQ(bj::parse(cat.body).at("metadata").at("count"), 1);

  // 8. Deprecate: still listed, marked deprecated.
  auto dep = Call("PATCH", "/v0.1/servers/" + enc + "/versions/1.0.0/status",
                  R"({"status":"deprecated","statusMessage":"use 2.x"})", publisher);
  ASSERT_EQ(dep.status, 200) << dep.body;
  auto listed = Call("GET", "/v0.1/servers?search=weather");
  EXPECT_NE(listed.body.find(R"("status":"deprecated")"), std::string::npos) << listed.body;

  // 9. Retire (the owner): every version deleted, gone from listing and exports.
  EXPECT_EQ(Call("POST", base + "/requests/" + enc + "/retire", R"({"message":""})", publisher).status, 400);
  auto retired = Call("POST", base + "/requests/" + enc + "/retire",
                      R"({"message":"replaced by com.contoso/forecast"})", publisher);
  ASSERT_EQ(retired.status, 200) << retired.body;
  EXPECT_EQ(bj::parse(retired.body).at("state"), "retired");
  EXPECT_FALSE(InListing());
  EXPECT_EQ(Call("GET", "/v0.1/servers?search=weather&include_deleted=true").body.find(kName),
            std::string::npos);
  EXPECT_EQ(Call("GET", "/v0.1/servers/" + enc + "/versions/latest").status, 404);
  EXPECT_EQ(bj::parse(Call("GET", base + "/export/allowlist").body), bj::parse(R"({"allowedMcpServers":[]})"));
  // The publisher's rights went with it.
  EXPECT_EQ(Call("POST", "/v0.1/publish", Server(""), Token(kPublisherSub, "weather")).status, 403);
  ASSERT_EQ(server_->Stop(), 0);

  // 10. The history stays and the chain verifies...
  std::string out, err;
  ASSERT_EQ(testing::RunCli({"audit", "show", kName, "--db", db_}, &out, &err), 0) << err;
  for (const char* action : {"request", "request-update", "evidence", "approve", "publish", "status", "retire"})
    EXPECT_NE(out.find(action), std::string::npos) << action << "\n" << out;
  ASSERT_EQ(testing::RunCli({"audit", "verify", "--db", db_}, &out, &err), 0) << err;
  EXPECT_NE(out.find("audit log intact"), std::string::npos);
  // ... until someone with direct database access rewrites a decision (past the trigger that
  // keeps the log append-only).
  const std::string unguard = GetParam() == testing::Backend::kSqlite
                                  ? "DROP TRIGGER audit_log_no_update;"
                                  : "ALTER TABLE audit_log DISABLE TRIGGER USER;";
  ASSERT_EQ(testing::ExecSql(db_, unguard + "UPDATE audit_log SET actor = 'oidc:someone-else' "
                                            "WHERE action = 'approve';"),
            "");
  EXPECT_NE(testing::RunCli({"audit", "verify", "--db", db_}, &out, &err), 0);
  EXPECT_NE(err.find("chain broken"), std::string::npos) << err;
}

// The CLI's remote mode against the real server: `mcpreg login oidc` stores a token, then
// request/evidence/review commands call the governance routes with it.
TEST_P(GovernanceE2E, CliRemoteModeAgainstTheRealServer) {
  testing::ScopedEnv env;
  env.Unset("MCPREG_REGISTRY");
  auto login = [&](const std::string& sub, const std::string& team) {
    long now = static_cast<long>(std::time(nullptr));
    std::ofstream(dir_ + "/" + sub + ".jwt") << *auth::SignJwt(*key_, auth::JwsAlg::kEdDSA,
        bj::serialize(bj::object{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", sub}, {"team", team},
                                 {"iat", now}, {"exp", now + 300}}));
    env.Set("MCPREG_TOKEN_FILE", dir_ + "/" + sub + "-token.json");
    std::string out, err;
    EXPECT_EQ(testing::RunCli({"login", "oidc", "--registry", server_->base_url(), "--token-file",
                               dir_ + "/" + sub + ".jwt"}, &out, &err), 0) << err;
  };
  const std::string url = server_->base_url();
  std::string out, err;
  login("weather-dev-portal", "weather");
  std::ofstream(dir_ + "/req.json") << Request(Server("npx"));
  ASSERT_EQ(testing::RunCli({"request", "file", dir_ + "/req.json", "--registry", url}, &out, &err), 0) << err;
  EXPECT_NE(out.find("local.runtime-required"), std::string::npos) << out;
  std::ofstream(dir_ + "/req.json") << Request(Server(""));
  ASSERT_EQ(testing::RunCli({"request", "update", kName, dir_ + "/req.json", "--registry", url}, &out, &err), 0) << err;
  std::ofstream(dir_ + "/clean.sarif") << R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[]}]})";
  ASSERT_EQ(testing::RunCli({"evidence", "add", kName, "1.0.0", "--sarif", dir_ + "/clean.sarif",
                             "--digest", kDigest, "--registry", url}, &out, &err), 0) << err;
  // A team member cannot approve; the reviewer can, from the queue.
  EXPECT_EQ(testing::RunCli({"review", "approve", kName, "--registry", url}, &out, &err), 1);
  EXPECT_NE(err.find("403"), std::string::npos) << err;
  login("platform-reviewer", "platform");
  ASSERT_EQ(testing::RunCli({"review", "list", "--registry", url}, &out, &err), 0) << err;
  EXPECT_NE(out.find("com.contoso/weather"), std::string::npos) << out;
  EXPECT_NE(out.find("pass"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCli({"review", "approve", kName, "--note", "ok", "--registry", url}, &out, &err), 0) << err;
  auto v = Call("GET", "/v0.1/x/dev.mcpreg/requests/" + PercentEncode(kName), "", Token("platform-reviewer", "platform"));
  EXPECT_EQ(bj::parse(v.body).at("state"), "approved");
}

TEST_P(GovernanceE2E, MalformedInputIsA4xxProblemNeverA5xx) {
  const std::string base = "/v0.1/x/dev.mcpreg";
  const std::string enc = PercentEncode(kName);
  const std::string team = Token("weather-dev-portal", "weather");
  const std::string reviewer = Token("platform-reviewer", "platform");
  // Gates fail (npx), so even a well-formed approval is refused: every call below must fail.
  ASSERT_EQ(Call("POST", base + "/requests", Request(Server("npx")), team).status, 201);
  std::string deep(5000, '[');
  std::vector<std::string> bodies = {
      "", "null", "[]", "{", "\"text\"", "{\"name\":1}", deep, "{\"kind\":[]}",
      R"({"name":"com.contoso/weather","team":{},"contacts":"x"})",
      R"({"kind":"sarif","sarif":{"version":"2.1.0","runs":[{"results":[{"level":"bogus"}]}]}})",
      R"({"kind":"license","verdict":"approved","reviewer":"r","expression":"((("})",
      R"({"note":5})", R"({"reason":null})", R"({"message":["x"]})",
      "{\"note\":\"" + std::string(100000, 'x') + "\"}"};
  std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", base + "/requests"},
      {"PUT", base + "/requests/" + enc},
      {"POST", base + "/requests/" + enc + "/approve"},
      {"POST", base + "/requests/" + enc + "/reject"},
      {"POST", base + "/requests/" + enc + "/retire"},
      {"POST", base + "/servers/" + enc + "/versions/1.0.0/evidence"},
      {"GET", base + "/requests/" + enc + "/nothing"},
      {"GET", base + "/requests?state=finished"},
  };
  for (const auto& [method, path] : routes)
    for (const std::string& body : bodies)
      for (const std::string* token : {&team, &reviewer}) {
        auto r = Call(method, path, body, *token);
        EXPECT_GE(r.status, 400) << method << " " << path << " " << body.substr(0, 60);
        EXPECT_LT(r.status, 500) << method << " " << path << " " << body.substr(0, 60) << " -> " << r.body;
      }
  // Nothing of that changed the request: still pending at its first revision.
  auto v = Call("GET", base + "/requests/" + enc, "", reviewer);
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(bj::parse(v.body).at("state"), "pending");
  EXPECT_EQ(bj::parse(v.body).at("revision"), 1);
  EXPECT_EQ(Call("GET", "/v0.1/health").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, GovernanceE2E, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
