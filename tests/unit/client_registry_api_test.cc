// The publishing client's registry calls against a scripted registry: request shapes (paths,
// headers, bodies), response parsing, and how failures become Status codes and messages.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "client/registry_api.h"
#include "core/sha256.h"
#include "unit/client_fake_registry.h"

namespace mcpreg::client {
namespace {

using testing::FakeRegistry;

std::string Header(const http::HttpRequest& r, std::string_view name) {
  auto h = r.Header(name);
  return h ? std::string(*h) : std::string("<none>");
}

constexpr char kForbidden[] =
    R"({"title":"Forbidden","status":403,"detail":"You do not have permission to publish this server. You have permission to publish: io.github.alice/*. Attempting to publish: io.github.acme/x."})";

constexpr char kServerResponse[] =
    R"({"server":{"name":"io.github.acme/weather","version":"1.2.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"deprecated","isLatest":true}}})";

class RegistryApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(reg_.started()); }
  FakeRegistry reg_;
};

TEST_F(RegistryApiTest, ExchangeRoutesGitHubTokensToGithubOidc) {
  reg_.On("POST", "/v0.1/auth/github-oidc", 200,
          R"({"registry_token":"reg.jwt","expires_at":1760000300})");
  std::string jwt = testing::FakeJwt("https://token.actions.githubusercontent.com");
  auto t = ExchangeOidcToken(reg_.url(), jwt);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token, "reg.jwt");
  EXPECT_EQ(t->expires_at, 1760000300);
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body, R"({"oidc_token":")" + jwt + R"("})");
  EXPECT_EQ(Header(reqs[0], "Content-Type"), "application/json");
  EXPECT_EQ(Header(reqs[0], "Authorization"), "<none>");
}

TEST_F(RegistryApiTest, ExchangeRoutesOtherIssuersAndOpaqueTokensToOidc) {
  reg_.On("POST", "/v0.1/auth/oidc", 200, R"({"registry_token":"r","expires_at":5})");
  EXPECT_TRUE(ExchangeOidcToken(reg_.url(), testing::FakeJwt("https://sts.windows.net/t/")).ok());
  EXPECT_TRUE(ExchangeOidcToken(reg_.url(), "opaque").ok());
  EXPECT_EQ(reg_.Requests().size(), 2u);
}

TEST_F(RegistryApiTest, ExchangeRefusalCarriesDetailAndFirstError) {
  reg_.On(
      "POST", "/v0.1/auth/oidc", 401,
      R"({"title":"Unauthorized","status":401,"detail":"Token exchange failed","errors":[{"message":"token audience \"x\" is not accepted"}]})");
  auto t = ExchangeOidcToken(reg_.url(), "opaque");
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsUnauthenticated());
  EXPECT_EQ(t.status().message(),
            "401 Unauthorized: Token exchange failed: token audience \"x\" is not accepted");
  EXPECT_EQ(ExitCodeFor(t.status().code()), 1);
}

TEST_F(RegistryApiTest, ExchangeWithMalformedAnswerIsInternal) {
  reg_.On("POST", "/v0.1/auth/oidc", 200, R"({"registry_token":"r"})");
  auto t = ExchangeOidcToken(reg_.url(), "opaque");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kInternal);
  EXPECT_NE(t.status().message().find("expires_at"), std::string::npos);
}

TEST_F(RegistryApiTest, UploadPutsBytesWithDigestUnderEncodedPath) {
  const std::string bytes("MCPB\0\x01\x02 bundle", 15);
  const std::string digest = Sha256Hex(bytes);
  const std::string path =
      "/v0.1/x/dev.mcpreg/feed/io.github.acme%2Fweather/1.2.0%2Bb1/weather.mcpb";
  reg_.On(
      "PUT", path, 201,
      R"({"sha256":")" + digest +
          R"(","size":15,"url":"https://feed.example/a/weather.mcpb","filename":"weather.mcpb"})");
  auto a = UploadArtifact(reg_.url(), "reg.jwt", "io.github.acme/weather", "1.2.0+b1",
                          "weather.mcpb", bytes);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->url, "https://feed.example/a/weather.mcpb");
  EXPECT_EQ(a->sha256, digest);
  EXPECT_EQ(a->size, 15u);
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body, bytes);
  EXPECT_EQ(Header(reqs[0], "X-Content-SHA256"), digest);
  EXPECT_EQ(Header(reqs[0], "Authorization"), "Bearer reg.jwt");
  EXPECT_EQ(Header(reqs[0], "Content-Type"), "application/octet-stream");
}

TEST_F(RegistryApiTest, UploadAnsweredWithAnotherDigestIsInternal) {
  reg_.On(
      "PUT", "/v0.1/x/dev.mcpreg/feed/a.b%2Fc/1.0.0/f.mcpb", 201,
      R"({"sha256":"0000000000000000000000000000000000000000000000000000000000000000","size":1,"url":"http://x/f"})");
  auto a = UploadArtifact(reg_.url(), "t", "a.b/c", "1.0.0", "f.mcpb", "x");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Code::kInternal);
  EXPECT_NE(a.status().message().find(Sha256Hex("x")), std::string::npos);
}

TEST_F(RegistryApiTest, UploadRefusalsMapToCodes) {
  const std::string path = "/v0.1/x/dev.mcpreg/feed/a.b%2Fc/1.0.0/f.mcpb";
  struct Case {
    int http;
    Code code;
  };
  for (Case c : {Case{413, Code::kPayloadTooLarge}, Case{403, Code::kPermissionDenied},
                 Case{400, Code::kFailedPrecondition}, Case{404, Code::kNotFound},
                 Case{409, Code::kAlreadyExists}, Case{422, Code::kUnprocessable},
                 Case{429, Code::kResourceExhausted}, Case{418, Code::kFailedPrecondition},
                 Case{502, Code::kUnavailable}}) {
    reg_.On("PUT", path, c.http, R"({"status":)" + std::to_string(c.http) + R"(,"detail":"d"})");
    auto a = UploadArtifact(reg_.url(), "t", "a.b/c", "1.0.0", "f.mcpb", "x");
    ASSERT_FALSE(a.ok()) << c.http;
    EXPECT_EQ(a.status().code(), c.code) << c.http;
    EXPECT_EQ(ExitCodeFor(a.status().code()), c.http >= 500 ? 3 : 1) << c.http;
  }
}

TEST_F(RegistryApiTest, PublishSendsDocumentVerbatimWithBearer) {
  reg_.On("POST", "/v0.1/publish", 200, kServerResponse);
  const std::string doc = R"({"name":"io.github.acme/weather","version":"1.2.0", "x":[1 ,2]})";
  auto p = PublishServer(reg_.url(), "reg.jwt", doc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "io.github.acme/weather");
  EXPECT_EQ(p->version, "1.2.0");
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body, doc);
  EXPECT_EQ(Header(reqs[0], "Authorization"), "Bearer reg.jwt");
}

TEST_F(RegistryApiTest, PublishForbiddenMessageIsStatusTitleAndDetail) {
  reg_.On("POST", "/v0.1/publish", 403, kForbidden);
  auto p = PublishServer(reg_.url(), "reg.jwt", "{}");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().IsPermissionDenied());
  EXPECT_EQ(p.status().message(),
            "403 Forbidden: You do not have permission to publish this server. You have "
            "permission to publish: io.github.alice/*. Attempting to publish: io.github.acme/x.");
}

TEST_F(RegistryApiTest, PublishValidationFailureCountsTheOtherErrors) {
  reg_.On(
      "POST", "/v0.1/publish", 422,
      R"({"title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected required property name to be present","location":"body"},{"message":"b"},{"message":"c"}]})");
  auto p = PublishServer(reg_.url(), "t", "{}");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kUnprocessable);
  EXPECT_EQ(p.status().message(),
            "422 Unprocessable Entity: validation failed: expected required property name to be "
            "present (and 2 more)");
}

TEST_F(RegistryApiTest, PublishServerErrorWithHtmlBodyShowsItsFirstLine) {
  reg_.On("POST", "/v0.1/publish", [](const http::HttpRequest&) {
    http::HttpResponse r;
    r.status = 503;
    r.body = "\n<html>upstream down</html>\nmore";
    return r;
  });
  auto p = PublishServer(reg_.url(), "t", "{}");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kUnavailable);
  EXPECT_EQ(p.status().message(), "503 Service Unavailable: <html>upstream down</html>");
}

TEST_F(RegistryApiTest, PublishToClosedPortIsUnavailable) {
  std::string url;
  {
    FakeRegistry gone;
    url = gone.url();
  }
  auto p = PublishServer(url, "t", "{}");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kUnavailable);
}

TEST_F(RegistryApiTest, PublishToBadUrlIsInvalidArgument) {
  auto p = PublishServer("ftp://x", "t", "{}");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().IsInvalidArgument());
}

TEST_F(RegistryApiTest, UpdateOneVersionPatchesVersionPath) {
  reg_.On("PATCH", "/v0.1/servers/io.github.acme%2Fweather/versions/1.2.0/status", 200,
          kServerResponse);
  auto r = UpdateStatus(reg_.url(), "reg.jwt", "io.github.acme/weather", "1.2.0",
                        {"deprecated", std::string("use 2.x")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->updated_count, 1);
  ASSERT_EQ(r->versions.size(), 1u);
  EXPECT_EQ(r->versions[0].version, "1.2.0");
  EXPECT_EQ(r->versions[0].status, "deprecated");
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body, R"({"status":"deprecated","statusMessage":"use 2.x"})");
  EXPECT_EQ(Header(reqs[0], "Authorization"), "Bearer reg.jwt");
}

TEST_F(RegistryApiTest, UpdateAllVersionsPatchesServerPathAndReadsEveryVersion) {
  reg_.On(
      "PATCH", "/v0.1/servers/io.github.acme%2Fweather/status", 200,
      R"({"updatedCount":2,"servers":[{"server":{"version":"1.0.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"deleted"}}},{"server":{"version":"1.1.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"deleted"}}}]})");
  auto r = UpdateStatus(reg_.url(), "t", "io.github.acme/weather", "", {"deleted", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->updated_count, 2);
  ASSERT_EQ(r->versions.size(), 2u);
  EXPECT_EQ(r->versions[1].version, "1.1.0");
  EXPECT_EQ(r->versions[1].status, "deleted");
  EXPECT_EQ(reg_.Requests()[0].body, R"({"status":"deleted"})");
}

TEST_F(RegistryApiTest, UpdateUnknownVersionIsNotFound) {
  auto r = UpdateStatus(reg_.url(), "t", "a.b/c", "9.9.9", {"active", std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "404 Not Found: no route");
}

TEST_F(RegistryApiTest, ValidationSummaryNamesFirstErrorAndCountsTheRest) {
  reg_.On(
      "POST", "/v0.1/validate", 200,
      R"({"valid":false,"issues":[{"type":"schema","path":"","message":"w","severity":"warning","reference":"r"},{"type":"semantic","path":"packages[0].transport.url","message":"must be https","severity":"error","reference":"x"},{"type":"schema","path":"version","message":"v","severity":"error","reference":"y"}]})");
  auto s = ValidationSummary(reg_.url(), R"({"name":"a.b/c"})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, "packages[0].transport.url: must be https (and 1 more)");
  EXPECT_EQ(reg_.Requests()[0].body, R"({"name":"a.b/c"})");
  EXPECT_EQ(reg_.Requests()[0].Header("Authorization"), std::nullopt);

  reg_.On("POST", "/v0.1/validate", 200, R"({"valid":true,"issues":[]})");
  EXPECT_EQ(*ValidationSummary(reg_.url(), "{}"), "");
}

TEST(StatusChangeTest, FlagsNeedExactlyOneAction) {
  EXPECT_EQ(MakeStatusChange(true, false, false, std::nullopt)->status, "deprecated");
  EXPECT_EQ(MakeStatusChange(false, true, false, std::string("gone"))->status, "deleted");
  EXPECT_EQ(MakeStatusChange(false, false, true, std::nullopt)->status, "active");
  for (auto [d, x, r] : {std::tuple{false, false, false}, std::tuple{true, true, false},
                         std::tuple{true, false, true}, std::tuple{true, true, true}}) {
    auto c = MakeStatusChange(d, x, r, std::nullopt);
    ASSERT_FALSE(c.ok());
    EXPECT_TRUE(c.status().IsInvalidArgument());
    EXPECT_EQ(ExitCodeFor(c.status().code()), 2);
  }
  auto m = MakeStatusChange(false, false, true, std::string("back"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("--message cannot be used with --restore"),
            std::string::npos);
}

TEST(StatusChangeTest, BodyEscapesMessageAndOmitsItWhenAbsent) {
  EXPECT_EQ(StatusChangeBody({"deleted", std::string("say \"no\"\n")}),
            R"({"status":"deleted","statusMessage":"say \"no\"\n"})");
  EXPECT_EQ(StatusChangeBody({"active", std::nullopt}), R"({"status":"active"})");
  EXPECT_EQ(StatusChangeBody({"deprecated", std::string()}),
            R"({"status":"deprecated","statusMessage":""})");
}

TEST(DescribeResponseTest, FallsBackToReasonAndOtherErrorShapes) {
  EXPECT_EQ(DescribeResponse({404, {}, ""}), "404 Not Found");
  EXPECT_EQ(DescribeResponse({400, {}, R"({"error":"bad thing"})"}), "400 Bad Request: bad thing");
  EXPECT_EQ(DescribeResponse({400, {}, R"({"detail":"same","errors":[{"message":"same"}]})"}),
            "400 Bad Request: same");
  EXPECT_EQ(DescribeResponse({499, {}, std::string(300, 'x')}),
            "499: " + std::string(200, 'x') + "...");
}

}  // namespace
}  // namespace mcpreg::client
