// The modern (stateless) protocol era, 2026-07-28: how a request is recognised as modern, the
// per-request `_meta` it must carry, the methods that exist in it, and the members every
// modern result carries. Transports use these to route a message to Session::ServeStateless
// (mcp/session.h) instead of a legacy session; the feature methods themselves are shared with
// the legacy era (mcp/methods.h), so both eras return the same tool and resource content.
//
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mcp/jsonrpc.h"
#include "mcp/server.h"

namespace mcpreg::mcp {

// Error codes the 2026-07-28 revision adds (the -32020..-32099 range is the spec's).
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kMissingRequiredClientCapability = -32021;
inline constexpr int kUnsupportedProtocolVersion = -32022;

// Modern protocol versions this library speaks, newest first.
inline constexpr std::string_view kModernVersions[] = {"2026-07-28"};
bool IsModernVersion(std::string_view version);

// Per-request `_meta` keys.
inline constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaClientCapabilities =
    "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
// kMetaServerInfo ("io.modelcontextprotocol/serverInfo") is in mcp/server.h.
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view kMetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";

// True when `message` asks for modern semantics: a request whose params._meta names a protocol
// version, or a `server/discover` request (which exists only in the modern era, so it is served
// statelessly even before any initialize, and refused with -32602 when its _meta is missing).
bool IsModernRequest(const Message& message);

// True for the methods a modern request may call (server/discover, subscriptions/listen and the
// feature methods).
// The legacy-only ones (initialize, ping, logging/setLevel, resources/(un)subscribe) are not.
bool IsModernMethod(std::string_view method);

// What a modern request's params carry, once validated.
struct ModernMeta {
  std::string version;
  boost::json::object client_capabilities;
  std::optional<std::string> log_level;  // _meta logLevel, when given
};

// Validates the per-request `_meta` of a modern request, then its method. Errors, in order:
// -32602 when params._meta, its protocolVersion (a string) or its clientCapabilities (an
// object) is missing or malformed; -32022 with data {supported, requested} for a version this
// library does not speak; -32601 for a method that does not exist in the modern era.
// The error's `data` is set where the spec names one.
std::optional<RpcError> CheckModernRequest(const Message& message, ModernMeta* meta);

// The HTTP status of an error returned for a modern request before it reached a handler:
// 404 for -32601, 400 for the others.
int ModernHttpStatusFor(int code);

// The server/discover result: {resultType, supportedVersions (modern then legacy),
// capabilities, instructions?, _meta{serverInfo}, ttlMs, cacheScope}.
boost::json::object DiscoverResult(const McpServer& server);

// Adds what every modern result carries to the result of `method`: resultType "complete"
// (unless the handler set one), _meta serverInfo, and ttlMs/cacheScope on list and read
// results (the caching hints, SEP-2549). Keeps members the handler set.
void DecorateModernResult(const McpServer& server, std::string_view method,
                          boost::json::object& result);

// SEP-2243 custom headers: a tool input property declaring `"x-mcp-header": "H"` is mirrored by
// clients into the HTTP header `Mcp-Param-H`. A header value of the form `=?base64?X?=` is the
// standard (padded) Base64 of the UTF-8 value; any other value is literal. Returns the decoded
// value, or nullopt when the Base64 form is invalid (bad padding or characters).
std::optional<std::string> DecodeParamHeader(std::string_view header_value);

// Checks the Mcp-Param-* headers of a modern tools/call against its arguments: for every
// x-mcp-header property of `tool`'s input schema, a non-null argument needs its header, equal
// after decoding (strings exactly; numbers by value; booleans as true/false), and a header
// needs its argument. `header` looks a request header up by name (case-insensitively).
// Returns the -32020 message, or empty when they agree.
std::string CheckParamHeaders(
    const ToolDef& tool, const boost::json::object& arguments,
    const std::function<std::optional<std::string_view>(std::string_view)>& header);

// What DecorateModernResult would add to `result`, pre-serialized (McpServer::modern_suffix or
// modern_cacheable_suffix), for EncodeResult to append without touching the object; empty when
// the handler set any of those members itself (then decorate the object instead).
std::string_view ModernResultSuffix(const McpServer& server, std::string_view method,
                                    const boost::json::object& result);

// The Implementation object of `server` ({name, version, title?, description?}).
boost::json::object ServerInfoJson(const McpServer& server);

}  // namespace mcpreg::mcp
