// Database outages as the REST API shows them (issue 10): /health answers 503 problem+json while
// Store::Health() fails and exactly today's 200 body otherwise; a write the database refuses is
// 503 problem+json whose detail says "database unavailable"; reads keep being served from
// memory. And the feed works end to end with its bytes in the database (Range included).
// Runs the real router and services in process over a real SQLite store; only the Store seam is
// doubled (health, failing writes, blobs in memory).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>

#include "api/rest/router.h"
#include "auth/keys.h"
#include "auth/registry_token.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "core/sha256.h"
#include "feed/store_blob_store.h"
#include "integration/server_process.h"
#include "mcpreg/clock.h"
#include "service/auth_service.h"
#include "service/feed_service.h"
#include "service/registry_service.h"
#include "testing/blob_holding_store.h"

namespace mcpreg {
namespace {

// The PostgreSQL backend's behaviour during an outage, over SQLite: Health() and every write
// fail with Unavailable("database unavailable: ...") while `down` is set.
class OutageStore final : public testing::BlobHoldingStore {
 public:
  using BlobHoldingStore::BlobHoldingStore;
  std::atomic<bool> down{false};

  Status Health() override { return down ? Outage() : Status::OK(); }
  Result<std::vector<VersionRecord>> UpdateServer(std::string_view name,
                                                  const Mutator& mutate) override {
    if (down) return Outage();
    return BlobHoldingStore::UpdateServer(name, mutate);
  }
  Status PutBlob(std::string_view sha256, std::string_view data) override {
    if (down) return Outage();
    return BlobHoldingStore::PutBlob(sha256, data);
  }
  Result<std::vector<Grant>> ListGrants(std::string_view issuer,
                                        std::string_view subject) override {
    if (down) return Outage();
    return BlobHoldingStore::ListGrants(issuer, subject);
  }

 private:
  static Status Outage() {
    return Status::Unavailable("database unavailable: connection to server lost");
  }
};

class CapturingResponder final : public http::Responder {
 public:
  void Send(http::HttpResponse response) override { response_ = std::move(response); }
  std::shared_ptr<http::ResponseStream> Stream(int, http::Headers) override { return nullptr; }
  std::optional<http::HttpResponse> response_;
};

std::string HeaderOf(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::string Doc(std::string_view name, std::string_view version) {
  return std::string(
             R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json","name":")") +
         std::string(name) + R"(","version":")" + std::string(version) +
         R"(","description":"Outage test server"})";
}

class DatabaseOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    auto sqlite = OpenSqliteStore(dir_ + "/registry.db");
    ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
    ASSERT_TRUE((*sqlite)->Migrate(false).ok());
    store_ = std::make_unique<OutageStore>(std::move(*sqlite));
    registry_ = std::make_unique<service::RegistryService>(*store_, catalog_,
                                                           SystemClock::Instance());
    ASSERT_TRUE(registry_->Refresh().ok());
    auto key = auth::Key::Ed25519FromSeed(std::string(32, '\x07'));
    ASSERT_TRUE(key.ok());
    auth::RegistryTokens tokens(*key, SystemClock::Instance());
    auth::Principal who;
    who.auth_method = "dns";
    who.subject = "example.com";
    who.permissions = {{"publish", "com.example/*"}, {"feed", "com.example/*"}};
    auto issued = tokens.Issue(who);
    ASSERT_TRUE(issued.ok());
    bearer_ = "Bearer " + issued->registry_token;
    auth_ = std::make_unique<service::AuthService>(auth_config_, *store_, std::move(tokens),
                                                   nullptr, nullptr, SystemClock::Instance());
    feed_ = std::make_unique<service::FeedService>(
        std::make_unique<feed::StoreBlobStore>(*store_), *store_, SystemClock::Instance(),
        1 << 20);
    rest::RouterDeps deps;
    deps.registry = registry_.get();
    deps.auth = auth_.get();
    deps.feed = feed_.get();
    router_ = std::make_unique<rest::Router>(std::move(deps));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  http::HttpResponse Do(std::string method, std::string target, std::string body = "",
                        http::Headers headers = {}) {
    http::HttpRequest req;
    req.method = std::move(method);
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.remote_address = "127.0.0.1";
    req.local_address = "127.0.0.1:8080";
    auto responder = std::make_shared<CapturingResponder>();
    router_->Handle(std::move(req), responder);
    EXPECT_TRUE(responder->response_.has_value()) << target;
    return responder->response_.value_or(http::HttpResponse{});
  }

  std::string dir_;
  std::unique_ptr<OutageStore> store_;
  catalog::Catalog catalog_;
  config::AuthConfig auth_config_;
  std::unique_ptr<service::RegistryService> registry_;
  std::unique_ptr<service::AuthService> auth_;
  std::unique_ptr<service::FeedService> feed_;
  std::unique_ptr<rest::Router> router_;
  std::string bearer_;
};

TEST_F(DatabaseOutageTest, HealthIsTodays200WhileTheDatabaseIsUp) {
  for (const char* path : {"/v0.1/health", "/v0/health", "/health"}) {
    auto r = Do("GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n") << path;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json") << path;
  }
}

TEST_F(DatabaseOutageTest, HealthIs503ProblemJsonWhileTheDatabaseIsDown) {
  store_->down = true;
  for (const char* path : {"/v0.1/health", "/v0/health", "/health"}) {
    auto r = Do("GET", path);
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/problem+json") << path;
    EXPECT_NE(r.body.find(R"("status":503)"), std::string::npos) << r.body;
    // Clients learn only that the database is unavailable; the store's detail (host, port,
    // role, libpq's text) goes to the operator's log.
    EXPECT_NE(r.body.find(R"("detail":"database unavailable")"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("connection to server lost"), std::string::npos) << r.body;
  }
  store_->down = false;
  EXPECT_EQ(Do("GET", "/v0.1/health").status, 200);  // recovers with the database
}

TEST_F(DatabaseOutageTest, WritesAre503DatabaseUnavailableWhileReadsStillAnswer) {
  auto published = Do("POST", "/v0.1/publish", Doc("com.example/up", "1.0.0"),
                      {{"Authorization", bearer_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(published.status, 200) << published.body;

  store_->down = true;
  auto refused = Do("POST", "/v0.1/publish", Doc("com.example/down", "1.0.0"),
                    {{"Authorization", bearer_}, {"Content-Type", "application/json"}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(HeaderOf(refused, "Content-Type"), "application/problem+json");
  EXPECT_NE(refused.body.find("database unavailable"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("connection to server lost"), std::string::npos) << refused.body;

  const std::string bytes = "bundle bytes";
  auto upload = Do("PUT", "/v0.1/x/dev.mcpreg/feed/com.example%2Fup/1.0.0/up.mcpb", bytes,
                   {{"Authorization", bearer_}, {"X-Content-SHA256", Sha256Hex(bytes)}});
  EXPECT_EQ(upload.status, 503) << upload.body;
  EXPECT_NE(upload.body.find("database unavailable"), std::string::npos) << upload.body;

  // Reads come from memory.
  auto read = Do("GET", "/v0.1/servers/com.example%2Fup/versions/1.0.0");
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Do("GET", "/v0.1/servers").status, 200);
}

TEST_F(DatabaseOutageTest, FeedBytesInTheDatabaseDownloadWithRanges) {
  ASSERT_EQ(Do("POST", "/v0.1/publish", Doc("com.example/feed", "1.0.0"),
               {{"Authorization", bearer_}, {"Content-Type", "application/json"}})
                .status,
            200);
  const std::string bytes = "0123456789abcdef";
  const std::string sha = Sha256Hex(bytes);
  auto up = Do("PUT", "/v0.1/x/dev.mcpreg/feed/com.example%2Ffeed/1.0.0/f.mcpb", bytes,
               {{"Authorization", bearer_}, {"X-Content-SHA256", sha}});
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(store_->puts(), 1u);  // the bytes went to the database, not to a directory
  const std::string url = "/v0.1/x/dev.mcpreg/feed/artifacts/" + sha + "/f.mcpb";
  auto whole = Do("GET", url);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, bytes);
  EXPECT_EQ(HeaderOf(whole, "ETag"), "\"" + sha + "\"");
  auto part = Do("GET", url, "", {{"Range", "bytes=4-7"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "4567");
  EXPECT_EQ(HeaderOf(part, "Content-Range"), "bytes 4-7/16");
  auto tail = Do("GET", url, "", {{"Range", "bytes=-3"}});
  EXPECT_EQ(tail.body, "def");
  EXPECT_EQ(Do("GET", url, "", {{"Range", "bytes=99-"}}).status, 416);
  EXPECT_EQ(Do("GET", "/v0.1/x/dev.mcpreg/feed/artifacts/" + Sha256Hex("nope") + "/f.mcpb").status,
            404);
}

}  // namespace
}  // namespace mcpreg
