// Workload-identity authentication: verifies an OIDC token from one of the configured trusted
// issuers (GitHub Actions, Entra ID, GitLab, any OIDC provider) and maps its verified claims to
// permissions with the issuer's claim rules.
//
// Flow of VerifyWorkloadToken(token):
//   1. read "iss" from the (not yet verified) token and pick the issuer whose `issuer` equals
//      it exactly; none -> Unauthenticated("token issuer \"...\" is not trusted");
//   2. VerifyJwt with that issuer's keys (JwksCache: file, URL or discovery), audiences,
//      algorithm allowlist and the configured leeway (see auth/jwt.h for every check). A
//      github-oidc issuer configured without `audience` expects the deployment audience
//      (auth.github_oidc_audience, else the public base URL given by SetPublicBaseUrl) and
//      "mcp-registry" only when auth.github_oidc_legacy_audience allows it; a wrong one is
//      Unauthenticated("invalid audience: expected <aud>, got [<token's>]");
//   3. require a non-empty "sub";
//   4. apply the rules (GrantsFor) -> Principal.permissions. A token that verifies but matches
//      no rule still yields a Principal (with no permissions): grants stored by an operator
//      may apply to it, and the caller turns "no permission" into 403, not 401.
//
// Thread-safety: safe for concurrent use after construction.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/fetcher.h"
#include "auth/jwks.h"
#include "auth/principal.h"
#include "config/config.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

class WorkloadTokenVerifier {
 public:
  // One key cache per issuer. `fetcher` serves jwks_url/discovery sources (may be null when
  // every issuer uses jwks_file). `clock` must outlive the verifier.
  WorkloadTokenVerifier(const config::AuthConfig& auth, std::shared_ptr<HttpFetcher> fetcher,
                        const Clock& clock);

  // Errors: Unauthenticated naming the failed check (never echoing the token); Unavailable
  // when the issuer's keys cannot be loaded at all (HTTP 503: not the caller's fault).
  Result<Principal> VerifyWorkloadToken(std::string_view token) const;

  // Loads every issuer's keys now. Returns the first failure (for a start-up warning); the
  // verifier stays usable and retries lazily.
  Status Preload() const;

  bool empty() const { return issuers_.empty(); }

  // The registry's public base URL ("https://registry.example.com", or "http://host:port"
  // once the listener is bound), the default deployment audience when
  // auth.github_oidc_audience is not set. Safe to call while tokens are being verified.
  void SetPublicBaseUrl(std::string base);
  // The audiences a token from `issuer` must carry one of (in the order named in errors).
  // Empty only for a github-oidc issuer before any base URL is known: such tokens are refused.
  std::vector<std::string> AcceptedAudiences(const config::IssuerConfig& issuer) const;

 private:
  struct Issuer {
    config::IssuerConfig config;
    std::vector<JwsAlg> algorithms;
    std::unique_ptr<JwksCache> keys;
  };
  std::vector<Issuer> issuers_;
  const Clock& clock_;
  int64_t leeway_seconds_;
  std::string configured_audience_;  // auth.github_oidc_audience
  bool legacy_audience_ = false;     // auth.github_oidc_legacy_audience
  mutable std::mutex base_mu_;
  std::string public_base_;  // guarded by base_mu_
};

// The permissions `issuer`'s rules grant for verified `claims`, in rule order, duplicates
// removed. A rule contributes when all its match pairs hold and every "{claim}" in its
// resource substitutes to a safe value: a string (or integer) claim matching
// [A-Za-z0-9._-]+, not starting or ending with '.', without "..". Otherwise the rule is
// skipped, so a hostile claim value can never widen a pattern (e.g. "*" or "a/b").
std::vector<Permission> GrantsFor(const config::IssuerConfig& issuer,
                                  const boost::json::object& claims);

// Where `issuer`'s verification keys come from (jwks_file, jwks_url or discovery).
KeySource KeySourceFor(const config::IssuerConfig& issuer);
// `issuer`'s algorithm allowlist (config names that ParseJwsAlg knows).
std::vector<JwsAlg> AlgorithmsFor(const config::IssuerConfig& issuer);
// A key cache for `issuer` (KeySourceFor, its jwks_ttl_seconds). `clock` must outlive it.
std::unique_ptr<JwksCache> NewKeyCache(const config::IssuerConfig& issuer,
                                       std::shared_ptr<HttpFetcher> fetcher, const Clock& clock);

// "github-oidc" for https://token.actions.githubusercontent.com (and its enterprise forms)
// unless the config says otherwise, "oidc" for every other issuer.
std::string AuthMethodFor(const config::IssuerConfig& issuer);

}  // namespace mcpreg::auth
