// WebUi: the browser interface, served by `mcpreg serve` from the same router as the API.
//
//   Public catalog (no sign-in; shows exactly what the public API shows):
//     GET /                                         catalog: ?search=&transport=remote|local
//                                                   &registry_type=&include_deprecated=true
//                                                   &cursor=  (same semantics as /v0.1/servers)
//     GET /servers/{name}                           a server (latest version), 404 page if unknown
//     GET /servers/{name}/versions/{version}        one version
//     GET /assets/{file}                            embedded CSS/JS (no other origin, ever)
//   Sign-in (OpenID Connect, authorization code + PKCE; config `ui.login`):
//     GET  /ui/login[?next=PATH]                    redirect to the issuer's authorize endpoint
//     GET  /ui/callback?code=&state=                code → id_token → session cookie
//     POST /ui/logout                               ends the session on the server
//   Console (session required; GET without one redirects to /ui/login, POST is 403):
//     GET  /ui/requests                             my requests (those the person may read)
//     GET  /ui/requests/new                         the request form
//     POST /ui/requests                             file a request (form fields)
//     GET  /ui/requests/{name}                      one request: state, gates, compliance
//     POST /ui/requests/{name}                      update + resubmit
//     POST /ui/requests/{name}/approve|reject|retire
//     POST /ui/servers/{name}/versions/{version}/evidence   SARIF log or an attestation
//     GET  /ui/review                               the review queue (reviewers)
//     GET  /ui/history/{name}                       the server's audit timeline
//
// Every page is rendered on the server (html.h escapes every string that is not ours); the
// small scripts under assets/web/ only enhance (as-you-type search, copy buttons, live
// validation). Console writes go through GovernanceService, like the REST API.
//
// Every state-changing console request carries the session's CSRF token (form field `csrf` or
// header `X-CSRF-Token`) and a same-origin `Origin` (or, when absent, `Referer`): the router
// calls CheckWrite before the handler; failures are 403.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "transport/http_server.h"

namespace mcpreg::auth {
class HttpFetcher;
}
namespace mcpreg::config {
struct AuthConfig;
}
namespace mcpreg::policy {
struct Policy;
}
namespace mcpreg::service {
class RegistryService;
class AuthService;
class GovernanceService;
}  // namespace mcpreg::service
namespace mcpreg {
class Store;
class Clock;
}  // namespace mcpreg

namespace mcpreg::web {

class SessionStore;
class Login;

// Sign-in for people (config `ui.login`).
struct LoginOptions {
  std::string issuer_name;  // an auth.issuers[].name; "" = sign-in disabled
  std::string client_id;    // the id_token's aud must contain it
  // private_key_jwt client authentication (RFC 7523) with this PEM key; "" = public client.
  std::string private_key_file;
  std::string private_key_id;  // "kid" of that key, when the IdP needs one
  int64_t session_ttl_seconds = 8 * 3600;       // absolute lifetime of a session
  int64_t session_idle_seconds = 3600;          // idle lifetime
  size_t max_sessions = 10000;                  // oldest dropped beyond this
  size_t max_pending_logins = 10000;            // started, not yet called back (10 min each)
};

struct WebDeps {
  service::RegistryService* registry = nullptr;      // REQUIRED
  service::GovernanceService* governance = nullptr;  // optional: the console
  service::AuthService* auth = nullptr;              // optional: sign-in
  const policy::Policy* policy = nullptr;
  Store* store = nullptr;  // the audit log (History)
  const Clock* clock = nullptr;
  std::shared_ptr<auth::HttpFetcher> fetcher;  // discovery and JWKS (outbound)
  // The issuers the registry trusts (auth.issuers), for sign-in.
  const config::AuthConfig* auth_config = nullptr;
  LoginOptions login;
  std::string public_url;  // "" = http://<local address>
};

// A signed-in person.
struct WebSession {
  std::string id;    // opaque, 256 random bits, base64url
  std::string csrf;  // per-session CSRF token
  auth::Principal who;
  int64_t created_at = 0;
  int64_t last_seen = 0;
};

class WebUi {
 public:
  explicit WebUi(WebDeps deps);
  ~WebUi();
  WebUi(const WebUi&) = delete;
  WebUi& operator=(const WebUi&) = delete;

  // --- public catalog (catalog_pages.cc) ---------------------------------------------------
  http::HttpResponse Catalog(const http::HttpRequest& req) const;
  http::HttpResponse ServerPage(const http::HttpRequest& req, std::string_view raw_name) const;
  http::HttpResponse VersionPage(const http::HttpRequest& req, std::string_view raw_name,
                                 std::string_view raw_version) const;
  http::HttpResponse Asset(const http::HttpRequest& req, std::string_view file) const;
  // The HTML 404 page for any other path the browser interface owns.
  http::HttpResponse NotFoundPage(const http::HttpRequest& req, std::string_view what) const;

  // --- sign-in (login.cc) ------------------------------------------------------------------
  bool login_enabled() const;
  // Outbound calls (discovery, token endpoint, JWKS): the router runs these on its pool.
  http::HttpResponse StartLogin(const http::HttpRequest& req) const;
  http::HttpResponse Callback(const http::HttpRequest& req) const;
  http::HttpResponse Logout(const http::HttpRequest& req) const;
  // The session of the request's cookie (nullopt: none, expired or signed out). Memory only,
  // no I/O (the router calls it on the header): the principal's stored grants are as of
  // sign-in; console handlers (on the write pool) refresh them with AuthService::Live.
  std::optional<WebSession> SessionOf(const http::HttpRequest& req) const;
  // For state-changing console requests: nullopt when the request's Origin/Referer is this
  // registry's origin and it carries the session's CSRF token; else the 403 to send.
  std::optional<http::HttpResponse> CheckWrite(const http::HttpRequest& req,
                                               const WebSession& session) const;

  // --- console (console_pages.cc); `s` is the caller's live session -----------------------
  http::HttpResponse MyRequests(const http::HttpRequest& req, const WebSession& s) const;
  http::HttpResponse NewRequestForm(const http::HttpRequest& req, const WebSession& s) const;
  http::HttpResponse FileRequest(const http::HttpRequest& req, const WebSession& s) const;
  http::HttpResponse RequestPage(const http::HttpRequest& req, const WebSession& s,
                                 std::string_view raw_name) const;
  http::HttpResponse UpdateRequest(const http::HttpRequest& req, const WebSession& s,
                                   std::string_view raw_name) const;
  enum class Decision { kApprove, kReject, kRetire };
  http::HttpResponse Decide(const http::HttpRequest& req, const WebSession& s,
                            std::string_view raw_name, Decision d) const;
  http::HttpResponse AddEvidence(const http::HttpRequest& req, const WebSession& s,
                                 std::string_view raw_name, std::string_view raw_version) const;
  http::HttpResponse ReviewQueue(const http::HttpRequest& req, const WebSession& s) const;
  http::HttpResponse History(const http::HttpRequest& req, const WebSession& s,
                             std::string_view raw_name) const;

  // This registry's base URL for `req` (public_url, else http://<local address>).
  std::string BaseUrl(const http::HttpRequest& req) const;
  const WebDeps& deps() const { return deps_; }
  // The server-side sessions (sign-in opens them; tests open them directly).
  SessionStore& sessions() const { return *sessions_; }

 private:
  WebDeps deps_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<Login> login_;
};

}  // namespace mcpreg::web
