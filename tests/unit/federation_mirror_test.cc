// Mirror filters (federation/mirror.h) and the mirror against hostile upstream pages served
// through the UpstreamGet seam, over a real SQLite store.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "federation/mirror.h"
#include "integration/server_process.h"

namespace mcpreg::federation {
namespace {

TEST(GlobMatchTest, WholeNameStarAnyRunIncludingSlashCaseSensitive) {
  EXPECT_TRUE(GlobMatch("io.github.microsoft/*", "io.github.microsoft/playwright"));
  EXPECT_FALSE(GlobMatch("io.github.microsoft/*", "io.github.microsoft"));
  EXPECT_TRUE(GlobMatch("*/experimental-*", "com.acme/experimental-x"));
  EXPECT_TRUE(GlobMatch("*", "a/b/c"));
  EXPECT_TRUE(GlobMatch("com.*/x", "com.a/b/x"));  // `*` crosses "/"
  EXPECT_FALSE(GlobMatch("com.acme/x", "com.acme/xy"));  // whole name
  EXPECT_FALSE(GlobMatch("com.acme/x", "acom.acme/x"));
  EXPECT_FALSE(GlobMatch("Com.acme/*", "com.acme/x"));  // case-sensitive
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_TRUE(GlobMatch("**", ""));
}

TEST(GlobMatchTest, HostilePatternsStayFast) {
  std::string name(255, 'a');
  std::string pattern;
  for (int i = 0; i < 120; ++i) pattern += "*a";
  pattern += "b";
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(GlobMatch(pattern, name));
  // Two-pointer matching is O(n*m) at worst: 100 runs of 255 x 241 stay far below a second
  // (exponential backtracking would not finish).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

config::UpstreamConfig Upstream() {
  config::UpstreamConfig u;
  u.name = "up";
  u.url = "https://up.example";
  return u;
}

constexpr char kRemote[] = R"({"name":"com.a/r","version":"1","remotes":[{"type":"streamable-http","url":"https://x"}]})";
constexpr char kNpm[] = R"({"name":"com.a/n","version":"1","packages":[{"registryType":"npm","identifier":"x"}]})";
constexpr char kBoth[] = R"({"name":"com.a/b","version":"1","remotes":[{"type":"sse","url":"https://y"}],"packages":[{"registryType":"oci","identifier":"y"}]})";

TEST(UpstreamFilterTest, UnionWithinAKeyIntersectionAcrossKeys) {
  auto u = Upstream();
  u.include = {"com.a/*"};
  u.exclude = {"*/n"};
  UpstreamFilter names(u);
  EXPECT_TRUE(names.Selects("com.a/r", kRemote));
  EXPECT_FALSE(names.Selects("com.a/n", kNpm));
  EXPECT_FALSE(names.Selects("org.b/r", kRemote));

  u = Upstream();
  u.transports = {"remote", "local"};
  UpstreamFilter both(u);
  EXPECT_TRUE(both.Selects("com.a/r", kRemote));
  EXPECT_TRUE(both.Selects("com.a/n", kNpm));
  EXPECT_FALSE(both.Selects("com.a/e", R"({"name":"com.a/e","version":"1"})"));

  u = Upstream();
  u.transports = {"remote"};
  u.registry_types = {"npm", "oci"};
  UpstreamFilter cross(u);
  EXPECT_FALSE(cross.Selects("com.a/r", kRemote));  // remote but no npm/oci package
  EXPECT_FALSE(cross.Selects("com.a/n", kNpm));     // npm but not remote
  EXPECT_TRUE(cross.Selects("com.a/b", kBoth));

  // Widening or narrowing any filter changes the key (a full sync follows); order does not.
  auto a = Upstream(), b = Upstream();
  a.include = {"x/*", "y/*"};
  b.include = {"y/*", "x/*"};
  EXPECT_EQ(UpstreamFilter(a).key(), UpstreamFilter(b).key());
  b.include.push_back("z/*");
  EXPECT_NE(UpstreamFilter(a).key(), UpstreamFilter(b).key());
}

// A store with the mirror applying pages served by a map of URL -> body.
class MirrorUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(testing::TempDir() + "/m.db");
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate(false).ok());
    options_.backoff_initial = std::chrono::milliseconds(1);
    options_.get = [this](const http::ClientRequest& req) -> Result<http::ClientResponse> {
      ++requests_[req.url];
      auto it = pages_.find(req.url);
      if (it == pages_.end()) return http::ClientResponse{404, {}, "{}"};
      return http::ClientResponse{200, {}, it->second};
    };
  }
  std::string Page(const std::string& items, const std::string& next = "") {
    return R"({"servers":[)" + items + R"(],"metadata":{)" +
           (next.empty() ? "" : R"("nextCursor":")" + next + R"(")") + "}}";
  }
  static std::string Item(const std::string& name, const std::string& version,
                          const std::string& status = "active") {
    return R"({"server":{"name":")" + name + R"(","version":")" + version +
           R"(","description":"\u003cb\u003e kept as sent"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":")" +
           status + R"(","publishedAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-02T00:00:00Z"}}})";
  }
  std::unique_ptr<Store> store_;
  MirrorOptions options_;
  std::map<std::string, std::string> pages_;
  std::map<std::string, int> requests_;
};

constexpr char kFirst[] = "https://up.example/v0.1/servers?limit=100&include_deleted=true";

TEST_F(MirrorUnitTest, KeepsUpstreamBytesSkipsBadEntriesAndRefusesARepeatedCursor) {
  pages_[kFirst] = Page(Item("com.a/x", "1.0.0") + R"(,{"server":{"name":"no-slash","version":"1"}},)" +
                        R"({"server":"not an object"},)" + Item("com.a/gone", "1.0.0", "deleted"));
  Mirror mirror(*store_, nullptr, SystemClock::Instance(), options_);
  SyncReport r = mirror.Sync(Upstream());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.applied, 1u);
  EXPECT_EQ(r.skipped, 2u);  // the two malformed entries; gone was deleted before we saw it
  auto rows = store_->LoadChangesSince(0, 0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->records.size(), 1u);
  // The server object exactly as upstream sent it (its \u escapes included).
  EXPECT_EQ(rows->records[0].server_json,
            R"({"name":"com.a/x","version":"1.0.0","description":"\u003cb\u003e kept as sent"})");

  // A cursor that comes back is an error; nothing after it is trusted.
  auto u = Upstream();
  u.include = {"com.b/*"};
  pages_[kFirst] = Page(Item("com.b/y", "1.0.0"), "c1");
  pages_[std::string(kFirst) + "&cursor=c1"] = Page(Item("com.b/z", "1.0.0"), "c1");
  SyncReport loop = mirror.Sync(u);
  EXPECT_FALSE(loop.status.ok());
  EXPECT_NE(loop.status.message().find("repeated cursor"), std::string::npos) << loop.status.ToString();
  EXPECT_EQ(loop.requests, 2u);
}

TEST_F(MirrorUnitTest, ServerErrorsAreRetriedWithBackoffThenReported) {
  int calls = 0;
  options_.get = [&](const http::ClientRequest&) -> Result<http::ClientResponse> {
    ++calls;
    return http::ClientResponse{502, {}, "bad gateway"};
  };
  Mirror mirror(*store_, nullptr, SystemClock::Instance(), options_);
  SyncReport r = mirror.Sync(Upstream());
  EXPECT_EQ(calls, kAttempts);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("upstream up (https://up.example): GET "), std::string::npos)
      << r.status.ToString();
  EXPECT_NE(r.status.message().find("HTTP 502 (gave up after 4 attempts)"), std::string::npos)
      << r.status.ToString();
  auto state = store_->GetMirrorState("up");
  EXPECT_TRUE(state.status().IsNotFound());  // a failed sync keeps no watermark
}

}  // namespace
}  // namespace mcpreg::federation
