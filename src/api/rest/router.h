// Router: maps method + path to a handler and runs the fixed middleware, in the official
// registry's order: NUL-byte check → trailing-slash redirect (308) → CORS → routes → JSON 404
// catch-all. Every API route exists under both /v0 and /v0.1. Names and versions in paths are
// routed on the raw path and percent-decoded per segment (twice, like upstream).
//
// Route table (prefix = /v0 | /v0.1):
//   GET  {prefix}/servers                                   ListServers
//   GET  {prefix}/servers/{name}/versions                   ListVersions
//   GET  {prefix}/servers/{name}/versions/{version|latest}  GetVersion
//   POST {prefix}/validate                                  Validate
//   POST {prefix}/auth/oidc | /auth/github-oidc             ExchangeOidc
//   POST {prefix}/auth/dns | /auth/http                     ExchangeProof
//   POST {prefix}/publish                                   Publish        (Bearer)
//   PUT  {prefix}/servers/{name}/versions/{version}         Edit           (Bearer)
//   PATCH {prefix}/servers/{name}/versions/{version}/status SetStatus      (Bearer)
//   PATCH {prefix}/servers/{name}/status                    SetStatus      (Bearer)
//   PUT  {prefix}/x/dev.mcpreg/feed/{name}/{version}/{file} FeedUpload     (Bearer)
//   GET  {prefix}/x/dev.mcpreg/feed/{name}/{version}        FeedList
//   GET  {prefix}/x/dev.mcpreg/feed/artifacts/{sha256}[/{file}] FeedDownload
//   *    {prefix}/x/dev.mcpreg/{requests,review,servers/../evidence}  GovernanceRoute (Bearer)
//   GET  {prefix}/x/dev.mcpreg/export/{readme|allowlist|catalog}     ExportRoute
//   GET  {prefix}/health | /ping | /version  (also at the root)
//   GET  /openapi.yaml, /docs, /
//   *    /mcp                                               the MCP endpoint (when configured)
//
// Thread-safety: Handle may be called concurrently; the router is immutable after construction.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/http_server.h"

namespace mcpreg::policy {
struct Policy;
}
namespace mcpreg::service {
class RegistryService;
class AuthService;
class FeedService;
class GovernanceService;
}

namespace mcpreg::rest {

struct RouterDeps {
  service::RegistryService* registry = nullptr;  // REQUIRED
  service::AuthService* auth = nullptr;          // optional: write API and token exchange
  service::FeedService* feed = nullptr;          // optional: the package feed
  service::GovernanceService* governance = nullptr;  // optional: requests, review, exports
  const policy::Policy* policy = nullptr;        // optional: governed mode's compliance policy
  http::Handler mcp;                             // optional: serves /mcp
  // Optional RFC 9728 protected-resource metadata for /mcp, served at this path and at
  // /.well-known/oauth-protected-resource.
  std::string protected_resource_path;
  std::string protected_resource_metadata;
  std::string version = MCPREG_VERSION;
  std::string git_commit = "unknown";
  std::string build_time = "unknown";
};

class ResponseCache;

class Router {
 public:
  explicit Router(RouterDeps deps);
  ~Router();
  void Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> responder) const;

 private:
  http::HttpResponse Route(const http::HttpRequest& req) const;
  // The write and feed routes (after the prefix); nullopt when none matches.
  std::optional<http::HttpResponse> RouteWrite(const http::HttpRequest& req,
                                               const std::vector<std::string_view>& segs) const;
  RouterDeps deps_;
  std::unique_ptr<ResponseCache> cache_;  // rendered GET /servers pages
};

}  // namespace mcpreg::rest
