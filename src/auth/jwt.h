// Compact JWS / JWT (RFC 7515, 7519): parsing, verification and signing.
//
// VerifyJwt applies the checks of RFC 8725 in this order, stopping at the first failure:
//   1. structure: three base64url segments, header and claims are JSON objects;
//   2. algorithm: must be in the caller's allowlist; "none", HMAC and anything unknown are
//      refused whatever the allowlist says; a "crit" header is refused (no extensions known);
//   3. key: looked up by "kid" from the KeyProvider (a kid is required unless the check says
//      otherwise); the key type must fit the algorithm (no alg/key confusion);
//   4. signature;
//   5. claims: "iss" equals the expected issuer, "aud" (string or array) contains one of the
//      accepted audiences, "exp" present and not passed, "nbf" and "iat" not in the future,
//      all with `leeway_seconds` of tolerance.
// Every failure is Status::Unauthenticated("<which check failed>"); messages never contain the
// token or its signature (they may quote iss/aud/kid values, which are not secrets).
//
// Thread-safety: pure functions; the KeyProvider must be thread-safe if shared.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwks.h"
#include "auth/keys.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

struct Jwt {
  boost::json::object header;
  boost::json::object claims;
  std::string alg;            // header "alg" as sent
  std::string kid;            // header "kid", "" when absent
  std::string signing_input;  // "<header b64>.<claims b64>"
  std::string signature;      // decoded bytes

  // Convenience accessors for claims; "" / 0 when absent or of another type.
  std::string StringClaim(std::string_view name) const;
  int64_t NumericDate(std::string_view name) const;
};

// Structural parse only: nothing is verified. Errors: Unauthenticated ("malformed token: ...").
Result<Jwt> ParseJwt(std::string_view token);

struct JwtChecks {
  std::string issuer;                  // required "iss" value; "" skips the check
  std::vector<std::string> audiences;  // accepted "aud" values; empty skips the check
  std::vector<JwsAlg> algorithms = {JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA};
  int64_t leeway_seconds = 60;
  bool require_kid = true;  // false: the KeyProvider is asked with kid ""
};

// Verifies `token` as described above at time `now`. On success returns the parsed token.
Result<Jwt> VerifyJwt(std::string_view token, const JwtChecks& checks, KeyProvider& keys,
                      Micros now);

// Signs `claims_json` (a JSON object text) with `key`, header {"alg":..,"kid":..,"typ":"JWT"}
// ("kid" omitted when the key has none). Errors: InvalidArgument (alg does not fit the key or
// the key is public only).
Result<std::string> SignJwt(const Key& key, JwsAlg alg, std::string_view claims_json);

// A KeyProvider that always returns one key, whatever the kid (for the registry's own token).
class SingleKeyProvider final : public KeyProvider {
 public:
  explicit SingleKeyProvider(Key key) : key_(std::move(key)) {}
  Result<Key> KeyFor(std::string_view) override { return key_; }

 private:
  Key key_;
};

}  // namespace mcpreg::auth
