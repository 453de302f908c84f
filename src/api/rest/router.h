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
//   GET  {prefix}/health | /ping | /version  (also at the root)
//   GET  /openapi.yaml, /docs, /
//   *    /mcp                                               the MCP endpoint (when configured)
//
// Thread-safety: Handle may be called concurrently; the router is immutable after construction.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "transport/http_server.h"

namespace mcpreg::service {
class RegistryService;
}

namespace mcpreg::rest {

struct RouterDeps {
  service::RegistryService* registry = nullptr;  // REQUIRED
  http::Handler mcp;                             // optional: serves /mcp
  std::string version = MCPREG_VERSION;
  std::string git_commit = "unknown";
  std::string build_time = "unknown";
};

class Router {
 public:
  explicit Router(RouterDeps deps);
  void Handle(http::HttpRequest&& req, std::shared_ptr<http::Responder> responder) const;

 private:
  http::HttpResponse Route(const http::HttpRequest& req) const;
  RouterDeps deps_;
};

}  // namespace mcpreg::rest
