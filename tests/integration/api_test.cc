// The real binary over real HTTP: every read-API behaviour of the official registry, plus our
// search extensions, limits and error cases.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <set>

#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::RunCli;
using testing::ServerProcess;

constexpr int kBulk = 45;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    std::string db = *dir_ + "/registry.db";
    // Bulk servers to exercise paging.
    std::string bulk_path = *dir_ + "/bulk.json";
    boost::json::array bulk;
    for (int i = 0; i < kBulk; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "com.bulk/server-%02d", i);
      bulk.push_back(boost::json::object{
          {"$schema", "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"},
          {"name", name},
          {"description", "Bulk test server number " + std::to_string(i)},
          {"version", "1.0.0"},
          {"remotes", boost::json::array{boost::json::object{
                          {"type", "streamable-http"},
                          {"url", std::string("https://bulk.example.com/") + std::to_string(i)}}}}});
    }
    std::ofstream(bulk_path) << boost::json::serialize(bulk);
    std::string out, err;
    int rc = RunCli({"import", "--db", db, std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/api/catalog.json"}, &out, &err);
    ASSERT_EQ(rc, 0) << out << err;
    rc = RunCli({"import", "--db", db, bulk_path}, &out, &err);
    ASSERT_EQ(rc, 0) << out << err;
    server_ = new ServerProcess(db);
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static http::ClientResponse Do(const std::string& method, const std::string& path,
                                 http::Headers headers = {}, std::string body = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = server_->base_url() + path;
    req.headers = std::move(headers);
    req.body = std::move(body);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }
  static http::ClientResponse Get(const std::string& path) { return Do("GET", path); }
  static boost::json::value Json(const http::ClientResponse& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v;
  }
  static std::string Header(const http::ClientResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    return "";
  }
  static std::vector<std::string> Keys(const boost::json::value& list) {
    std::vector<std::string> out;
    for (const auto& s : list.at("servers").as_array())
      out.push_back(std::string(s.at("server").at("name").as_string()) + "@" +
                    std::string(s.at("server").at("version").as_string()));
    return out;
  }
  static const boost::json::object& Official(const boost::json::value& resp) {
    return resp.at("_meta").at("io.modelcontextprotocol.registry/official").as_object();
  }

  static std::string* dir_;
  static ServerProcess* server_;
};

std::string* ApiTest::dir_ = nullptr;
ServerProcess* ApiTest::server_ = nullptr;

TEST_F(ApiTest, ListDefaultsToThirtyWithCursorOnFullPage) {
  auto r = Get("/v0.1/servers");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_EQ(r.body.back(), '\n');
  auto v = Json(r);
  EXPECT_EQ(v.at("servers").as_array().size(), 30u);
  EXPECT_EQ(v.at("metadata").at("count").as_int64(), 30);
  EXPECT_TRUE(v.at("metadata").as_object().contains("nextCursor"));
}

TEST_F(ApiTest, PagingVisitsEveryVisibleVersionOnceInNameVersionOrder) {
  std::vector<std::string> all;
  std::string cursor;
  for (int i = 0; i < 20; ++i) {
    auto v = Json(Get("/v0.1/servers?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    for (auto& k : Keys(v)) all.push_back(k);
    auto& md = v.at("metadata").as_object();
    if (!md.contains("nextCursor")) {
      EXPECT_LT(md.at("count").as_int64(), 7);
      break;
    }
    cursor = std::string(md.at("nextCursor").as_string());
    for (auto& c : cursor) if (c == '/') c = '/';
  }
  // 45 bulk + alpha x3 + beta 0.1.0 (0.2.0 deleted) + weather + gamma + delta.
  EXPECT_EQ(all.size(), static_cast<size_t>(kBulk + 7));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
  // Bytewise version order, not semver: 1.0.0 < 1.10.0 < 1.2.0.
  auto a = std::find(all.begin(), all.end(), "com.example/alpha@1.0.0");
  ASSERT_NE(a, all.end());
  EXPECT_EQ(*(a + 1), "com.example/alpha@1.10.0");
  EXPECT_EQ(*(a + 2), "com.example/alpha@1.2.0");
}

TEST_F(ApiTest, CursorWithoutColonIsANameBound) {
  auto v = Json(Get("/v0.1/servers?limit=100&cursor=com.example%2Fgamma"));
  auto keys = Keys(v);
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.front(), "io.github.acme/weather@2025.01.01");
}

TEST_F(ApiTest, LimitOutOfRangeIs422ProblemJson) {
  for (std::string q : {"limit=0", "limit=101", "limit=abc", "limit=-5"}) {
    auto r = Get("/v0.1/servers?" + q);
    EXPECT_EQ(r.status, 422) << q;
    EXPECT_EQ(Header(r, "Content-Type"), "application/problem+json");
    auto v = Json(r);
    EXPECT_EQ(v.at("title").as_string(), "Unprocessable Entity");
    EXPECT_EQ(v.at("detail").as_string(), "validation failed");
    EXPECT_EQ(v.at("errors").at(0).at("location").as_string(), "query.limit");
  }
  auto v = Json(Get("/v0.1/servers?limit=101"));
  EXPECT_EQ(v.at("errors").at(0).at("message").as_string(), "expected number <= 100");
}

TEST_F(ApiTest, VersionLatestGivesOneSemverHighestPerName) {
  auto v = Json(Get("/v0.1/servers?version=latest&limit=100&search=com.example"));
  auto keys = Keys(v);
  EXPECT_EQ(keys, (std::vector<std::string>{"com.example/alpha@1.10.0", "com.example/beta@0.1.0",
                                            "com.example/gamma@3.0.0"}));
  for (const auto& s : v.at("servers").as_array()) EXPECT_TRUE(Official(s).at("isLatest").as_bool());
}

TEST_F(ApiTest, DeletedHiddenUnlessIncludeDeletedOrUpdatedSince) {
  auto keys = Keys(Json(Get("/v0.1/servers?limit=100&search=beta")));
  EXPECT_EQ(keys, std::vector<std::string>{"com.example/beta@0.1.0"});
  keys = Keys(Json(Get("/v0.1/servers?limit=100&search=beta&include_deleted=true")));
  EXPECT_EQ(keys, (std::vector<std::string>{"com.example/beta@0.1.0", "com.example/beta@0.2.0"}));
  keys = Keys(Json(Get("/v0.1/servers?limit=100&search=beta&updated_since=2000-01-01T00:00:00Z")));
  EXPECT_EQ(keys.size(), 2u);
  // updated_since is strict and filters.
  keys = Keys(Json(Get("/v0.1/servers?limit=100&updated_since=2999-01-01T00:00:00Z")));
  EXPECT_TRUE(keys.empty());
}

TEST_F(ApiTest, UpdatedSinceErrorsAre400WithUpstreamMessages) {
  auto r = Get("/v0.1/servers?updated_since=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Invalid updated_since format: expected RFC3339 timestamp"), std::string::npos);
  r = Get("/v0.1/servers?updated_since=2025-01-01T00:00:00Z&include_deleted=false");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Cannot set include_deleted=false when using updated_since"), std::string::npos);
  EXPECT_EQ(Get("/v0.1/servers?include_deleted=maybe").status, 422);
}

TEST_F(ApiTest, SearchMatchesEveryWordInNameTitleOrDescriptionCaseInsensitively) {
  EXPECT_EQ(Keys(Json(Get("/v0.1/servers?search=WEATHER%20Alerts"))),
            std::vector<std::string>{"io.github.acme/weather@2025.01.01"});
  EXPECT_EQ(Keys(Json(Get("/v0.1/servers?search=forecasts"))),  // title only
            std::vector<std::string>{"io.github.acme/weather@2025.01.01"});
  EXPECT_TRUE(Keys(Json(Get("/v0.1/servers?search=weather+unicorns"))).empty());
  EXPECT_EQ(Keys(Json(Get("/v0.1/servers?version=latest&search=alpha"))),
            std::vector<std::string>{"com.example/alpha@1.10.0"});
}

TEST_F(ApiTest, SearchPagingIsStable) {
  std::vector<std::string> all;
  std::string cursor;
  for (int i = 0; i < 20; ++i) {
    auto v = Json(Get("/v0.1/servers?search=bulk+server&limit=10" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    for (auto& k : Keys(v)) all.push_back(k);
    if (!v.at("metadata").as_object().contains("nextCursor")) break;
    cursor = std::string(v.at("metadata").at("nextCursor").as_string());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kBulk));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
}

TEST_F(ApiTest, TransportAndRegistryTypeFilters) {
  auto keys = Keys(Json(Get("/v0.1/servers?transport=local&limit=100")));
  EXPECT_EQ(keys.size(), 6u);  // alpha x3, weather, gamma (oci), delta
  keys = Keys(Json(Get("/v0.1/servers?transport=remote&search=com.example&limit=100")));
  EXPECT_EQ(keys, (std::vector<std::string>{"com.example/beta@0.1.0", "com.example/gamma@3.0.0"}));
  EXPECT_EQ(Keys(Json(Get("/v0.1/servers?registry_type=pypi"))),
            std::vector<std::string>{"io.github.acme/weather@2025.01.01"});
  EXPECT_EQ(Get("/v0.1/servers?transport=carrier-pigeon").status, 422);
}

TEST_F(ApiTest, GetVersionAndLatestByEncodedName) {
  auto r = Get("/v0.1/servers/com.example%2Falpha/versions/latest");
  ASSERT_EQ(r.status, 200);
  auto v = Json(r);
  EXPECT_EQ(v.at("server").at("version").as_string(), "1.10.0");
  auto& off = Official(v);
  EXPECT_TRUE(off.at("isLatest").as_bool());
  EXPECT_EQ(off.at("status").as_string(), "active");
  // Exact envelope shape and key order.
  EXPECT_EQ(r.body.rfind("{\"server\":{\"$schema\":", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("},\"_meta\":{\"io.modelcontextprotocol.registry/official\":{\"status\":\"active\",\"statusChangedAt\":"), std::string::npos);
  // Double-encoding works like upstream; v0 is the same API.
  EXPECT_EQ(Get("/v0/servers/com.example%252Falpha/versions/1.2.0").status, 200);
  // Build metadata '+' survives path decoding.
  r = Get("/v0.1/servers/org.sample%2Fdelta/versions/1.0.0%2Bbuild.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<with> & special \\\"chars\\\" \xc3\xa9"), std::string::npos) << r.body;
}

// Sends one raw request line (for targets an URL library would refuse) and returns the status.
int RawStatus(int port, const std::string& target);

TEST_F(ApiTest, UnknownOrUnencodedNameIs404AndBadEncodingIs400) {
  auto r = Get("/v0.1/servers/com.example%2Fnope/versions/latest");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json(r).at("detail").as_string(), "Server not found");
  EXPECT_EQ(Get("/v0.1/servers/com.example/alpha/versions/latest").status, 404);
  EXPECT_EQ(RawStatus(server_->port(), "/v0.1/servers/com.example%ZZalpha/versions/latest"), 400);
  EXPECT_EQ(RawStatus(server_->port(), "/v0.1/servers/com.example%2Falpha/versions/1.0%G1"), 400);
  EXPECT_EQ(Get("/v0.1/servers/com.example%2Falpha/versions/9.9.9").status, 404);
}

TEST_F(ApiTest, DeletedVersionReadableOnlyWithIncludeDeleted) {
  EXPECT_EQ(Get("/v0.1/servers/com.example%2Fbeta/versions/0.2.0").status, 404);
  auto r = Get("/v0.1/servers/com.example%2Fbeta/versions/0.2.0?include_deleted=true");
  ASSERT_EQ(r.status, 200);
  auto v = Json(r);
  EXPECT_EQ(Official(v).at("status").as_string(), "deleted");
  EXPECT_EQ(Official(v).at("statusMessage").as_string(), "withdrawn");
  EXPECT_EQ(Official(v).at("publishedAt").as_string(), "2025-10-01T12:00:00Z");
}

TEST_F(ApiTest, VersionsListNewestPublishedFirst) {
  auto v = Json(Get("/v0.1/servers/com.example%2Falpha/versions"));
  auto keys = Keys(v);
  EXPECT_EQ(keys, (std::vector<std::string>{"com.example/alpha@1.10.0", "com.example/alpha@1.2.0",
                                            "com.example/alpha@1.0.0"}));
  EXPECT_FALSE(v.at("metadata").as_object().contains("nextCursor"));
  EXPECT_EQ(Get("/v0.1/servers/com.example%2Fnope/versions").status, 404);
}

TEST_F(ApiTest, DeprecatedStaysListedWithMessage) {
  auto v = Json(Get("/v0.1/servers/com.example%2Fgamma/versions/latest"));
  EXPECT_EQ(Official(v).at("status").as_string(), "deprecated");
  EXPECT_EQ(Official(v).at("statusMessage").as_string(), "use com.example/alpha");
}

TEST_F(ApiTest, TrailingSlashRedirects308KeepingQuery) {
  auto r = Get("/v0.1/servers/?limit=5");
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(Header(r, "Location"), "/v0.1/servers?limit=5");
}

TEST_F(ApiTest, NulBytesAre400) {
  auto r = Get("/v0.1/servers%00");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("URL path contains null bytes"), std::string::npos);
  r = Get("/v0.1/servers?search=a%00b");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("query parameters contain null bytes"), std::string::npos);
}

TEST_F(ApiTest, UnknownRoutesAndWrongMethodsGetJson404) {
  auto r = Do("DELETE", "/v0.1/servers/com.example%2Falpha/versions/1.0.0");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Header(r, "Content-Type"), "application/problem+json");
  r = Get("/servers");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("Did you mean '/v0.1/servers' or '/v0/servers'?"), std::string::npos);
  EXPECT_EQ(Get("/v0.1/nothing").status, 404);
  EXPECT_EQ(RawStatus(server_->port(), "/v0.1/servers?search=%zz"), 400);
}

TEST_F(ApiTest, CorsPreflightAllowsPatchAndSimpleRequestsGetOriginStar) {
  auto r = Do("OPTIONS", "/v0.1/servers",
              {{"Origin", "https://vscode.dev"}, {"Access-Control-Request-Method", "PATCH"},
               {"Access-Control-Request-Headers", "authorization,content-type"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_NE(Header(r, "Access-Control-Allow-Methods").find("PATCH"), std::string::npos);
  EXPECT_EQ(Header(r, "Access-Control-Allow-Headers"), "authorization,content-type");
  r = Do("GET", "/v0.1/servers?limit=1", {{"Origin", "https://vscode.dev"}});
  EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
}

TEST_F(ApiTest, HealthPingVersionAndOpenApi) {
  EXPECT_EQ(Get("/v0.1/health").body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(Get("/v0/ping").body, "{\"pong\":true}\n");
  auto v = Json(Get("/v0.1/version"));
  EXPECT_TRUE(v.as_object().contains("version"));
  auto r = Get("/openapi.yaml");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("openapi: 3.1"), std::string::npos);
}

// Raw socket helpers for transport-level behaviour.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) { close(fd); return -1; }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string ReadUntilClose(int fd, size_t want_responses = 0) {
  std::string s;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, n);
    if (want_responses) {
      size_t count = 0, pos = 0;
      while ((pos = s.find("HTTP/1.1 ", pos)) != std::string::npos) { ++count; ++pos; }
      if (count >= want_responses && s.size() > 4 && s.substr(s.size() - 2) == "\n\n") break;
    }
  }
  return s;
}

int RawStatus(int port, const std::string& target) {
  int fd = Connect(port);
  if (fd < 0) return -1;
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string resp = ReadUntilClose(fd);
  close(fd);
  if (resp.size() < 12) return -1;
  return std::stoi(resp.substr(9, 3));
}

TEST_F(ApiTest, KeepAliveAnswersPipelinedRequestsInOrder) {
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  std::string reqs =
      "GET /v0.1/ping HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v0.1/health HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v0.1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(write(fd, reqs.data(), reqs.size()), static_cast<ssize_t>(reqs.size()));
  std::string all = ReadUntilClose(fd);
  close(fd);
  auto p1 = all.find("{\"pong\":true}");
  auto p2 = all.find("{\"status\":\"ok\"}");
  auto p3 = all.rfind("{\"pong\":true}");
  EXPECT_NE(p1, std::string::npos);
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, p3);
}

TEST_F(ApiTest, OversizedHeaderIs431AndOversizedBodyIs413AndGarbageIs400) {
  int fd = Connect(server_->port());
  std::string big = "GET /v0.1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n";
  (void)!write(fd, big.data(), big.size());
  std::string resp = ReadUntilClose(fd);
  close(fd);
  EXPECT_EQ(resp.rfind("HTTP/1.1 431", 0), 0u) << resp.substr(0, 200);

  fd = Connect(server_->port());
  std::string post = "POST /v0.1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n";
  (void)!write(fd, post.data(), post.size());
  resp = ReadUntilClose(fd);
  close(fd);
  EXPECT_EQ(resp.rfind("HTTP/1.1 413", 0), 0u) << resp.substr(0, 200);
  EXPECT_NE(resp.find("application/problem+json"), std::string::npos);

  fd = Connect(server_->port());
  std::string junk = "THIS IS NOT HTTP\r\n\r\n";
  (void)!write(fd, junk.data(), junk.size());
  resp = ReadUntilClose(fd);
  close(fd);
  EXPECT_EQ(resp.rfind("HTTP/1.1 400", 0), 0u) << resp.substr(0, 200);
  // And the server still serves.
  EXPECT_EQ(Get("/v0.1/ping").status, 200);
}

TEST_F(ApiTest, BodyLimitsAndAuthenticationApplyAtTheHeader) {
  // The matched route decides on the header, before any body byte is read: token routes refuse
  // a caller without a valid token first (upstream's 422 for a missing header on its routes,
  // 401 on mcpreg's), public routes apply their body limit (413).
  auto status_line = [&](const std::string& method, const std::string& target, size_t length) {
    int fd = Connect(server_->port());
    std::string head = method + " " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                       std::to_string(length) + "\r\n\r\n";
    (void)!write(fd, head.data(), head.size());
    std::string resp = ReadUntilClose(fd);
    close(fd);
    return resp;
  };
  std::string r = status_line("PUT", "/v0.1/x/dev.mcpreg/feed/a%2Fb/1.0.0/b.mcpb", 200u << 20);
  EXPECT_EQ(r.rfind("HTTP/1.1 422", 0), 0u) << r.substr(0, 200);
  r = status_line("POST", "/v0.1/x/dev.mcpreg/servers/a%2Fb/versions/1.0.0/evidence", 40u << 20);
  EXPECT_EQ(r.rfind("HTTP/1.1 401", 0), 0u) << r.substr(0, 200);
  r = status_line("POST", "/v0.1/publish", 5u << 20);
  EXPECT_EQ(r.rfind("HTTP/1.1 422", 0), 0u) << r.substr(0, 200);
  r = status_line("POST", "/v0.1/validate", 5u << 20);
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("exceeds 4194304 bytes"), std::string::npos) << r;
}

TEST_F(ApiTest, ReimportChangesNothing) {
  std::string out, err;
  int rc = RunCli({"import", "--db", *dir_ + "/registry.db",
                   std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/api/catalog.json"}, &out, &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_NE(out.find("imported 0, unchanged 8"), std::string::npos) << out;
}

TEST(ServeTest, SigtermStopsGracefullyWithExitZero) {
  std::string dir = testing::TempDir();
  ServerProcess p(dir + "/r.db", {"--no-demo"});
  ASSERT_TRUE(p.started()) << p.log();
  EXPECT_EQ(p.Stop(), 0);
  EXPECT_NE(p.log().find("received SIGTERM"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ServeTest, FreshDatabaseGetsTheDemoCatalog) {
  std::string dir = testing::TempDir();
  ServerProcess p(dir + "/sub/r.db");
  ASSERT_TRUE(p.started()) << p.log();
  http::ClientRequest req;
  req.url = p.base_url() + "/v0.1/servers?limit=100&version=latest";
  auto r = http::Fetch(req);
  ASSERT_TRUE(r.ok());
  auto v = boost::json::parse(r->body);
  EXPECT_GE(v.at("servers").as_array().size(), 20u);
  std::filesystem::remove_all(dir);
}

TEST(CliTest, BadArgumentsExitTwoWithOneLine) {
  std::string out, err;
  EXPECT_EQ(RunCli({"serve", "--listen", "nonsense"}, &out, &err), 2);
  EXPECT_NE(err.find("--listen must be HOST:PORT"), std::string::npos) << err;
  EXPECT_EQ(RunCli({"frobnicate"}, &out, &err), 2);
  std::string dir = testing::TempDir();
  EXPECT_EQ(RunCli({"import", "--db", dir + "/x.db", "/nonexistent/file.json"}, &out, &err), 2);
  EXPECT_NE(err.find("cannot read /nonexistent/file.json"), std::string::npos) << err;
  // A database left behind by an older binary must be migrated explicitly.
  EXPECT_EQ(RunCli({"migrate", "--db", dir + "/x.db", "--dry-run"}, &out, &err), 0) << err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mcpreg
