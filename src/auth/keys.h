// Asymmetric keys for JWS: RSA (RS256), EC P-256 (ES256) and Ed25519 (EdDSA), parsed from and
// written to JWK (RFC 7517/7518/8037), and raw JOSE signing/verification with them.
//
// A Key wraps an OpenSSL EVP_PKEY (shared, immutable after construction) plus its JWK `kid`
// and optional `alg`. Each key type is used with exactly one algorithm (RFC 8725 §3.1): a key
// never verifies a signature made for another algorithm, and HMAC algorithms do not exist here
// at all, so "HS256 with the RSA public key as secret" cannot happen.
//
// Thread-safety: Key is an immutable value; copies share the EVP_PKEY and may be used from any
// thread concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace mcpreg::auth {

enum class KeyType { kRsa, kEcP256, kEd25519 };
enum class JwsAlg { kRS256, kES256, kEdDSA };

// "RS256", "ES256", "EdDSA".
std::string_view JwsAlgName(JwsAlg alg);
// Accepts the three names above plus "Ed25519" (RFC 9864's name for EdDSA over Ed25519).
// Everything else (none, HS256, PS256, ES384, ...) is std::nullopt.
std::optional<JwsAlg> ParseJwsAlg(std::string_view name);
KeyType KeyTypeFor(JwsAlg alg);
std::string_view KeyTypeName(KeyType type);  // "RSA", "EC P-256", "Ed25519"

class Key {
 public:
  Key() = default;  // empty; valid() is false

  // A fresh key pair (RSA 2048 bits). Errors: Internal.
  static Result<Key> Generate(KeyType type, std::string kid = "");
  // Ed25519 from its 32-byte private seed. Errors: InvalidArgument (wrong size).
  static Result<Key> Ed25519FromSeed(std::string_view seed, std::string kid = "");
  // Public key from a JWK object (JSON text). Requires kty RSA (n, e; modulus >= 2048 bits),
  // EC (crv P-256, 32-byte x and y on the curve) or OKP (crv Ed25519, 32-byte x). Honours
  // `use` (must be "sig" when present) and `alg` (must fit the key type when present).
  // Private members are ignored. Errors: InvalidArgument naming the problem.
  static Result<Key> FromJwk(std::string_view json);
  // A private key from unencrypted PEM (PKCS#8 "PRIVATE KEY", or the traditional RSA / EC
  // forms): RSA >= 2048 bits, EC P-256 or Ed25519. Errors: InvalidArgument (not such a key,
  // encrypted, other curve or type).
  static Result<Key> FromPrivatePem(std::string_view pem, std::string kid = "");

  bool valid() const { return pkey_ != nullptr; }
  KeyType type() const { return type_; }
  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }  // JWK "alg", "" when absent
  bool has_private() const { return has_private_; }
  JwsAlg DefaultAlg() const;

  // The public JWK as JSON text: {"kty":..,...,"kid":..,"use":"sig","alg":..}.
  std::string PublicJwk() const;
  // The private key as PKCS#8 PEM ("" for public-only keys).
  std::string PrivatePem() const;
  // Ed25519 only: the 32 raw public-key bytes ("" for other types).
  std::string RawPublicKey() const;
  // Ed25519 private keys only: the 32-byte seed ("" otherwise).
  std::string Ed25519Seed() const;

  // Signs `data` with `alg` in JOSE form (RSA PKCS#1 v1.5 / raw R||S for ES256 / Ed25519).
  // REQUIRES: has_private(). Errors: InvalidArgument (alg does not fit the key), Internal.
  Result<std::string> Sign(JwsAlg alg, std::string_view data) const;
  // Verifies a JOSE signature. Errors: Unauthenticated("... does not match ...") when the
  // algorithm does not fit this key, "token signature is invalid" when verification fails.
  Status Verify(JwsAlg alg, std::string_view data, std::string_view signature) const;

 private:
  std::shared_ptr<evp_pkey_st> pkey_;
  KeyType type_ = KeyType::kEd25519;
  std::string kid_;
  std::string alg_;
  bool has_private_ = false;
};

// The RFC 7638 JWK thumbprint of `key`'s public part: base64url (no padding) of the SHA-256 of
// its required members in lexicographic order without whitespace (RSA: e, kty, n; EC: crv,
// kty, x, y; OKP: crv, kty, x). Independent of the key's kid, use and alg, so it is a stable
// identifier. "" for an empty key.
std::string JwkThumbprint(const Key& key);

}  // namespace mcpreg::auth
