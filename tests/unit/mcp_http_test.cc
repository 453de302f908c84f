// Streamable HTTP binding tests through fake Responder/ResponseStream (no sockets).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <mutex>
#include <thread>

#include "mcp/http_endpoint.h"
#include "mcp/session.h"

namespace mcpreg::mcp {
namespace {
namespace bj = boost::json;

class FakeStream : public http::ResponseStream {
 public:
  bool Write(std::string data) override {
    std::lock_guard l(mu);
    if (closed_) return false;
    body += data;
    return true;
  }
  void Close() override {
    std::lock_guard l(mu);
    closed_ = true;
  }
  bool closed() const override {
    std::lock_guard l(mu);
    return closed_;
  }
  void OnClose(std::function<void()> fn) override {
    std::lock_guard l(mu);
    on_close = std::move(fn);
  }
  // The client goes away: the stream ends and OnClose's callback runs.
  void Disconnect() {
    std::function<void()> fn;
    {
      std::lock_guard l(mu);
      closed_ = true;
      fn = on_close;
    }
    if (fn) fn();
  }
  std::function<void()> on_close;
  std::string Body() {
    std::lock_guard l(mu);
    return body;
  }
  mutable std::mutex mu;
  std::string body;
  bool closed_ = false;
};

class FakeResponder : public http::Responder {
 public:
  void Send(http::HttpResponse r) override {
    std::lock_guard l(mu);
    response = std::move(r);
    sent = true;
  }
  std::shared_ptr<http::ResponseStream> Stream(int status, http::Headers headers) override {
    std::lock_guard l(mu);
    response.status = status;
    response.headers = std::move(headers);
    stream = std::make_shared<FakeStream>();
    return stream;
  }
  std::string Header(std::string_view name) {
    for (auto& [k, v] : response.headers) {
      if (k == name) return v;
    }
    return {};
  }
  std::mutex mu;
  http::HttpResponse response;
  bool sent = false;
  std::shared_ptr<FakeStream> stream;
};

class McpHttpTest : public ::testing::Test {
 protected:
  McpHttpTest() : server_(ServerOptions{}) {
    ToolDef echo;
    echo.name = "echo";
    echo.description = "echo";
    echo.handler = [](const bj::object&, RequestContext&) -> Result<bj::object> {
      return TextToolResult("pong");
    };
    server_.AddTool(echo);
    ToolDef ask;
    ask.name = "ask";
    ask.description = "needs the client's elicitation capability";
    ask.handler = [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
      auto r = ctx.Request("elicitation/create", bj::object{});
      return TextToolResult(r.ok() ? "answered" : r.status().message());
    };
    server_.AddTool(ask);
    ToolDef poll;
    poll.name = "poll";
    poll.description = "drops its stream, then answers";
    poll.blocking = true;
    poll.handler = [this](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
      ctx.Log(LogLevel::kInfo, "working");
      ctx.CloseConnection(std::chrono::milliseconds(10));
      std::unique_lock l(gate_mu_);
      gate_cv_.wait(l, [this] { return gate_open_; });
      return TextToolResult("done");
    };
    server_.AddTool(poll);
    ToolDef region;
    region.name = "region";
    region.description = "an argument clients mirror into Mcp-Param-Region (SEP-2243)";
    region.input_schema = bj::parse(R"({"type":"object","properties":{
        "region":{"type":"string","x-mcp-header":"Region"}}})").as_object();
    region.handler = [](const bj::object&, RequestContext&) -> Result<bj::object> {
      return TextToolResult("ok");
    };
    server_.AddTool(region);
    endpoint_ = std::make_unique<McpHttpEndpoint>(server_, McpHttpOptions{});
  }

  std::shared_ptr<FakeResponder> Do(std::string method, std::string body, http::Headers headers) {
    http::HttpRequest req;
    req.method = std::move(method);
    req.path = req.target = "/mcp";
    req.body = std::move(body);
    req.headers = std::move(headers);
    auto r = std::make_shared<FakeResponder>();
    endpoint_->Handle(std::move(req), r);
    return r;
  }
  std::shared_ptr<FakeResponder> Post(std::string body, std::string session = {},
                                      http::Headers extra = {}) {
    http::Headers h{{"Content-Type", "application/json"},
                    {"Accept", "application/json, text/event-stream"},
                    {"Host", "127.0.0.1:3000"}};
    if (!session.empty()) h.emplace_back("Mcp-Session-Id", session);
    for (auto& e : extra) h.push_back(e);
    return Do("POST", std::move(body), std::move(h));
  }
  std::string Open() {
    auto r = Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})");
    EXPECT_EQ(r->response.status, 200);
    std::string id = r->Header("Mcp-Session-Id");
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", id)->response.status, 202);
    return id;
  }
  void OpenGate() {
    std::lock_guard l(gate_mu_);
    gate_open_ = true;
    gate_cv_.notify_all();
  }

  McpServer server_;
  std::unique_ptr<McpHttpEndpoint> endpoint_;
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = false;
};

TEST_F(McpHttpTest, InitializeCreatesSessionAndRequestsGetJson) {
  std::string sid = Open();
  EXPECT_EQ(endpoint_->session_count(), 1u);
  auto r = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}})", sid);
  EXPECT_EQ(r->response.status, 200);
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(bj::parse(r->response.body).at("result").at("content").at(0).at("text"), "pong");
}

TEST_F(McpHttpTest, ForeignOriginOrHostIsForbidden) {
  auto r = Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", "", {{"Origin", "http://evil.example.com"}});
  EXPECT_EQ(r->response.status, 403);
  auto h = Do("POST", "{}", {{"Host", "evil.example.com"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(h->response.status, 403);
  McpHttpOptions o;
  EXPECT_TRUE(IsAllowedOrigin("http://localhost:5173", o));
  EXPECT_TRUE(IsAllowedOrigin("https://[::1]:8443", o));
  EXPECT_FALSE(IsAllowedOrigin("http://localhost.evil.com", o));
  EXPECT_FALSE(IsAllowedOrigin("null", o));
  o.allowed_origins = {"https://app.example.com"};
  EXPECT_TRUE(IsAllowedOrigin("https://app.example.com", o));
  EXPECT_TRUE(IsAllowedHost("127.0.0.1:8080", o));
  EXPECT_FALSE(IsAllowedHost("registry.example.com", o));
}

TEST_F(McpHttpTest, SessionErrorsUseSpecStatusCodes) {
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})")->response.status, 400);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", "nope")->response.status, 404);
  std::string sid = Open();
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", sid,
                 {{"MCP-Protocol-Version", "1999-01-01"}})->response.status, 400);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})", sid)
                ->response.status, 400);
  EXPECT_EQ(Do("DELETE", "", {{"Mcp-Session-Id", sid}})->response.status, 200);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", sid)->response.status, 404);
  EXPECT_EQ(endpoint_->session_count(), 0u);
}

TEST_F(McpHttpTest, BadRequestsGetTransportStatusCodes) {
  EXPECT_EQ(Do("PUT", "", {})->response.status, 405);
  EXPECT_EQ(Do("POST", "{}", {{"Content-Type", "text/plain"}})->response.status, 415);
  EXPECT_EQ(Do("POST", "{}", {{"Content-Type", "application/json"}, {"Accept", "text/html"}})
                ->response.status, 406);
  auto bad = Post("{oops");
  EXPECT_EQ(bad->response.status, 400);
  EXPECT_EQ(bj::parse(bad->response.body).at("error").at("code"), kParseError);
  std::string sid = Open();
  EXPECT_EQ(Do("GET", "", {{"Mcp-Session-Id", sid}, {"Accept", "application/json"}})->response.status, 406);
}

TEST_F(McpHttpTest, FailedInitializeCreatesNoSession) {
  auto r = Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  EXPECT_EQ(bj::parse(r->response.body).at("error").at("code"), kInvalidParams);
  EXPECT_TRUE(r->Header("Mcp-Session-Id").empty());
  EXPECT_EQ(endpoint_->session_count(), 0u);
}

TEST_F(McpHttpTest, SecondStandaloneStreamConflicts) {
  std::string sid = Open();
  http::Headers h{{"Mcp-Session-Id", sid}, {"Accept", "text/event-stream"}};
  auto first = Do("GET", "", h);
  ASSERT_NE(first->stream, nullptr);
  EXPECT_EQ(first->Header("Content-Type"), "text/event-stream");
  EXPECT_EQ(Do("GET", "", h)->response.status, 409);
  first->stream->Close();  // client went away: a new GET is fine
  EXPECT_NE(Do("GET", "", h)->stream, nullptr);
}

TEST_F(McpHttpTest, DroppedSseStreamIsResumedWithLastEventId) {
  std::string sid = Open();
  auto post = Post(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"poll"}})", sid);
  // The tool logs (stream opens, priming + log events), then drops the connection.
  for (int i = 0; i < 400 && !(post->stream && post->stream->closed()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_NE(post->stream, nullptr);
  ASSERT_TRUE(post->stream->closed());
  std::string first = post->stream->Body();
  EXPECT_NE(first.find("id: 1-0\ndata: \n\n"), std::string::npos) << first;  // priming event
  EXPECT_NE(first.find("notifications/message"), std::string::npos);
  EXPECT_NE(first.find("retry: 10"), std::string::npos);
  EXPECT_EQ(first.find("\"result\""), std::string::npos);

  OpenGate();  // the tool finishes while nobody is connected
  for (int i = 0; i < 400; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto resumed = Do("GET", "", {{"Mcp-Session-Id", sid}, {"Accept", "text/event-stream"},
                                {"Last-Event-ID", "1-1"}});
  ASSERT_NE(resumed->stream, nullptr);
  std::string rest = resumed->stream->Body();
  EXPECT_EQ(rest.find("notifications/message"), std::string::npos) << rest;  // already seen
  EXPECT_NE(rest.find(R"("id":7,"result")"), std::string::npos) << rest;
  EXPECT_TRUE(resumed->stream->closed());
}

// --- Modern era (2026-07-28) on the same endpoint ---------------------------------------------

constexpr const char* kModernMeta =
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";

std::string ModernBody(int id, std::string_view method, std::string_view params_members = "") {
  std::string p = params_members.empty() ? "" : std::string(params_members) + ",";
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + std::string(method) +
         R"(","params":{)" + p + kModernMeta + "}}";
}

http::Headers ModernHeaders(std::string_view method, std::string_view name = {}) {
  http::Headers h{{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", std::string(method)}};
  if (!name.empty()) h.emplace_back("Mcp-Name", std::string(name));
  return h;
}

bj::object ErrorOf(const std::shared_ptr<FakeResponder>& r) {
  return bj::parse(r->response.body).at("error").as_object();
}

TEST_F(McpHttpTest, ModernRequestIsServedStatelesslyWithoutSession) {
  auto r = Post(ModernBody(7, "tools/call", R"("name":"echo")"), {}, ModernHeaders("tools/call", "echo"));
  EXPECT_EQ(r->response.status, 200);
  auto body = bj::parse(r->response.body).as_object();
  EXPECT_EQ(body.at("id"), 7);
  EXPECT_EQ(body.at("result").at("resultType"), "complete");
  EXPECT_EQ(body.at("result").at("content").at(0).at("text"), "pong");
  EXPECT_TRUE(r->Header("Mcp-Session-Id").empty());
  EXPECT_EQ(endpoint_->session_count(), 0u);
  // Legacy sessions keep working beside it.
  std::string sid = Open();
  auto legacy = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}})", sid);
  EXPECT_EQ(legacy->response.status, 200);
  EXPECT_EQ(bj::parse(legacy->response.body).at("result").at("content"),
            body.at("result").at("content"));
}

TEST_F(McpHttpTest, ModernDiscoverNeedsNoSession) {
  auto r = Post(ModernBody(1, "server/discover"), {}, ModernHeaders("server/discover"));
  EXPECT_EQ(r->response.status, 200);
  auto result = bj::parse(r->response.body).at("result").as_object();
  EXPECT_EQ(result.at("supportedVersions").at(0), "2026-07-28");
  EXPECT_EQ(result.at("cacheScope"), "private");
}

TEST_F(McpHttpTest, ModernMetaAndVersionErrorsAre400WithRequestId) {
  auto missing = Post(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", {}, ModernHeaders("tools/list"));
  EXPECT_EQ(missing->response.status, 400);
  EXPECT_EQ(ErrorOf(missing).at("code"), kInvalidParams);
  EXPECT_EQ(bj::parse(missing->response.body).at("id"), 3);

  std::string old_version = R"({"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}})";
  auto unsupported = Post(old_version, {}, {{"MCP-Protocol-Version", "2099-01-01"}, {"Mcp-Method", "tools/list"}});
  EXPECT_EQ(unsupported->response.status, 400);
  EXPECT_EQ(ErrorOf(unsupported).at("code"), -32022);
  EXPECT_EQ(ErrorOf(unsupported).at("data").at("requested"), "2099-01-01");

  auto no_header = Post(ModernBody(5, "tools/list"), {}, {{"Mcp-Method", "tools/list"}});
  EXPECT_EQ(no_header->response.status, 400);
  EXPECT_EQ(ErrorOf(no_header).at("code"), -32020);

  auto mismatch = Post(ModernBody(6, "tools/list"), {},
                       {{"MCP-Protocol-Version", "2025-11-25"}, {"Mcp-Method", "tools/list"}});
  EXPECT_EQ(mismatch->response.status, 400);
  EXPECT_EQ(ErrorOf(mismatch).at("code"), -32020);
  EXPECT_EQ(endpoint_->session_count(), 0u);
}

TEST_F(McpHttpTest, ModernUnknownOrLegacyOnlyMethodIs404) {
  for (const char* method : {"initialize", "ping", "logging/setLevel", "nope/nothing"}) {
    auto r = Post(ModernBody(8, method), {}, ModernHeaders(method));
    EXPECT_EQ(r->response.status, 404) << method;
    EXPECT_EQ(ErrorOf(r).at("code"), kMethodNotFound) << method;
    EXPECT_EQ(bj::parse(r->response.body).at("id"), 8) << method;
  }
  EXPECT_EQ(endpoint_->session_count(), 0u);
}

TEST_F(McpHttpTest, ModernRoutingHeadersMustMatchTheBody) {
  struct Case {
    const char* what;
    http::Headers headers;
    int status;
  };
  std::string call = ModernBody(9, "tools/call", R"("name":"echo")");
  std::vector<Case> cases = {
      {"matching", ModernHeaders("tools/call", "echo"), 200},
      {"whitespace around values", {{"MCP-Protocol-Version", " 2026-07-28 "}, {"mcp-method", "  tools/call "}, {"MCP-NAME", " echo\t"}}, 200},
      {"missing Mcp-Method", {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Name", "echo"}}, 400},
      {"other Mcp-Method", ModernHeaders("tools/list", "echo"), 400},
      {"Mcp-Method case differs", ModernHeaders("TOOLS/CALL", "echo"), 400},
      {"missing Mcp-Name", ModernHeaders("tools/call"), 400},
      {"other Mcp-Name", ModernHeaders("tools/call", "poll"), 400},
  };
  for (const auto& c : cases) {
    auto r = Post(call, {}, c.headers);
    EXPECT_EQ(r->response.status, c.status) << c.what;
    if (c.status == 400) {
      EXPECT_EQ(ErrorOf(r).at("code"), -32020) << c.what;
      EXPECT_EQ(bj::parse(r->response.body).at("id"), 9) << c.what;
    }
  }
  // Mcp-Name on a method that names nothing is a mismatch too.
  EXPECT_EQ(Post(ModernBody(1, "tools/list"), {}, ModernHeaders("tools/list", "echo"))->response.status, 400);
  // resources/read is named by its uri.
  auto read = Post(ModernBody(2, "resources/read", R"("uri":"test://none")"), {},
                   ModernHeaders("resources/read", "test://other"));
  EXPECT_EQ(read->response.status, 400);
}

TEST_F(McpHttpTest, ModernParamHeadersMustMirrorTheirArguments) {
  struct Case {
    const char* what;
    const char* args;
    const char* header;  // Mcp-Param-Region, or nullptr
    int status;
  };
  std::vector<Case> cases = {
      {"mirrored", R"({"region":"eu-west"})", "eu-west", 200},
      {"Base64 sentinel", R"({"region":"Hello"})", "=?base64?SGVsbG8=?=", 200},
      {"neither", "{}", nullptr, 200},
      {"header missing", R"({"region":"eu-west"})", nullptr, 400},
      {"header differs", R"({"region":"eu-west"})", "us-east", 400},
      {"Base64 without padding", R"({"region":"Hello"})", "=?base64?SGVsbG8?=", 400},
      {"Base64 with other characters", R"({"region":"Hello"})", "=?base64?SGVs!!!bG8=?=", 400},
      {"argument missing", "{}", "eu-west", 400},
  };
  for (const auto& c : cases) {
    http::Headers h = ModernHeaders("tools/call", "region");
    if (c.header) h.emplace_back("Mcp-Param-Region", c.header);
    auto r = Post(ModernBody(3, "tools/call", std::string(R"("name":"region","arguments":)") + c.args), {}, h);
    EXPECT_EQ(r->response.status, c.status) << c.what << ": " << r->response.body;
    if (c.status == 400) EXPECT_EQ(ErrorOf(r).at("code"), -32020) << c.what;
  }
  // Legacy traffic has no such headers to check.
  std::string sid = Open();
  auto legacy = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"region","arguments":{"region":"x"}}})", sid);
  EXPECT_EQ(legacy->response.status, 200);
}

// 2026-07-28 over HTTP: closing the request's response stream cancels it.
TEST_F(McpHttpTest, ModernRequestIsCancelledWhenTheClientClosesItsStream) {
  std::atomic<bool> saw_cancel{false}, done{false};
  ToolDef patient;
  patient.name = "patient";
  patient.description = "logs, then waits to be cancelled";
  patient.blocking = true;
  patient.handler = [&](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
    ctx.Log(LogLevel::kInfo, "started");  // opens the SSE stream
    for (int i = 0; i < 500 && !ctx.cancelled(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    saw_cancel = ctx.cancelled();
    done = true;
    return TextToolResult("finished");
  };
  server_.AddTool(patient);
  std::string body = R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"patient","_meta":{)"
                     R"("io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},)"
                     R"("io.modelcontextprotocol/logLevel":"info"}}})";
  auto r = Post(body, {}, ModernHeaders("tools/call", "patient"));
  std::shared_ptr<FakeStream> stream;
  for (int i = 0; i < 500 && !stream; ++i) {
    {
      std::lock_guard l(r->mu);
      stream = r->stream;
    }
    if (!stream) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_NE(stream, nullptr);
  stream->Disconnect();
  for (int i = 0; i < 1000 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(done);
  EXPECT_TRUE(saw_cancel);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(stream->Body().find("\"result\""), std::string::npos);
  // A stream we end ourselves after the answer is not a cancellation: covered by every
  // streamed test above answering normally.
}

TEST_F(McpHttpTest, ModernGetAndDeleteAre405AndLegacyOnesAreUnchanged) {
  http::Headers base{{"Accept", "text/event-stream"}, {"Host", "127.0.0.1:3000"},
                     {"MCP-Protocol-Version", "2026-07-28"}};
  for (const char* method : {"GET", "DELETE"}) {
    auto r = Do(method, "", base);
    EXPECT_EQ(r->response.status, 405) << method;
    EXPECT_EQ(r->Header("Allow"), "POST") << method;
  }
  http::Headers legacy{{"Accept", "text/event-stream"}, {"Host", "127.0.0.1:3000"}};
  EXPECT_EQ(Do("GET", "", legacy)->response.status, 400);  // no session id, as before
  // DNS-rebinding protection applies to modern traffic too.
  auto foreign = Post(ModernBody(1, "tools/list"), {},
                      {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"},
                       {"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign->response.status, 403);
}

TEST_F(McpHttpTest, ModernMissingClientCapabilityIs400With32021) {
  auto r = Post(ModernBody(4, "tools/call", R"("name":"ask")"), {}, ModernHeaders("tools/call", "ask"));
  EXPECT_EQ(r->response.status, 400);
  EXPECT_EQ(ErrorOf(r).at("code"), -32021);
  EXPECT_TRUE(ErrorOf(r).at("data").at("requiredCapabilities").at("elicitation").is_object());
  EXPECT_EQ(bj::parse(r->response.body).at("id"), 4);
}

TEST_F(McpHttpTest, ModernListenStreamsTheAcknowledgementThenTheResult) {
  auto r = Post(ModernBody(11, "subscriptions/listen", R"("notifications":{"toolsListChanged":true})"), {},
                ModernHeaders("subscriptions/listen"));
  EXPECT_EQ(r->response.status, 200);
  ASSERT_NE(r->stream, nullptr);
  std::string body = r->stream->Body();
  size_t ack = body.find("notifications/subscriptions/acknowledged");
  size_t result = body.find("\"result\"");
  ASSERT_NE(ack, std::string::npos) << body;
  ASSERT_NE(result, std::string::npos) << body;
  EXPECT_LT(ack, result);
  EXPECT_TRUE(r->stream->closed());
  EXPECT_EQ(endpoint_->session_count(), 0u);
}

}  // namespace
}  // namespace mcpreg::mcp
