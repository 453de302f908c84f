// `mcpreg publish --package FILE`: which package of a server.json the uploaded file replaces.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "client/package_rewrite.h"
#include "core/json_out.h"

namespace mcpreg::client {
namespace {

boost::json::object Doc(const char* packages) {
  return boost::json::parse(
             std::string(R"({"name":"io.github.acme/w","version":"1.0.0","packages":)") + packages +
             "}")
      .as_object();
}

std::string Out(const boost::json::object& o) {
  std::string s;
  json::AppendValue(s, o);
  return s;
}

TEST(PackageRewriteTest, FirstMcpbPackageIsPointedAtTheFeed) {
  auto doc = Doc(
      R"([{"registryType":"npm","identifier":"@acme/w","version":"1.0.0"},{"registryType":"mcpb","identifier":"https://github.com/acme/w/releases/download/v1/w.mcpb","fileSha256":"old","transport":{"type":"stdio"}},{"registryType":"mcpb","identifier":"other"}])");
  auto idx = PointPackageAtArtifact(doc, "bundle.mcpb", "https://reg/feed/bundle.mcpb", "abc");
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  EXPECT_EQ(*idx, 1u);
  EXPECT_EQ(
      Out(doc),
      R"({"name":"io.github.acme/w","version":"1.0.0","packages":[{"registryType":"npm","identifier":"@acme/w","version":"1.0.0"},{"registryType":"mcpb","identifier":"https://reg/feed/bundle.mcpb","fileSha256":"abc","transport":{"type":"stdio"}},{"registryType":"mcpb","identifier":"other"}]})");
}

TEST(PackageRewriteTest, IdentifierEndingWithTheFileNameWinsOverFirstMcpb) {
  auto doc = Doc(
      R"([{"registryType":"mcpb","identifier":"https://x/linux.mcpb"},{"registryType":"mcpb","identifier":"https://x/windows.mcpb"}])");
  auto idx = PointPackageAtArtifact(doc, "windows.mcpb", "https://reg/w", "d");
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(*idx, 1u);
  const auto& p = doc["packages"].as_array()[1].as_object();
  EXPECT_EQ(p.at("identifier"), "https://reg/w");
  EXPECT_EQ(p.at("fileSha256"), "d");  // added when absent
  EXPECT_EQ(doc["packages"].as_array()[0].as_object().at("identifier"), "https://x/linux.mcpb");
}

TEST(PackageRewriteTest, IdentifierMatchNeedsAWholePathComponent) {
  auto doc = Doc(R"([{"registryType":"oci","identifier":"ghcr.io/acme/my-tool"}])");
  EXPECT_FALSE(FindArtifactPackage(doc, "tool").ok());
  EXPECT_EQ(*FindArtifactPackage(doc, "my-tool"), 0u);
  auto bare = Doc(R"([{"registryType":"x","identifier":"tool"}])");
  EXPECT_EQ(*FindArtifactPackage(bare, "tool"), 0u);
}

TEST(PackageRewriteTest, NoMatchingPackageIsAClearError) {
  auto doc = Doc(R"([{"registryType":"npm","identifier":"@acme/w"}])");
  auto idx = PointPackageAtArtifact(doc, "w.mcpb", "u", "d");
  ASSERT_FALSE(idx.ok());
  EXPECT_TRUE(idx.status().IsInvalidArgument());
  EXPECT_NE(idx.status().message().find("no package in server.json matches"), std::string::npos);
  EXPECT_NE(idx.status().message().find("w.mcpb"), std::string::npos);
  EXPECT_EQ(doc["packages"].as_array()[0].as_object().at("identifier"), "@acme/w");
}

TEST(PackageRewriteTest, MissingOrEmptyPackagesIsAClearError) {
  auto none = boost::json::parse(R"({"name":"a.b/c"})").as_object();
  auto a = FindArtifactPackage(none, "f.mcpb");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("has no \"packages\""), std::string::npos);
  EXPECT_FALSE(FindArtifactPackage(Doc("[]"), "f.mcpb").ok());
  EXPECT_FALSE(FindArtifactPackage(Doc("{}"), "f.mcpb").ok());
}

TEST(PackageRewriteTest, BaseNameStripsDirectories) {
  EXPECT_EQ(BaseName("dist/out/w.mcpb"), "w.mcpb");
  EXPECT_EQ(BaseName("w.mcpb"), "w.mcpb");
  EXPECT_EQ(BaseName("/abs/w"), "w");
}

}  // namespace
}  // namespace mcpreg::client
