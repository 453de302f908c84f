// McpAuthGate: the OAuth 2.1 resource-server role of /mcp. Bearer tokens are verified by the
// same trusted-issuer machinery as publishing, with the audience bound to this endpoint's
// resource identifier. A request without a valid token gets 401 and
// `WWW-Authenticate: Bearer resource_metadata="<RFC 9728 metadata URL>"` (plus
// error="invalid_token" when one was sent); with `required: false` anonymous requests pass
// (every registry tool is read-only) but a bad token is still refused.
//
// Thread-safety: immutable after construction.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/mcp/http_config.h"
#include "auth/fetcher.h"
#include "auth/oidc_exchange.h"
#include "config/config.h"
#include "transport/http_server.h"

namespace mcpreg::mcpapi {

class McpAuthGate {
 public:
  McpAuthGate(const McpAuthConfig& mcp_auth, const config::AuthConfig& issuers,
              std::shared_ptr<auth::HttpFetcher> fetcher, const Clock& clock);

  // nullopt = let the request through; otherwise the 401 to send.
  std::optional<http::HttpResponse> Check(const http::HttpRequest& req) const;

  // "/.well-known/oauth-protected-resource" + the resource's path (RFC 9728 §3.1).
  const std::string& metadata_path() const { return metadata_path_; }
  // The RFC 9728 document: resource, authorization_servers, bearer_methods_supported.
  const std::string& metadata_json() const { return metadata_json_; }

 private:
  static config::AuthConfig ForResource(const McpAuthConfig& mcp_auth,
                                        const config::AuthConfig& issuers);
  McpAuthConfig config_;
  config::AuthConfig issuers_;
  auth::WorkloadTokenVerifier verifier_;
  std::string metadata_path_, metadata_url_, metadata_json_;
};

}  // namespace mcpreg::mcpapi
