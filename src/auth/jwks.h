// JWK Sets and where they come from.
//
// JwkSet parses {"keys":[...]} (RFC 7517 §5), skipping members it cannot use (unknown kty,
// bad values, use != "sig") rather than failing the whole set.
//
// JwksCache is a KeyProvider for one trusted issuer. Its keys come from a file, a JWKS URL, or
// OIDC discovery ({issuer}/.well-known/openid-configuration -> jwks_uri, whose "issuer" must
// equal the configured issuer). Keys are cached for the JWKS response's Cache-Control max-age
// clamped to [5 min, 24 h], or for `ttl` when it has none (and for file sources); a token with
// an unknown kid triggers at most one refetch per `min_refresh_interval` (so random kids
// cannot make us hammer the issuer); when a refresh fails the previous set stays in use.
//
// Where the keys come from is trusted as the operator's config: the jwks_url, the issuer's
// discovery document, and a discovered jwks_uri on the issuer's own host. A jwks_uri on another
// host comes from the network, so it is fetched with the SSRF guard (untrusted_destination):
// a compromised or spoofed discovery document cannot point the registry at internal addresses.
//
// Thread-safety: JwksCache is safe for concurrent use. No lock is held while keys load: one
// caller loads (single flight) while the others use the previous set if there is one, or wait
// for that load (bounded by the fetcher's deadline) when there is none. Caches of different
// issuers share nothing, so a stalling issuer never delays another issuer's lookups.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/fetcher.h"
#include "auth/keys.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

class JwkSet {
 public:
  // Errors: InvalidArgument when `json` is not an object with a "keys" array.
  static Result<JwkSet> Parse(std::string_view json);

  // The key with this kid, or nullptr.
  const Key* Find(std::string_view kid) const;
  const std::vector<Key>& keys() const { return keys_; }
  int skipped() const { return skipped_; }  // members ignored as unusable

  void Add(Key key) { keys_.push_back(std::move(key)); }
  // {"keys":[<public JWK>...]} for serving or writing fixtures.
  std::string ToJson() const;

 private:
  std::vector<Key> keys_;
  int skipped_ = 0;
};

// Looks up verification keys by `kid`.
class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // Errors: Unauthenticated ("unknown kid ...") when no key has this kid; Unavailable when
  // the keys cannot be loaded at all.
  virtual Result<Key> KeyFor(std::string_view kid) = 0;
};

struct KeySource {
  enum class Kind { kFile, kUrl, kDiscovery };
  Kind kind = Kind::kDiscovery;
  // kFile: a path; kUrl: the JWKS URL; kDiscovery: the issuer URL.
  std::string location;
};

struct JwksCacheOptions {
  Micros ttl = 3600LL * 1000000;                 // how long a loaded set is trusted
  Micros min_refresh_interval = 60LL * 1000000;  // floor between two loads
};

class JwksCache final : public KeyProvider {
 public:
  // `fetcher` may be null for kFile sources. `clock` must outlive the cache.
  JwksCache(KeySource source, std::shared_ptr<HttpFetcher> fetcher, const Clock& clock,
            JwksCacheOptions options = {});

  Result<Key> KeyFor(std::string_view kid) override;
  // Loads now regardless of TTL and rate limit (start-up check). Errors as the source's load.
  Status Refresh();
  // Number of completed load attempts (tests observe rate limiting with it).
  int loads() const;

 private:
  struct Loaded {
    JwkSet set;
    Micros ttl = 0;
    std::string jwks_uri;
  };
  // Fetches and parses the keys; touches no member state (runs without the lock).
  Result<Loaded> Load() const;
  // Loads once, or waits for the load another caller has in flight and returns its outcome.
  // REQUIRES: `lock` holds mu_; it is released during the load and held again on return.
  Status LoadShared(std::unique_lock<std::mutex>& lock, Micros now);

  const KeySource source_;
  const std::shared_ptr<HttpFetcher> fetcher_;
  const Clock& clock_;
  const JwksCacheOptions options_;

  mutable std::mutex mu_;
  std::shared_ptr<const JwkSet> set_;  // null until the first successful load
  Micros ttl_;                         // current TTL (options_.ttl or the last response's max-age)
  Micros loaded_at_ = 0;
  Micros last_attempt_ = 0;
  bool attempted_ = false;
  int loads_ = 0;
  bool loading_ = false;     // a load is in flight (single flight)
  uint64_t load_round_ = 0;  // completed loads, so waiters know theirs finished
  Status last_load_;         // outcome of the last completed load
  std::condition_variable loaded_;
  std::string jwks_uri_;  // discovered once per load
};

}  // namespace mcpreg::auth
