// Issue 9, output hygiene (items 5 and 14): a feed file name can never split a response, and
// the README export never carries a non-http(s) link.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/sha256.h"
#include "security/security_server.h"
#include "service/exports.h"
#include "service/feed_service.h"

namespace mcpreg::security {
namespace {

class OutputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SecurityServer("");
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static SecurityServer* server_;
};
SecurityServer* OutputTest::server_ = nullptr;

// Item 5: CR/LF and other bad bytes are refused at upload, at download, and encoded in the
// header whatever happens.
TEST_F(OutputTest, FeedFileNameWithCrLfIsRefusedAndNeverReachesAHeader) {
  const std::string feeder = server_->Token('A', "feeder5", "feeder");
  const std::string name = "com.contoso/split5";
  const std::string data = "bundle five";
  const std::string sha = Sha256Hex(data);
  for (const std::string& bad : std::vector<std::string>{
           "a%0D%0ASet-Cookie:%20x=1.mcpb", "a%0Ab.mcpb", "a%22b.mcpb", "a;b.mcpb",
           "%C3%A9t%C3%A9.mcpb", ".hidden", std::string(256, 'a')}) {
    EXPECT_EQ(server_->Upload(feeder, name, "1.0.0", bad, data, sha), 400) << bad;
  }
  ASSERT_EQ(server_->Upload(feeder, name, "1.0.0", "good.mcpb", data, sha), 201);

  const std::string base = kApi + "/feed/artifacts/" + sha + "/";
  auto split = server_->Call("GET", base + "x%0D%0ASet-Cookie:%20pwned=1");
  EXPECT_EQ(split.status, 400) << split.body;
  EXPECT_TRUE(HeaderOf(split, "Set-Cookie").empty());
  EXPECT_TRUE(HeaderOf(split, "Content-Disposition").empty());
  EXPECT_EQ(server_->Call("GET", base + "a%22;%20filename=evil.exe").status, 400);

  auto ok = server_->Call("GET", base + "good.mcpb");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(HeaderOf(ok, "Content-Disposition"),
            "attachment; filename=\"good.mcpb\"; filename*=UTF-8''good.mcpb");
  // The encoder alone, on hostile input: no CR, LF, quote or non-ASCII byte survives.
  std::string cd = service::ContentDispositionFor("a\r\nSet-Cookie: \"x\"\xc3\xa9.mcpb");
  EXPECT_EQ(cd.find_first_of("\r\n"), std::string::npos) << cd;
  EXPECT_EQ(cd,
            "attachment; filename=\"a__Set-Cookie___x___.mcpb\"; "
            "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20%22x%22%C3%A9.mcpb");
}

catalog::EntryPtr Entry(const std::string& doc) {
  VersionRecord r;
  r.meta.name = "com.evil/x";
  r.meta.version = "1.0.0";
  r.meta.published_at = r.meta.updated_at = r.meta.status_changed_at = 1760000000000000;
  r.meta.is_latest = true;
  r.server_json = doc;
  r.seq = 1;
  return catalog::BuildEntry(r);
}

// Item 14: only http(s) URLs become links; everything else is escaped text.
TEST(OutputExportTest, ExportReadmeHasNoJavascriptLink) {
  const std::string doc =
      R"J({"name":"com.evil/x","version":"1.0.0","title":"[t](javascript:alert(1))",)J"
      R"J("description":"click [here](javascript:alert(document.cookie)) or ![i](data:x) <javascript:y>",)J"
      R"J("packages":[{"registryType":"mcpb","identifier":"https://e.example/a.mcpb?x=javascript:(1)",)J"
      R"J("fileSha256":")J" +
      std::string(64, 'a') +
      R"J(","transport":{"type":"stdio"}}],)J"
      R"J("_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":"[MIT](javascript:z)"}}})J";
  std::string md = service::ExportReadme({Entry(doc)}, service::ExportOptions{});
  // An escaped bracket ("\\]") closes no link: drop those, then no "](javascript:" may remain.
  std::string unescaped;
  for (size_t i = 0; i < md.size(); ++i) {
    if (md[i] == '\\' && i + 1 < md.size()) {
      ++i;
      continue;
    }
    unescaped += md[i];
  }
  EXPECT_EQ(unescaped.find("](javascript:"), std::string::npos) << md;
  EXPECT_EQ(unescaped.find("](data:"), std::string::npos) << md;
  EXPECT_NE(md.find("\\[here\\](javascript:"), std::string::npos) << "kept as text: " << md;
  EXPECT_EQ(md.find("<javascript:"), std::string::npos) << md;
  // Every remaining "](" opens an http(s) destination.
  for (size_t at = md.find("]("); at != std::string::npos; at = md.find("](", at + 1)) {
    if (at > 0 && md[at - 1] == '\\') continue;
    std::string dest = md.substr(at + 2, 8);
    EXPECT_TRUE(dest.rfind("https://", 0) == 0 || dest.rfind("http://", 0) == 0 ||
                dest.rfind("vsweb+mc", 0) == 0)
        << dest << "\n"
        << md;
  }
}

}  // namespace
}  // namespace mcpreg::security
