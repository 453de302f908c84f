// The real `mcpreg login oidc`, `publish` and `status` binaries against a scripted registry (an
// in-test HTTP server): exact request shapes, stdout/stderr lines, exit codes, and that no token
// is ever printed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/percent.h"
#include "core/sha256.h"
#include "integration/server_process.h"
#include "unit/client_fake_registry.h"

namespace mcpreg {
namespace {

using testing::FakeRegistry;
using testing::RunCli;

constexpr char kServerResponse[] =
    R"({"server":{"name":"io.github.acme/weather","version":"1.2.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"active","isLatest":true}}})";

using testing::ScopedEnv;

class ClientCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(reg_.started());
    dir_ = testing::TempDir();
    token_file_ = dir_ + "/cfg/token.json";
    env_.Set("MCPREG_TOKEN_FILE", token_file_);
    for (const char* k :
         {"MCPREG_REGISTRY", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
          "SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN", "GITHUB_ACTIONS"})
      env_.Unset(k);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  // Logs in through the CLI with a token file; the registry hands out "reg.secret.jwt".
  void Login() {
    reg_.On("POST", "/v0.1/auth/oidc", 200,
            R"({"registry_token":"reg.secret.jwt","expires_at":)" +
                std::to_string(std::time(nullptr) + 300) + "}");
    std::string out, err;
    ASSERT_EQ(RunCli({"login", "oidc", "--registry", reg_.url(), "--token-file",
                      Write("oidc.jwt", "oidc.secret.jwt\n")},
                     &out, &err),
              0)
        << out << err;
  }

  FakeRegistry reg_;
  ScopedEnv env_;
  std::string dir_;
  std::string token_file_;
};

TEST_F(ClientCliTest, LoginWithTokenFileStoresPrivateTokenAndPrintsNoSecret) {
  reg_.On("POST", "/v0.1/auth/oidc", 200,
          R"({"registry_token":"reg.secret.jwt","expires_at":4102444800})");
  std::string out, err;
  int rc = RunCli({"login", "oidc", "--registry", reg_.url() + "/", "--token-file",
                   Write("oidc.jwt", "oidc.secret.jwt\n")},
                  &out, &err);
  ASSERT_EQ(rc, 0) << out << err;
  EXPECT_NE(out.find("logged in to " + reg_.url() + " "), std::string::npos) << out;
  EXPECT_NE(out.find("valid until 2100-01-01T00:00:00Z"), std::string::npos) << out;
  for (const std::string& s : {out, err}) {
    EXPECT_EQ(s.find("secret"), std::string::npos) << s;
  }
  ASSERT_EQ(reg_.Requests().size(), 1u);
  EXPECT_EQ(reg_.Requests()[0].body, R"({"oidc_token":"oidc.secret.jwt"})");
  struct stat sb {};
  ASSERT_EQ(::stat(token_file_.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  std::ifstream in(token_file_);
  std::string stored((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(stored, R"({"registry":")" + reg_.url() +
                        R"(","registry_token":"reg.secret.jwt","expires_at":4102444800})"
                        "\n");
}

TEST_F(ClientCliTest, LoginFromGitHubActionsUsesGithubOidcExchange) {
  std::string gh_jwt = testing::FakeJwt("https://token.actions.githubusercontent.com");
  reg_.On("GET", "/gh/token", 200, R"({"value":")" + gh_jwt + R"("})");
  reg_.On("POST", "/v0.1/auth/github-oidc", 200,
          R"({"registry_token":"r","expires_at":4102444800})");
  env_.Set("ACTIONS_ID_TOKEN_REQUEST_URL", reg_.url() + "/gh/token?api-version=2.0");
  env_.Set("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-secret");
  env_.Set("MCPREG_REGISTRY", reg_.url());
  std::string out, err;
  ASSERT_EQ(RunCli({"login", "oidc"}, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("from GitHub Actions"), std::string::npos) << out;
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 2u);
  // The audience is the registry's URL (upstream PR #1229), what mcpreg expects by default.
  EXPECT_EQ(reqs[0].query, "api-version=2.0&audience=" + PercentEncode(reg_.url()));
  EXPECT_EQ(reqs[1].path, "/v0.1/auth/github-oidc");
  EXPECT_EQ(reqs[1].body, R"({"oidc_token":")" + gh_jwt + R"("})");
}

TEST_F(ClientCliTest, LoginWithoutAnyTokenSourceIsUsageError) {
  std::string out, err;
  EXPECT_EQ(RunCli({"login", "oidc", "--registry", reg_.url()}, &out, &err), 2);
  EXPECT_EQ(err.rfind("mcpreg login: no OIDC token: pass --token-file FILE", 0), 0u) << err;
  EXPECT_TRUE(reg_.Requests().empty());
}

TEST_F(ClientCliTest, LoginRefusedByRegistryExitsOneWithTheReason) {
  reg_.On(
      "POST", "/v0.1/auth/oidc", 401,
      R"({"title":"Unauthorized","status":401,"detail":"Token exchange failed","errors":[{"message":"issuer is not trusted"}]})");
  std::string out, err;
  EXPECT_EQ(RunCli({"login", "oidc", "--registry", reg_.url(), "--token-file",
                    Write("t", "oidc.secret.jwt")},
                   &out, &err),
            1);
  EXPECT_EQ(err, "mcpreg login: exchanging the OIDC token from token file " + dir_ + "/t at " +
                     reg_.url() +
                     ": 401 Unauthorized: Token exchange failed: issuer is not trusted\n");
  EXPECT_FALSE(std::filesystem::exists(token_file_));
}

TEST_F(ClientCliTest, PublishWithoutLoginTellsToLogIn) {
  std::string out, err;
  EXPECT_EQ(RunCli({"publish", Write("server.json", "{}")}, &out, &err), 1);
  EXPECT_EQ(err.rfind("mcpreg publish: not logged in", 0), 0u) << err;
  EXPECT_NE(err.find("run `mcpreg login oidc` first"), std::string::npos) << err;
  EXPECT_TRUE(reg_.Requests().empty());
}

TEST_F(ClientCliTest, PublishSendsFileWithStoredToken) {
  Login();
  reg_.On("POST", "/v0.1/publish", 200, kServerResponse);
  std::string doc = R"({"name":"io.github.acme/weather","version":"1.2.0"})";
  std::string out, err;
  ASSERT_EQ(RunCli({"publish", Write("server.json", doc)}, &out, &err), 0) << err;
  EXPECT_EQ(out, "published io.github.acme/weather 1.2.0\n");
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].body, doc);
  EXPECT_EQ(reqs[1].Header("Authorization").value_or(""), "Bearer reg.secret.jwt");
}

TEST_F(ClientCliTest, PublishWithPackageUploadsThenPublishesRewrittenDocument) {
  Login();
  const std::string bundle = "PK\x03\x04 fake mcpb bundle";
  const std::string digest = Sha256Hex(bundle);
  reg_.On("PUT", "/v0.1/x/dev.mcpreg/feed/io.github.acme%2Fweather/1.2.0/weather.mcpb", 201,
          R"({"sha256":")" + digest + R"(","size":)" + std::to_string(bundle.size()) +
              R"(,"url":"https://reg.example/feed/weather.mcpb","filename":"weather.mcpb"})");
  reg_.On("POST", "/v0.1/publish", 200, kServerResponse);
  std::string doc =
      R"({"name":"io.github.acme/weather","version":"1.2.0","packages":[{"registryType":"mcpb","identifier":"placeholder","transport":{"type":"stdio"}}]})";
  std::string server_json = Write("server.json", doc);
  std::string out, err;
  ASSERT_EQ(
      RunCli({"publish", server_json, "--package", Write("weather.mcpb", bundle)}, &out, &err), 0)
      << err;
  EXPECT_NE(out.find("uploaded " + dir_ + "/weather.mcpb (" + std::to_string(bundle.size()) +
                     " bytes, sha256 " + digest + ") to https://reg.example/feed/weather.mcpb\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("published io.github.acme/weather 1.2.0\n"), std::string::npos) << out;
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].body, bundle);
  EXPECT_EQ(reqs[1].Header("X-Content-SHA256").value_or(""), digest);
  EXPECT_EQ(
      reqs[2].body,
      R"({"name":"io.github.acme/weather","version":"1.2.0","packages":[{"registryType":"mcpb","identifier":"https://reg.example/feed/weather.mcpb","transport":{"type":"stdio"},"fileSha256":")" +
          digest + R"("}]})");
  // The file on disk is untouched.
  std::ifstream in(server_json);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), {}), doc);
}

TEST_F(ClientCliTest, PublishWithPackageButNoMatchingPackageUploadsNothing) {
  Login();
  std::string out, err;
  EXPECT_EQ(
      RunCli(
          {"publish",
           Write(
               "server.json",
               R"({"name":"a.b/c","version":"1.0.0","packages":[{"registryType":"npm","identifier":"c"}]})"),
           "--package", Write("c.mcpb", "x")},
          &out, &err),
      2);
  EXPECT_EQ(err.rfind("mcpreg publish: no package in server.json matches the uploaded file", 0), 0u)
      << err;
  EXPECT_EQ(reg_.Requests().size(), 1u);  // only the login
}

TEST_F(ClientCliTest, PublishForbiddenPrintsOneLineAndExitsOne) {
  Login();
  reg_.On(
      "POST", "/v0.1/publish", 403,
      R"({"title":"Forbidden","status":403,"detail":"You do not have permission to publish this server. You have permission to publish: io.github.alice/*. Attempting to publish: io.github.acme/x."})");
  std::string out, err;
  EXPECT_EQ(RunCli({"publish", Write("server.json", "{}")}, &out, &err), 1);
  EXPECT_EQ(err,
            "mcpreg publish: 403 Forbidden: You do not have permission to publish this server. You "
            "have permission to publish: io.github.alice/*. Attempting to publish: "
            "io.github.acme/x.\n");
  EXPECT_EQ(out, "");
}

TEST_F(ClientCliTest, PublishUnprocessableAddsTheValidateRoutesFirstIssue) {
  Login();
  reg_.On(
      "POST", "/v0.1/publish", 422,
      R"({"title":"Unprocessable Entity","status":422,"detail":"Failed to publish server, invalid schema: call /validate for details"})");
  reg_.On(
      "POST", "/v0.1/validate", 200,
      R"({"valid":false,"issues":[{"type":"semantic","path":"version","message":"version must not be 'latest'","severity":"error","reference":"version-latest"}]})");
  std::string out, err;
  EXPECT_EQ(RunCli({"publish", Write("server.json", R"({"version":"latest"})")}, &out, &err), 1);
  EXPECT_EQ(err,
            "mcpreg publish: 422 Unprocessable Entity: Failed to publish server, invalid schema: "
            "call /validate for details; validation: version: version must not be 'latest'\n");
}

TEST_F(ClientCliTest, PublishEnvironmentFailuresExitThree) {
  Login();
  std::string out, err;
  EXPECT_EQ(RunCli({"publish", dir_ + "/missing.json"}, &out, &err), 3);
  EXPECT_EQ(err.rfind("mcpreg publish: cannot open server.json file " + dir_ + "/missing.json", 0),
            0u)
      << err;
  reg_.On("POST", "/v0.1/publish", 500,
          R"({"title":"Internal Server Error","status":500,"detail":"db down"})");
  EXPECT_EQ(RunCli({"publish", Write("server.json", "{}")}, &out, &err), 3);
  EXPECT_EQ(err, "mcpreg publish: 500 Internal Server Error: db down\n");
}

TEST_F(ClientCliTest, PublishToAnotherRegistryThanLoggedInIsRefused) {
  Login();
  std::string out, err;
  EXPECT_EQ(RunCli({"publish", Write("server.json", "{}"), "--registry", "http://other.example"},
                   &out, &err),
            1);
  EXPECT_NE(err.find("run `mcpreg login oidc --registry http://other.example` first"),
            std::string::npos)
      << err;
}

TEST_F(ClientCliTest, StatusUsageErrorsExitTwoBeforeAnyRequest) {
  std::string out, err;
  EXPECT_EQ(RunCli({"status", "a.b/c"}, &out, &err), 2);
  EXPECT_EQ(err, "mcpreg status: exactly one of --deprecate, --delete or --restore is required\n");
  EXPECT_EQ(RunCli({"status", "a.b/c", "--deprecate", "--delete"}, &out, &err), 2);
  EXPECT_EQ(RunCli({"status", "a.b/c", "--restore", "--message", "x"}, &out, &err), 2);
  EXPECT_NE(err.find("--message cannot be used with --restore"), std::string::npos) << err;
  EXPECT_EQ(RunCli({"status", "--deprecate"}, &out, &err), 2);  // NAME is required
  EXPECT_TRUE(reg_.Requests().empty());
}

TEST_F(ClientCliTest, StatusOneVersionAndAllVersions) {
  Login();
  reg_.On(
      "PATCH", "/v0.1/servers/io.github.acme%2Fweather/versions/1.2.0/status", 200,
      R"({"server":{"name":"io.github.acme/weather","version":"1.2.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"deprecated"}}})");
  reg_.On(
      "PATCH", "/v0.1/servers/io.github.acme%2Fweather/status", 200,
      R"({"updatedCount":2,"servers":[{"server":{"version":"1.1.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"active"}}},{"server":{"version":"1.2.0"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"active"}}}]})");
  std::string out, err;
  ASSERT_EQ(RunCli({"status", "io.github.acme/weather", "--version", "1.2.0", "--deprecate",
                    "--message", "use 2.x"},
                   &out, &err),
            0)
      << err;
  EXPECT_EQ(out, "io.github.acme/weather 1.2.0: deprecated\n");
  ASSERT_EQ(RunCli({"status", "io.github.acme/weather", "--restore"}, &out, &err), 0) << err;
  EXPECT_EQ(out,
            "io.github.acme/weather: 2 version(s) updated\nio.github.acme/weather 1.1.0: "
            "active\nio.github.acme/weather 1.2.0: active\n");
  auto reqs = reg_.Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].body, R"({"status":"deprecated","statusMessage":"use 2.x"})");
  EXPECT_EQ(reqs[2].body, R"({"status":"active"})");
  EXPECT_EQ(reqs[2].Header("Authorization").value_or(""), "Bearer reg.secret.jwt");
}

TEST_F(ClientCliTest, StatusNotFoundExitsOne) {
  Login();
  std::string out, err;
  EXPECT_EQ(RunCli({"status", "a.b/c", "--version", "9", "--delete"}, &out, &err), 1);
  EXPECT_EQ(err, "mcpreg status: 404 Not Found: no route\n");
}

}  // namespace
}  // namespace mcpreg
