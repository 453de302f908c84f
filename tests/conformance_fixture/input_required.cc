// The input-required fixtures of @modelcontextprotocol/conformance 0.2.0-alpha.12
// (scenarios input-required-result-*; the behaviour each describes is quoted in its comment).
// Every tool works with no arguments and answers a first round with an input-required result,
// a later round (the client's inputResponses, and the echoed requestState) with a complete one.
// A missing or malformed answer is asked for again rather than failed, as SEP-2322 advises.
#include <boost/json/serialize.hpp>

#include "conformance_fixture/fixtures.h"
#include "mcp/input.h"
#include "mcp/session.h"

namespace mcpreg::fixture {
namespace bj = boost::json;
using mcp::RequestContext;

namespace {

bj::object NoArgs() { return bj::object{{"type", "object"}, {"properties", bj::object{}}}; }

bj::object OneString(std::string_view property) {
  return bj::object{{"type", "object"},
                    {"properties", bj::object{{property, bj::object{{"type", "string"}}}}},
                    {"required", bj::array{property}}};
}

bj::object AskName() { return mcp::ElicitationInput("What is your name?", OneString("name")); }

std::string StringField(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

void Add(mcp::McpServer& s, std::string name, std::string description, mcp::ToolHandler handler) {
  mcp::ToolDef t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = NoArgs();
  t.handler = std::move(handler);
  s.AddTool(std::move(t));
}

Result<bj::object> NeedsModern(RequestContext& ctx) {
  if (ctx.modern()) return bj::object{};
  return Status::FailedPrecondition("this tool needs a 2026-07-28 client (input-required results)");
}

}  // namespace

void AddInputRequiredFixtures(mcp::McpServer& s) {
  // basic-elicitation, missing-input-response, result-type, ignore-extra-params, validate-input:
  // ask "user_name"; answer "Hello, <name>!".
  Add(s, "test_input_required_result_elicitation", "Asks the user's name through an input-required result",
      [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
        if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
        auto answer = mcp::AcceptedElicitation(ctx.input_response("user_name"));
        if (!answer) return ctx.InputRequired(bj::object{{"user_name", AskName()}});
        return mcp::TextToolResult("Hello, " + StringField(*answer, "name") + "!");
      });
  // basic-sampling: ask "capital_question"; answer with the sampled text.
  Add(s, "test_input_required_result_sampling", "Asks the client's LLM through an input-required result",
      [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
        if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
        auto text = mcp::SampledText(ctx.input_response("capital_question"));
        if (!text) {
          return ctx.InputRequired(
              bj::object{{"capital_question", mcp::SamplingInput("What is the capital of France?", 100)}});
        }
        return mcp::TextToolResult("LLM response: " + *text);
      });
  // basic-list-roots: ask "client_roots"; answer naming the roots.
  Add(s, "test_input_required_result_list_roots", "Asks for the client's roots through an input-required result",
      [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
        if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
        auto roots = mcp::ListedRoots(ctx.input_response("client_roots"));
        if (!roots) return ctx.InputRequired(bj::object{{"client_roots", mcp::RootsInput()}});
        std::string text = "Client roots: ";
        for (size_t i = 0; i < roots->size(); ++i) {
          text += (i ? ", " : "") + StringField((*roots)[i].as_object(), "uri");
        }
        return mcp::TextToolResult(text);
      });
  // request-state / tampered-state: "confirm" with a sealed state; the answer says "state-ok"
  // only when the library verified the echoed state.
  for (const char* name : {"test_input_required_result_request_state",
                           "test_input_required_result_tampered_state"}) {
    Add(s, name, "Round-trips an integrity-protected requestState",
        [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
          if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
          auto answer = mcp::AcceptedElicitation(ctx.input_response("confirm"));
          if (!answer || ctx.request_state() != "confirm-pending") {
            bj::object schema{{"type", "object"},
                              {"properties", bj::object{{"ok", bj::object{{"type", "boolean"}}}}},
                              {"required", bj::array{"ok"}}};
            return ctx.InputRequired(
                bj::object{{"confirm", mcp::ElicitationInput("Please confirm", std::move(schema))}},
                "confirm-pending");
          }
          return mcp::TextToolResult("state-ok: the requestState was verified");
        });
  }
  // multiple-input-requests: elicitation, sampling and roots at once, with state.
  Add(s, "test_input_required_result_multiple_inputs", "Asks for three inputs in one input-required result",
      [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
        if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
        auto name = mcp::AcceptedElicitation(ctx.input_response("user_name"));
        auto greeting = mcp::SampledText(ctx.input_response("greeting"));
        auto roots = mcp::ListedRoots(ctx.input_response("client_roots"));
        if (!name || !greeting || !roots || ctx.request_state() != "multi") {
          return ctx.InputRequired(bj::object{{"user_name", AskName()},
                                              {"greeting", mcp::SamplingInput("Generate a greeting", 50)},
                                              {"client_roots", mcp::RootsInput()}},
                                   "multi");
        }
        return mcp::TextToolResult(*greeting + " " + StringField(*name, "name") + " (" +
                                   std::to_string(roots->size()) + " roots)");
      });
  // multi-round: step1 (name), then step2 (colour) with a new state carrying the name.
  Add(s, "test_input_required_result_multi_round", "Asks for input over two rounds",
      [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
        if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
        const auto& state = ctx.request_state();
        if (state && state->rfind("round2:", 0) == 0) {
          if (auto colour = mcp::AcceptedElicitation(ctx.input_response("step2"))) {
            return mcp::TextToolResult(state->substr(7) + " likes " + StringField(*colour, "color"));
          }
        } else if (state == "round1") {
          if (auto name = mcp::AcceptedElicitation(ctx.input_response("step1"))) {
            return ctx.InputRequired(
                bj::object{{"step2", mcp::ElicitationInput("Step 2: What is your favorite color?",
                                                           OneString("color"))}},
                "round2:" + StringField(*name, "name"));
          }
        }
        return ctx.InputRequired(
            bj::object{{"step1", mcp::ElicitationInput("Step 1: What is your name?", OneString("name"))}},
            "round1");
      });
  // capability-check: only what the client declared.
  Add(s, "test_input_required_result_capabilities", "Asks only for input the client can give",
      [](const bj::object&, RequestContext& ctx) -> Result<bj::object> {
        if (auto st = NeedsModern(ctx); !st.ok()) return st.status();
        bj::object requests;
        if (ctx.ClientSupports("elicitation") && !ctx.input_response("user_name")) {
          requests["user_name"] = AskName();
        }
        if (ctx.ClientSupports("sampling") && !ctx.input_response("summary")) {
          requests["summary"] = mcp::SamplingInput("Summarise the request", 50);
        }
        if (requests.empty()) return mcp::TextToolResult("All declared inputs received");
        return ctx.InputRequired(std::move(requests));
      });
  // non-tool-request: prompts/get asks "user_context".
  mcp::PromptDef p;
  p.name = "test_input_required_result_prompt";
  p.description = "A prompt that asks for context through an input-required result";
  p.get = [](const std::map<std::string, std::string>&, RequestContext& ctx) -> Result<bj::object> {
    if (!ctx.modern()) {
      return Status::FailedPrecondition("this prompt needs a 2026-07-28 client (input-required results)");
    }
    auto answer = mcp::AcceptedElicitation(ctx.input_response("user_context"));
    if (!answer) {
      return ctx.InputRequired(bj::object{
          {"user_context", mcp::ElicitationInput("What context should the prompt use?", OneString("context"))}});
    }
    bj::object content{{"type", "text"}, {"text", "Use this context: " + StringField(*answer, "context")}};
    return bj::object{{"messages", bj::array{bj::object{{"role", "user"}, {"content", std::move(content)}}}}};
  };
  s.AddPrompt(std::move(p));
}

}  // namespace mcpreg::fixture
