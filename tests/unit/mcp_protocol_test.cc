// Protocol-library tests: JSON-RPC framing, lifecycle, features, limits (no transport).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "mcp/jsonrpc.h"
#include "mcp/modern.h"
#include "mcp/server.h"
#include "mcp/session.h"
#include "support/mcp_outbox.h"

namespace mcpreg::mcp {
namespace {
namespace bj = boost::json;

using Capture = testing::CaptureOutbox;

McpServer MakeServer(size_t page_size = 100) {
  ServerOptions o;
  o.info = {"test-server", "1.2.3", "", ""};
  o.page_size = page_size;
  o.limits.max_bytes = 4096;
  o.limits.max_depth = 16;
  McpServer s(o);
  ToolDef echo;
  echo.name = "echo";
  echo.description = "Echoes text";
  echo.input_schema = bj::parse(R"({"type":"object","properties":{"text":{"type":"string"}},
                                   "required":["text"]})").as_object();
  echo.handler = [](const bj::object& a, RequestContext&) -> Result<bj::object> {
    return StructuredToolResult(bj::object{{"echo", a.at("text")}});
  };
  s.AddTool(echo);
  for (int i = 0; i < 3; ++i) {
    ToolDef t;
    t.name = "t" + std::to_string(i);
    t.description = "filler";
    t.handler = [](const bj::object&, RequestContext&) -> Result<bj::object> {
      return Status::NotFound("nothing here");
    };
    s.AddTool(t);
  }
  s.AddResource({{"test://a", "A", "", "resource a", "text/plain"}, [](std::string_view uri) -> Result<bj::array> {
                   return bj::array{bj::object{{"uri", uri}, {"text", "a"}}};
                 }});
  TemplateDef t;
  t.uri_template = "mcpreg://servers/{name}/versions/{version}";
  t.name = "version";
  t.read = [](std::string_view uri, const std::map<std::string, std::string>& v) -> Result<bj::array> {
    if (v.at("name") == "missing") return Status::NotFound("Server not found");
    return bj::array{bj::object{{"uri", uri}, {"text", v.at("name") + "@" + v.at("version")}}};
  };
  s.AddTemplate(t);
  return s;
}

std::string Initialize(std::string_view version = "2025-11-25") {
  return std::string(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")") +
         std::string(version) + R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
}

bj::object Call(Session& s, std::string_view text) {
  auto c = std::make_shared<Capture>();
  s.HandleText(text, c);
  EXPECT_TRUE(c->finished) << text;
  return c->Json();
}

std::shared_ptr<Session> Ready(const McpServer& server) {
  auto s = Session::Create(server);
  Call(*s, Initialize());
  s->HandleText(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", nullptr);
  return s;
}

TEST(McpJsonRpcTest, InvalidJsonGivesParseErrorWithNullId) {
  auto r = ParseMessage("{not json", {});
  auto* f = std::get_if<ParseFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->error.code, kParseError);
  EXPECT_TRUE(f->id.is_null());
}

TEST(McpJsonRpcTest, WrongJsonrpcVersionGivesInvalidRequestKeepingId) {
  auto r = ParseMessage(R"({"jsonrpc":"1.0","id":7,"method":"ping"})", {});
  auto* f = std::get_if<ParseFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->error.code, kInvalidRequest);
  EXPECT_EQ(f->id, bj::value(7));
}

TEST(McpJsonRpcTest, BatchesNullIdsAndBadParamsAreRejected) {
  for (const char* text : {R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])",
                           R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})",
                           R"({"jsonrpc":"2.0","id":1})"}) {
    auto r = ParseMessage(text, {});
    auto* f = std::get_if<ParseFailure>(&r);
    ASSERT_NE(f, nullptr) << text;
    EXPECT_EQ(f->error.code, kInvalidRequest) << text;
  }
}

TEST(McpJsonRpcTest, OversizedAndTooDeepMessagesAreRefused) {
  ParseLimits limits{64, 8};
  auto big = ParseMessage(R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(100, 'x') + "\"}", limits);
  ASSERT_TRUE(std::holds_alternative<ParseFailure>(big));
  EXPECT_EQ(std::get<ParseFailure>(big).error.code, kInvalidRequest);
  EXPECT_NE(std::get<ParseFailure>(big).error.message.find("too large"), std::string::npos);
  auto deep = ParseMessage(std::string(20, '[') + std::string(20, ']'), limits);
  ASSERT_TRUE(std::holds_alternative<ParseFailure>(deep));
  EXPECT_EQ(std::get<ParseFailure>(deep).error.code, kParseError);
}

TEST(McpJsonRpcTest, ClassifiesRequestsNotificationsAndResponses) {
  auto req = std::get<Message>(ParseMessage(R"({"jsonrpc":"2.0","id":"a","method":"ping"})", {}));
  EXPECT_EQ(req.kind, MessageKind::kRequest);
  auto note = std::get<Message>(ParseMessage(R"({"jsonrpc":"2.0","method":"x/y"})", {}));
  EXPECT_EQ(note.kind, MessageKind::kNotification);
  auto resp = std::get<Message>(ParseMessage(R"({"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"m"}})", {}));
  EXPECT_EQ(resp.kind, MessageKind::kResponse);
  ASSERT_TRUE(resp.error.has_value());
  EXPECT_EQ(resp.error->message, "m");
}

TEST(McpSessionTest, InitializeEchoesSupportedVersionAndAdvertisesCapabilities) {
  McpServer server = MakeServer();
  for (std::string_view v : kSupportedVersions) {
    auto s = Session::Create(server);
    auto r = Call(*s, Initialize(v));
    EXPECT_EQ(r.at("result").at("protocolVersion"), bj::value(v));
    EXPECT_TRUE(r.at("result").at("capabilities").as_object().contains("tools"));
    EXPECT_EQ(r.at("result").at("serverInfo").at("name"), "test-server");
  }
}

TEST(McpSessionTest, UnknownVersionIsAnsweredWithLatest) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  auto r = Call(*s, Initialize("1999-01-01"));
  EXPECT_EQ(r.at("result").at("protocolVersion"), bj::value(kSupportedVersions[0]));
}

TEST(McpSessionTest, InitializeWithoutVersionIsInvalidParams) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  auto r = Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  EXPECT_EQ(r.at("error").at("code"), kInvalidParams);
  EXPECT_FALSE(s->initialized());
}

TEST(McpSessionTest, SecondInitializeIsInvalidRequest) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  EXPECT_EQ(Call(*s, Initialize()).at("error").at("code"), kInvalidRequest);
}

TEST(McpSessionTest, RequestBeforeInitializeIsRefusedButPingWorks) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  EXPECT_EQ(Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})").at("error").at("code"),
            kInvalidRequest);
  EXPECT_TRUE(Call(*s, R"({"jsonrpc":"2.0","id":2,"method":"ping"})").at("result").as_object().empty());
}

TEST(McpSessionTest, UnknownMethodIsMethodNotFound) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  auto r = Call(*s, R"({"jsonrpc":"2.0","id":"x","method":"nope/nothing"})");
  EXPECT_EQ(r.at("error").at("code"), kMethodNotFound);
  EXPECT_EQ(r.at("id"), "x");
}

TEST(McpSessionTest, BadJsonThroughSessionGivesParseErrorResponse) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  auto r = Call(*s, "{\"jsonrpc\":");
  EXPECT_EQ(r.at("error").at("code"), kParseError);
  EXPECT_TRUE(r.at("id").is_null());
}

TEST(McpSessionTest, OversizedMessageIsRejected) {
  McpServer server = MakeServer();  // 4096-byte limit
  auto s = Ready(server);
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":")" +
                    std::string(5000, 'a') + "\"}}}";
  EXPECT_EQ(Call(*s, big).at("error").at("code"), kInvalidRequest);
}

TEST(McpSessionTest, ToolCallReturnsStructuredContentAndTextMirror) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  auto r = Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})");
  const auto& result = r.at("result").as_object();
  EXPECT_EQ(result.at("structuredContent").at("echo"), "hi");
  EXPECT_EQ(result.at("content").at(0).at("text"), R"({"echo":"hi"})");
  EXPECT_FALSE(result.contains("isError"));
}

TEST(McpSessionTest, UnknownToolIsInvalidParamsAndBadArgumentsAreToolErrors) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  EXPECT_EQ(Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"zzz"}})")
                .at("error").at("code"), kInvalidParams);
  auto missing = Call(*s, R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{}}})");
  EXPECT_EQ(missing.at("result").at("isError"), true);
  auto wrong = Call(*s, R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":5}}})");
  EXPECT_EQ(wrong.at("result").at("isError"), true);
  auto failing = Call(*s, R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"t0"}})");
  EXPECT_EQ(failing.at("result").at("content").at(0).at("text"), "nothing here");
}

TEST(McpSessionTest, ToolsListPaginatesWithOpaqueCursor) {
  McpServer server = MakeServer(/*page_size=*/3);
  auto s = Ready(server);
  auto p1 = Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})").at("result").as_object();
  EXPECT_EQ(p1.at("tools").as_array().size(), 3u);
  ASSERT_TRUE(p1.contains("nextCursor"));
  std::string next(p1.at("nextCursor").as_string());
  auto p2 = Call(*s, R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":")" + next + "\"}}")
                .at("result").as_object();
  EXPECT_EQ(p2.at("tools").as_array().size(), 1u);
  EXPECT_FALSE(p2.contains("nextCursor"));
  auto bad = Call(*s, R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"garbage"}})");
  EXPECT_EQ(bad.at("error").at("code"), kInvalidParams);
}

TEST(McpSessionTest, ResourcesReadStaticTemplateAndMissing) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  auto a = Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"test://a"}})");
  EXPECT_EQ(a.at("result").at("contents").at(0).at("text"), "a");
  auto t = Call(*s, R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"mcpreg://servers/io.github.x%2Fy/versions/1.0.0"}})");
  EXPECT_EQ(t.at("result").at("contents").at(0).at("text"), "io.github.x/y@1.0.0");
  auto m = Call(*s, R"({"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"mcpreg://servers/missing/versions/1"}})");
  EXPECT_EQ(m.at("error").at("code"), kResourceNotFound);
  auto none = Call(*s, R"({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"test://zzz"}})");
  EXPECT_EQ(none.at("error").at("code"), kResourceNotFound);
}

TEST(McpSessionTest, UriTemplateMatchesNamesContainingSlashes) {
  std::map<std::string, std::string> v;
  ASSERT_TRUE(MatchUriTemplate("mcpreg://servers/{name}/versions/{version}",
                               "mcpreg://servers/io.github.a/b/versions/1.2.3", &v));
  EXPECT_EQ(v["name"], "io.github.a/b");
  EXPECT_EQ(v["version"], "1.2.3");
  EXPECT_FALSE(MatchUriTemplate("test://template/{id}/data", "test://template//data", &v));
  EXPECT_FALSE(MatchUriTemplate("test://template/{id}/data", "test://other/1/data", &v));
}

TEST(McpSessionTest, LoggingSetLevelValidatesLevel) {
  McpServer server = MakeServer();
  auto s = Ready(server);
  EXPECT_TRUE(Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"error"}})")
                  .contains("result"));
  EXPECT_EQ(Call(*s, R"({"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"loud"}})")
                .at("error").at("code"), kInvalidParams);
}

TEST(McpSessionTest, BlockingToolAsksClientAndCancellationSuppressesResponse) {
  ServerOptions o;
  McpServer server(o);
  ToolDef ask;
  ask.name = "ask";
  ask.description = "asks the client";
  ask.blocking = true;
  ask.handler = [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
    ctx.Log(LogLevel::kInfo, "asking");
    auto r = ctx.Request("sampling/createMessage", bj::object{}, std::chrono::seconds(5));
    if (!r.ok()) return r.status();
    return TextToolResult(std::string(r->at("answer").as_string()));
  };
  server.AddTool(ask);
  auto s = Session::Create(server);
  Call(*s, R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}}}})");

  auto c = std::make_shared<Capture>();
  s->HandleText(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})", c);
  // Wait for the log notification and the sampling request.
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard l(c->mu);
      if (c->sent.size() == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string request;
  {
    std::lock_guard l(c->mu);
    ASSERT_EQ(c->sent.size(), 2u);
    EXPECT_NE(c->sent[0].find("notifications/message"), std::string::npos);
    request = c->sent[1];
  }
  auto id = bj::parse(request).at("id");
  std::string reply = R"({"jsonrpc":"2.0","id":)" + std::to_string(id.as_int64()) + R"(,"result":{"answer":"42"}})";
  s->HandleText(reply, nullptr);
  ASSERT_TRUE(s->WaitIdle(std::chrono::seconds(5)));
  EXPECT_EQ(c->Json().at("result").at("content").at(0).at("text"), "42");

  // Cancelled while waiting: no response is written.
  auto c2 = std::make_shared<Capture>();
  s->HandleText(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"ask"}})", c2);
  s->HandleText(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})", nullptr);
  s->Close();  // fails the pending sampling request
  ASSERT_TRUE(s->WaitIdle(std::chrono::seconds(5)));
  EXPECT_TRUE(c2->finished);
  EXPECT_TRUE(c2->response.empty());
}

TEST(McpSessionTest, ClientWithoutCapabilityCannotBeAsked) {
  ServerOptions o;
  McpServer server(o);
  ToolDef ask;
  ask.name = "ask";
  ask.blocking = true;
  ask.handler = [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
    auto r = ctx.Request("elicitation/create", bj::object{}, std::chrono::seconds(1));
    return r.status();
  };
  server.AddTool(ask);
  auto s = Ready(server);
  auto c = std::make_shared<Capture>();
  s->HandleText(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})", c);
  ASSERT_TRUE(s->WaitIdle(std::chrono::seconds(5)));
  auto r = c->Json();
  EXPECT_EQ(r.at("result").at("isError"), true);
  EXPECT_NE(std::string(r.at("result").at("content").at(0).at("text").as_string()).find("elicitation"),
            std::string::npos);
}

// --- Modern era (2026-07-28): stateless requests beside legacy sessions ---------------------

std::string Modern(std::string_view id, std::string_view method, std::string_view params = "{}",
                   std::string_view meta_extra = "") {
  std::string p(params);
  p.pop_back();  // reopen the params object to add _meta
  if (p.size() > 1) p += ",";
  return std::string(R"({"jsonrpc":"2.0","id":)") + std::string(id) + R"(,"method":")" +
         std::string(method) + R"(","params":)" + p +
         R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
         R"("io.modelcontextprotocol/clientCapabilities":{})" +
         std::string(meta_extra) + "}}}";
}

TEST(McpModernTest, ModernRequestIsServedWithoutInitializeAndLeavesSessionUninitialized) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  auto r = Call(*s, Modern("1", "tools/call", R"({"name":"echo","arguments":{"text":"hi"}})"));
  ASSERT_TRUE(r.contains("result")) << bj::serialize(r);
  const auto& result = r.at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("structuredContent").at("echo"), "hi");
  EXPECT_EQ(result.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name"), "test-server");
  EXPECT_FALSE(s->initialized());
  // A legacy request on the same session still needs initialize; initialize still works.
  EXPECT_EQ(Call(*s, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})").at("error").at("code"),
            kInvalidRequest);
  EXPECT_EQ(Call(*s, Initialize()).at("result").at("protocolVersion"), "2025-11-25");
}

TEST(McpModernTest, ToolAndResourceResultsMatchTheLegacyEra) {
  McpServer server = MakeServer();
  auto legacy = Ready(server);
  auto fresh = Session::Create(server);
  auto old_call = Call(*legacy, R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}})");
  auto new_call = Call(*fresh, Modern("3", "tools/call", R"({"name":"echo","arguments":{"text":"x"}})"));
  for (const char* key : {"content", "structuredContent"}) {
    EXPECT_EQ(old_call.at("result").at(key), new_call.at("result").at(key)) << key;
  }
  auto old_read = Call(*legacy, R"({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"mcpreg://servers/a/versions/1"}})");
  auto new_read = Call(*fresh, Modern("4", "resources/read", R"({"uri":"mcpreg://servers/a/versions/1"})"));
  EXPECT_EQ(old_read.at("result").at("contents"), new_read.at("result").at("contents"));
  EXPECT_FALSE(old_read.at("result").as_object().contains("resultType"));
}

TEST(McpModernTest, MissingOrInvalidMetaIsInvalidParams) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  const char* bad[] = {
      R"({"jsonrpc":"2.0","id":1,"method":"server/discover"})",
      R"({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":7,"io.modelcontextprotocol/clientCapabilities":{}}}})",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":[]}}})",
  };
  for (const char* text : bad) {
    auto r = Call(*s, text);
    ASSERT_TRUE(r.contains("error")) << text;
    EXPECT_EQ(r.at("error").at("code"), kInvalidParams) << text;
    EXPECT_EQ(r.at("id"), 1) << text;
  }
  EXPECT_FALSE(s->initialized());
}

TEST(McpModernTest, UnsupportedVersionNamesSupportedAndRequested) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  auto r = Call(*s, R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}})");
  EXPECT_EQ(r.at("error").at("code"), -32022);
  EXPECT_EQ(r.at("error").at("data").at("requested"), "2099-01-01");
  const auto& supported = r.at("error").at("data").at("supported").as_array();
  ASSERT_FALSE(supported.empty());
  EXPECT_EQ(supported[0], "2026-07-28");
  EXPECT_NE(std::find(supported.begin(), supported.end(), bj::value("2025-11-25")), supported.end());
}

TEST(McpModernTest, LegacyOnlyMethodsDoNotExistInTheModernEra) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  for (const char* method : {"initialize", "ping", "logging/setLevel", "resources/subscribe", "no/such"}) {
    auto r = Call(*s, Modern("5", method));
    EXPECT_EQ(r.at("error").at("code"), kMethodNotFound) << method;
  }
  EXPECT_FALSE(s->initialized());
}

TEST(McpModernTest, DiscoverBeforeInitializeThenInitializeStillWorks) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  auto r = Call(*s, Modern("1", "server/discover")).at("result").as_object();
  EXPECT_EQ(r.at("resultType"), "complete");
  EXPECT_EQ(r.at("supportedVersions").as_array()[0], "2026-07-28");
  EXPECT_TRUE(r.at("capabilities").as_object().contains("tools"));
  EXPECT_FALSE(r.at("capabilities").at("resources").as_object().contains("subscribe"));
  EXPECT_EQ(r.at("ttlMs"), 0);
  EXPECT_EQ(r.at("cacheScope"), "private");
  EXPECT_EQ(r.at("_meta").at("io.modelcontextprotocol/serverInfo").at("version"), "1.2.3");
  EXPECT_FALSE(s->initialized());
  EXPECT_TRUE(Call(*s, Initialize()).contains("result"));
}

TEST(McpModernTest, ListAndReadResultsCarryCachingHintsAndCallsDoNot) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  for (auto [method, params] : std::vector<std::pair<const char*, const char*>>{
           {"tools/list", "{}"}, {"resources/list", "{}"}, {"resources/templates/list", "{}"},
           {"prompts/list", "{}"}, {"resources/read", R"({"uri":"test://a"})"}}) {
    auto r = Call(*s, Modern("1", method, params));
    ASSERT_TRUE(r.contains("result")) << method << bj::serialize(r);
    EXPECT_EQ(r.at("result").at("ttlMs"), 0) << method;
    EXPECT_EQ(r.at("result").at("cacheScope"), "private") << method;
    EXPECT_EQ(r.at("result").at("resultType"), "complete") << method;
  }
  auto call = Call(*s, Modern("2", "tools/call", R"({"name":"echo","arguments":{"text":"x"}})"));
  EXPECT_FALSE(call.at("result").as_object().contains("ttlMs"));
}

TEST(McpModernTest, ResourceNotFoundIsInvalidParamsWithUriOnlyInTheModernEra) {
  McpServer server = MakeServer();
  auto legacy = Ready(server);
  const char* uri = R"({"uri":"mcpreg://servers/missing/versions/1"})";
  auto modern = Call(*legacy, Modern("1", "resources/read", uri));
  EXPECT_EQ(modern.at("error").at("code"), kInvalidParams);
  EXPECT_EQ(modern.at("error").at("data").at("uri"), "mcpreg://servers/missing/versions/1");
  auto old = Call(*legacy, R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"mcpreg://servers/missing/versions/1"}})");
  EXPECT_EQ(old.at("error").at("code"), kResourceNotFound);
}

TEST(McpModernTest, ModernToolLogsOnlyAtTheRequestedLevelAndNeedsDeclaredCapabilities) {
  McpServer server = MakeServer();
  ToolDef chatty;
  chatty.name = "chatty";
  chatty.description = "logs, then asks for sampling";
  chatty.handler = [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
    ctx.Log(LogLevel::kInfo, "hello");
    auto answer = ctx.Request("sampling/createMessage", bj::object{});
    return TextToolResult(answer.ok() ? "asked" : "refused");
  };
  server.AddTool(chatty);
  auto s = Session::Create(server);
  // Undeclared capability: the call fails with -32021 naming it, whatever the handler returned.
  auto quiet = std::make_shared<Capture>();
  s->HandleText(Modern("1", "tools/call", R"({"name":"chatty"})"), quiet);
  EXPECT_TRUE(quiet->sent.empty());
  auto error = quiet->Json().at("error").as_object();
  EXPECT_EQ(error.at("code"), -32021);
  EXPECT_TRUE(error.at("data").at("requiredCapabilities").at("sampling").is_object());
  auto loud = std::make_shared<Capture>();
  s->HandleText(Modern("2", "tools/call", R"({"name":"chatty"})",
                       R"(,"io.modelcontextprotocol/logLevel":"info")"),
                loud);
  ASSERT_EQ(loud->sent.size(), 1u);
  EXPECT_NE(loud->sent[0].find("notifications/message"), std::string::npos);
  // Declared: still no server->client request (the modern era asks through input-required
  // results instead).
  auto declared = Call(*s, R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"chatty","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}}})");
  EXPECT_EQ(declared.at("result").at("content").at(0).at("text"), "refused");
  auto bad = Call(*s, Modern("4", "tools/list", "{}", R"(,"io.modelcontextprotocol/logLevel":"loud")"));
  EXPECT_EQ(bad.at("error").at("code"), kInvalidParams);
}

// A tool that runs until cancelled (at most 5 s) and records whether it was.
struct Patient {
  ToolDef Tool() {
    ToolDef t;
    t.name = "patient";
    t.description = "waits to be cancelled";
    t.blocking = true;
    t.handler = [this](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
      ctx.Log(LogLevel::kInfo, "started");
      for (int i = 0; i < 500 && !ctx.cancelled(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      saw_cancel = ctx.cancelled();
      done = true;
      return TextToolResult("finished");
    };
    return t;
  }
  bool WaitDone() {
    for (int i = 0; i < 1000 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done;
  }
  std::atomic<bool> saw_cancel{false}, done{false};
};

// stdio: a 2026-07-28 request is cancelled by notifications/cancelled on the same process.
TEST(McpModernTest, NotificationsCancelledOnTheProcessCancelsAModernRequest) {
  McpServer server = MakeServer();
  Patient patient;
  server.AddTool(patient.Tool());
  auto s = Session::Create(server);
  auto c = std::make_shared<Capture>();
  s->HandleText(Modern("\"m1\"", "tools/call", R"({"name":"patient"})"), c);
  s->HandleText(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"m1"}})", nullptr);
  ASSERT_TRUE(patient.WaitDone());
  EXPECT_TRUE(patient.saw_cancel);
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard l(c->mu);
      if (c->finished) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::lock_guard l(c->mu);
  EXPECT_TRUE(c->finished);
  EXPECT_TRUE(c->response.empty());  // a cancelled request gets no response
}

// The pre-serialized members a modern result gets (EncodeResult's trailing members) give the
// same bytes as decorating the object, for every shape of result.
TEST(McpModernTest, PreSerializedModernMembersEncodeLikeTheDecoratedObject) {
  ServerOptions o;
  o.info = {"srv", "1.0", "Title \"quoted\"", ""};
  o.cache_ttl_ms = 1500;
  McpServer server(o);
  std::vector<bj::object> results = {bj::object{},
                                     TextToolResult("hi"),
                                     RawStructuredToolResult(R"({"a":[1,"\"x\""]})"),
                                     bj::object{{"tools", bj::array{}}, {"nextCursor", "o1"}}};
  for (std::string_view method : {"tools/call", "tools/list", "resources/read"}) {
    for (const auto& r : results) {
      std::string_view suffix = ModernResultSuffix(server, method, r);
      ASSERT_FALSE(suffix.empty());
      bj::object decorated = r;
      DecorateModernResult(server, method, decorated);
      EXPECT_EQ(EncodeResult(5, r, suffix), EncodeResult(5, decorated)) << method;
      auto parsed = bj::parse(EncodeResult(5, r, suffix)).at("result").as_object();
      EXPECT_EQ(parsed.at("resultType"), "complete");
      EXPECT_EQ(parsed.at("_meta").at("io.modelcontextprotocol/serverInfo").at("title"), "Title \"quoted\"");
      EXPECT_EQ(parsed.contains("ttlMs"), method != "tools/call");
    }
  }
  // A handler's own members: no suffix, the object is decorated instead.
  EXPECT_TRUE(ModernResultSuffix(server, "tools/call", bj::object{{"_meta", bj::object{}}}).empty());
  EXPECT_TRUE(ModernResultSuffix(server, "tools/call", bj::object{{"resultType", "input_required"}}).empty());
  EXPECT_TRUE(ModernResultSuffix(server, "tools/list", bj::object{{"ttlMs", 0}}).empty());
}

TEST(McpModernTest, ListenAcknowledgesFirstWithItsIdAndEndsGracefully) {
  McpServer server = MakeServer();
  auto s = Session::Create(server);
  auto c = std::make_shared<Capture>();
  s->HandleText(Modern("\"L1\"", "subscriptions/listen",
                       R"({"notifications":{"toolsListChanged":true,"resourceSubscriptions":["test://a"]}})"),
                c);
  ASSERT_EQ(c->sent.size(), 1u);
  auto ack = bj::parse(c->sent[0]).as_object();
  EXPECT_EQ(ack.at("method"), "notifications/subscriptions/acknowledged");
  EXPECT_EQ(ack.at("params").at("_meta").at("io.modelcontextprotocol/subscriptionId"), "L1");
  EXPECT_TRUE(ack.at("params").at("notifications").as_object().empty());  // none honored
  auto result = c->Json().at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("_meta").at("io.modelcontextprotocol/subscriptionId"), "L1");
  EXPECT_EQ(Call(*s, Modern("2", "subscriptions/listen")).at("error").at("code"), kInvalidParams);
  // Legacy sessions don't have it.
  auto legacy = Ready(server);
  EXPECT_EQ(Call(*legacy, R"({"jsonrpc":"2.0","id":3,"method":"subscriptions/listen","params":{"notifications":{}}})")
                .at("error").at("code"), kMethodNotFound);
}

}  // namespace
}  // namespace mcpreg::mcp
