#include "mcpreg/status.h"

namespace mcpreg {
namespace {

struct Mapping {
  Code code;
  std::string_view name;
  int http;
  int jsonrpc;  // JSON-RPC 2.0 / MCP error code
  int exit;     // CLI exit code
};

// The one table. JSON-RPC: -32602 invalid params for caller mistakes, -32603 internal,
// implementation-defined -32000..-32019 for the rest. Exit codes: 1 = the request was understood
// but refused or failed, 2 = usage, 3 = environment (unavailable/internal).
constexpr Mapping kTable[] = {
    {Code::kOk, "OK", 200, 0, 0},
    {Code::kInvalidArgument, "InvalidArgument", 400, -32602, 2},
    {Code::kUnprocessable, "Unprocessable", 422, -32602, 1},
    {Code::kNotFound, "NotFound", 404, -32002, 1},
    {Code::kAlreadyExists, "AlreadyExists", 409, -32003, 1},
    {Code::kUnauthenticated, "Unauthenticated", 401, -32001, 1},
    {Code::kPermissionDenied, "PermissionDenied", 403, -32004, 1},
    {Code::kFailedPrecondition, "FailedPrecondition", 400, -32005, 1},
    {Code::kResourceExhausted, "ResourceExhausted", 429, -32006, 1},
    {Code::kPayloadTooLarge, "PayloadTooLarge", 413, -32600, 1},
    {Code::kOutOfRange, "OutOfRange", 416, -32602, 1},
    {Code::kUnavailable, "Unavailable", 503, -32007, 3},
    {Code::kInternal, "Internal", 500, -32603, 3},
};

const Mapping& Find(Code code) {
  for (const auto& m : kTable)
    if (m.code == code) return m;
  return kTable[sizeof(kTable) / sizeof(kTable[0]) - 1];
}

}  // namespace

int HttpStatusFor(Code code) { return Find(code).http; }
int JsonRpcCodeFor(Code code) { return Find(code).jsonrpc; }
int ExitCodeFor(Code code) { return Find(code).exit; }
std::string_view CodeName(Code code) { return Find(code).name; }

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

std::string_view HttpReason(int s) {
  switch (s) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace mcpreg
