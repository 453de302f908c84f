#include "api/rest/router.h"

#include <string_view>
#include <vector>

#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "api/rest/response_cache.h"
#include "core/assets.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "service/auth_service.h"

namespace mcpreg::rest {
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
    detail = "Endpoint not found. Did you mean '/v0.1" + std::string(path) + "' or '/v0" +
             std::string(path) + "'? See /docs for the API documentation.";
  }
  return ProblemResponse(Status::NotFound(detail));
}

http::HttpResponse Text(std::string body, std::string content_type) {
  http::HttpResponse r;
  r.Set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

constexpr std::string_view kAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

}  // namespace

Router::Router(RouterDeps deps)
    : deps_(std::move(deps)), cache_(std::make_unique<ResponseCache>()) {}

Router::~Router() = default;

void Router::Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> responder) const {
  // 1. NUL bytes.
  if (HasNul(req.path)) return responder->Send(NulBytes("URL path"));
  if (HasNul(req.query)) return responder->Send(NulBytes("query parameters"));
  // 2. Trailing slash → 308 to the same path without it (query kept).
  if (req.path.size() > 1 && req.path.back() == '/') {
    std::string loc = req.path;
    while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
    if (!req.query.empty()) loc += "?" + req.query;
    http::HttpResponse r;
    r.status = 308;
    r.Set("Location", loc);
    if (req.method == "GET" || req.method == "HEAD") {
      r.Set("Content-Type", "text/html; charset=utf-8");
      r.body = "<a href=\"" + loc + "\">Permanent Redirect</a>.\n\n";
    }
    return responder->Send(std::move(r));
  }
  // The MCP endpoint does its own Origin checks and CORS.
  if (req.path == "/mcp" && deps_.mcp) return deps_.mcp(std::move(req), std::move(responder));

  // 3. CORS (like rs/cors: only for requests that carry an Origin).
  auto origin = req.Header("Origin");
  if (req.method == "OPTIONS" && origin && req.Header("Access-Control-Request-Method")) {
    http::HttpResponse r;
    r.status = 204;
    r.Set("Access-Control-Allow-Origin", "*");
    r.Set("Access-Control-Allow-Methods", std::string(kAllowMethods));
    auto hdrs = req.Header("Access-Control-Request-Headers");
    r.Set("Access-Control-Allow-Headers", hdrs ? std::string(*hdrs) : "Authorization, Content-Type");
    r.Set("Access-Control-Max-Age", "86400");
    r.Set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    return responder->Send(std::move(r));
  }
  http::HttpResponse r = Route(req);
  if (origin) {
    r.Set("Access-Control-Allow-Origin", "*");
    r.Set("Access-Control-Expose-Headers", "Content-Type, Content-Length");
    r.Set("Vary", "Origin");
  }
  responder->Send(std::move(r));
}

http::HttpResponse Router::Route(const http::HttpRequest& req) const {
  const bool get = req.method == "GET" || req.method == "HEAD";
  auto segs = SplitPath(req.path);
  auto query = [&]() { return QueryParams::Parse(req.query); };

  if (!deps_.protected_resource_metadata.empty() && get &&
      (req.path == deps_.protected_resource_path ||
       req.path == "/.well-known/oauth-protected-resource"))
    return JsonResponse(deps_.protected_resource_metadata);
  if (req.path == "/openapi.yaml" && get)
    return Text(std::string(assets::OpenApiYaml()), "application/yaml");
  if ((req.path == "/" || req.path == "/docs") && get)
    return Text(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>mcpreg</title></head><body>"
        "<h1>mcpreg</h1><p>An MCP server registry speaking the official MCP Registry API.</p>"
        "<ul><li><a href=\"/v0.1/servers\">/v0.1/servers</a></li>"
        "<li><a href=\"/openapi.yaml\">/openapi.yaml</a> (API reference)</li>"
        "<li><a href=\"/v0.1/health\">/v0.1/health</a></li></ul></body></html>\n",
        "text/html; charset=utf-8");

  // Strip the API prefix; health/ping/version are also served at the root.
  size_t base = 0;
  if (!segs.empty() && (segs[0] == "v0" || segs[0] == "v0.1")) base = 1;
  size_t n = segs.size() - base;
  auto seg = [&](size_t i) { return segs[base + i]; };

  if (n == 1 && get) {
    if (seg(0) == "health") return JsonResponse(R"({"status":"ok"})");
    if (seg(0) == "ping") return JsonResponse(R"({"pong":true})");
    if (seg(0) == "version") {
      std::string body;
      json::JsonOut w(body);
      w.BeginObject()
          .Key("version").String(deps_.version)
          .Key("git_commit").String(deps_.git_commit)
          .Key("build_time").String(deps_.build_time)
          .EndObject();
      return JsonResponse(std::move(body));
    }
  }
  if (base == 0) return NotFound(req.path);

  if (seg(0) == "servers" && get) {
    auto q = query();
    if (!q.ok()) return ProblemResponse(q.status());
    if (n == 1) return ListServers(*deps_.registry, *q, req.query, cache_.get());
    if (n == 3 && seg(2) == "versions") return ListVersions(*deps_.registry, seg(1), *q);
    if (n == 4 && seg(2) == "versions") return GetVersion(*deps_.registry, seg(1), seg(3), *q);
  }
  if (n == 1 && seg(0) == "validate" && req.method == "POST") return Validate(req.body, deps_.policy);
  if (auto w = RouteWrite(req, std::vector<std::string_view>(segs.begin() + base, segs.end())))
    return std::move(*w);
  return NotFound(req.path);
}

namespace {

std::string BaseUrl(const http::HttpRequest& req) {
  auto host = req.Header("Host");
  auto proto = req.Header("X-Forwarded-Proto");
  return std::string(proto ? *proto : "http") + "://" + std::string(host ? *host : "localhost");
}

}  // namespace

std::optional<http::HttpResponse> Router::RouteWrite(const http::HttpRequest& req,
                                                     const std::vector<std::string_view>& s) const {
  const std::string& m = req.method;
  const size_t n = s.size();
  if (!deps_.auth) return std::nullopt;
  auto& auth = *deps_.auth;
  // Token exchange (no bearer).
  if (m == "POST" && n == 2 && s[0] == "auth") {
    if (s[1] == "oidc" || s[1] == "github-oidc") return ExchangeOidc(auth, req.body);
    if (s[1] == "dns" || s[1] == "http") return ExchangeProof(auth, req.body, s[1] == "dns");
    return std::nullopt;
  }
  bool feed_route = n >= 3 && s[0] == "x" && s[1] == "dev.mcpreg" && s[2] == "feed" && deps_.feed;
  if (feed_route && (m == "GET" || m == "HEAD")) {
    std::optional<auth::Principal> caller;  // reads: anonymous unless a token is sent
    if (auto h = req.Header("Authorization")) {
      auto p = auth.Authenticate(*h);
      if (!p.ok()) return ProblemResponse(p.status());
      caller = std::move(*p);
    }
    const auth::Principal* who = caller ? &*caller : nullptr;
    if (n >= 5 && n <= 6 && s[3] == "artifacts") {
      std::string file;
      if (n == 6) {
        auto f = PathUnescape(s[5]);
        if (!f) return ProblemResponse(Status::InvalidArgument("Invalid file name encoding"));
        file = *f;
      }
      return FeedDownload(*deps_.feed, who, req, std::string(s[4]), file);
    }
    if (n == 5) {
      auto name = PathUnescapeTwice(s[3]);
      auto version = PathUnescapeTwice(s[4]);
      if (!name || !version) return ProblemResponse(Status::InvalidArgument("Invalid path encoding"));
      return FeedList(*deps_.feed, who, *name, *version, BaseUrl(req));
    }
    return std::nullopt;
  }
  const bool ext = n >= 3 && s[0] == "x" && s[1] == "dev.mcpreg" && deps_.governance;
  if (ext && n == 4 && s[2] == "export" && (m == "GET" || m == "HEAD"))
    return ExportRoute(*deps_.governance, req, s[3], BaseUrl(req));
  if (ext && (s[2] == "requests" || s[2] == "review" || s[2] == "servers")) {
    auto header = req.Header("Authorization");
    if (!header)
      return ProblemResponse(Status::Unauthenticated(
          "this route needs a registry token (Authorization: Bearer <token>)"));
    auto who = auth.Authenticate(*header);
    if (!who.ok()) return ProblemResponse(who.status());
    return GovernanceRoute(*deps_.governance, *who, req,
                           std::vector<std::string_view>(s.begin() + 2, s.end()));
  }
  // Everything below needs a registry token.
  bool is_write =
      (m == "POST" && n == 1 && s[0] == "publish") ||
      (m == "PUT" && n == 4 && s[0] == "servers" && s[2] == "versions") ||
      (m == "PATCH" && n == 5 && s[0] == "servers" && s[2] == "versions" && s[4] == "status") ||
      (m == "PATCH" && n == 3 && s[0] == "servers" && s[2] == "status") ||
      (m == "PUT" && feed_route && n == 6);
  if (!is_write) return std::nullopt;
  auto header = req.Header("Authorization");
  if (!header)  // upstream: a missing required header is a 422 from request validation
    return ProblemResponse(ApiError{Status::Unprocessable("validation failed"),
                                    {{"required header parameter is missing", "header.Authorization", std::nullopt}}});
  auto who = auth.Authenticate(*header);
  if (!who.ok()) return ProblemResponse(who.status());
  if (s[0] == "publish") return Publish(*deps_.registry, *who, req.body);
  if (feed_route) {
    auto name = PathUnescapeTwice(s[3]);
    auto version = PathUnescapeTwice(s[4]);
    auto file = PathUnescape(s[5]);
    if (!name || !version || !file) return ProblemResponse(Status::InvalidArgument("Invalid path encoding"));
    return FeedUpload(*deps_.feed, *who, req, *name, *version, *file, BaseUrl(req));
  }
  auto name = PathUnescapeTwice(s[1]);
  if (!name) return ProblemResponse(Status::InvalidArgument("Invalid server name encoding"));
  if (m == "PATCH" && n == 3) return SetStatus(*deps_.registry, *who, *name, std::nullopt, req.body);
  auto version = PathUnescapeTwice(s[3]);
  if (!version) return ProblemResponse(Status::InvalidArgument("Invalid version encoding"));
  if (m == "PUT") return Edit(*deps_.registry, *who, *name, *version, req.body);
  return SetStatus(*deps_.registry, *who, *name, *version, req.body);
}

}  // namespace mcpreg::rest
