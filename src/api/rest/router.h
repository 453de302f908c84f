// Router: the route table and the fixed middleware around it. Every route is one row of data —
// method, path template, who may call it, which body limit applies, whether it runs off the I/O
// threads, and its handler — so authentication, authorization, body limits and CORS are decided
// in one place, from the matched route, never from the raw request target.
//
// Two phases per request:
//   Admit(head)  on the header, before any body byte is read (HttpServer's on_header hook):
//                NUL check → trailing-slash redirect → route match (404 now) → authentication
//                and header-level authorization for token routes (401/403/422 now) → the
//                matched route's body limit. A refused request's body is never read.
//   Handle(req)  with the body: the same checks (a router used without Admit stays safe), CORS,
//                then the handler — on the WorkPool for routes that make outbound calls.
//
// Middleware order is the official registry's: NUL bytes (400) → trailing-slash redirect (308,
// to a same-origin relative path only) → CORS → routes → JSON 404. API routes exist under both
// /v0 and /v0.1; names and versions in paths are percent-decoded per segment (twice, like
// upstream). The table itself is in router.cc (Router::Router) and fits on one screen.
//
// Absolute URLs in responses start with RouterDeps::public_url; the Host and X-Forwarded-Proto
// headers are never reflected.
//
// Thread-safety: Admit and Handle may be called concurrently; the router is immutable after
// construction.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/http_server.h"

namespace mcpreg {
class WorkPool;
}
namespace mcpreg::auth {
struct Principal;
}
namespace mcpreg::policy {
struct Policy;
}
namespace mcpreg::web {
class WebUi;
struct WebSession;
}
namespace mcpreg::federation {
class SnapshotPublisher;
class ChangeFeed;
}
namespace mcpreg::service {
class RegistryService;
class AuthService;
class FeedService;
class GovernanceService;
}  // namespace mcpreg::service

namespace mcpreg::rest {

struct RouterDeps {
  service::RegistryService* registry = nullptr;      // REQUIRED
  service::AuthService* auth = nullptr;              // optional: write API and token exchange
  service::FeedService* feed = nullptr;              // optional: the package feed
  service::GovernanceService* governance = nullptr;  // optional: requests, review, exports
  const policy::Policy* policy = nullptr;            // optional: governed mode's policy
  federation::SnapshotPublisher* snapshots = nullptr;  // optional: jwks + signed snapshot
  federation::ChangeFeed* changes = nullptr;           // optional: the change feed (long-poll)
  http::Handler mcp;                                 // optional: serves /mcp
  // Optional: the browser interface (api/web/web_ui.h): the catalog at /, /servers/...,
  // /assets/..., sign-in and the console under /ui/. Without it / is a short HTML index.
  web::WebUi* web = nullptr;
  // Optional RFC 9728 protected-resource metadata for /mcp, served at this path and at
  // /.well-known/oauth-protected-resource.
  std::string protected_resource_path;
  std::string protected_resource_metadata;
  // The registry's external base URL, no trailing slash. "" = "http://" + the address the
  // connection was accepted on (the server's own socket, never a client-supplied header).
  std::string public_url;
  // Body limits by route kind (README "Security and limits").
  size_t max_body_bytes = 4 * 1024 * 1024;       // publish, edit, validate
  size_t max_feed_bytes = 100 * 1024 * 1024;     // feed uploads
  size_t max_evidence_bytes = 32 * 1024 * 1024;  // evidence uploads
  size_t max_request_bytes = 256 * 1024;         // server requests (file, update)
  // Routes that call out (token exchange, sign-in, authenticated /mcp) or sign a whole catalog
  // (the snapshot) run here. nullptr = inline.
  WorkPool* pool = nullptr;
  // Every other non-GET route (database writes) runs here, so an I/O thread never waits for a
  // commit and concurrent writes can share one. nullptr = inline.
  WorkPool* write_pool = nullptr;
  std::string version = MCPREG_VERSION;
  std::string git_commit = "unknown";
  std::string build_time = "unknown";
};

// Bodies of routes that take none or a small JSON object (status changes, decisions, GETs).
inline constexpr size_t kSmallBodyBytes = 64 * 1024;

class ResponseCache;

class Router {
 public:
  explicit Router(RouterDeps deps);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Header phase: the body limit of the matched route, or the answer to send without reading
  // the body (400 NUL bytes, 308 redirect, 404 no route, 401/403/422 authentication).
  http::HeaderVerdict Admit(const http::HttpRequest& head) const;
  void Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> responder) const;

  // One line per route: "GET /v0.1/servers/{name}/versions public body=65536".
  std::vector<std::string> Describe() const;

  struct Route;
  struct Call;

 private:
  struct Match;
  // The route for `req` (nullptr = none) and its captured path segments.
  bool Find(const http::HttpRequest& req, Match* out) const;
  // Answers that need no route: NUL bytes, redirects, CORS preflight, the MCP endpoint.
  std::optional<http::HttpResponse> Early(const http::HttpRequest& req) const;
  // Authentication + header-level authorization of a matched route; nullopt = may proceed.
  // `who` receives the authenticated principal (left empty on public routes).
  // Console routes: `session` receives the caller's live web session.
  std::optional<http::HttpResponse> Gate(const http::HttpRequest& req, const Match& m,
                                         std::optional<auth::Principal>* who,
                                         std::optional<web::WebSession>* session) const;
  size_t BodyLimit(const Route& r) const;
  http::HttpResponse NotFoundFor(const http::HttpRequest& req) const;
  std::string BaseUrl(const http::HttpRequest& req) const;
  void AddRoutes();
  void AddWebRoutes();

  RouterDeps deps_;
  std::vector<Route> routes_;
  std::unique_ptr<ResponseCache> cache_;  // rendered GET /servers pages
};

}  // namespace mcpreg::rest
