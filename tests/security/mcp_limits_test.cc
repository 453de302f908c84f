// Issue 9 items 6 (per-session MCP state) and 10 (one client fills the session table): the
// Streamable HTTP endpoint bounds sessions per client, expires idle ones, makes room in a full
// table, and bounds what one session keeps. Driven through fake responders (no sockets).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <mutex>
#include <string>
#include <thread>

#include "mcp/http_endpoint.h"
#include "mcp/session.h"

namespace mcpreg::mcp {
namespace {
namespace bj = boost::json;
using namespace std::chrono_literals;

class NullStream : public http::ResponseStream {
 public:
  bool Write(std::string) override { return !closed_; }
  void Close() override { closed_ = true; }
  bool closed() const override { return closed_; }
  void OnClose(std::function<void()>) override {}
  std::atomic<bool> closed_{false};
};

class Capture : public http::Responder {
 public:
  void Send(http::HttpResponse r) override { response = std::move(r); }
  std::shared_ptr<http::ResponseStream> Stream(int status, http::Headers headers) override {
    response.status = status;
    response.headers = std::move(headers);
    stream = std::make_shared<NullStream>();
    return stream;
  }
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : response.headers)
      if (k == name) return v;
    return {};
  }
  // The JSON-RPC error code of the response, 0 when it is not an error.
  int ErrorCode() const {
    boost::system::error_code ec;
    auto v = bj::parse(response.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) return 0;
    return int(v.at("error").at("code").as_int64());
  }
  http::HttpResponse response;
  std::shared_ptr<NullStream> stream;
};

constexpr std::string_view kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})";

class McpLimitsTest : public ::testing::Test {
 protected:
  McpLimitsTest() : server_(ServerOptions{}) {}

  void Make(McpHttpOptions o) { endpoint_ = std::make_unique<McpHttpEndpoint>(server_, o); }

  std::shared_ptr<Capture> Do(std::string method, std::string body, std::string session,
                              std::string from, http::Headers extra = {}) {
    http::HttpRequest req;
    req.method = std::move(method);
    req.path = req.target = "/mcp";
    req.body = std::move(body);
    req.remote_address = std::move(from);
    req.headers = {{"Content-Type", "application/json"},
                   {"Accept", "application/json, text/event-stream"},
                   {"Host", "127.0.0.1:3000"}};
    if (!session.empty()) req.headers.emplace_back("Mcp-Session-Id", session);
    for (auto& e : extra) req.headers.push_back(e);
    auto r = std::make_shared<Capture>();
    endpoint_->Handle(std::move(req), r);
    return r;
  }
  std::shared_ptr<Capture> Post(std::string body, std::string session = {},
                                std::string from = "192.0.2.1") {
    return Do("POST", std::move(body), std::move(session), std::move(from));
  }
  // initialize from `from`; returns the session id ("" when refused) and the response.
  std::string Open(std::string from, std::shared_ptr<Capture>* out = nullptr) {
    auto r = Post(std::string(kInit), {}, from);
    if (out) *out = r;
    return r->response.status == 200 ? r->Header("Mcp-Session-Id") : std::string();
  }

  McpServer server_;
  std::unique_ptr<McpHttpEndpoint> endpoint_;
};

TEST_F(McpLimitsTest, SessionFloodByOneClientLeavesAnotherClientAbleToInitialize) {
  McpHttpOptions o;
  o.max_sessions = 200;  // default max_sessions_per_client applies
  Make(o);
  int opened = 0;
  std::shared_ptr<Capture> last;
  for (int i = 0; i < 300; ++i) opened += Open("198.51.100.7", &last).empty() ? 0 : 1;
  EXPECT_EQ(opened, 64);
  EXPECT_EQ(last->response.status, 429);
  EXPECT_FALSE(last->Header("Retry-After").empty());
  EXPECT_EQ(last->ErrorCode(), kTransportError);

  std::shared_ptr<Capture> other;
  EXPECT_FALSE(Open("203.0.113.9", &other).empty()) << other->response.status;
  // An IPv6 client is counted by its /64: new addresses in it do not get more sessions.
  int v6 = 0;
  for (int i = 0; i < 100; ++i) v6 += Open("2001:db8::" + std::to_string(i + 1)).empty() ? 0 : 1;
  EXPECT_EQ(v6, 64);
  EXPECT_FALSE(Open("2001:db8:0:1::1").empty());
}

TEST_F(McpLimitsTest, FullTableEndsTheLongestIdleSessionInsteadOfRefusing) {
  McpHttpOptions o;
  o.max_sessions = 3;
  Make(o);
  std::string a = Open("192.0.2.1");
  std::this_thread::sleep_for(5ms);
  std::string b = Open("192.0.2.2");
  std::this_thread::sleep_for(5ms);
  std::string c = Open("192.0.2.3");
  std::this_thread::sleep_for(5ms);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", a)->response.status, 200);

  std::string d = Open("192.0.2.4");  // b is now the longest idle
  EXPECT_FALSE(d.empty());
  EXPECT_EQ(endpoint_->session_count(), 3u);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", b)->response.status, 404);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", a)->response.status, 200);

  // Sessions with an open stream are in use: with all of them streaming, 503 + Retry-After.
  for (const auto& s : {a, c, d})
    ASSERT_NE(Do("GET", "", s, "192.0.2.9", {{"Accept", "text/event-stream"}})->stream, nullptr);
  std::shared_ptr<Capture> refused;
  EXPECT_TRUE(Open("192.0.2.5", &refused).empty());
  EXPECT_EQ(refused->response.status, 503);
  EXPECT_FALSE(refused->Header("Retry-After").empty());
}

TEST_F(McpLimitsTest, IdleSessionIsEndedBySweeperWithoutNewTraffic) {
  McpHttpOptions o;
  o.session_idle_ttl = 1s;
  Make(o);
  std::string s = Open("192.0.2.1");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(endpoint_->session_count(), 1u);
  for (int i = 0; i < 40 && endpoint_->session_count() > 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(endpoint_->session_count(), 0u);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", s)->response.status, 404);
  // Its place is given back to its client.
  EXPECT_FALSE(Open("192.0.2.1").empty());
}

TEST_F(McpLimitsTest, PerSessionStateIsBounded) {
  Make(McpHttpOptions{});
  // initialize: capabilities + clientInfo beyond 16 KiB are refused and create no session.
  std::string big =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"x":{"pad":")" +
      std::string(20000, 'a') + R"("}},"clientInfo":{"name":"c","version":"1"}}})";
  auto r = Post(big);
  EXPECT_EQ(r->ErrorCode(), kInvalidParams);
  EXPECT_TRUE(r->Header("Mcp-Session-Id").empty());
  EXPECT_EQ(endpoint_->session_count(), 0u);

  std::string s = Open("192.0.2.1");
  ASSERT_FALSE(s.empty());
  auto subscribe = [&](const std::string& uri) {
    auto res = Post(R"({"jsonrpc":"2.0","id":3,"method":"resources/subscribe","params":{"uri":")" +
                        uri + R"("}})",
                    s);
    return res->ErrorCode();
  };
  // A URI longer than 2048 bytes is refused.
  EXPECT_EQ(subscribe("mcpreg://x/" + std::string(3000, 'u')), kInvalidParams);
  // At most 256 subscriptions; renewing one held is fine.
  for (int i = 0; i < 256; ++i) ASSERT_EQ(subscribe("mcpreg://s/" + std::to_string(i)), 0) << i;
  EXPECT_EQ(subscribe("mcpreg://s/256"), kInvalidParams);
  EXPECT_EQ(subscribe("mcpreg://s/5"), 0);
  EXPECT_EQ(
      Post(
          R"({"jsonrpc":"2.0","id":4,"method":"resources/unsubscribe","params":{"uri":"mcpreg://s/5"}})",
          s)
          ->response.status,
      200);
  EXPECT_EQ(subscribe("mcpreg://s/256"), 0);
}

}  // namespace
}  // namespace mcpreg::mcp
