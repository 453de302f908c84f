// JSON-RPC 2.0 framing for MCP: parsing one message under limits, and encoding responses,
// notifications and requests as compact single-line JSON (safe for stdio framing and SSE data).
//
// Batches (JSON arrays) are rejected: they existed only in protocol 2025-03-26 and were removed
// in 2025-06-18; no current client sends them.
//
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mcpreg::mcp {

// JSON-RPC and MCP error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kSessionNotFound = -32001;   // TS SDK convention, used on HTTP 404
inline constexpr int kTransportError = -32000;    // TS SDK convention for HTTP-level errors
inline constexpr int kResourceNotFound = -32002;  // protocol <= 2025-11-25

struct RpcError {
  int code = kInternalError;
  std::string message;
  boost::json::value data;  // null = absent
};

enum class MessageKind { kRequest, kNotification, kResponse };

struct Message {
  MessageKind kind = MessageKind::kRequest;
  boost::json::value id;          // string or integer for requests and responses; null otherwise
  std::string method;             // requests and notifications
  boost::json::value params;      // object, or null when absent
  boost::json::value result;      // successful responses
  std::optional<RpcError> error;  // error responses
};

struct ParseLimits {
  size_t max_bytes = 4 * 1024 * 1024;  // larger messages are refused before parsing
  size_t max_depth = 64;               // JSON nesting depth
};

// A message that could not be accepted. `id` is the request id when it could be read (so the
// error response can carry it), null otherwise.
struct ParseFailure {
  RpcError error;
  boost::json::value id;
};

// Parses exactly one JSON-RPC message. Failures: kParseError for invalid JSON or nesting deeper
// than the limit; kInvalidRequest for a message over max_bytes, a batch, or a value that is not
// a valid JSON-RPC 2.0 request/notification/response (wrong "jsonrpc", null/float/object id,
// non-string method, non-object params, response without exactly one of result/error).
std::variant<Message, ParseFailure> ParseMessage(std::string_view text, const ParseLimits& limits);

// A top-level result member whose key is kRawPrefix + NAME holds pre-serialized JSON text
// (a string) that EncodeResult writes verbatim as member NAME, in its place. Producers must
// only store valid JSON there. Used for structuredContent (RawStructuredToolResult in
// mcp/server.h) and the modern era's constant _meta (DecorateModernResult in mcp/modern.h).
inline constexpr std::string_view kRawPrefix = "\x01raw:";
inline constexpr std::string_view kRawStructuredKey = "\x01raw:structuredContent";
inline constexpr std::string_view kRawMetaKey = "\x01raw:_meta";
// A member with this key (any value) stands for "content": a single text block holding the
// JSON text of the kRawStructuredKey member, escaped by EncodeResult (so the ~100 KB text copy
// a RawStructuredToolResult carries is never built, copied or compared in memory).
inline constexpr std::string_view kTextCopyKey = "\x01copy:content";

// Encoders: compact JSON, no trailing newline, members in JSON-RPC order.
// `trailing_members`: pre-serialized members (`"k":v,...`, no leading comma) appended to the
// result, which must then be an object.
std::string EncodeResult(const boost::json::value& id, const boost::json::value& result,
                         std::string_view trailing_members = {});
std::string EncodeError(const boost::json::value& id, const RpcError& error);
std::string EncodeNotification(std::string_view method, const boost::json::value& params);
std::string EncodeRequest(const boost::json::value& id, std::string_view method,
                          const boost::json::value& params);

}  // namespace mcpreg::mcp
