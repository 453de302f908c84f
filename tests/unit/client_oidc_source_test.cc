// OIDC token discovery for `mcpreg login oidc`: token files, the GitHub Actions and Azure
// Pipelines token endpoints (served by an in-test HTTP server), and issuer routing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "client/oidc_source.h"
#include "core/percent.h"
#include "unit/client_fake_registry.h"

namespace mcpreg::client {
namespace {

using testing::FakeRegistry;

EnvLookup MapEnv(std::map<std::string, std::string> m) {
  return [m](const std::string& name) -> std::optional<std::string> {
    auto it = m.find(name);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

std::string Header(const http::HttpRequest& r, std::string_view name) {
  auto h = r.Header(name);
  return h ? std::string(*h) : std::string("<none>");
}

std::string TempFile(const std::string& name, const std::string& content) {
  auto p = std::filesystem::temp_directory_path() /
           ("mcpreg-oidc-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

TEST(OidcSourceTest, TokenFileIsTrimmedAndWinsOverTheEnvironment) {
  std::string f = TempFile("tok", "  eyJ.a.b\n\n");
  OidcSourceOptions o;
  o.token_file = f;
  auto t = FetchOidcToken(o, MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:1/x"},
                                     {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"}}));
  std::filesystem::remove(f);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token, "eyJ.a.b");
  EXPECT_EQ(t->source, "token file " + f);
}

TEST(OidcSourceTest, EmptyTokenFileIsInvalidArgument) {
  std::string f = TempFile("empty", " \n");
  OidcSourceOptions o;
  o.token_file = f;
  auto t = FetchOidcToken(o, MapEnv({}));
  std::filesystem::remove(f);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsInvalidArgument());
  EXPECT_NE(t.status().message().find("is empty"), std::string::npos);
}

TEST(OidcSourceTest, MissingTokenFileIsUnavailable) {
  OidcSourceOptions o;
  o.token_file = "/nonexistent/dir/token";
  auto t = FetchOidcToken(o, MapEnv({}));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kUnavailable);
  EXPECT_NE(t.status().message().find("/nonexistent/dir/token"), std::string::npos);
}

TEST(OidcSourceTest, NoSourceListsTheOptions) {
  auto t = FetchOidcToken({}, MapEnv({{"GITHUB_ACTIONS", "true"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsInvalidArgument());
  EXPECT_NE(t.status().message().find("--token-file"), std::string::npos);
  EXPECT_NE(t.status().message().find("id-token: write"), std::string::npos);
  EXPECT_EQ(ExitCodeFor(t.status().code()), 2);
}

TEST(OidcSourceTest, GitHubActionsEndpointGetsAudienceAndBearerAndReturnsValue) {
  FakeRegistry gh;
  ASSERT_TRUE(gh.started());
  gh.On("GET", "/_apis/token", 200, R"({"count":1,"value":"eyJ.gh.token"})");
  auto env = MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", gh.url() + "/_apis/token?api-version=2.0"},
                     {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret"}});
  auto t = FetchOidcToken({}, env);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token, "eyJ.gh.token");
  EXPECT_EQ(t->source, "GitHub Actions");
  auto reqs = gh.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].query, "api-version=2.0&audience=mcp-registry");
  EXPECT_EQ(Header(reqs[0], "Authorization"), "bearer request-secret");
}

TEST(OidcSourceTest, GitHubActionsCustomAudienceIsPercentEncoded) {
  FakeRegistry gh;
  gh.On("GET", "/t", 200, R"({"value":"v"})");
  OidcSourceOptions o;
  o.audience = "https://reg.example/a b";
  auto t = FetchOidcToken(o, MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", gh.url() + "/t"},
                                     {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"}}));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(gh.Requests().size(), 1u);
  EXPECT_EQ(gh.Requests()[0].query, "audience=" + PercentEncode("https://reg.example/a b"));
}

TEST(OidcSourceTest, GitHubActionsRefusalIsUnauthenticatedAndNeverEchoesTheRequestToken) {
  FakeRegistry gh;
  gh.On("GET", "/t", 403, R"({"message":"Resource not accessible by integration"})");
  auto t = FetchOidcToken({}, MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", gh.url() + "/t?x=1"},
                                      {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsUnauthenticated());
  EXPECT_EQ(t.status().message(),
            "GitHub Actions refused the OIDC token request: 403 Forbidden: Resource not "
            "accessible by integration");
  EXPECT_EQ(t.status().message().find("request-secret"), std::string::npos);
}

TEST(OidcSourceTest, GitHubActionsAnswerWithoutValueIsUnauthenticated) {
  FakeRegistry gh;
  gh.On("GET", "/t", 200, R"({"count":0})");
  auto t = FetchOidcToken({}, MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", gh.url() + "/t"},
                                      {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsUnauthenticated());
  EXPECT_NE(t.status().message().find("\"value\""), std::string::npos);
}

TEST(OidcSourceTest, GitHubActionsHalfConfiguredPointsAtPermissions) {
  auto t = FetchOidcToken({}, MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", "http://x/t"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsInvalidArgument());
  EXPECT_NE(t.status().message().find("not ACTIONS_ID_TOKEN_REQUEST_TOKEN"), std::string::npos);
  EXPECT_NE(t.status().message().find("id-token: write"), std::string::npos);
}

TEST(OidcSourceTest, UnreachableEndpointIsUnavailable) {
  std::string url;
  {
    FakeRegistry gone;  // take a free port, then close it
    url = gone.url() + "/t";
  }
  auto t = FetchOidcToken({}, MapEnv({{"ACTIONS_ID_TOKEN_REQUEST_URL", url},
                                      {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kUnavailable);
  EXPECT_EQ(ExitCodeFor(t.status().code()), 3);
}

TEST(OidcSourceTest, AzurePipelinesPostsApiVersionAndServiceConnection) {
  FakeRegistry az;
  az.On("POST", "/org/proj/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken", 200,
        R"({"oidcToken":"eyJ.az.token"})");
  OidcSourceOptions o;
  o.service_connection = "0f1e-42";
  auto t = FetchOidcToken(
      o, MapEnv({{"SYSTEM_OIDCREQUESTURI",
                  az.url() + "/org/proj/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken"},
                 {"SYSTEM_ACCESSTOKEN", "az-secret"}}));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token, "eyJ.az.token");
  EXPECT_EQ(t->source, "Azure Pipelines");
  auto reqs = az.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].query, "api-version=7.1&serviceConnectionId=0f1e-42");
  EXPECT_EQ(Header(reqs[0], "Authorization"), "Bearer az-secret");
  EXPECT_EQ(Header(reqs[0], "Content-Type"), "application/json");
}

TEST(OidcSourceTest, AzurePipelinesServerErrorIsUnavailable) {
  FakeRegistry az;
  az.On("POST", "/oidc", 500, "oops");
  auto t = FetchOidcToken({}, MapEnv({{"SYSTEM_OIDCREQUESTURI", az.url() + "/oidc"},
                                      {"SYSTEM_ACCESSTOKEN", "az-secret"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kUnavailable);
  EXPECT_NE(t.status().message().find("500 Internal Server Error: oops"), std::string::npos)
      << t.status().message();
  ASSERT_EQ(az.Requests().size(), 1u);
  EXPECT_EQ(az.Requests()[0].query, "api-version=7.1");
}

TEST(OidcSourceTest, AzurePipelinesWithoutAccessTokenSaysHowToMapIt) {
  auto t = FetchOidcToken({}, MapEnv({{"SYSTEM_OIDCREQUESTURI", "http://x/oidc"}}));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("$(System.AccessToken)"), std::string::npos);
}

TEST(OidcIssuerTest, UnverifiedIssuerReadsThePayload) {
  EXPECT_EQ(UnverifiedIssuer(testing::FakeJwt("https://login.example/t")),
            "https://login.example/t");
  EXPECT_EQ(UnverifiedIssuer("not-a-jwt"), std::nullopt);
  EXPECT_EQ(UnverifiedIssuer("a.b.c.d"), std::nullopt);
  EXPECT_EQ(UnverifiedIssuer("a.!!!.c"), std::nullopt);
  EXPECT_EQ(UnverifiedIssuer("a." + auth::Base64UrlEncode(R"({"iss":5})") + ".c"), std::nullopt);
  // Padded payloads are tolerated.
  EXPECT_EQ(UnverifiedIssuer("a." + auth::Base64UrlEncode(R"({"iss":"x"})") + "==.c"), "x");
}

TEST(OidcIssuerTest, GitHubActionsIssuerMatchesExactlyOrWithEnterpriseSuffix) {
  EXPECT_TRUE(IsGitHubActionsIssuer("https://token.actions.githubusercontent.com"));
  EXPECT_TRUE(IsGitHubActionsIssuer("https://token.actions.githubusercontent.com/acme"));
  EXPECT_FALSE(IsGitHubActionsIssuer("https://token.actions.githubusercontent.com.evil.com"));
  EXPECT_FALSE(IsGitHubActionsIssuer("https://login.microsoftonline.com/x/v2.0"));
}

}  // namespace
}  // namespace mcpreg::client
