// Governed mode over real HTTP: a config with a `policy:` section makes /validate report the
// compliance gates and makes publishing refuse a server that fails them; once per storage
// backend (…/sqlite, …/postgres).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "integration/server_process.h"
#include "support/backend.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

class GovernedModeTest : public ::testing::TestWithParam<testing::Backend> {};

TEST_P(GovernedModeTest, ValidateReportsGatesAndPublishEnforcesThem) {
  std::string dir = testing::TempDir();
  auto key = auth::Key::Generate(auth::KeyType::kEd25519, "k1");
  ASSERT_TRUE(key.ok());
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key->PublicJwk()));
  std::ofstream(dir + "/jwks.json") << set.ToJson();
  std::ofstream(dir + "/mcpreg.yaml")
      << "auth:\n  issuers:\n    - name: idp\n      issuer: https://idp.gov.example\n"
         "      audience: mcpreg\n      jwks_file: jwks.json\n      rules:\n"
         "        - match: {team: platform}\n          grant: {action: publish, resource: \"com.contoso/*\"}\n"
         "policy:\n  strict: true\n";
  testing::ServerProcess server(testing::NewDbLocation(GetParam(), dir, "governed"),
                                {"--config", dir + "/mcpreg.yaml", "--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();
  EXPECT_NE(server.log().find("governed mode"), std::string::npos);
  auto post = [&](const std::string& path, const std::string& body, http::Headers h = {}) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = server.base_url() + path;
    req.body = body;
    req.headers = std::move(h);
    req.headers.emplace_back("Content-Type", "application/json");
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : http::ClientResponse{};
  };
  long now = static_cast<long>(std::time(nullptr));
  std::string oidc = *auth::SignJwt(*key, auth::JwsAlg::kEdDSA,
      boost::json::serialize(boost::json::object{{"iss", "https://idp.gov.example"}, {"aud", "mcpreg"},
          {"sub", "pipeline-7"}, {"team", "platform"}, {"iat", now}, {"exp", now + 300}}));
  auto t = post("/v0.1/auth/oidc", "{\"oidc_token\":\"" + oidc + "\"}");
  ASSERT_EQ(t.status, 200) << t.body;
  std::string token = std::string(boost::json::parse(t.body).at("registry_token").as_string());

  const std::string schema = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
  // Needs the Node runtime through npx: a local server that is not self-contained.
  std::string npx = "{\"$schema\":\"" + schema + "\",\"name\":\"com.contoso/npx-tool\","
      "\"description\":\"Runs through npx\",\"version\":\"1.0.0\",\"packages\":[{\"registryType\":\"npm\","
      "\"identifier\":\"@contoso/tool\",\"version\":\"1.0.0\",\"runtimeHint\":\"npx\",\"transport\":{\"type\":\"stdio\"}}]}";
  auto v = post("/v0.1/validate", npx);
  ASSERT_EQ(v.status, 200);
  EXPECT_NE(v.body.find("\"type\":\"policy\""), std::string::npos) << v.body;
  EXPECT_NE(v.body.find("local.runtime-required"), std::string::npos) << v.body;
  EXPECT_NE(v.body.find("\"valid\":false"), std::string::npos);
  auto p = post("/v0.1/publish", npx, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(p.status, 422) << p.body;
  EXPECT_NE(p.body.find("compliance gates failed"), std::string::npos) << p.body;

  // A self-contained bundle with its digest passes.
  std::string bundle = "{\"$schema\":\"" + schema + "\",\"name\":\"com.contoso/bundle-tool\","
      "\"description\":\"Self-contained bundle\",\"version\":\"1.0.0\",\"packages\":[{\"registryType\":\"mcpb\","
      "\"identifier\":\"https://github.com/contoso/bundle-tool/releases/download/v1.0.0/bundle-tool-mcp.mcpb\","
      "\"fileSha256\":\"fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce\","
      "\"transport\":{\"type\":\"stdio\"}}]}";
  p = post("/v0.1/publish", bundle, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(p.status, 200) << p.body;
  server.Stop();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, GovernedModeTest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
