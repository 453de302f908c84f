// Issue 12 scope 2 against the real `mcpreg serve` over real HTTP: the per-deployment GitHub
// OIDC audience, a publish → GET round trip of a document with fields this registry does not
// know (byte for byte), cargo packages through publish and ?registry_type=cargo, the
// website-url-invalid-characters rule at /v0.1/validate and publish, and search on description.
#include <gtest/gtest.h>
#include <strings.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "integration/server_process.h"
#include "support/test_issuer.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;

constexpr char kIssuer[] = "https://gh.test.example";
constexpr char kSchema[] = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

class Rules2026Test : public ::testing::Test {
 protected:
  // `auth_extra`: lines added under `auth:`; the test issuer is a github-oidc issuer without
  // `audience` (so the deployment's applies) plus the usual "mcpreg"-audience test issuer.
  void Start(const std::string& auth_extra = "", const std::string& top = "") {
    dir_ = testing::TempDir();
    gh_ = std::make_unique<testing::TestIssuer>(kIssuer, dir_ + "/gh.json");
    idp_ = std::make_unique<testing::TestIssuer>("https://idp.test.example", dir_ + "/idp.json");
    std::string auth = idp_->AuthConfig();  // "auth:\n  issuers:\n    - name: test-idp ..."
    auth.replace(auth.find("  issuers:\n"), 11,
                 auth_extra + "  issuers:\n"
                              "    - name: gh\n"
                              "      issuer: " + std::string(kIssuer) + "\n"
                              "      auth_method: github-oidc\n"
                              "      jwks_file: " + dir_ + "/gh.json\n"
                              "      rules:\n"
                              "        - grant: {action: publish, resource: \"io.github.{org}/*\"}\n");
    config_ = dir_ + "/mcpreg.yaml";
    std::ofstream(config_) << top << auth;
    server_ = std::make_unique<testing::ServerProcess>(
        dir_ + "/registry.db", std::vector<std::string>{"--config", config_, "--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  void TearDown() override {
    if (server_) EXPECT_EQ(server_->Stop(), 0) << server_->log();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  http::ClientResponse Do(const std::string& method, const std::string& path,
                          const std::string& body = "", const std::string& token = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = server_->base_url() + path;
    req.body = body;
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().message();
    return r.ok() ? *r : http::ClientResponse{};
  }
  http::ClientResponse ExchangeGitHub(const std::string& audience) {
    return Do("POST", "/v0.1/auth/github-oidc",
              bj::serialize(bj::object{{"oidc_token", gh_->TokenFor(audience, "repo:acme/x", "acme")}}));
  }
  std::string PublishToken() {
    auto r = Do("POST", "/v0.1/auth/oidc", idp_->ExchangeBody("repo:acme/tools", "acme"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(bj::parse(r.body).at("registry_token").as_string()) : "";
  }
  static std::string Header(const http::ClientResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    return "";
  }
  // The bytes of the "server" member of a ServerResponse body.
  static std::string ServerBytes(const std::string& body) {
    const std::string head = R"({"server":)";
    size_t end = body.rfind(R"(,"_meta":{"io.modelcontextprotocol.registry/official")");
    if (body.rfind(head, 0) != 0 || end == std::string::npos) return "<no server in " + body + ">";
    return body.substr(head.size(), end - head.size());
  }

  std::string dir_, config_;
  std::unique_ptr<testing::TestIssuer> gh_, idp_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_F(Rules2026Test, GitHubOidcExpectsTheRegistrysOwnBaseUrlByDefault) {
  Start();
  // The base the registry emits (no public_url: http://<listen address>).
  auto r = ExchangeGitHub(server_->base_url());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(bj::parse(r.body).as_object().contains("registry_token"));
  // Old publishers sending the fixed legacy audience: 401 problem+json naming the expected one.
  r = ExchangeGitHub("mcp-registry");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(Header(r, "Content-Type").find("application/problem+json"), std::string::npos);
  EXPECT_NE(r.body.find("invalid audience: expected " + server_->base_url() + ", got [mcp-registry]"),
            std::string::npos)
      << r.body;
  // Other issuers keep their configured audience.
  EXPECT_EQ(Do("POST", "/v0.1/auth/oidc", idp_->ExchangeBody("repo:acme/tools", "acme")).status, 200);
}

TEST_F(Rules2026Test, GitHubOidcAudienceFromPublicUrlAndLegacyOnlyWhenAllowed) {
  Start("", "public_url: https://registry.contoso.example\n");
  EXPECT_EQ(ExchangeGitHub("https://registry.contoso.example").status, 200);
  auto r = ExchangeGitHub(server_->base_url());
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expected https://registry.contoso.example, got"), std::string::npos)
      << r.body;
  EXPECT_EQ(ExchangeGitHub("mcp-registry").status, 401);
  EXPECT_EQ(server_->Stop(), 0);
  server_.reset();
  std::filesystem::remove_all(dir_);

  Start("  github_oidc_audience: https://mcp.contoso.example\n"
        "  github_oidc_legacy_audience: true\n",
        "public_url: https://registry.contoso.example\n");
  EXPECT_EQ(ExchangeGitHub("https://mcp.contoso.example").status, 200);
  EXPECT_EQ(ExchangeGitHub("mcp-registry").status, 200);
  r = ExchangeGitHub("https://registry.contoso.example");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expected https://mcp.contoso.example or mcp-registry"), std::string::npos)
      << r.body;
}

TEST_F(Rules2026Test, UnknownFieldsSurvivePublishAndAreServedByteForByte) {
  Start();
  std::string token = PublishToken();
  // Canonical order for the known fields; new fields after them, in an order that is not sorted.
  const std::string doc =
      std::string(R"({"$schema":")") + kSchema +
      R"(","name":"com.acme/future","description":"A server from a newer publisher",)"
      R"("version":"1.0.0",)"
      R"("packages":[{"registryType":"npm","identifier":"@acme/future","version":"1.0.0",)"
      R"("transport":{"type":"stdio"},)"
      R"("postInstallInstructions":[{"text":"Run npx @acme/future init","lang":"en"}]}],)"
      R"("remotes":[{"type":"streamable-http","url":"https://future.acme.example/mcp",)"
      R"("supportedProtocolVersions":["2025-11-25","2026-07-28"]}],)"
      R"("zFeature":{"enabled":true,"level":3,"tags":["b","a"]},"capabilities":{"tools":12}})";
  auto r = Do("POST", "/v0.1/publish", doc, token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ServerBytes(r.body), doc);
  auto got = Do("GET", "/v0.1/servers/com.acme%2Ffuture/versions/1.0.0");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(ServerBytes(got.body), doc);
  got = Do("GET", "/v0.1/servers/com.acme%2Ffuture/versions/latest");
  EXPECT_EQ(ServerBytes(got.body), doc);
  // The list serves the same object.
  auto list = Do("GET", "/v0.1/servers?search=newer+publisher");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(doc), std::string::npos) << list.body;

  // Unknown fields do not let broken known fields through.
  std::string bad = doc;
  bad.replace(bad.find(R"("version":"1.0.0",)"), 18, R"("version":"^1.0.1",)");
  bad.replace(bad.find("https://future.acme.example/mcp"), 31, "http://future.acme.example/mcp");
  r = Do("POST", "/v0.1/publish", bad, token);
  EXPECT_EQ(r.status, 422) << r.body;
  r = Do("POST", "/v0.1/validate", bad);
  EXPECT_NE(r.body.find(R"("reference":"invalid-remote-url")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("reference":"version-looks-like-range")"), std::string::npos) << r.body;
}

TEST_F(Rules2026Test, CargoPublishFilterValidateAndSearchOnDescription) {
  Start();
  std::string token = PublishToken();
  auto cargo = [](const std::string& name, const std::string& pkg_fields) {
    return std::string(R"({"$schema":")") + kSchema + R"(","name":")" + name +
           R"(","description":"Incident triage helper in Rust","version":"0.3.1",)"
           R"("packages":[{"registryType":"cargo","identifier":"triage-mcp",)" + pkg_fields +
           R"("transport":{"type":"stdio"}}]})";
  };
  auto r = Do("POST", "/v0.1/publish",
              cargo("com.acme/triage", R"("registryBaseUrl":"https://crates.io","version":"0.3.1",)"),
              token);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Do("POST", "/v0.1/publish",
         std::string(R"({"$schema":")") + kSchema +
             R"(","name":"com.acme/other","description":"d","version":"1.0.0",)"
             R"("packages":[{"registryType":"npm","identifier":"o","version":"1.0.0",)"
             R"("transport":{"type":"stdio"}}]})",
         token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = bj::parse(Do("GET", "/v0.1/servers?registry_type=cargo").body);
  ASSERT_EQ(list.at("servers").as_array().size(), 1u) << list;
  EXPECT_EQ(list.at("servers").at(0).at("server").at("name"), "com.acme/triage");
  // Search matches a word found only in the description.
  list = bj::parse(Do("GET", "/v0.1/servers?search=TRIAGE%20rust").body);
  ASSERT_EQ(list.at("servers").as_array().size(), 1u) << list;

  // Publish refuses a cargo package without version, with fileSha256, on another base URL.
  // (publish answers 422 "call /validate for details", as upstream; /validate names the rule).
  for (const auto& [fields, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "package version is required for Cargo packages"},
           {R"("version":"0.3.1","fileSha256":")" + std::string(64, 'a') + "\",",
            "cargo packages must not have 'fileSha256' field - this is only for MCPB packages"},
           {R"("registryBaseUrl":"https://crates.example","version":"0.3.1",)",
            "registry type and base URL do not match: 'https://crates.example' is not valid for "
            "registry type 'cargo'. Expected: https://crates.io"}}) {
    r = Do("POST", "/v0.1/publish", cargo("com.acme/triage2", fields), token);
    EXPECT_EQ(r.status, 422) << r.body;
    r = Do("POST", "/v0.1/validate", cargo("com.acme/triage2", fields));
    EXPECT_NE(r.body.find(R"("message":")" + message + "\""), std::string::npos) << r.body;
  }
  // maven is refused as unsupported.
  r = Do("POST", "/v0.1/validate",
         std::string(R"({"$schema":")") + kSchema +
             R"(","name":"com.acme/j","description":"d","version":"1.0.0",)"
             R"("packages":[{"registryType":"maven","identifier":"com.acme:j","version":"1.0.0",)"
             R"("transport":{"type":"stdio"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("reference":"unsupported-registry-type")"), std::string::npos) << r.body;

  // websiteUrl with a quote: /validate names the rule, publish refuses.
  std::string site = std::string(R"({"$schema":")") + kSchema +
                     R"(","name":"com.acme/site","description":"d","version":"1.0.0",)"
                     R"("websiteUrl":"https://acme.example/\"><script>"})";
  r = Do("POST", "/v0.1/validate", site);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("reference":"website-url-invalid-characters")"), std::string::npos)
      << r.body;
  r = Do("POST", "/v0.1/publish", site, token);
  EXPECT_EQ(r.status, 422) << r.body;
}

}  // namespace
}  // namespace mcpreg
