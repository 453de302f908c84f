// The 2026-07-28 (stateless) half of the Streamable HTTP binding, used by McpHttpEndpoint
// (mcp/http_endpoint.h describes the wire rules). Internal to src/mcp.
//
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <memory>

#include "mcp/jsonrpc.h"
#include "mcp/server.h"
#include "transport/http_server.h"

namespace mcpreg::mcp {

// True when the request names a modern protocol version in MCP-Protocol-Version (whitespace
// around the value ignored): its traffic is stateless whatever Mcp-Session-Id it carries.
bool HasModernVersionHeader(const http::HttpRequest& req);

// Answers one POSTed modern request: checks MCP-Protocol-Version against _meta, _meta itself,
// Mcp-Method/Mcp-Name against the body and the method, each with its status and JSON-RPC error
// (errors carry the request id), then serves it with Session::ServeStateless on a JSON or SSE
// response. Exactly one Send() or Stream() on `responder`. REQUIRES: msg is a request.
void ServeModernHttp(const McpServer& server, const http::HttpRequest& req, Message msg,
                     bool accept_json, const std::shared_ptr<http::Responder>& responder);

}  // namespace mcpreg::mcp
