// Input-required results (MRTR, 2026-07-28): the request-state codec, the session's checks
// around a handler that asks the client for input, and the SEP-2243 Mcp-Param header rules.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <mutex>

#include "auth/encoding.h"
#include "mcp/input.h"
#include "mcp/modern.h"
#include "mcp/server.h"
#include "mcp/session.h"

namespace mcpreg::mcp {
namespace {
namespace bj = boost::json;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

class Capture : public Outbox {
 public:
  void Send(std::string) override {}
  void Finish(std::string r) override {
    std::lock_guard l(mu);
    response = std::move(r);
  }
  std::mutex mu;
  std::string response;
};

// --- RequestStateCodec -------------------------------------------------------------------------

const std::string kKey(32, 'k');

TEST(RequestStateCodecTest, RoundTripsWithinScopeAndTtl) {
  RequestStateCodec codec(kKey, seconds(60));
  auto now = Clock::now();
  std::string token = codec.Seal("tools/call\nt", "payload \x01 bytes", now);
  auto opened = codec.Open("tools/call\nt", token, now + seconds(59));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(*opened, "payload \x01 bytes");
  // A replica with the same key accepts it.
  EXPECT_TRUE(RequestStateCodec(kKey, seconds(60)).Open("tools/call\nt", token, now).ok());
}

TEST(RequestStateCodecTest, RefusesTamperingOtherScopesOtherKeysExpiryAndOversize) {
  RequestStateCodec codec(kKey, seconds(60));
  auto now = Clock::now();
  std::string token = codec.Seal("tools/call\nt", "confirm-pending", now);
  auto refused = [&](std::string_view scope, std::string_view t, Clock::time_point at,
                     std::string_view why) {
    auto r = codec.Open(scope, t, at);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  };
  refused("tools/call\nt", token + "-TAMPERED", now, "integrity");
  // Each byte of the body changed (a forged payload or a later expiry) fails the MAC.
  size_t dot = token.find('.');
  for (size_t i = 0; i < dot; ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    auto r = codec.Open("tools/call\nt", t, now);
    EXPECT_FALSE(r.ok()) << i;
  }
  // A forged payload with a MAC computed without the key.
  auto body = auth::Base64UrlDecode(token.substr(0, dot));
  ASSERT_TRUE(body);
  std::string forged = auth::Base64UrlEncode(body->substr(0, 8) + "approved") + token.substr(dot);
  refused("tools/call\nt", forged, now, "integrity");
  refused("tools/call\nother", token, now, "integrity");   // replayed into another tool
  refused("prompts/get\nt", token, now, "integrity");      // or another method
  refused("tools/call\nt", token, now + seconds(61), "expired");
  refused("tools/call\nt", "no-dot-at-all", now, "malformed");
  refused("tools/call\nt", std::string(kMaxRequestStateBytes + 1, 'a'), now, "exceeds");
  EXPECT_FALSE(RequestStateCodec(std::string(32, 'x'), seconds(60)).Open("tools/call\nt", token, now).ok());
  // A short key is replaced by a random one: two such codecs don't accept each other's state.
  RequestStateCodec a("", seconds(60)), b("", seconds(60));
  EXPECT_FALSE(b.Open("s", a.Seal("s", "p", now), now).ok());
  EXPECT_TRUE(a.Open("s", a.Seal("s", "p", now), now).ok());
}

// --- Session -----------------------------------------------------------------------------------

std::string Request(std::string_view id, std::string_view method, std::string params_body,
                    std::string_view caps = R"({"elicitation":{}})") {
  return std::string(R"({"jsonrpc":"2.0","id":)") + std::string(id) + R"(,"method":")" +
         std::string(method) + R"(","params":{)" + params_body + (params_body.empty() ? "" : ",") +
         R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
         R"("io.modelcontextprotocol/clientCapabilities":)" + std::string(caps) + "}}}";
}

bj::object Serve(const McpServer& server, const std::string& text) {
  auto s = Session::Create(server);
  auto c = std::make_shared<Capture>();
  s->HandleText(text, c);
  return bj::parse(c->response).as_object();
}

struct Fixture {
  Fixture() : server(Options()) {
    ToolDef ask;
    ask.name = "ask";
    ask.description = "asks for a name over two rounds";
    ask.handler = [this](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
      ++runs;
      if (!ctx.modern()) return TextToolResult("legacy");
      auto name = AcceptedElicitation(ctx.input_response("name"));
      if (!name || ctx.request_state() != "round1") {
        return ctx.InputRequired(
            bj::object{{"name", ElicitationInput("Name?", bj::object{{"type", "object"}})}}, "round1");
      }
      return TextToolResult("hello " + std::string(name->at("n").as_string()));
    };
    server.AddTool(ask);
    ToolDef other = ask;
    other.name = "other";
    server.AddTool(other);
    ToolDef greedy;
    greedy.name = "greedy";
    greedy.description = "asks for sampling and roots whatever the client declared";
    greedy.handler = [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
      return ctx.InputRequired(bj::object{{"s", SamplingInput("hi", 10)}, {"r", RootsInput()}});
    };
    server.AddTool(greedy);
    ToolDef broken;
    broken.name = "broken";
    broken.description = "a malformed input-required result";
    broken.handler = [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
      return ctx.InputRequired(bj::object{{"x", bj::object{{"method", "tools/list"}, {"params", bj::object{}}}}});
    };
    server.AddTool(broken);
    ToolDef legacy_asker;
    legacy_asker.name = "legacy_asker";
    legacy_asker.description = "returns input_required even in a legacy session";
    legacy_asker.handler = [](const bj::object&, RequestContext&) -> Result<bj::object> {
      return bj::object{{"resultType", "input_required"},
                        {"inputRequests", bj::object{{"k", ElicitationInput("?", bj::object{})}}}};
    };
    server.AddTool(legacy_asker);
    PromptDef p;
    p.name = "ctx";
    p.description = "asks for context";
    p.get = [](const std::map<std::string, std::string>&, RequestContext& ctx) -> Result<bj::object> {
      auto c = AcceptedElicitation(ctx.input_response("c"));
      if (!c) return ctx.InputRequired(bj::object{{"c", ElicitationInput("Context?", bj::object{})}});
      return bj::object{{"messages", bj::array{}}};
    };
    server.AddPrompt(p);
  }
  static ServerOptions Options() {
    ServerOptions o;
    o.request_state_key = kKey;
    return o;
  }
  McpServer server;
  std::atomic<int> runs{0};
};

TEST(McpInputRequiredTest, TwoRoundsWithSealedStateBoundToTheTool) {
  Fixture f;
  auto first = Serve(f.server, Request("1", "tools/call", R"("name":"ask")")).at("result").as_object();
  EXPECT_EQ(first.at("resultType"), "input_required");
  EXPECT_EQ(first.at("inputRequests").at("name").at("method"), "elicitation/create");
  EXPECT_FALSE(first.contains("content"));
  EXPECT_FALSE(first.contains("ttlMs"));  // caching hints belong to complete results only
  EXPECT_TRUE(first.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
  std::string state(first.at("requestState").as_string());
  EXPECT_EQ(state.find("round1"), std::string::npos);  // not sent as plain text

  std::string answer = R"("inputResponses":{"name":{"action":"accept","content":{"n":"Ada"}}},)";
  auto done = Serve(f.server, Request("2", "tools/call", answer + R"("name":"ask","requestState":")" + state + "\""));
  EXPECT_EQ(done.at("result").at("resultType"), "complete");
  EXPECT_EQ(done.at("result").at("content").at(0).at("text"), "hello Ada");

  // Without the state the answer alone does not complete; with another tool's state, or a
  // tampered one, the request is refused before the handler runs.
  auto no_state = Serve(f.server, Request("3", "tools/call", answer + R"("name":"ask")"));
  EXPECT_EQ(no_state.at("result").at("resultType"), "input_required");
  int runs = f.runs;
  for (std::string bad : {state + "x", std::string("x") + state}) {
    auto r = Serve(f.server, Request("4", "tools/call", answer + R"("name":"ask","requestState":")" + bad + "\""));
    EXPECT_EQ(r.at("error").at("code"), kInvalidParams) << bad;
  }
  auto replay = Serve(f.server, Request("5", "tools/call", answer + R"("name":"other","requestState":")" + state + "\""));
  EXPECT_EQ(replay.at("error").at("code"), kInvalidParams);
  EXPECT_NE(std::string(replay.at("error").at("message").as_string()).find("integrity"), std::string::npos);
  EXPECT_EQ(f.runs, runs);
}

TEST(McpInputRequiredTest, MalformedInputResponsesAreInvalidParams) {
  Fixture f;
  for (std::string params : {R"("name":"ask","inputResponses":null)", R"("name":"ask","inputResponses":[1])",
                             R"("name":"ask","inputResponses":{"name":12345})",
                             R"("name":"ask","requestState":17)"}) {
    auto r = Serve(f.server, Request("1", "tools/call", params));
    ASSERT_TRUE(r.contains("error")) << params;
    EXPECT_EQ(r.at("error").at("code"), kInvalidParams) << params;
  }
  EXPECT_EQ(f.runs, 0);
  // Unknown extra keys are ignored; a wrong key is asked for again.
  auto wrong = Serve(f.server, Request("2", "tools/call", R"("name":"ask","inputResponses":{"nom":{"action":"accept"}})"));
  EXPECT_EQ(wrong.at("result").at("resultType"), "input_required");
}

TEST(McpInputRequiredTest, AskingForUndeclaredCapabilitiesIsMissingCapability) {
  Fixture f;
  auto r = Serve(f.server, Request("1", "tools/call", R"("name":"greedy")", R"({"sampling":{}})"));
  auto error = r.at("error").as_object();
  EXPECT_EQ(error.at("code"), kMissingRequiredClientCapability);
  EXPECT_EQ(error.at("data").at("requiredCapabilities"), bj::parse(R"({"roots":{}})"));
  auto ok = Serve(f.server, Request("2", "tools/call", R"("name":"greedy")", R"({"sampling":{},"roots":{}})"));
  EXPECT_EQ(ok.at("result").at("resultType"), "input_required");
  // A result naming a method that is not an input request is a server bug: -32603.
  EXPECT_EQ(Serve(f.server, Request("3", "tools/call", R"("name":"broken")")).at("error").at("code"), kInternalError);
}

TEST(McpInputRequiredTest, PromptsAskToo) {
  Fixture f;
  auto first = Serve(f.server, Request("1", "prompts/get", R"("name":"ctx")")).at("result").as_object();
  EXPECT_EQ(first.at("resultType"), "input_required");
  auto done = Serve(f.server, Request("2", "prompts/get",
                                      R"("name":"ctx","inputResponses":{"c":{"action":"accept","content":{}}})"));
  EXPECT_EQ(done.at("result").at("resultType"), "complete");
  EXPECT_TRUE(done.at("result").at("messages").is_array());
}

TEST(McpInputRequiredTest, LegacySessionsNeverSeeInputRequiredResults) {
  Fixture f;
  auto s = Session::Create(f.server);
  auto c = std::make_shared<Capture>();
  s->HandleText(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"t","version":"1"}}})", c);
  auto call = [&](std::string_view text) {
    auto out = std::make_shared<Capture>();
    s->HandleText(text, out);
    return bj::parse(out->response).as_object();
  };
  // inputResponses and requestState mean nothing to the legacy era: ignored, not validated.
  auto r = call(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"ask","inputResponses":5,"requestState":"junk"}})");
  EXPECT_EQ(r.at("result").at("content").at(0).at("text"), "legacy");
  auto bad = call(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"legacy_asker"}})");
  EXPECT_EQ(bad.at("error").at("code"), kInternalError);
}

// --- SEP-2243 Mcp-Param headers ------------------------------------------------------------------

TEST(McpParamHeaderTest, DecodesBase64SentinelStrictlyAndTakesOtherValuesLiterally) {
  EXPECT_EQ(DecodeParamHeader("=?base64?SGVsbG8=?="), "Hello");
  EXPECT_EQ(DecodeParamHeader("=?base64?w6k=?="), "\xc3\xa9");
  EXPECT_FALSE(DecodeParamHeader("=?base64?SGVsbG8?="));     // padding missing
  EXPECT_FALSE(DecodeParamHeader("=?base64?SGVs!!!bG8=?="));  // not the alphabet
  EXPECT_EQ(DecodeParamHeader("SGVsbG8="), "SGVsbG8=");
  EXPECT_EQ(DecodeParamHeader("=?base64?SGVsbG8="), "=?base64?SGVsbG8=");  // no suffix: literal
  EXPECT_EQ(DecodeParamHeader(""), "");
}

TEST(McpParamHeaderTest, HeadersMustMirrorTheirArguments) {
  ToolDef t;
  t.name = "t";
  t.input_schema = bj::parse(R"({"type":"object","properties":{
      "region":{"type":"string","x-mcp-header":"Region"},
      "n":{"type":"integer","x-mcp-header":"N"},
      "flag":{"type":"boolean","x-mcp-header":"Flag"},
      "plain":{"type":"string"}}})").as_object();
  auto check = [&](std::string_view args, std::map<std::string, std::string> headers) {
    auto lookup = [&](std::string_view name) -> std::optional<std::string_view> {
      for (auto& [k, v] : headers) {
        if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
      }
      return std::nullopt;
    };
    return CheckParamHeaders(t, bj::parse(args).as_object(), lookup);
  };
  EXPECT_EQ(check(R"({"region":"eu","n":3,"flag":true,"plain":"x"})",
                  {{"mcp-param-region", "eu"}, {"Mcp-Param-N", "3"}, {"Mcp-Param-Flag", "true"}}), "");
  EXPECT_EQ(check(R"({"region":"Hello"})", {{"Mcp-Param-Region", "=?base64?SGVsbG8=?="}}), "");
  EXPECT_EQ(check(R"({"region":null})", {}), "");  // null is not mirrored
  EXPECT_EQ(check("{}", {}), "");
  EXPECT_NE(check(R"({"region":"eu"})", {}), "");                                   // missing
  EXPECT_NE(check(R"({"region":"eu"})", {{"Mcp-Param-Region", "us"}}), "");          // differs
  EXPECT_NE(check(R"({"region":"Hello"})", {{"Mcp-Param-Region", "=?base64?SGVsbG8?="}}), "");
  EXPECT_NE(check("{}", {{"Mcp-Param-Region", "eu"}}), "");                          // no argument
  EXPECT_NE(check(R"({"n":3})", {{"Mcp-Param-N", "4"}}), "");
  EXPECT_NE(check(R"({"n":3})", {{"Mcp-Param-N", "3x"}}), "");
  EXPECT_NE(check(R"({"flag":false})", {{"Mcp-Param-Flag", "0"}}), "");
}

}  // namespace
}  // namespace mcpreg::mcp
