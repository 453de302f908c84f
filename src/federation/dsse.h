// DSSE (Dead Simple Signing Envelope, https://github.com/secure-systems-lab/dsse) v1 with
// Ed25519 keys: the envelope
//   {"payloadType":"<type>","payload":"<standard base64>","signatures":[{"keyid":"..","sig":"<standard base64>"}]}
// where each signature is over PAE(type, payload) =
//   "DSSEv1" SP len(type) SP type SP len(payload) SP payload     (lengths: ASCII decimal bytes)
//
// Only Ed25519 (EdDSA) keys sign and verify here: a JWKS member of another type is never used,
// whatever its kid, so an RSA or EC key with our kid cannot be substituted.
//
// Envelopes come from other parties: ParseEnvelope takes attacker-controlled bytes and never
// crashes on them; the caller caps their size before reading (see snapshot.h).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/jwks.h"
#include "auth/keys.h"
#include "mcpreg/status.h"

namespace mcpreg::federation {

// At most this many signatures are looked at in an envelope (more is InvalidArgument).
inline constexpr size_t kMaxDsseSignatures = 16;

// The pre-authentication encoding DSSE signs.
std::string Pae(std::string_view payload_type, std::string_view payload);

struct DsseSignature {
  std::string keyid;
  std::string sig;  // raw signature bytes (decoded)
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // raw payload bytes (decoded)
  std::vector<DsseSignature> signatures;
};

// The envelope as JSON text (members in the order shown above, base64 with padding).
std::string EncodeEnvelope(const DsseEnvelope& envelope);

// Parses an envelope. Errors: InvalidArgument ("not a DSSE envelope: ...") when the text is not
// JSON, not an object, lacks payloadType/payload/signatures of the right types, a base64 value
// does not decode, or there are no signatures or more than kMaxDsseSignatures.
Result<DsseEnvelope> ParseEnvelope(std::string_view json);

// An envelope of `payload` signed once with `key`, the signature labelled `keyid`.
// REQUIRES: key is an Ed25519 private key. Errors: InvalidArgument (not such a key), Internal.
Result<DsseEnvelope> SignEnvelope(std::string_view payload_type, std::string payload,
                                  const auth::Key& key, std::string keyid);

// Finds a signature whose keyid names a key of `keys` and verifies it. Returns the kid of the
// key that verified. Errors, all Unauthenticated:
//   "signed by another key: keyid \"X\" is not in the JWKS" (no keyid matches),
//   "key \"X\" is not an Ed25519 key" (the matching member is RSA or EC),
//   "signature by key \"X\" is invalid" (the bytes were changed or another key signed).
Result<std::string> VerifyEnvelope(const DsseEnvelope& envelope, const auth::JwkSet& keys);

}  // namespace mcpreg::federation
