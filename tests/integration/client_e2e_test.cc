// The publishing client end to end against the real `mcpreg serve`: `mcpreg login oidc` with a
// token signed by a test issuer, `mcpreg publish --package` through the feed, and `mcpreg status`
// deprecate/delete/restore, checked through the read API; refusals come back as one stderr line
// with the registry's reason and exit code 1. Each test once per storage backend (…/sqlite,
// …/postgres: the feed's bytes in the database).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "core/sha256.h"
#include "integration/server_process.h"
#include "support/backend.h"
#include "support/test_issuer.h"
#include "transport/http_client.h"
#include "unit/client_fake_registry.h"

namespace mcpreg {
namespace {

using testing::RunCli;
using testing::ServerProcess;

constexpr char kIssuer[] = "https://idp.client-e2e.example";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

// One registry per backend, started by the first test of that backend and shared by the
// rest (ctest runs each test in its own process, so a process starts only the one it needs).
struct Suite {
  std::string dir;
  std::unique_ptr<testing::TestIssuer> idp;
  std::unique_ptr<ServerProcess> server;
};

std::unique_ptr<Suite> StartSuite(testing::Backend backend) {
  auto s = std::make_unique<Suite>();
  s->dir = testing::TempDir();
  s->idp = std::make_unique<testing::TestIssuer>(kIssuer, s->dir + "/jwks.json");
  // The database is the --db flag's.
  std::ofstream(s->dir + "/mcpreg.yaml") << s->idp->AuthConfig() << "feed:\n  max_bytes: 1048576\n";
  s->server = std::make_unique<ServerProcess>(
      testing::NewDbLocation(backend, s->dir, "client_e2e"),
      std::vector<std::string>{"--config", s->dir + "/mcpreg.yaml", "--no-demo"});
  return s;
}

class ClientE2ETest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [backend, s] : suites_) {
      s->server.reset();
      std::filesystem::remove_all(s->dir);
    }
    suites_.clear();
  }

  void SetUp() override {
    auto& s = suites_[GetParam()];
    if (!s) s = StartSuite(GetParam());
    s_ = s.get();
    ASSERT_TRUE(s_->server->started()) << s_->server->log();
    env_.Set("MCPREG_TOKEN_FILE", s_->dir + "/" + Name() + "-token.json");
    for (const char* k : {"MCPREG_REGISTRY", "ACTIONS_ID_TOKEN_REQUEST_URL",
                          "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_OIDCREQUESTURI"})
      env_.Unset(k);
  }

  // The test's name without the backend (each backend has a directory of its own).
  static std::string Name() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    return name.substr(0, name.find('/'));
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string p = s_->dir + "/" + Name() + "-" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string OidcTokenFile(const std::string& org, long exp_offset = 300) {
    return Write("oidc.jwt", s_->idp->Token("repo:" + org + "/tools", org, exp_offset));
  }
  static int Cli(std::vector<std::string> args, std::string* out, std::string* err) {
    return RunCli(std::move(args), out, err);
  }
  http::ClientResponse Get(const std::string& path) {
    http::ClientRequest req;
    req.url = path.rfind("http", 0) == 0 ? path : s_->server->base_url() + path;
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  static inline std::map<testing::Backend, std::unique_ptr<Suite>> suites_;
  Suite* s_ = nullptr;
  testing::ScopedEnv env_;
};

TEST_P(ClientE2ETest, LoginPublishWithPackageThenDeprecateDeleteRestore) {
  std::string out, err;
  ASSERT_EQ(Cli({"login", "oidc", "--registry", s_->server->base_url(), "--token-file",
                 OidcTokenFile("acme")},
                &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("logged in to " + s_->server->base_url()), std::string::npos) << out;

  const std::string bundle = "MCPB\x02 client e2e bundle";
  const std::string digest = Sha256Hex(bundle);
  std::string doc =
      std::string(R"({"$schema":")") + kSchema +
      R"(","name":"com.acme/cli-tools","description":"Client e2e","version":"1.0.0",)"
      R"("packages":[{"registryType":"mcpb","identifier":"to-be-replaced","transport":{"type":"stdio"}}]})";
  ASSERT_EQ(
      Cli({"publish", Write("server.json", doc), "--package", Write("cli-tools.mcpb", bundle)},
          &out, &err),
      0)
      << out << err;
  EXPECT_NE(out.find("published com.acme/cli-tools 1.0.0\n"), std::string::npos) << out;

  auto latest = Get("/v0.1/servers/com.acme%2Fcli-tools/versions/latest");
  ASSERT_EQ(latest.status, 200) << latest.body;
  auto pkg = boost::json::parse(latest.body).at("server").at("packages").at(0).as_object();
  EXPECT_EQ(pkg.at("fileSha256").as_string(), digest);
  std::string identifier(pkg.at("identifier").as_string());
  EXPECT_NE(identifier.find("/v0.1/x/dev.mcpreg/feed/"), std::string::npos) << identifier;
  EXPECT_EQ(Get(identifier).body, bundle) << "the published identifier downloads the bundle";

  // The same version again: refused by the registry, one line, exit 1.
  EXPECT_EQ(
      Cli({"publish",
           Write("dup.json",
                 std::string(R"({"$schema":")") + kSchema +
                     R"(","name":"com.acme/cli-tools","description":"d","version":"1.0.0"})")},
          &out, &err),
      1);
  EXPECT_EQ(err.rfind("mcpreg publish: 400 Bad Request: ", 0), 0u) << err;
  EXPECT_NE(err.find("duplicate version"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  ASSERT_EQ(Cli({"status", "com.acme/cli-tools", "--version", "1.0.0", "--deprecate", "--message",
                 "use 2.x"},
                &out, &err),
            0)
      << err;
  EXPECT_EQ(out, "com.acme/cli-tools 1.0.0: deprecated\n");
  ASSERT_EQ(Cli({"status", "com.acme/cli-tools", "--delete"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "com.acme/cli-tools: 1 version(s) updated\ncom.acme/cli-tools 1.0.0: deleted\n");
  EXPECT_EQ(Get("/v0.1/servers/com.acme%2Fcli-tools/versions/latest").status, 404);
  ASSERT_EQ(Cli({"status", "com.acme/cli-tools", "--version", "1.0.0", "--restore"}, &out, &err), 0)
      << err;
  EXPECT_EQ(Get("/v0.1/servers/com.acme%2Fcli-tools/versions/latest").status, 200);
  // Restoring again changes nothing: the registry says so.
  EXPECT_EQ(Cli({"status", "com.acme/cli-tools", "--version", "1.0.0", "--restore"}, &out, &err),
            1);
  EXPECT_EQ(err.rfind("mcpreg status: 400 Bad Request: ", 0), 0u) << err;
}

TEST_P(ClientE2ETest, PublishOutsideTheGrantedNamespaceIsForbidden) {
  std::string out, err;
  ASSERT_EQ(Cli({"login", "oidc", "--registry", s_->server->base_url(), "--token-file",
                 OidcTokenFile("acme")},
                &out, &err),
            0)
      << err;
  EXPECT_EQ(
      Cli({"publish", Write("server.json",
                            std::string(R"({"$schema":")") + kSchema +
                                R"(","name":"com.other/x","description":"d","version":"1.0.0"})")},
          &out, &err),
      1);
  EXPECT_EQ(err.rfind("mcpreg publish: 403 Forbidden: ", 0), 0u) << err;
  EXPECT_NE(err.find("com.acme/*"), std::string::npos) << "names the held patterns: " << err;
}

TEST_P(ClientE2ETest, LoginWithExpiredOidcTokenIsRefusedAndStoresNothing) {
  std::string out, err;
  EXPECT_EQ(Cli({"login", "oidc", "--registry", s_->server->base_url(), "--token-file",
                 OidcTokenFile("acme", -120)},
                &out, &err),
            1);
  EXPECT_EQ(err.rfind("mcpreg login: exchanging the OIDC token from token file ", 0), 0u) << err;
  EXPECT_NE(err.find("401 Unauthorized"), std::string::npos) << err;
  EXPECT_NE(err.find("expired"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(s_->dir + "/" + Name() + "-token.json"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ClientE2ETest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
