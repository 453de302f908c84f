#include "conformance_fixture/fixtures.h"

#include <boost/json/parse.hpp>
#include <thread>

#include "core/json_out.h"
#include "mcp/session.h"

namespace mcpreg::fixture {
namespace bj = boost::json;
using mcp::RequestContext;
using mcp::TextToolResult;

namespace {

// A 1x1 PNG and a header-only WAV file.
constexpr char kPng[] =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr char kWav[] = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

bj::object NoArgs() { return bj::object{{"type", "object"}, {"properties", bj::object{}}}; }

bj::object Content(bj::array content) { return bj::object{{"content", std::move(content)}}; }

bj::object Text(std::string_view t) { return bj::object{{"type", "text"}, {"text", t}}; }

mcp::ToolDef Tool(std::string name, std::string description, mcp::ToolHandler handler,
                  bj::object input = NoArgs(), bool blocking = false) {
  mcp::ToolDef t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = std::move(input);
  t.handler = std::move(handler);
  t.blocking = blocking;
  return t;
}

bj::object StringArgs(std::initializer_list<std::string_view> names) {
  bj::object props;
  bj::array required;
  for (auto n : names) {
    props[n] = bj::object{{"type", "string"}};
    required.push_back(bj::string(n));
  }
  return bj::object{{"type", "object"}, {"properties", std::move(props)}, {"required", std::move(required)}};
}

std::string ArgString(const bj::object& args, std::string_view key) {
  if (auto* v = args.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

Result<bj::object> Elicit(RequestContext& ctx, std::string message, bj::object schema) {
  auto r = ctx.Request("elicitation/create",
                       bj::object{{"message", std::move(message)}, {"requestedSchema", std::move(schema)}});
  if (!r.ok()) return r.status();
  std::string text = "User response: ";
  json::AppendValue(text, *r);
  return Content(bj::array{Text(text)});
}

void AddTools(mcp::McpServer& s) {
  s.AddTool(Tool("test_simple_text", "Returns simple text content", [](auto&, auto&) -> Result<bj::object> {
    return TextToolResult("This is a simple text response for testing.");
  }));
  s.AddTool(Tool("test_image_content", "Returns image content", [](auto&, auto&) -> Result<bj::object> {
    return Content(bj::array{bj::object{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}});
  }));
  s.AddTool(Tool("test_audio_content", "Returns audio content", [](auto&, auto&) -> Result<bj::object> {
    return Content(bj::array{bj::object{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}});
  }));
  s.AddTool(Tool("test_embedded_resource", "Returns an embedded resource", [](auto&, auto&) -> Result<bj::object> {
    bj::object res{{"uri", "test://embedded-resource"}, {"mimeType", "text/plain"},
                   {"text", "This is an embedded resource content."}};
    return Content(bj::array{bj::object{{"type", "resource"}, {"resource", std::move(res)}}});
  }));
  s.AddTool(Tool("test_multiple_content_types", "Returns text, image and resource content",
                 [](auto&, auto&) -> Result<bj::object> {
    bj::object res{{"uri", "test://mixed-content-resource"}, {"mimeType", "application/json"},
                   {"text", R"({"test":"data","value":123})"}};
    return Content(bj::array{Text("Multiple content types test:"),
                             bj::object{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}},
                             bj::object{{"type", "resource"}, {"resource", std::move(res)}}});
  }));
  s.AddTool(Tool("test_tool_with_logging", "Sends log notifications while running",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    for (const char* m : {"Tool execution started", "Tool processing data", "Tool execution completed"}) {
      ctx.Log(mcp::LogLevel::kInfo, bj::string(m));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return TextToolResult("Tool with logging executed successfully");
  }, NoArgs(), true));
  s.AddTool(Tool("test_tool_with_progress", "Reports progress while running",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    for (double p : {0.0, 50.0, 100.0}) {
      ctx.Progress(p, 100.0, "Completed step " + std::to_string(int(p)));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return TextToolResult("Tool with progress executed successfully");
  }, NoArgs(), true));
  s.AddTool(Tool("test_error_handling", "Always fails", [](auto&, auto&) -> Result<bj::object> {
    return TextToolResult("This tool intentionally returns an error for testing", true);
  }));
  // 2026-07-28 diagnostics (server-stateless scenario).
  s.AddTool(Tool("test_missing_capability", "Needs the client's sampling capability",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    auto r = ctx.Request("sampling/createMessage",
                         bj::object{{"messages", bj::array{}}, {"maxTokens", 1}});
    if (!r.ok()) return r.status();
    return TextToolResult("sampling answered");
  }, NoArgs(), true));
  s.AddTool(Tool("test_logging_tool", "Logs at info level while running",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    for (const char* m : {"Tool execution started", "Tool execution completed"}) {
      ctx.Log(mcp::LogLevel::kInfo, bj::string(m));
    }
    return TextToolResult("Tool with logging executed successfully");
  }));
  s.AddTool(Tool("test_streaming_elicitation", "Asks the user for input while running",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    ctx.Progress(0, 1);
    bj::object schema{{"type", "object"},
                      {"properties", bj::object{{"answer", bj::object{{"type", "string"}}}}}};
    return Elicit(ctx, "Please answer", std::move(schema));
  }, NoArgs(), true));
  s.AddTool(Tool("test_sampling", "Asks the client's LLM for a completion",
                 [](const bj::object& args, RequestContext& ctx) -> Result<bj::object> {
    bj::object msg{{"role", "user"}, {"content", Text(ArgString(args, "prompt"))}};
    auto r = ctx.Request("sampling/createMessage",
                         bj::object{{"messages", bj::array{std::move(msg)}}, {"maxTokens", 100}});
    if (!r.ok()) return r.status();
    std::string text;
    if (r->is_object()) {
      if (auto* c = r->as_object().if_contains("content"); c && c->is_object()) {
        text = ArgString(c->as_object(), "text");
      }
    }
    return TextToolResult("LLM response: " + text);
  }, StringArgs({"prompt"}), true));
  s.AddTool(Tool("test_elicitation", "Asks the user for information",
                 [](const bj::object& args, RequestContext& ctx) -> Result<bj::object> {
    bj::object schema{{"type", "object"},
                      {"properties", bj::object{{"username", bj::object{{"type", "string"}, {"description", "User's response"}}},
                                                {"email", bj::object{{"type", "string"}, {"description", "User's email address"}}}}},
                      {"required", bj::array{"username", "email"}}};
    return Elicit(ctx, ArgString(args, "message"), std::move(schema));
  }, StringArgs({"message"}), true));
  s.AddTool(Tool("test_elicitation_sep1034_defaults", "Elicitation with default values (SEP-1034)",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    bj::object props{
        {"name", bj::object{{"type", "string"}, {"description", "User name"}, {"default", "John Doe"}}},
        {"age", bj::object{{"type", "integer"}, {"description", "User age"}, {"default", 30}}},
        {"score", bj::object{{"type", "number"}, {"description", "User score"}, {"default", 95.5}}},
        {"status", bj::object{{"type", "string"}, {"description", "User status"},
                              {"enum", bj::array{"active", "inactive", "pending"}}, {"default", "active"}}},
        {"verified", bj::object{{"type", "boolean"}, {"description", "Verification status"}, {"default", true}}}};
    return Elicit(ctx, "Please review and update the form fields with defaults",
                  bj::object{{"type", "object"}, {"properties", std::move(props)}, {"required", bj::array{}}});
  }, NoArgs(), true));
  s.AddTool(Tool("test_elicitation_sep1330_enums", "Elicitation with enum schemas (SEP-1330)",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    auto titled = [] {
      return bj::array{bj::object{{"const", "value1"}, {"title", "First Option"}},
                       bj::object{{"const", "value2"}, {"title", "Second Option"}},
                       bj::object{{"const", "value3"}, {"title", "Third Option"}}};
    };
    bj::object props{
        {"untitledSingle", bj::object{{"type", "string"}, {"description", "Select an option"},
                                      {"enum", bj::array{"option1", "option2", "option3"}}}},
        {"titledSingle", bj::object{{"type", "string"}, {"description", "Select a titled option"}, {"oneOf", titled()}}},
        {"legacyEnum", bj::object{{"type", "string"}, {"description", "Select a legacy option"},
                                  {"enum", bj::array{"opt1", "opt2", "opt3"}},
                                  {"enumNames", bj::array{"Option One", "Option Two", "Option Three"}}}},
        {"untitledMulti", bj::object{{"type", "array"}, {"description", "Select options"},
                                     {"items", bj::object{{"type", "string"}, {"enum", bj::array{"option1", "option2", "option3"}}}}}},
        {"titledMulti", bj::object{{"type", "array"}, {"description", "Select titled options"},
                                   {"items", bj::object{{"anyOf", titled()}}}}}};
    return Elicit(ctx, "Please select options from the enum fields",
                  bj::object{{"type", "object"}, {"properties", std::move(props)}, {"required", bj::array{}}});
  }, NoArgs(), true));
  s.AddTool(Tool("json_schema_2020_12_tool", "Tool with a JSON Schema 2020-12 input schema",
                 [](auto&, auto&) -> Result<bj::object> { return TextToolResult("ok"); },
                 bj::parse(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                   "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                   "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
                     "contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},
                   "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
                   "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
                   "then":{"required":["phone"]},"else":{"required":["email"]},
                   "additionalProperties":false})").as_object()));
  // SEP-2243: arguments mirrored into Mcp-Param-* headers, which the server checks on HTTP.
  s.AddTool(Tool("test_custom_headers", "Echoes arguments that clients mirror into Mcp-Param headers",
                 [](const bj::object& args, auto&) -> Result<bj::object> {
                   return TextToolResult("region=" + ArgString(args, "region"));
                 },
                 bj::parse(R"({"type":"object","properties":{
                   "region":{"type":"string","description":"mirrored into Mcp-Param-Region","x-mcp-header":"Region"},
                   "priority":{"type":"integer","description":"mirrored into Mcp-Param-Priority","x-mcp-header":"Priority"},
                   "query":{"type":"string","description":"not mirrored"}},
                   "required":["region"]})").as_object()));
  s.AddTool(Tool("test_reconnection", "Closes its SSE stream mid-call; the result arrives after the client reconnects",
                 [](auto&, RequestContext& ctx) -> Result<bj::object> {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ctx.CloseConnection(std::chrono::milliseconds(500));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return TextToolResult("Reconnection test completed successfully");
  }, NoArgs(), true));
}

Result<bj::array> TextContents(std::string_view uri, std::string_view mime, std::string_view text) {
  return bj::array{bj::object{{"uri", uri}, {"mimeType", mime}, {"text", text}}};
}

void AddResources(mcp::McpServer& s) {
  s.AddResource({{"test://static-text", "Static Text Resource", "", "A static text resource for testing", "text/plain"},
                 [](std::string_view uri) {
                   return TextContents(uri, "text/plain", "This is the content of the static text resource.");
                 }});
  s.AddResource({{"test://static-binary", "Static Binary Resource", "", "A static binary resource (PNG)", "image/png"},
                 [](std::string_view uri) -> Result<bj::array> {
                   return bj::array{bj::object{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPng}}};
                 }});
  s.AddResource({{"test://watched-resource", "Watched Resource", "", "A resource that can be subscribed to", "text/plain"},
                 [](std::string_view uri) { return TextContents(uri, "text/plain", "Watched resource content"); }});
  mcp::TemplateDef t;
  t.uri_template = "test://template/{id}/data";
  t.name = "Template Resource";
  t.description = "A resource template with an id parameter";
  t.mime_type = "application/json";
  t.read = [](std::string_view uri,
              const std::map<std::string, std::string>& vars) -> Result<bj::array> {
    const std::string& id = vars.at("id");
    bj::object data{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
    std::string text;
    json::AppendValue(text, data);
    return TextContents(uri, "application/json", text);
  };
  s.AddTemplate(std::move(t));
}

void AddPrompts(mcp::McpServer& s) {
  auto user = [](bj::object content) { return bj::object{{"role", "user"}, {"content", std::move(content)}}; };
  s.AddPrompt({"test_simple_prompt", "", "A simple prompt without arguments", {},
               [user](const auto&, auto&) -> Result<bj::object> {
                 return bj::object{{"messages", bj::array{user(Text("This is a simple prompt for testing."))}}};
               }});
  s.AddPrompt({"test_prompt_with_arguments", "", "A prompt with required arguments",
               {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}},
               [user](const std::map<std::string, std::string>& a, auto&) -> Result<bj::object> {
                 std::string t = "Prompt with arguments: arg1='" + a.at("arg1") + "', arg2='" + a.at("arg2") + "'";
                 return bj::object{{"messages", bj::array{user(Text(t))}}};
               }});
  s.AddPrompt({"test_prompt_with_embedded_resource", "", "A prompt that embeds a resource",
               {{"resourceUri", "URI of the resource to embed", true}},
               [user](const std::map<std::string, std::string>& a, auto&) -> Result<bj::object> {
                 bj::object res{{"uri", a.at("resourceUri")}, {"mimeType", "text/plain"},
                                {"text", "Embedded resource content for testing."}};
                 return bj::object{{"messages", bj::array{user(bj::object{{"type", "resource"}, {"resource", std::move(res)}}),
                                                          user(Text("Please process the embedded resource above."))}}};
               }});
  s.AddPrompt({"test_prompt_with_image", "", "A prompt with image content", {},
               [user](const auto&, auto&) -> Result<bj::object> {
                 return bj::object{{"messages", bj::array{user(bj::object{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}),
                                                          user(Text("Please analyze the image above."))}}};
               }});
}

}  // namespace

void AddConformanceFixtures(mcp::McpServer& server) {
  AddTools(server);
  AddResources(server);
  AddPrompts(server);
  AddInputRequiredFixtures(server);
  server.events().Enable();  // resources/subscribe is part of the suite (test://watched-resource)
  server.SetCompletion([](const bj::object&, std::string_view, std::string_view value,
                          const bj::object&) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const char* v : {"paris", "park", "party"}) {
      if (std::string_view(v).rfind(value, 0) == 0) out.emplace_back(v);
    }
    return out;
  });
}

}  // namespace mcpreg::fixture
