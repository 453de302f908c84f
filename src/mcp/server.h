// McpServer: the transport-independent description of an MCP server — its identity, and the
// tools, resources, resource templates, prompts and completion handler registered on it.
// Sessions (mcp/session.h) answer protocol messages from it; stdio and Streamable HTTP share it.
//
// Usage: build it once at start-up (Add* calls), then hand it to transports. Registration is
// not thread-safe; after start-up the server is read-only and may be shared by any number of
// sessions on any threads. Handlers run concurrently and must be thread-safe themselves.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/events.h"
#include "mcp/input.h"
#include "mcp/jsonrpc.h"
#include "mcpreg/status.h"

namespace mcpreg::mcp {

class RequestContext;  // mcp/session.h

struct Implementation {
  std::string name = "mcpreg";
  std::string version = "0.0.0";
  std::string title;
  std::string description;
};

// Returns a CallToolResult object ({content, structuredContent?, isError?}), or in a 2026-07-28
// request an input-required result (RequestContext::InputRequired). A non-OK Status is
// reported to the client as a tool execution error (isError: true, the message as text), which
// is what the spec asks for input-validation and business failures.
using ToolHandler =
    std::function<Result<boost::json::object>(const boost::json::object& args, RequestContext&)>;

struct ToolDef {
  std::string name;
  std::string title;
  std::string description;
  boost::json::object input_schema{{"type", "object"}};  // emitted verbatim
  boost::json::object output_schema;                     // empty = none
  boost::json::object annotations;                       // empty = none
  // The handler may sleep or wait for the client (sampling, elicitation): it then runs on a
  // thread of its own so that the transport can keep reading.
  bool blocking = false;
  ToolHandler handler;
};

// Returns the `contents` array of a ReadResourceResult. NotFound becomes -32002 (-32602 with
// data.uri for a 2026-07-28 request).
using ResourceReader = std::function<Result<boost::json::array>(std::string_view uri)>;

struct ResourceInfo {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};

struct ResourceDef {
  ResourceInfo info;
  ResourceReader read;
};

// `vars` holds the percent-decoded values of the template's {variables}.
using TemplateReader = std::function<Result<boost::json::array>(
    std::string_view uri, const std::map<std::string, std::string>& vars)>;

struct TemplateDef {
  std::string uri_template;  // RFC 6570 level 1: literal text and {name} variables
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  TemplateReader read;
  // Optional: the concrete resources of this template, included in resources/list.
  std::function<std::vector<ResourceInfo>()> list;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

// Returns a GetPromptResult object ({description?, messages}), or in a 2026-07-28 request an
// input-required result (RequestContext::InputRequired). InvalidArgument becomes -32602.
using PromptHandler = std::function<Result<boost::json::object>(
    const std::map<std::string, std::string>& args, RequestContext& ctx)>;

struct PromptDef {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  PromptHandler get;
};

// completion/complete: `ref` is {type:"ref/prompt",name} or {type:"ref/resource",uri}. Returns
// candidate values (at most 100 are sent).
using CompletionHandler = std::function<Result<std::vector<std::string>>(
    const boost::json::object& ref, std::string_view argument, std::string_view value,
    const boost::json::object& context_arguments)>;

struct ServerOptions {
  Implementation info;
  std::string instructions;
  size_t page_size = 100;  // items per tools/resources/templates/prompts list page
  // Caching hint (ttlMs) on modern list/read/discover results; 0 = revalidate every time.
  int64_t cache_ttl_ms = 0;
  ParseLimits limits;
  // The key that seals the requestState of input-required results (mcp/input.h): at least 32
  // bytes, shared by every replica that may receive the client's next round; empty = random
  // per process. How long a sealed state is accepted.
  std::string request_state_key;
  std::chrono::seconds request_state_ttl{600};
  // Open 2026-07-28 subscriptions/listen requests at once (ResourceEvents); more: -32000.
  size_t max_listeners = 1024;
};

// The result `_meta` key naming the server (2026-07-28).
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// Protocol versions this library speaks, newest first.
inline constexpr std::string_view kSupportedVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                          "2024-11-05"};
bool IsSupportedVersion(std::string_view version);

class McpServer {
 public:
  explicit McpServer(ServerOptions options)
      : options_(std::move(options)),
        state_codec_(options_.request_state_key, options_.request_state_ttl),
        events_(std::make_unique<ResourceEvents>(options_.max_listeners)),
        modern_meta_json_(ModernMetaJson(options_.info)),
        modern_suffix_(R"("resultType":"complete","_meta":)" + modern_meta_json_),
        modern_cacheable_suffix_(modern_suffix_ + R"(,"ttlMs":)" +
                                 std::to_string(options_.cache_ttl_ms) +
                                 R"(,"cacheScope":"private")") {}

  // Registration (start-up only). Names/URIs must be unique; a duplicate replaces the first.
  void AddTool(ToolDef tool);
  void AddResource(ResourceDef resource);
  void AddTemplate(TemplateDef tmpl);
  void AddPrompt(PromptDef prompt);
  void SetCompletion(CompletionHandler handler) { completion_ = std::move(handler); }

  const ServerOptions& options() const { return options_; }
  const std::vector<ToolDef>& tools() const { return tools_; }
  const std::vector<ResourceDef>& resources() const { return resources_; }
  const std::vector<TemplateDef>& templates() const { return templates_; }
  const std::vector<PromptDef>& prompts() const { return prompts_; }
  const CompletionHandler& completion() const { return completion_; }
  const RequestStateCodec& state_codec() const { return state_codec_; }
  // Resource change notifications (mcp/events.h). The hub is thread-safe, so it is reachable
  // from a const server; the application calls Enable() at start-up when it reports changes.
  ResourceEvents& events() const { return *events_; }
  // {"io.modelcontextprotocol/serverInfo":{name, version, title?, description?}} as JSON text:
  // the `_meta` of every modern result, serialized once (spliced by DecorateModernResult).
  const std::string& modern_meta_json() const { return modern_meta_json_; }
  // The members every complete modern result carries, pre-serialized for EncodeResult's
  // `trailing_members`: resultType and _meta, and for list/read results also the caching hints
  // (mcp/modern.h ModernResultSuffix says when they apply).
  const std::string& modern_suffix() const { return modern_suffix_; }
  const std::string& modern_cacheable_suffix() const { return modern_cacheable_suffix_; }

  const ToolDef* FindTool(std::string_view name) const;
  const ResourceDef* FindResource(std::string_view uri) const;
  const PromptDef* FindPrompt(std::string_view name) const;
  // The first template matching `uri`, with its variables filled in; nullptr when none does.
  const TemplateDef* MatchTemplate(std::string_view uri,
                                   std::map<std::string, std::string>* vars) const;

  // The `capabilities` object of InitializeResult, or with `modern` of server/discover.
  // Resource subscriptions and list changes are declared only when events() is enabled (the
  // application reports changes); the modern era delivers them through subscriptions/listen.
  // Tool and prompt lists are fixed: the modern era declares no list changes for them.
  boost::json::object Capabilities(bool modern = false) const;

 private:
  ServerOptions options_;
  RequestStateCodec state_codec_;
  std::unique_ptr<ResourceEvents> events_;  // a pointer, so that the server stays movable
  std::string modern_meta_json_;
  std::string modern_suffix_;
  std::string modern_cacheable_suffix_;
  static std::string ModernMetaJson(const Implementation& info);
  std::vector<ToolDef> tools_;
  std::vector<ResourceDef> resources_;
  std::vector<TemplateDef> templates_;
  std::vector<PromptDef> prompts_;
  CompletionHandler completion_;
};

// Matches `uri` against an RFC 6570 level-1 template. A variable takes the shortest text up to
// the next literal (the rest for a trailing variable), must be non-empty, and is
// percent-decoded. Exposed for tests.
bool MatchUriTemplate(std::string_view tmpl, std::string_view uri,
                      std::map<std::string, std::string>* vars);

// CallToolResult helpers.
boost::json::object TextToolResult(std::string_view text, bool is_error = false);
// structuredContent plus its JSON text as a text block for clients without structured output.
boost::json::object StructuredToolResult(boost::json::value structured);
// The same from already serialized JSON: `json_object` (a valid JSON object, e.g. pre-rendered
// catalog bytes) is spliced verbatim into the response as structuredContent, with no parse and
// no re-serialization, and its text copy is escaped straight into the response. The returned
// object holds it under kRawStructuredKey and kTextCopyKey (mcp/jsonrpc.h), which EncodeResult
// expands; don't read content or structuredContent from it.
boost::json::object RawStructuredToolResult(std::string json_object);

}  // namespace mcpreg::mcp
