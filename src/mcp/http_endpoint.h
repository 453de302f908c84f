// McpHttpEndpoint: the Streamable HTTP binding (protocol 2025-03-26 .. 2025-11-25, and
// 2026-07-28 on the same path) of an McpServer, for one endpoint path such as /mcp. The router
// hands it every request for that path via HandleMcpHttp(); it knows nothing about other routes.
//
// Modern (2026-07-28) traffic: a POSTed request carrying modern _meta (or server/discover), or
// sent with a modern MCP-Protocol-Version, is served statelessly (Session::ServeStateless):
// no session, Mcp-Session-Id ignored. MCP-Protocol-Version must be present and equal _meta's
// version, Mcp-Method must equal the method and Mcp-Name the name/uri of tools/call,
// prompts/get, resources/read (else 400, -32020); bad _meta 400/-32602; unsupported version
// 400/-32022; unknown or legacy-only method 404/-32601; -32021 is 400; other errors 200. The
// answer is JSON, or a plain SSE stream when notifications precede it. GET/DELETE with a modern
// MCP-Protocol-Version and no session id: 405.
//
// Legacy traffic:
//  POST   one JSON-RPC message. Requests get `application/json`, or `text/event-stream` when the
//         handler emits notifications/requests first (or the client accepts only SSE).
//         Notifications and responses get 202. `initialize` without Mcp-Session-Id creates a
//         session whose id is returned in the `Mcp-Session-Id` response header.
//  GET    the session's standalone SSE stream (409 if one is open), or with `Last-Event-ID`
//         the resumption of an earlier stream: missed events are replayed and delivery goes on.
//  DELETE ends the session; later use of its id gets 404.
// Errors: 403 foreign Origin/Host (DNS rebinding), 405 other methods, 406 unacceptable Accept,
// 415 non-JSON body, 400 bad JSON-RPC / missing session id / unsupported MCP-Protocol-Version,
// 404 unknown session, 429 session limit of this client, 503 session table full. Error bodies
// are JSON-RPC errors with id null (code -32000 for 429/503, with Retry-After).
//
// Session limits (McpHttpOptions): a session not used for session_idle_ttl and with no open SSE
// stream is ended by a background sweeper (its id then gets 404). One client (remote address;
// an IPv6 /64) holds at most max_sessions_per_client sessions: a further `initialize` gets 429.
// When the table holds max_sessions, the session idle the longest (with no open stream) is
// ended to make room; only when every session has an open stream does `initialize` get 503.
// What a session keeps is bounded by session_limits (see SessionLimits).
//
// SSE streams cost no thread while idle (http::ResponseStream is asynchronous). Event ids are
// "<stream>-<seq>", unique in a session, so a Last-Event-ID names its stream.
//
// Thread-safety: Handle() may be called concurrently from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "mcp/server.h"
#include "mcp/session.h"
#include "transport/http_server.h"

namespace mcpreg::mcp {

struct McpHttpOptions {
  // Origins accepted besides http(s)://localhost, 127.0.0.1 and [::1] on any port; exact match
  // ("https://app.example.com"). A request without Origin is accepted.
  std::vector<std::string> allowed_origins;
  // Host header values accepted besides localhost, 127.0.0.1 and [::1] (any port); exact match
  // of the host part. "*" accepts any Host (for a public deployment behind a known name, list
  // the name instead).
  std::vector<std::string> allowed_hosts;
  // A session unused this long, with no open SSE stream, is ended by the sweeper (which runs
  // every quarter of this, between 100 ms and 30 s).
  std::chrono::seconds session_idle_ttl{10 * 60};
  size_t max_sessions = 10000;          // full: end the longest-idle session, else 503
  size_t max_sessions_per_client = 64;  // per remote address (IPv6: /64); more: 429
  SessionLimits session_limits;         // what one session keeps (capabilities, subscriptions)
  size_t max_events_per_stream = 1024;  // replay buffer for resumption
  std::chrono::milliseconds sse_retry{500};  // `retry:` sent before closing for polling
};

class McpHttpEndpoint {
 public:
  // `server` must outlive the endpoint.
  McpHttpEndpoint(const McpServer& server, McpHttpOptions options);
  ~McpHttpEndpoint();
  McpHttpEndpoint(const McpHttpEndpoint&) = delete;
  McpHttpEndpoint& operator=(const McpHttpEndpoint&) = delete;

  // Answers one HTTP request for the endpoint path (exactly one Send() or Stream()).
  void Handle(http::HttpRequest&& request, std::shared_ptr<http::Responder> responder);

  size_t session_count() const;
  // Ends every session and closes their streams (for shutdown).
  void CloseAll();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The function the REST router calls for the MCP endpoint path.
inline void HandleMcpHttp(McpHttpEndpoint& endpoint, http::HttpRequest&& request,
                          std::shared_ptr<http::Responder> responder) {
  endpoint.Handle(std::move(request), std::move(responder));
}

// Origin/Host policy, exposed for tests. `origin`/`host` are header values.
bool IsAllowedOrigin(std::string_view origin, const McpHttpOptions& options);
bool IsAllowedHost(std::string_view host, const McpHttpOptions& options);

}  // namespace mcpreg::mcp
