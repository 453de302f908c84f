// AuthService: turns proofs of identity into the registry's own short-lived token, and tokens
// back into a Principal. The token-exchange endpoints and the write API's authentication both
// go through it.
//
// Permissions of a workload identity = what the trusted issuer's claim rules grant (config)
// ∪ what operators granted it in the database (`mcpreg admin grant`), by role:
//   publisher → publish, feed-contributor → feed, admin → publish + edit + feed + review,
//   reviewer → review.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/fetcher.h"
#include "auth/namespace_proof.h"
#include "auth/oidc_exchange.h"
#include "auth/principal.h"
#include "auth/registry_token.h"
#include "config/config.h"
#include "mcpreg/clock.h"
#include "mcpreg/store.h"

namespace mcpreg::service {

// The actions a grant role carries.
std::vector<std::string> ActionsForRole(std::string_view role);
bool IsKnownRole(std::string_view role);

// "github-oidc:repo:acme/x:ref:refs/heads/main" — how a principal appears in the audit log.
std::string ActorOf(const auth::Principal& p);

// The operator at the host's command line (import, admin): every action on every name,
// recorded as "cli:<user>@<host>".
auth::Principal LocalOperator();

class AuthService {
 public:
  AuthService(const config::AuthConfig& config, Store& store, auth::RegistryTokens tokens,
              std::shared_ptr<auth::HttpFetcher> fetcher, std::shared_ptr<auth::TxtResolver> dns,
              const Clock& clock);

  // POST /auth/oidc, /auth/github-oidc. Errors: Unauthenticated (which check failed; also when
  // no issuer is configured), Unavailable (issuer keys unreachable).
  Result<auth::IssuedToken> ExchangeOidc(std::string_view oidc_token) const;
  // POST /auth/dns, /auth/http (when enabled in config; else PermissionDenied).
  Result<auth::IssuedToken> ExchangeDns(const auth::ProofRequest& req) const;
  Result<auth::IssuedToken> ExchangeHttp(const auth::ProofRequest& req) const;

  // Verifies a registry token from an Authorization header value ("Bearer <jwt>", prefix
  // case-insensitive). Errors: Unauthenticated with upstream's messages.
  Result<auth::Principal> Authenticate(std::string_view authorization_header) const;

  // Adds the stored grants of (issuer, subject) to p.permissions.
  Status AddStoredGrants(auth::Principal& p) const;

 private:
  const config::AuthConfig& config_;
  Store& store_;
  auth::RegistryTokens tokens_;
  auth::WorkloadTokenVerifier verifier_;
  std::shared_ptr<auth::HttpFetcher> fetcher_;
  std::shared_ptr<auth::TxtResolver> dns_;
  const Clock& clock_;
};

}  // namespace mcpreg::service
