// Signed snapshots of the public catalog (issue 13, part 3): the registry's whole public
// catalog in one DSSE envelope (federation/dsse.h) signed with the registry key, so another
// registry or an air-gapped copy can take it over an untrusted channel and check where it came
// from.
//
//   envelope     {"payloadType": kSnapshotPayloadType, "payload": base64(PAYLOAD),
//                 "signatures": [{"keyid": <kid>, "sig": base64(Ed25519(PAE))}]}
//   PAYLOAD      {"generation": N, "createdAt": RFC 3339, "expiresAt": RFC 3339,
//                 "servers": [ServerResponse, ...]}
//   kid          the RFC 7638 thumbprint of the registry's public key (auth::JwkThumbprint),
//                also the `kid` of the JWKS the registry serves (SnapshotSigner::JwksJson).
//
// `servers` holds every public version, deleted ones included with their status, ordered by
// (name, version) bytewise: exactly the objects (byte for byte) GET /v0.1/servers?
// include_deleted=true pages through. In governed mode entries the listing rule withholds are
// absent. `generation` is the highest store seq any catalog entry reflects: it grows with
// every version write. (A governed listing change without a version write — an approval —
// makes a new snapshot with the same generation; compare createdAt too.)
//
// Size caps on attacker-controlled input (checked before parsing; README "Signed snapshots"):
// a snapshot file or response at most kMaxSnapshotBytes, a JWKS at most kMaxJwksBytes.
//
// Thread-safety: the free functions are pure; SnapshotPublisher is safe for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwks.h"
#include "auth/keys.h"
#include "catalog/catalog.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::federation {

inline constexpr std::string_view kSnapshotPayloadType = "application/vnd.dev.mcpreg.snapshot+json";
inline constexpr size_t kMaxSnapshotBytes = 512u * 1024 * 1024;
inline constexpr size_t kMaxJwksBytes = 256 * 1024;
// How far createdAt may lie in the future and expiresAt in the past (clock skew).
inline constexpr Micros kSnapshotLeeway = 60LL * 1000000;

// The registry key as a snapshot signer: the key with its thumbprint as kid.
class SnapshotSigner {
 public:
  // REQUIRES: `registry_key` is an Ed25519 private key (app::LoadRegistryKey's).
  // Errors: InvalidArgument (another key type, or no private part).
  static Result<SnapshotSigner> FromRegistryKey(const auth::Key& registry_key);

  const std::string& kid() const { return key_.kid(); }
  const auth::Key& key() const { return key_; }
  // {"keys":[{"kty":"OKP","crv":"Ed25519","x":..,"kid":..,"use":"sig","alg":"EdDSA"}]}
  std::string JwksJson() const;

 private:
  auth::Key key_;
};

// The public set of `catalog` (see above) and its generation.
struct PublicSet {
  std::vector<catalog::EntryPtr> entries;
  int64_t generation = 0;
};
PublicSet CollectPublic(const catalog::Catalog& catalog);

struct SnapshotInfo {
  int64_t generation = 0;
  Micros created_at = 0, expires_at = 0;
  size_t servers = 0;
};

// The PAYLOAD for `set` (the entries' response bytes verbatim).
std::string RenderPayload(const PublicSet& set, Micros created_at, Micros expires_at);

// The signed envelope (JSON text) for `set`, created at `now`, expiring `ttl` later.
// Errors: those of SignEnvelope.
Result<std::string> SignSnapshot(const PublicSet& set, const SnapshotSigner& signer, Micros now,
                                 Micros ttl);

struct VerifiedSnapshot {
  SnapshotInfo info;
  std::string kid;      // the key that signed it
  std::string payload;  // the verified PAYLOAD bytes (feed them to app::ParseImportDocument)
};

// Checks an envelope against `keys` at time `now`, in this order: size (ResourceExhausted over
// kMaxSnapshotBytes), envelope shape (InvalidArgument), payloadType (InvalidArgument naming
// it), signature (Unauthenticated, see VerifyEnvelope), payload shape — a JSON object with an
// integer generation >= 0, RFC 3339 createdAt <= expiresAt and a servers array of objects —
// (InvalidArgument "snapshot payload ..."), validity (FailedPrecondition "snapshot expired at
// ..." / "snapshot is not valid before ..."; kSnapshotLeeway either way).
Result<VerifiedSnapshot> VerifySnapshot(std::string_view envelope_json, const auth::JwkSet& keys,
                                        Micros now);

// True when `json` looks like a DSSE envelope (an object with payloadType, payload and
// signatures), whatever its payload type; a cheap check before ParseEnvelope. Never fails.
bool LooksLikeEnvelope(std::string_view json);

// Serves the signed snapshot of a live catalog. The envelope is signed once per catalog state
// (Catalog::generation()) and kept until the catalog changes: repeated GETs do not re-sign.
// Only the newest envelope is kept.
class SnapshotPublisher {
 public:
  struct Signed {
    std::string envelope;  // JSON text
    std::string etag;      // "\"g<generation>-<sha256 prefix>\""
    SnapshotInfo info;
  };
  // `catalog` and `clock` must outlive the publisher. `ttl`: expiresAt - createdAt.
  SnapshotPublisher(const catalog::Catalog& catalog, SnapshotSigner signer, const Clock& clock,
                    Micros ttl);

  // The current snapshot; a cached one while the catalog is unchanged and it has at least half
  // its validity left. Errors: Internal (signing failed).
  Result<std::shared_ptr<const Signed>> Current();
  const SnapshotSigner& signer() const { return signer_; }
  int signs() const;  // snapshots signed so far (tests observe the cache)

 private:
  const catalog::Catalog& catalog_;
  const SnapshotSigner signer_;
  const Clock& clock_;
  const Micros ttl_;
  mutable std::mutex mu_;  // serializes signing: concurrent misses sign once
  std::shared_ptr<const Signed> cached_;
  int64_t cached_state_ = -1;  // Catalog::generation() the cache was made at
  int signs_ = 0;
};

}  // namespace mcpreg::federation
