#include "mcp/modern.h"

#include <algorithm>
#include <charconv>

#include "auth/encoding.h"

#include "mcp/session.h"

namespace mcpreg::mcp {
namespace bj = boost::json;
namespace {

const bj::object* MetaOf(const Message& m) {
  if (!m.params.is_object()) return nullptr;
  auto* meta = m.params.as_object().if_contains("_meta");
  return meta && meta->is_object() ? &meta->as_object() : nullptr;
}

constexpr std::string_view kModernMethods[] = {
    "server/discover", "tools/list",     "tools/call",  "resources/list",
    "resources/read",  "resources/templates/list",     "prompts/list",
    "prompts/get",     "completion/complete",          "subscriptions/listen"};

// Results that carry caching hints (SEP-2549).
constexpr std::string_view kCacheableMethods[] = {"server/discover", "tools/list",
                                                  "resources/list",  "resources/templates/list",
                                                  "resources/read",  "prompts/list"};

RpcError InvalidMeta(std::string message) {
  return RpcError{kInvalidParams, "Invalid params: " + std::move(message), nullptr};
}

}  // namespace

bool IsModernVersion(std::string_view version) {
  return std::find(std::begin(kModernVersions), std::end(kModernVersions), version) !=
         std::end(kModernVersions);
}

bool IsModernRequest(const Message& message) {
  if (message.kind != MessageKind::kRequest) return false;
  if (message.method == "server/discover") return true;
  const bj::object* meta = MetaOf(message);
  return meta && meta->contains(kMetaProtocolVersion);
}

bool IsModernMethod(std::string_view method) {
  return std::find(std::begin(kModernMethods), std::end(kModernMethods), method) !=
         std::end(kModernMethods);
}

std::optional<RpcError> CheckModernRequest(const Message& message, ModernMeta* out) {
  const bj::object* meta = MetaOf(message);
  if (!meta) return InvalidMeta("params._meta is required (protocol 2026-07-28)");
  auto* version = meta->if_contains(kMetaProtocolVersion);
  if (!version || !version->is_string() || version->as_string().empty()) {
    return InvalidMeta("_meta[\"" + std::string(kMetaProtocolVersion) +
                       "\"] is required and must be a string");
  }
  auto* caps = meta->if_contains(kMetaClientCapabilities);
  if (!caps || !caps->is_object()) {
    return InvalidMeta("_meta[\"" + std::string(kMetaClientCapabilities) +
                       "\"] is required and must be an object");
  }
  if (auto* info = meta->if_contains(kMetaClientInfo); info && !info->is_object()) {
    return InvalidMeta("_meta[\"" + std::string(kMetaClientInfo) + "\"] must be an object");
  }
  std::string_view requested = version->as_string();
  if (!IsModernVersion(requested)) {
    bj::array supported;
    for (auto v : kModernVersions) supported.emplace_back(v);
    for (auto v : kSupportedVersions) supported.emplace_back(v);
    // The requested value is echoed; it is bounded by the message size limit.
    return RpcError{kUnsupportedProtocolVersion,
                    "Unsupported protocol version: " + std::string(requested),
                    bj::object{{"supported", std::move(supported)}, {"requested", requested}}};
  }
  std::optional<std::string> log_level;
  if (auto* level = meta->if_contains(kMetaLogLevel)) {
    if (!level->is_string() || !ParseLogLevel(level->as_string())) {
      return InvalidMeta("_meta[\"" + std::string(kMetaLogLevel) + "\"] is not a log level");
    }
    log_level = std::string(level->as_string());
  }
  if (!IsModernMethod(message.method)) {
    return RpcError{kMethodNotFound, "Method not found: " + message.method, nullptr};
  }
  if (out) {
    out->version = std::string(requested);
    out->client_capabilities = caps->as_object();  // a copy: the message is const here
    out->log_level = std::move(log_level);
  }
  return std::nullopt;
}

int ModernHttpStatusFor(int code) { return code == kMethodNotFound ? 404 : 400; }

std::optional<std::string> DecodeParamHeader(std::string_view v) {
  constexpr std::string_view kPrefix = "=?base64?", kSuffix = "?=";
  if (v.size() < kPrefix.size() + kSuffix.size() || v.substr(0, kPrefix.size()) != kPrefix ||
      v.substr(v.size() - kSuffix.size()) != kSuffix) {
    return std::string(v);  // literal
  }
  return auth::Base64Decode(v.substr(kPrefix.size(), v.size() - kPrefix.size() - kSuffix.size()));
}

namespace {

// Whether the decoded header text states the same value as the argument.
bool SameValue(const bj::value& arg, std::string_view text) {
  if (arg.is_string()) return arg.as_string() == text;
  if (arg.is_bool()) return text == (arg.as_bool() ? "true" : "false");
  if (arg.is_number()) {
    double parsed = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    return ec == std::errc() && ptr == text.data() + text.size() && parsed == arg.to_number<double>();
  }
  return false;  // objects and arrays cannot be mirrored into a header
}

}  // namespace

std::string CheckParamHeaders(
    const ToolDef& tool, const bj::object& arguments,
    const std::function<std::optional<std::string_view>(std::string_view)>& header) {
  auto* props = tool.input_schema.if_contains("properties");
  if (!props || !props->is_object()) return {};
  for (const auto& [name, prop] : props->as_object()) {
    const bj::value* h = prop.is_object() ? prop.as_object().if_contains("x-mcp-header") : nullptr;
    if (!h || !h->is_string() || h->as_string().empty()) continue;
    std::string header_name = "Mcp-Param-" + std::string(h->as_string());
    const bj::value* arg = arguments.if_contains(name);
    if (arg && arg->is_null()) arg = nullptr;
    auto raw = header(header_name);
    if (!arg && !raw) continue;
    if (!raw) return "Bad Request: " + header_name + " header is required (argument \"" + std::string(name) + "\" is set)";
    if (!arg) return "Bad Request: " + header_name + " header given but argument \"" + std::string(name) + "\" is not set";
    auto decoded = DecodeParamHeader(*raw);
    if (!decoded) return "Bad Request: " + header_name + " header is not valid Base64";
    if (!SameValue(*arg, *decoded)) {
      return "Bad Request: " + header_name + " header does not match argument \"" + std::string(name) + "\"";
    }
  }
  return {};
}

bj::object ServerInfoJson(const McpServer& server) {
  const Implementation& i = server.options().info;
  bj::object info{{"name", i.name}, {"version", i.version}};
  if (!i.title.empty()) info["title"] = i.title;
  if (!i.description.empty()) info["description"] = i.description;
  return info;
}

bj::object DiscoverResult(const McpServer& server) {
  bj::array versions;
  for (auto v : kModernVersions) versions.emplace_back(v);
  for (auto v : kSupportedVersions) versions.emplace_back(v);
  bj::object r{{"supportedVersions", std::move(versions)},
               {"capabilities", server.Capabilities(/*modern=*/true)}};
  if (!server.options().instructions.empty()) r["instructions"] = server.options().instructions;
  DecorateModernResult(server, "server/discover", r);
  return r;
}

namespace {
bool IsCacheable(std::string_view method) {
  return std::find(std::begin(kCacheableMethods), std::end(kCacheableMethods), method) !=
         std::end(kCacheableMethods);
}
}  // namespace

std::string_view ModernResultSuffix(const McpServer& server, std::string_view method,
                                    const bj::object& result) {
  if (result.contains("resultType") || result.contains("_meta") || result.contains(kRawMetaKey)) {
    return {};
  }
  if (!IsCacheable(method)) return server.modern_suffix();
  if (result.contains("ttlMs") || result.contains("cacheScope")) return {};
  return server.modern_cacheable_suffix();
}

void DecorateModernResult(const McpServer& server, std::string_view method, bj::object& result) {
  if (!result.contains("resultType")) result["resultType"] = "complete";
  if (auto* meta = result.if_contains("_meta"); meta && meta->is_object()) {
    // The handler's own _meta: add serverInfo to it.
    bj::object& m = meta->as_object();
    if (!m.contains(kMetaServerInfo)) m[kMetaServerInfo] = ServerInfoJson(server);
  } else if (!result.contains(kRawMetaKey)) {
    // The common case: the constant _meta, serialized once per server, spliced by EncodeResult.
    result.erase("_meta");
    result[kRawMetaKey] = server.modern_meta_json();
  }
  bool complete = result.at("resultType") == "complete";
  if (complete && IsCacheable(method)) {
    // Lists are fixed at start-up, but what a read or call returns may depend on the caller
    // (authorization), so nothing is shared and nothing is promised to stay fresh.
    if (!result.contains("ttlMs")) result["ttlMs"] = server.options().cache_ttl_ms;
    if (!result.contains("cacheScope")) result["cacheScope"] = "private";
  }
}

}  // namespace mcpreg::mcp
