// Issue 9, visibility in one place (items 3, 4), governed mode, real binary over HTTP: feed
// artifacts of a withheld version and evidence of a name follow GovernanceService's one rule.
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "security/security_server.h"

namespace mcpreg::security {
namespace {

namespace bj = boost::json;

std::string Server(const std::string& name, const std::string& digest) {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":")" +
         name +
         R"(","description":"Weather forecasts for Contoso field teams",)"
         R"("version":"1.0.0","packages":[{"registryType":"mcpb","identifier":"https://github.com/contoso/weather/releases/download/v1.0.0/weather.mcpb","fileSha256":")" +
         digest +
         R"(","transport":{"type":"stdio"}}],)"
         R"("_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":"MIT"}}})";
}

class VisibilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SecurityServer("policy:\n  strict: true\n");
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static SecurityServer* server_;
};
SecurityServer* VisibilityTest::server_ = nullptr;

// Item 3: an unapproved version's artifacts are neither listed nor downloadable anonymously.
TEST_F(VisibilityTest, AnonymousCannotListOrDownloadWithheldArtifacts) {
  const std::string name = "com.contoso/hidden3";
  const std::string data = "withheld bundle bytes";
  const std::string sha = Sha256Hex(data);
  const std::string feeder = server_->Token('A', "feeder3", "feeder");
  ASSERT_EQ(server_->Upload(feeder, name, "1.0.0", "hidden.mcpb", data, sha), 201);
  const std::string list = kApi + "/feed/" + PercentEncode(name) + "/1.0.0";
  const std::string download = kApi + "/feed/artifacts/" + sha;

  auto anon_list = server_->Call("GET", list);
  ASSERT_EQ(anon_list.status, 200) << anon_list.body;
  EXPECT_EQ(anon_list.body.find(sha), std::string::npos) << anon_list.body;
  EXPECT_EQ(server_->Call("GET", download).status, 404);
  EXPECT_EQ(server_->Call("GET", download + "/hidden.mcpb").status, 404);
  // A token holder with no business with the name sees nothing either.
  const std::string stranger = server_->Token('B', "stranger3");
  EXPECT_EQ(server_->Call("GET", download, "", stranger).status, 404);
  EXPECT_EQ(server_->Call("GET", list, "", stranger).body.find(sha), std::string::npos);
  // A reviewer does.
  const std::string reviewer = server_->Token('A', "rev3", "platform");
  EXPECT_NE(server_->Call("GET", list, "", reviewer).body.find(sha), std::string::npos);
  auto got = server_->Call("GET", download, "", reviewer);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, data);
}

// Item 4: evidence (reviewer notes included) of a name without a request is not readable by
// any token holder.
TEST_F(VisibilityTest, EvidenceOfNameWithoutRequestUnreadableByUnrelatedTokenHolder) {
  const std::string name = "com.contoso/noreq4";
  const std::string digest(64, 'c');
  const std::string wild = server_->Token('A', "wild4", "wild");
  auto pub = server_->Call("POST", "/v0.1/publish", Server(name, digest), wild);
  ASSERT_EQ(pub.status, 200) << pub.body;
  const std::string reviewer = server_->Token('A', "rev4", "platform");
  const std::string ev = kApi + "/servers/" + PercentEncode(name) + "/versions/1.0.0/evidence";
  auto added = server_->Call(
      "POST", ev,
      R"({"kind":"threat-model","verdict":"rejected","reviewer":"Alice","notes":"secret-note-4: token leak in logs"})",
      reviewer);
  ASSERT_EQ(added.status, 201) << added.body;

  auto stranger = server_->Call("GET", ev, "", server_->Token('B', "stranger4"));
  EXPECT_EQ(stranger.status, 404) << stranger.body;
  EXPECT_EQ(stranger.body.find("secret-note-4"), std::string::npos);
  auto same_sub_other_issuer = server_->Call("GET", ev, "", server_->Token('B', "rev4"));
  EXPECT_EQ(same_sub_other_issuer.body.find("secret-note-4"), std::string::npos);
  EXPECT_EQ(server_->Call("GET", ev).status, 401);
  auto allowed = server_->Call("GET", ev, "", reviewer);
  EXPECT_EQ(allowed.status, 200);
  EXPECT_NE(allowed.body.find("secret-note-4"), std::string::npos) << allowed.body;
}

}  // namespace
}  // namespace mcpreg::security
