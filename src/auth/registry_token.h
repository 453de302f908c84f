// The registry's own short-lived token, byte-compatible with the official registry's
// (internal/auth/jwt.go): an EdDSA (Ed25519) JWT with header {"alg":"EdDSA","typ":"JWT"} and
// claims, in this order,
//   {"iss":"mcp-registry","exp":N,"nbf":N,"iat":N,"auth_method":"github-oidc",
//    "auth_method_sub":"repo:acme/x:ref:refs/heads/main",
//    "permissions":[{"action":"publish","resource":"io.github.acme/*"}]}
// exp = iat + ttl (default 300 s). No sub, no aud, no refresh.
// mcpreg appends two claims after upstream's (clients treat the token as opaque):
//   "auth_method_iss": the issuer of a workload identity (identity = issuer + subject; absent
//                      for namespace proofs, which have no issuer),
//   "rule_permissions": N, the first N permissions come from the issuer's claim rules; the
//                      rest from stored grants, which writes re-read (live authorization).
// A token of a method other than "dns"/"http" without "auth_method_iss" (issued before mcpreg
// carried the issuer) is refused: its identity is ambiguous.
//
// The signing key is a 32-byte Ed25519 seed, stored as 64 hex characters (the format of
// upstream's MCP_REGISTRY_JWT_PRIVATE_KEY) in a file readable by its owner only.
//
// Thread-safety: RegistryTokens is immutable after construction; safe for concurrent use.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/keys.h"
#include "auth/principal.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

// Loads the Ed25519 seed from `path`, or, when the file does not exist, generates one and
// writes it there atomically with mode 0600 (parent directory must exist). Errors:
// FailedPrecondition (file readable by group/others, or not 64 hex characters),
// Internal/Unavailable (I/O failures, with the path and errno text).
Result<Key> LoadOrCreateRegistryKey(const std::string& path);

// A fresh Ed25519 seed as 64 lowercase hex characters (the key file's format, without the
// newline). Errors: Internal (no randomness).
Result<std::string> NewRegistryKeyHex();
// The key whose seed `text` holds: 64 hex characters, surrounding whitespace ignored (the key
// file's content, or the copy a database keeps). `source` names where the text came from in
// the error. Errors: FailedPrecondition ("<source> must hold 64 hex characters ...").
Result<Key> RegistryKeyFromHex(std::string_view text, std::string_view source);

struct IssuedToken {
  std::string registry_token;
  int64_t expires_at = 0;  // Unix seconds, as upstream's TokenResponse.expires_at
};

// The token-exchange response body, as upstream: {"registry_token":"...","expires_at":N}.
std::string TokenResponseJson(const IssuedToken& token);

class RegistryTokens {
 public:
  // REQUIRES: key is an Ed25519 private key. `clock` must outlive this object.
  RegistryTokens(Key key, const Clock& clock, int64_t ttl_seconds = 300);

  // Signs a token for the principal's identity (auth_method, issuer, subject) with its
  // permissions and rule_permissions. Errors: Internal.
  Result<IssuedToken> Issue(const Principal& principal) const;
  // A token without an issuer (namespace proofs: "dns"/"http"): upstream's claims only.
  Result<IssuedToken> Issue(std::string_view auth_method, std::string_view subject,
                            std::span<const Permission> permissions) const {
    Principal p;
    p.auth_method = std::string(auth_method);
    p.subject = std::string(subject);
    p.permissions.assign(permissions.begin(), permissions.end());
    return Issue(p);
  }

  // Verifies a registry token (alg EdDSA only, our key, iss "mcp-registry", exp required and
  // not passed, nbf/iat not in the future; no leeway: we are the only issuer) and returns the
  // Principal it carries (issuer = auth_method_iss or "", subject = auth_method_sub,
  // rule_permissions as issued, -1 when absent).
  // Errors: Unauthenticated naming the failed check.
  Result<Principal> Verify(std::string_view token) const;

  // The public key as a JWK ({"kty":"OKP","crv":"Ed25519","x":...}).
  std::string PublicJwk() const { return key_.PublicJwk(); }
  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  Key key_;
  const Clock& clock_;
  int64_t ttl_seconds_;
};

}  // namespace mcpreg::auth
