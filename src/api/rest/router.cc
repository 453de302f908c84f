#include "api/rest/router.h"

#include <string_view>
#include <vector>

#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "api/rest/response_cache.h"
#include "api/web/html.h"
#include "api/web/web_ui.h"
#include "auth/permissions.h"
#include "auth/principal.h"
#include "core/assets.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "core/work_pool.h"
#include "service/auth_service.h"
#include "service/registry_service.h"

namespace mcpreg::rest {

// Where a route lives: under /v0 and /v0.1, at the root only, or both.
enum class Scope { kApi, kRoot, kBoth };
// Who may call it. kToken answers a missing header with 401, kUpstreamToken with upstream's
// 422 (the official registry validates the required header before authenticating);
// kOptionalToken authenticates when a token is sent (an invalid one is still a 401).
// kSession: the browser console: a live web session cookie (GET without one redirects to
// sign-in, anything else is 403 before the body is read); writes also need the session's CSRF
// token and a same-origin Origin (WebUi::CheckWrite).
enum class Access { kPublic, kOptionalToken, kToken, kUpstreamToken, kSession };
// Which configured body limit applies.
enum class Limit { kSmall, kDefault, kRequest, kEvidence, kFeed };

struct Router::Call {
  const http::HttpRequest& req;
  const std::vector<std::string_view>& params;  // the {captures}, raw, in order
  const auth::Principal* who;                   // nullptr on public / anonymous calls
  const web::WebSession* session = nullptr;     // kSession routes only
};

struct Router::Route {
  std::string_view method;  // GET also answers HEAD
  Scope scope;
  std::string_view pattern;  // "/servers/{name}/versions"; "{x}" captures one raw segment
  Access access;
  Limit limit;
  bool offload;  // makes outbound calls: runs on the WorkPool, never on an I/O thread
  // Header-level authorization: the caller needs one of these actions on the {name} capture
  // (index 0). Empty = decided by the service once the body is in.
  std::vector<std::string_view> actions;
  std::function<http::HttpResponse(const Call&)> handler;
  std::vector<std::string_view> segs;  // pattern split, filled by AddRoutes
  // Instead of `handler`: answers through the responder, possibly later from another thread
  // (long-polls). Must not keep references into the Call past its return.
  std::function<void(const Call&, std::shared_ptr<http::Responder>)> deferred = nullptr;
};

struct Router::Match {
  const Route* route = nullptr;
  std::vector<std::string_view> segs;    // every path segment
  std::vector<std::string_view> tail;    // after the API prefix
  std::vector<std::string_view> params;  // the captures
};

namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 1;  // skip leading '/'
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool HasNul(std::string_view s) {
  return s.find('\0') != std::string_view::npos || s.find("%00") != std::string_view::npos;
}

http::HttpResponse NulBytes(std::string_view what) {
  http::HttpResponse r;
  r.status = 400;
  r.Set("Content-Type", "application/json");
  r.body = std::string(R"({"title":"Bad Request","status":400,"detail":"Invalid request: )") +
           std::string(what) + " contain" + (what == "URL path" ? "s" : "") + " null bytes\"}\n";
  return r;
}

http::HttpResponse NotFound(std::string_view path) {
  std::string detail;
  if (path.rfind("/v0/", 0) == 0 || path.rfind("/v0.1/", 0) == 0 || path == "/v0" ||
      path == "/v0.1") {
    detail = "Endpoint not found. See /docs for the API documentation.";
  } else {
    // The path is the client's: it goes into JSON (escaped by the problem writer), capped.
    std::string p(path.substr(0, 256));
    detail = "Endpoint not found. Did you mean '/v0.1" + p + "' or '/v0" + p +
             "'? See /docs for the API documentation.";
  }
  return ProblemResponse(Status::NotFound(detail));
}

http::HttpResponse Text(std::string body, std::string content_type) {
  http::HttpResponse r;
  r.Set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

// The same-origin relative path a trailing-slash redirect may point to: one leading '/', never
// "//host" or "/\host" (which browsers read as another origin), and only bytes that are safe
// in a header and in HTML (everything else percent-encoded).
std::string SafeRedirectTarget(std::string_view path, std::string_view query) {
  while (!path.empty() && (path.front() == '/' || path.front() == '\\')) path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string out = "/";
  auto append = [&out](std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : s) {
      bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("-._~/%!$'()*+,;=:@?&").find(char(c)) != std::string_view::npos;
      if (c == '\\') safe = false;
      if (safe) {
        out += char(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  };
  append(path);
  if (!query.empty()) {
    out += '?';
    append(query);
  }
  return out;
}

// Applies the router's finishing touches (CORS) to a response a deferred route sends later.
class FinishingResponder final : public http::Responder {
 public:
  FinishingResponder(std::shared_ptr<http::Responder> inner,
                     std::function<http::HttpResponse(http::HttpResponse)> finish)
      : inner_(std::move(inner)), finish_(std::move(finish)) {}
  void Send(http::HttpResponse r) override { inner_->Send(finish_(std::move(r))); }
  std::shared_ptr<http::ResponseStream> Stream(int status, http::Headers headers) override {
    return inner_->Stream(status, std::move(headers));
  }

 private:
  std::shared_ptr<http::Responder> inner_;
  std::function<http::HttpResponse(http::HttpResponse)> finish_;
};

constexpr std::string_view kAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

bool IsGet(std::string_view m) { return m == "GET" || m == "HEAD"; }

}  // namespace

Router::Router(RouterDeps deps)
    : deps_(std::move(deps)), cache_(std::make_unique<ResponseCache>()) {
  AddRoutes();
}

Router::~Router() = default;

// The route table. Read top to bottom: the first route whose method and template match wins.
void Router::AddRoutes() {
  auto& reg = *deps_.registry;
  auto name = [](const Call& c, size_t i) { return PathUnescapeTwice(c.params[i]); };
  auto bad = [](std::string_view what) {
    return ProblemResponse(Status::InvalidArgument("Invalid " + std::string(what) + " encoding"));
  };
  auto add = [this](Route r) { routes_.push_back(std::move(r)); };
  using A = Access;
  using L = Limit;

  // --- meta ---------------------------------------------------------------------------------
  // 503 problem+json while the database is unreachable (reads are still served from memory;
  // a load balancer takes the replica out of rotation for writes).
  add({"GET", Scope::kBoth, "/health", A::kPublic, L::kSmall, false, {}, [&reg](const Call&) {
         Status st = reg.Health();
         if (!st.ok()) return ProblemResponse(Status::Unavailable(st.message()));
         return JsonResponse(R"({"status":"ok"})");
       }});
  add({"GET", Scope::kBoth, "/ping", A::kPublic, L::kSmall, false, {},
       [](const Call&) { return JsonResponse(R"({"pong":true})"); }});
  add({"GET", Scope::kBoth, "/version", A::kPublic, L::kSmall, false, {}, [this](const Call&) {
         std::string body;
         json::JsonOut w(body);
         w.BeginObject()
             .Key("version").String(deps_.version)
             .Key("git_commit").String(deps_.git_commit)
             .Key("build_time").String(deps_.build_time)
             .EndObject();
         return JsonResponse(std::move(body));
       }});
  add({"GET", Scope::kRoot, "/openapi.yaml", A::kPublic, L::kSmall, false, {}, [](const Call&) {
         return Text(std::string(assets::OpenApiYaml()), "application/yaml");
       }});
  auto home = [](const Call&) {
    return Text(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>mcpreg</title></head><body>"
        "<h1>mcpreg</h1><p>An MCP server registry speaking the official MCP Registry API.</p>"
        "<ul><li><a href=\"/v0.1/servers\">/v0.1/servers</a></li>"
        "<li><a href=\"/openapi.yaml\">/openapi.yaml</a> (API reference)</li>"
        "<li><a href=\"/v0.1/health\">/v0.1/health</a></li></ul></body></html>\n",
        "text/html; charset=utf-8");
  };
  if (!deps_.web) add({"GET", Scope::kRoot, "/", A::kPublic, L::kSmall, false, {}, home});
  add({"GET", Scope::kRoot, "/docs", A::kPublic, L::kSmall, false, {}, home});
  if (deps_.web) AddWebRoutes();
  if (!deps_.protected_resource_metadata.empty()) {
    auto meta = [this](const Call&) { return JsonResponse(deps_.protected_resource_metadata); };
    add({"GET", Scope::kRoot, "/.well-known/oauth-protected-resource", A::kPublic, L::kSmall,
         false, {}, meta});
    if (!deps_.protected_resource_path.empty())
      add({"GET", Scope::kRoot, deps_.protected_resource_path, A::kPublic, L::kSmall, false, {},
           meta});
  }

  // --- the read API -------------------------------------------------------------------------
  add({"GET", Scope::kApi, "/servers", A::kPublic, L::kSmall, false, {}, [this](const Call& c) {
         auto q = QueryParams::Parse(c.req.query);
         if (!q.ok()) return ProblemResponse(q.status());
         return ListServers(*deps_.registry, *q, c.req.query, cache_.get());
       }});
  add({"GET", Scope::kApi, "/servers/{name}/versions", A::kPublic, L::kSmall, false, {},
       [&reg](const Call& c) {
         auto q = QueryParams::Parse(c.req.query);
         if (!q.ok()) return ProblemResponse(q.status());
         return ListVersions(reg, c.params[0], *q);
       }});
  add({"GET", Scope::kApi, "/servers/{name}/versions/{version}", A::kPublic, L::kSmall, false, {},
       [&reg](const Call& c) {
         auto q = QueryParams::Parse(c.req.query);
         if (!q.ok()) return ProblemResponse(q.status());
         return GetVersion(reg, c.params[0], c.params[1], *q);
       }});
  add({"POST", Scope::kApi, "/validate", A::kPublic, L::kDefault, false, {},
       [this](const Call& c) { return Validate(c.req.body, deps_.policy); }});
  // --- federation: the signing key and the signed snapshot of the public catalog ------------
  if (auto* snapshots = deps_.snapshots) {
    add({"GET", Scope::kApi, "/x/dev.mcpreg/jwks", A::kPublic, L::kSmall, false, {},
         [snapshots](const Call&) { return Jwks(*snapshots); }});
    // Signing a changed catalog (tens of MB) takes a while: never on an I/O thread.
    add({"GET", Scope::kApi, "/x/dev.mcpreg/snapshot", A::kPublic, L::kSmall, true, {},
         [snapshots](const Call& c) { return Snapshot(*snapshots, c.req); }});
  }
  // --- federation: the change feed (first read off the I/O threads; a long-poll then waits
  // on the feed's own thread, holding no worker) -----------------------------------------------
  if (auto* changes = deps_.changes) {
    Route r{"GET", Scope::kApi, "/x/dev.mcpreg/changes", A::kPublic, L::kSmall, true, {}, nullptr};
    r.deferred = [changes](const Call& c, std::shared_ptr<http::Responder> out) {
      Changes(*changes, c.req, std::move(out));
    };
    add(std::move(r));
  }

  if (!deps_.auth) return;  // read-only router (tests, the MCP bridge)
  auto& auth = *deps_.auth;

  // --- token exchange: outbound calls (JWKS, discovery, proofs) → off the I/O threads --------
  for (std::string_view path : {"/auth/oidc", "/auth/github-oidc"})
    add({"POST", Scope::kApi, path, A::kPublic, L::kSmall, true, {},
         [&auth](const Call& c) { return ExchangeOidc(auth, c.req.body); }});
  add({"POST", Scope::kApi, "/auth/dns", A::kPublic, L::kSmall, true, {},
       [&auth](const Call& c) { return ExchangeProof(auth, c.req.body, true); }});
  add({"POST", Scope::kApi, "/auth/http", A::kPublic, L::kSmall, true, {},
       [&auth](const Call& c) { return ExchangeProof(auth, c.req.body, false); }});

  // --- writes -------------------------------------------------------------------------------
  add({"POST", Scope::kApi, "/publish", A::kUpstreamToken, L::kDefault, false, {},
       [&reg](const Call& c) { return Publish(reg, *c.who, c.req.body); }});
  add({"PUT", Scope::kApi, "/servers/{name}/versions/{version}", A::kUpstreamToken, L::kDefault,
       false, {auth::kActionEdit}, [&reg, name, bad](const Call& c) {
         auto n = name(c, 0), v = name(c, 1);
         if (!n) return bad("server name");
         if (!v) return bad("version");
         return Edit(reg, *c.who, *n, *v, c.req.body);
       }});
  add({"PATCH", Scope::kApi, "/servers/{name}/versions/{version}/status", A::kUpstreamToken,
       L::kSmall, false, {auth::kActionPublish, auth::kActionEdit},
       [&reg, name, bad](const Call& c) {
         auto n = name(c, 0), v = name(c, 1);
         if (!n) return bad("server name");
         if (!v) return bad("version");
         return SetStatus(reg, *c.who, *n, *v, c.req.body);
       }});
  add({"PATCH", Scope::kApi, "/servers/{name}/status", A::kUpstreamToken, L::kSmall, false,
       {auth::kActionPublish, auth::kActionEdit}, [&reg, name, bad](const Call& c) {
         auto n = name(c, 0);
         if (!n) return bad("server name");
         return SetStatus(reg, *c.who, *n, std::nullopt, c.req.body);
       }});

  // --- the package feed ---------------------------------------------------------------------
  if (deps_.feed) {
    auto& feed = *deps_.feed;
    add({"PUT", Scope::kApi, "/x/dev.mcpreg/feed/{name}/{version}/{file}", A::kUpstreamToken,
         L::kFeed, false, {auth::kActionFeed}, [this, &feed, name, bad](const Call& c) {
           auto n = name(c, 0), v = name(c, 1);
           auto f = PathUnescape(c.params[2]);
           if (!n || !v || !f) return bad("path");
           return FeedUpload(feed, *c.who, c.req, *n, *v, *f, BaseUrl(c.req));
         }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/feed/artifacts/{sha256}", A::kOptionalToken,
         L::kSmall, false, {},
         [&feed](const Call& c) { return FeedDownload(feed, c.who, c.req, std::string(c.params[0]), ""); }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/feed/artifacts/{sha256}/{file}", A::kOptionalToken,
         L::kSmall, false, {}, [&feed, bad](const Call& c) {
           auto f = PathUnescape(c.params[1]);
           if (!f) return bad("file name");
           return FeedDownload(feed, c.who, c.req, std::string(c.params[0]), *f);
         }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/feed/{name}/{version}", A::kOptionalToken, L::kSmall,
         false, {}, [this, &feed, name, bad](const Call& c) {
           auto n = name(c, 0), v = name(c, 1);
           if (!n || !v) return bad("path");
           return FeedList(feed, c.who, *n, *v, BaseUrl(c.req));
         }});
  }

  // --- governance: requests, review, evidence, exports ---------------------------------------
  if (deps_.governance) {
    auto& gov = *deps_.governance;
    add({"GET", Scope::kApi, "/x/dev.mcpreg/export/{kind}", A::kPublic, L::kSmall, false, {},
         [this, &gov](const Call& c) {
           auto r = ExportRoute(gov, c.req, c.params[0], BaseUrl(c.req));
           return r ? std::move(*r) : NotFound(c.req.path);
         }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/review", A::kToken, L::kSmall, false, {},
         [&gov](const Call& c) { return ReviewQueue(gov, *c.who, c.req.query); }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/requests", A::kToken, L::kSmall, false, {},
         [&gov](const Call& c) { return ListServerRequests(gov, *c.who, c.req.query); }});
    add({"POST", Scope::kApi, "/x/dev.mcpreg/requests", A::kToken, L::kRequest, false, {},
         [&gov](const Call& c) { return FileRequest(gov, *c.who, c.req.body); }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/requests/{name}", A::kToken, L::kSmall, false, {},
         [&gov, name, bad](const Call& c) {
           auto n = name(c, 0);
           return n ? GetRequest(gov, *c.who, *n) : bad("server name");
         }});
    add({"PUT", Scope::kApi, "/x/dev.mcpreg/requests/{name}", A::kToken, L::kRequest, false, {},
         [&gov, name, bad](const Call& c) {
           auto n = name(c, 0);
           return n ? UpdateRequest(gov, *c.who, *n, c.req.body) : bad("server name");
         }});
    for (auto [path, decision] :
         {std::pair{"/x/dev.mcpreg/requests/{name}/approve", Decision::kApprove},
          std::pair{"/x/dev.mcpreg/requests/{name}/reject", Decision::kReject},
          std::pair{"/x/dev.mcpreg/requests/{name}/retire", Decision::kRetire}})
      add({"POST", Scope::kApi, path, A::kToken, L::kSmall, false, {},
           [&gov, name, bad, decision = decision](const Call& c) {
             auto n = name(c, 0);
             return n ? DecideRequest(gov, *c.who, *n, decision, c.req.body) : bad("server name");
           }});
    add({"GET", Scope::kApi, "/x/dev.mcpreg/servers/{name}/versions/{version}/evidence",
         A::kToken, L::kSmall, false, {}, [&gov, name, bad](const Call& c) {
           auto n = name(c, 0), v = name(c, 1);
           return n && v ? GetEvidence(gov, *c.who, *n, *v) : bad("path");
         }});
    add({"POST", Scope::kApi, "/x/dev.mcpreg/servers/{name}/versions/{version}/evidence",
         A::kToken, L::kEvidence, false, {}, [&gov, name, bad](const Call& c) {
           auto n = name(c, 0), v = name(c, 1);
           return n && v ? PostEvidence(gov, *c.who, *n, *v, c.req.body) : bad("path");
         }});
  }
  for (auto& r : routes_) r.segs = SplitPath(r.pattern);
}

// The browser interface (api/web/web_ui.h). Sign-in calls the issuer (discovery, token
// endpoint, JWKS): offloaded. Console routes read grants from the database: they run on the
// write pool like writes (Handle), never on an I/O thread.
void Router::AddWebRoutes() {
  web::WebUi& ui = *deps_.web;
  auto add = [this](Route r) { routes_.push_back(std::move(r)); };
  using A = Access;
  using L = Limit;
  const auto root = Scope::kRoot;
  add({"GET", root, "/", A::kPublic, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.Catalog(c.req); }});
  add({"GET", root, "/servers/{name}", A::kPublic, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.ServerPage(c.req, c.params[0]); }});
  add({"GET", root, "/servers/{name}/versions/{version}", A::kPublic, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.VersionPage(c.req, c.params[0], c.params[1]); }});
  add({"GET", root, "/assets/{file}", A::kPublic, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.Asset(c.req, c.params[0]); }});
  add({"GET", root, "/ui/login", A::kPublic, L::kSmall, true, {},
       [&ui](const Call& c) { return ui.StartLogin(c.req); }});
  add({"GET", root, "/ui/callback", A::kPublic, L::kSmall, true, {},
       [&ui](const Call& c) { return ui.Callback(c.req); }});
  add({"POST", root, "/ui/logout", A::kPublic, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.Logout(c.req); }});
  if (!deps_.governance) return;
  add({"GET", root, "/ui/requests", A::kSession, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.MyRequests(c.req, *c.session); }});
  add({"GET", root, "/ui/requests/new", A::kSession, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.NewRequestForm(c.req, *c.session); }});
  add({"POST", root, "/ui/requests", A::kSession, L::kDefault, false, {},
       [&ui](const Call& c) { return ui.FileRequest(c.req, *c.session); }});
  add({"GET", root, "/ui/requests/{name}", A::kSession, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.RequestPage(c.req, *c.session, c.params[0]); }});
  add({"POST", root, "/ui/requests/{name}", A::kSession, L::kDefault, false, {},
       [&ui](const Call& c) { return ui.UpdateRequest(c.req, *c.session, c.params[0]); }});
  for (auto [path, d] : {std::pair{"/ui/requests/{name}/approve", web::WebUi::Decision::kApprove},
                         std::pair{"/ui/requests/{name}/reject", web::WebUi::Decision::kReject},
                         std::pair{"/ui/requests/{name}/retire", web::WebUi::Decision::kRetire}})
    add({"POST", root, path, A::kSession, L::kSmall, false, {},
         [&ui, d = d](const Call& c) { return ui.Decide(c.req, *c.session, c.params[0], d); }});
  add({"POST", root, "/ui/servers/{name}/versions/{version}/evidence", A::kSession, L::kEvidence,
       false, {}, [&ui](const Call& c) {
         return ui.AddEvidence(c.req, *c.session, c.params[0], c.params[1]);
       }});
  add({"GET", root, "/ui/review", A::kSession, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.ReviewQueue(c.req, *c.session); }});
  add({"GET", root, "/ui/history/{name}", A::kSession, L::kSmall, false, {},
       [&ui](const Call& c) { return ui.History(c.req, *c.session, c.params[0]); }});
}

bool Router::Find(const http::HttpRequest& req, Match* m) const {
  m->segs = SplitPath(req.path);
  const bool api = !m->segs.empty() && (m->segs[0] == "v0" || m->segs[0] == "v0.1");
  m->tail.assign(m->segs.begin() + (api ? 1 : 0), m->segs.end());
  for (const auto& r : routes_) {
    if (r.method != req.method && !(r.method == "GET" && req.method == "HEAD")) continue;
    if (api ? r.scope == Scope::kRoot : r.scope == Scope::kApi) continue;
    const auto& segs = api ? m->tail : m->segs;
    // "/" splits to {""}: a root template matches only the exact path.
    if (segs.size() != r.segs.size()) continue;
    m->params.clear();
    bool ok = true;
    for (size_t i = 0; ok && i < segs.size(); ++i) {
      std::string_view p = r.segs[i];
      if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
        ok = !segs[i].empty();
        m->params.push_back(segs[i]);
      } else {
        ok = p == segs[i];
      }
    }
    if (ok) {
      m->route = &r;
      return true;
    }
  }
  return false;
}

std::optional<http::HttpResponse> Router::Early(const http::HttpRequest& req) const {
  // 1. NUL bytes.
  if (HasNul(req.path)) return NulBytes("URL path");
  if (HasNul(req.query)) return NulBytes("query parameters");
  // 2. Trailing slash → 308 to the same path without it (query kept), same origin only.
  if (req.path.size() > 1 && req.path.back() == '/') {
    std::string loc = SafeRedirectTarget(req.path, req.query);
    http::HttpResponse r;
    r.status = 308;
    r.Set("Location", loc);
    if (IsGet(req.method)) {
      r.Set("Content-Type", "text/html; charset=utf-8");
      // `loc` holds no '"', '<', '>' or '&' outside a query ('&' is harmless in an href).
      r.body = "<a href=\"" + loc + "\">Permanent Redirect</a>.\n\n";
    }
    return r;
  }
  // 3. CORS preflight (like rs/cors: only for requests that carry an Origin).
  if (req.method == "OPTIONS" && req.Header("Origin") && req.Header("Access-Control-Request-Method")) {
    http::HttpResponse r;
    r.status = 204;
    r.Set("Access-Control-Allow-Origin", "*");
    r.Set("Access-Control-Allow-Methods", std::string(kAllowMethods));
    // Echo only a syntactically plain header list (token characters, commas, spaces).
    auto hdrs = req.Header("Access-Control-Request-Headers");
    bool plain = hdrs && hdrs->size() <= 512 &&
                 hdrs->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_, ") == std::string_view::npos;
    r.Set("Access-Control-Allow-Headers",
          plain ? std::string(*hdrs) : std::string("Authorization, Content-Type"));
    r.Set("Access-Control-Max-Age", "86400");
    r.Set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    return r;
  }
  return std::nullopt;
}

std::optional<http::HttpResponse> Router::Gate(const http::HttpRequest& req, const Match& m,
                                               std::optional<auth::Principal>* who,
                                               std::optional<web::WebSession>* session) const {
  const Route& r = *m.route;
  if (r.access == Access::kSession) {
    auto s = deps_.web ? deps_.web->SessionOf(req) : std::nullopt;
    if (!s) {
      if (IsGet(req.method)) {
        std::string next = req.path + (req.query.empty() ? "" : "?" + req.query);
        return web::SeeOther("/ui/login?next=" + web::UrlComponent(next));
      }
      return ProblemResponse(Status::PermissionDenied("sign in first: no valid session"));
    }
    *who = s->who;
    *session = std::move(s);
    return std::nullopt;
  }
  if (r.access == Access::kPublic || !deps_.auth) return std::nullopt;
  auto header = req.Header("Authorization");
  if (!header) {
    if (r.access == Access::kOptionalToken) return std::nullopt;
    if (r.access == Access::kUpstreamToken)
      return ProblemResponse(ApiError{Status::Unprocessable("validation failed"),
                                      {{"required header parameter is missing",
                                        "header.Authorization", std::nullopt}}});
    return ProblemResponse(Status::Unauthenticated(
        "this route needs a registry token (Authorization: Bearer <token>)"));
  }
  auto p = deps_.auth->Authenticate(*header);
  if (!p.ok()) return ProblemResponse(p.status());
  if (!r.actions.empty()) {
    // Rights as they are now (a revoked grant stops the next write), not as in the token.
    auto live = deps_.auth->Live(*p);
    if (!live.ok()) return ProblemResponse(live.status());
    p = std::move(*live);
    auto name = PathUnescapeTwice(m.params[0]);
    if (!name) return ProblemResponse(Status::InvalidArgument("Invalid server name encoding"));
    bool allowed = false;
    for (auto action : r.actions) allowed = allowed || auth::HasPermission(p->permissions, action, *name);
    if (!allowed) {
      std::string what = r.actions[0] == auth::kActionEdit && r.actions.size() == 1
                             ? "You do not have edit permissions for this server"
                         : r.actions[0] == auth::kActionFeed
                             ? "You do not have permission to upload packages for " + *name
                             : "You do not have permission to update the status of this server";
      return ProblemResponse(Status::PermissionDenied(what));
    }
  }
  *who = std::move(*p);
  return std::nullopt;
}

http::HttpResponse Router::NotFoundFor(const http::HttpRequest& req) const {
  // A browser (Accept: text/html) asking for a page outside the API gets the HTML 404 page
  // with a way back; API clients keep upstream's JSON.
  auto accept = req.Header("Accept");
  bool api = req.path == "/v0" || req.path == "/v0.1" || req.path.rfind("/v0/", 0) == 0 ||
             req.path.rfind("/v0.1/", 0) == 0;
  if (deps_.web && !api && accept && accept->find("text/html") != std::string_view::npos)
    return deps_.web->NotFoundPage(req, "page");
  return NotFound(req.path);
}

size_t Router::BodyLimit(const Route& r) const {
  switch (r.limit) {
    case Limit::kSmall: return kSmallBodyBytes;
    case Limit::kDefault: return deps_.max_body_bytes;
    case Limit::kRequest: return deps_.max_request_bytes;
    case Limit::kEvidence: return deps_.max_evidence_bytes;
    case Limit::kFeed: return deps_.max_feed_bytes;
  }
  return kSmallBodyBytes;
}

std::string Router::BaseUrl(const http::HttpRequest& req) const {
  if (!deps_.public_url.empty()) return deps_.public_url;
  return "http://" + (req.local_address.empty() ? std::string("localhost") : req.local_address);
}

http::HeaderVerdict Router::Admit(const http::HttpRequest& head) const {
  http::HeaderVerdict v;
  if (auto early = Early(head)) {
    v.reply = std::move(early);
    return v;
  }
  if (head.path == "/mcp" && deps_.mcp) return v;  // the endpoint applies its own limits
  Match m;
  if (!Find(head, &m)) {
    v.reply = NotFoundFor(head);
  } else {
    std::optional<auth::Principal> who;
    std::optional<web::WebSession> session;
    if (auto refused = Gate(head, m, &who, &session)) v.reply = std::move(refused);
    else v.body_limit = BodyLimit(*m.route);
  }
  if (v.reply && head.Header("Origin")) {
    v.reply->Set("Access-Control-Allow-Origin", "*");
    v.reply->Set("Vary", "Origin");
  }
  return v;
}

void Router::Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> responder) const {
  if (auto early = Early(req)) return responder->Send(std::move(*early));
  // The MCP endpoint does its own Origin checks and CORS.
  if (req.path == "/mcp" && deps_.mcp) return deps_.mcp(std::move(req), std::move(responder));

  const bool cors = req.Header("Origin").has_value();
  auto finish = [cors](http::HttpResponse r) {
    if (cors) {
      r.Set("Access-Control-Allow-Origin", "*");
      r.Set("Access-Control-Expose-Headers", "Content-Type, Content-Length");
      r.Set("Vary", "Origin");
    }
    return r;
  };
  auto m = std::make_shared<Match>();
  if (!Find(req, m.get())) return responder->Send(finish(NotFoundFor(req)));
  auto who = std::make_shared<std::optional<auth::Principal>>();
  auto session = std::make_shared<std::optional<web::WebSession>>();
  if (auto refused = Gate(req, *m, who.get(), session.get()))
    return responder->Send(finish(std::move(*refused)));
  if (req.body.size() > BodyLimit(*m->route))  // a caller that skipped Admit
    return responder->Send(finish(ProblemResponse(Status::PayloadTooLarge(
        "request body exceeds " + std::to_string(BodyLimit(*m->route)) + " bytes"))));

  const bool console = m->route->access == Access::kSession;
  auto run = [this, m, who, session, finish, console](const http::HttpRequest& r,
                                                       const std::shared_ptr<http::Responder>& out) {
    // Console writes: CSRF token and same origin, checked with the body in.
    if (console && !IsGet(r.method))
      if (auto refused = deps_.web->CheckWrite(r, **session)) return out->Send(finish(std::move(*refused)));
    Call call{r, m->params, who->has_value() ? &**who : nullptr,
              session->has_value() ? &**session : nullptr};
    if (m->route->deferred)
      return m->route->deferred(call, std::make_shared<FinishingResponder>(out, finish));
    out->Send(finish(m->route->handler(call)));
  };
  // Outbound calls and database access keep the I/O threads free (console pages read grants).
  WorkPool* pool = m->route->offload                     ? deps_.pool
                   : IsGet(req.method) && !console       ? nullptr
                                                         : deps_.write_pool;
  if (!pool) return run(req, responder);
  // `m` points into `req`'s path: move both along.
  auto owned = std::make_shared<http::HttpRequest>(std::move(req));
  Find(*owned, m.get());  // re-point the captures at the moved request
  bool queued = pool->Submit([owned, run, responder] { run(*owned, responder); });
  if (!queued) {
    auto r = ProblemResponse(Status::Unavailable(
        pool == deps_.pool ? "too many outbound calls in progress; retry shortly"
                           : "too many writes in progress; retry shortly"));
    r.Set("Retry-After", "1");
    responder->Send(finish(std::move(r)));
  }
}

std::vector<std::string> Router::Describe() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) {
    std::string prefix = r.scope == Scope::kRoot ? "" : "/v0.1";
    std::string access = r.access == Access::kPublic          ? "public"
                         : r.access == Access::kOptionalToken ? "optional-token"
                         : r.access == Access::kSession       ? "session"
                                                              : "token";
    for (auto a : r.actions) access += "+" + std::string(a);
    out.push_back(std::string(r.method) + " " + prefix + std::string(r.pattern) + " " + access +
                  " body=" + std::to_string(BodyLimit(r)) + (r.offload ? " offload" : ""));
  }
  return out;
}

}  // namespace mcpreg::rest
