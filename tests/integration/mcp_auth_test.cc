// /mcp as an OAuth 2.1 resource server: RFC 9728 metadata, 401 challenges, audience binding.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

constexpr char kResource[] = "https://registry.test/mcp";

TEST(McpAuthTest, ChallengesWithoutTokenAndAcceptsTokensForThisResourceOnly) {
  std::string dir = testing::TempDir();
  auto key = auth::Key::Generate(auth::KeyType::kRsa, "rsa-1");
  ASSERT_TRUE(key.ok());
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key->PublicJwk()));
  std::ofstream(dir + "/jwks.json") << set.ToJson();
  std::ofstream(dir + "/mcpreg.yaml")
      << "auth:\n  issuers:\n    - name: corp\n      issuer: https://login.corp.example\n"
         "      audience: mcpreg\n      jwks_file: jwks.json\n"
         "mcp:\n  auth:\n    resource: " << kResource << "\n    issuers: [corp]\n";
  testing::ServerProcess server(dir + "/r.db", {"--config", dir + "/mcpreg.yaml", "--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();

  http::ClientRequest meta;
  meta.url = server.base_url() + "/.well-known/oauth-protected-resource/mcp";
  auto m = http::Fetch(meta);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->status, 200) << m->body;
  auto doc = boost::json::parse(m->body);
  EXPECT_EQ(doc.at("resource").as_string(), kResource);
  EXPECT_EQ(doc.at("authorization_servers").at(0).as_string(), "https://login.corp.example");

  auto token = [&](const std::string& aud) {
    long now = static_cast<long>(std::time(nullptr));
    return *auth::SignJwt(*key, auth::JwsAlg::kRS256,
        boost::json::serialize(boost::json::object{{"iss", "https://login.corp.example"},
            {"aud", aud}, {"sub", "agent-1"}, {"iat", now}, {"exp", now + 300}}));
  };
  auto init = [&](std::optional<std::string> bearer) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = server.base_url() + "/mcp";
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json, text/event-stream"}};
    if (bearer) req.headers.emplace_back("Authorization", "Bearer " + *bearer);
    req.body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok());
    return *r;
  };
  auto header = [](const http::ClientResponse& r, const char* name) {
    for (const auto& [k, v] : r.headers)
      if (strcasecmp(k.c_str(), name) == 0) return v;
    return std::string();
  };
  auto none = init(std::nullopt);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(header(none, "WWW-Authenticate"),
            "Bearer resource_metadata=\"https://registry.test/.well-known/oauth-protected-resource/mcp\"");
  auto wrong_aud = init(token("mcpreg"));  // valid for publishing, not for this resource
  EXPECT_EQ(wrong_aud.status, 401);
  EXPECT_NE(header(wrong_aud, "WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
  EXPECT_NE(wrong_aud.body.find("aud"), std::string::npos) << wrong_aud.body;
  auto ok = init(token(kResource));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("\"protocolVersion\""), std::string::npos) << ok.body;
  server.Stop();
  std::filesystem::remove_all(dir);
}

TEST(McpAuthTest, AnonymousReadWhenNotRequiredButBadTokensStillRefused) {
  std::string dir = testing::TempDir();
  auto key = auth::Key::Generate(auth::KeyType::kEd25519, "ed-1");
  ASSERT_TRUE(key.ok());
  auth::JwkSet set;
  set.Add(*auth::Key::FromJwk(key->PublicJwk()));
  std::ofstream(dir + "/jwks.json") << set.ToJson();
  std::ofstream(dir + "/mcpreg.yaml")
      << "auth:\n  issuers:\n    - name: corp\n      issuer: https://login.corp.example\n"
         "      audience: mcpreg\n      jwks_file: jwks.json\n"
         "mcp:\n  auth:\n    resource: " << kResource << "\n    required: false\n";
  testing::ServerProcess server(dir + "/r.db", {"--config", dir + "/mcpreg.yaml", "--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();
  auto init = [&](std::optional<std::string> bearer) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = server.base_url() + "/mcp";
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json, text/event-stream"}};
    if (bearer) req.headers.emplace_back("Authorization", "Bearer " + *bearer);
    req.body = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok());
    return r->status;
  };
  EXPECT_EQ(init(std::nullopt), 200);
  EXPECT_EQ(init("not-a-token"), 401);
  server.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
