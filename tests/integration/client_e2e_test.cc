// The publishing client end to end against the real `mcpreg serve`: `mcpreg login oidc` with a
// token signed by a test issuer, `mcpreg publish --package` through the feed, and `mcpreg status`
// deprecate/delete/restore, checked through the read API; refusals come back as one stderr line
// with the registry's reason and exit code 1.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/sha256.h"
#include "integration/server_process.h"
#include "transport/http_client.h"
#include "unit/client_fake_registry.h"

namespace mcpreg {
namespace {

using testing::RunCli;
using testing::ServerProcess;

constexpr char kIssuer[] = "https://idp.client-e2e.example";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

class ClientE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    key_ = new auth::Key(*auth::Key::Generate(auth::KeyType::kEcP256, "client-e2e"));
    auth::JwkSet set;
    set.Add(*auth::Key::FromJwk(key_->PublicJwk()));
    std::ofstream(*dir_ + "/jwks.json") << set.ToJson();
    std::ofstream(*dir_ + "/mcpreg.yaml") << "db: registry.db\n"
                                             "auth:\n"
                                             "  issuers:\n"
                                             "    - name: ci\n"
                                             "      issuer: "
                                          << kIssuer
                                          << "\n"
                                             "      audience: mcpreg\n"
                                             "      jwks_file: jwks.json\n"
                                             "      rules:\n"
                                             "        - match: {org: acme}\n"
                                             "          grant: {actions: [publish, feed], "
                                             "resource: \"com.acme/*\"}\n"
                                             "feed:\n"
                                             "  max_bytes: 1048576\n";
    server_ = new ServerProcess(*dir_ + "/registry.db",
                                {"--config", *dir_ + "/mcpreg.yaml", "--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete key_;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    env_.Set("MCPREG_TOKEN_FILE", *dir_ + "/" + Name() + "-token.json");
    for (const char* k : {"MCPREG_REGISTRY", "ACTIONS_ID_TOKEN_REQUEST_URL",
                          "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_OIDCREQUESTURI"})
      env_.Unset(k);
  }

  static std::string Name() {
    return ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  static std::string Write(const std::string& name, const std::string& content) {
    std::string p = *dir_ + "/" + Name() + "-" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  static std::string OidcTokenFile(const std::string& org, long exp_offset = 300) {
    long now = static_cast<long>(std::time(nullptr));
    boost::json::object c{{"iss", kIssuer}, {"aud", "mcpreg"}, {"sub", "repo:" + org + "/tools"},
                          {"org", org},     {"iat", now},      {"exp", now + exp_offset}};
    return Write("oidc.jwt",
                 *auth::SignJwt(*key_, auth::JwsAlg::kES256, boost::json::serialize(c)));
  }
  static int Cli(std::vector<std::string> args, std::string* out, std::string* err) {
    return RunCli(std::move(args), out, err);
  }
  static http::ClientResponse Get(const std::string& path) {
    http::ClientRequest req;
    req.url = path.rfind("http", 0) == 0 ? path : server_->base_url() + path;
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  static std::string* dir_;
  static auth::Key* key_;
  static ServerProcess* server_;
  testing::ScopedEnv env_;
};

std::string* ClientE2ETest::dir_ = nullptr;
auth::Key* ClientE2ETest::key_ = nullptr;
ServerProcess* ClientE2ETest::server_ = nullptr;

TEST_F(ClientE2ETest, LoginPublishWithPackageThenDeprecateDeleteRestore) {
  std::string out, err;
  ASSERT_EQ(Cli({"login", "oidc", "--registry", server_->base_url(), "--token-file",
                 OidcTokenFile("acme")},
                &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("logged in to " + server_->base_url()), std::string::npos) << out;

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

TEST_F(ClientE2ETest, PublishOutsideTheGrantedNamespaceIsForbidden) {
  std::string out, err;
  ASSERT_EQ(Cli({"login", "oidc", "--registry", server_->base_url(), "--token-file",
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

TEST_F(ClientE2ETest, LoginWithExpiredOidcTokenIsRefusedAndStoresNothing) {
  std::string out, err;
  EXPECT_EQ(Cli({"login", "oidc", "--registry", server_->base_url(), "--token-file",
                 OidcTokenFile("acme", -120)},
                &out, &err),
            1);
  EXPECT_EQ(err.rfind("mcpreg login: exchanging the OIDC token from token file ", 0), 0u) << err;
  EXPECT_NE(err.find("401 Unauthorized"), std::string::npos) << err;
  EXPECT_NE(err.find("expired"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(*dir_ + "/" + Name() + "-token.json"));
}

}  // namespace
}  // namespace mcpreg
