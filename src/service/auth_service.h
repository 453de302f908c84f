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

// The identity of a principal as one string, used as audit actor and as the owner (filer) of
// a request. Identity = issuer + subject:
//   workload identities (any OIDC method):  "oidc:<issuer>#<subject>", where '%' and '#' in
//                                           the issuer are percent-encoded, so the first '#'
//                                           always ends the issuer;
//   namespace proofs:                       "dns:<domain>", "http:<domain>";
//   the local operator:                     "cli:<user>@<host>".
// Two principals map to the same string iff they are the same identity. Rows written before
// mcpreg carried the issuer ("oidc:<sub>", "github-oidc:<sub>") were renamed "legacy:..." by
// migration 0005 and match no principal.
std::string ActorOf(const auth::Principal& p);

// True when `who` is the workload identity (issuer, subject) (never for a proof or operator).
bool IsIdentity(const auth::Principal& who, std::string_view issuer, std::string_view subject);

// Live authorization: `who` with the stored-grant part of its permissions replaced by the
// grants of (who.issuer, who.subject) as stored now (revoked grants and grants of a retired
// request are gone). Rights from the issuer's claim rules are kept. A principal with
// rule_permissions < 0 (operator, proofs) is returned unchanged. Every write calls it before
// checking permissions; reads use the token as verified (stateless).
// Errors: Unavailable/Internal from the store.
Result<auth::Principal> LivePrincipal(Store& store, const auth::Principal& who);

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
  // The registry's public base URL: the default GitHub OIDC audience (auth/oidc_exchange.h).
  void SetPublicBaseUrl(std::string base) { verifier_.SetPublicBaseUrl(std::move(base)); }
  // POST /auth/dns, /auth/http (when enabled in config; else PermissionDenied).
  Result<auth::IssuedToken> ExchangeDns(const auth::ProofRequest& req) const;
  Result<auth::IssuedToken> ExchangeHttp(const auth::ProofRequest& req) const;

  // Verifies a registry token from an Authorization header value ("Bearer <jwt>", prefix
  // case-insensitive). Errors: Unauthenticated with upstream's messages.
  Result<auth::Principal> Authenticate(std::string_view authorization_header) const;

  // Adds the stored grants of (issuer, subject) to p.permissions, after the claim-rule ones
  // (p.rule_permissions is set to their count).
  Status AddStoredGrants(auth::Principal& p) const;

  // LivePrincipal over this service's store: `who` with its stored grants as they are now.
  Result<auth::Principal> Live(const auth::Principal& who) const { return LivePrincipal(store_, who); }

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
