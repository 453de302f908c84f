#include "auth/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <vector>

#include "auth/encoding.h"
#include "core/json_out.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

constexpr size_t kP256Bytes = 32;

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* p) { return {p, EVP_PKEY_free}; }

// Builds a public EVP_PKEY of `type` ("RSA", "EC") from an OSSL_PARAM list.
PkeyPtr FromData(const char* type, OSSL_PARAM* params) {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* out = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return nullptr;
  }
  return PkeyPtr(out);
}

Result<std::string> Member(const bj::object& o, std::string_view name, std::string_view kty) {
  const bj::value* v = o.if_contains(name);
  if (!v || !v->is_string()) {
    return Status::InvalidArgument(std::string(kty) + " JWK needs string member \"" +
                                   std::string(name) + "\"");
  }
  std::optional<std::string> bytes = Base64UrlDecode(v->get_string());
  if (!bytes || bytes->empty()) {
    return Status::InvalidArgument("JWK member \"" + std::string(name) +
                                   "\" is not valid base64url");
  }
  return *bytes;
}

std::string BnBytes(const BIGNUM* bn, size_t width = 0) {
  size_t n = std::max<size_t>(BN_num_bytes(bn), width);
  std::string out(n, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), int(n));
  return out;
}

const EVP_MD* DigestFor(JwsAlg alg) { return alg == JwsAlg::kEdDSA ? nullptr : EVP_sha256(); }

}  // namespace

std::string_view JwsAlgName(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256:
      return "RS256";
    case JwsAlg::kES256:
      return "ES256";
    case JwsAlg::kEdDSA:
      return "EdDSA";
  }
  return "?";
}

std::optional<JwsAlg> ParseJwsAlg(std::string_view name) {
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "ES256") return JwsAlg::kES256;
  if (name == "EdDSA" || name == "Ed25519") return JwsAlg::kEdDSA;
  return std::nullopt;
}

KeyType KeyTypeFor(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256:
      return KeyType::kRsa;
    case JwsAlg::kES256:
      return KeyType::kEcP256;
    case JwsAlg::kEdDSA:
      return KeyType::kEd25519;
  }
  return KeyType::kEd25519;
}

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEcP256:
      return "EC P-256";
    case KeyType::kEd25519:
      return "Ed25519";
  }
  return "?";
}

JwsAlg Key::DefaultAlg() const {
  switch (type_) {
    case KeyType::kRsa:
      return JwsAlg::kRS256;
    case KeyType::kEcP256:
      return JwsAlg::kES256;
    case KeyType::kEd25519:
      return JwsAlg::kEdDSA;
  }
  return JwsAlg::kEdDSA;
}

Result<Key> Key::Generate(KeyType type, std::string kid) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::kRsa:
      raw = EVP_RSA_gen(2048);
      break;
    case KeyType::kEcP256:
      raw = EVP_EC_gen("P-256");
      break;
    case KeyType::kEd25519: {
      CtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
      if (ctx && EVP_PKEY_keygen_init(ctx.get()) > 0) EVP_PKEY_keygen(ctx.get(), &raw);
      break;
    }
  }
  if (!raw) return Status::Internal("key generation failed");
  Key k;
  k.pkey_ = Share(raw);
  k.type_ = type;
  k.kid_ = std::move(kid);
  k.has_private_ = true;
  return k;
}

Result<Key> Key::Ed25519FromSeed(std::string_view seed, std::string kid) {
  if (seed.size() != 32) return Status::InvalidArgument("Ed25519 seed must be 32 bytes");
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), 32);
  if (!raw) return Status::Internal("cannot load Ed25519 seed");
  Key k;
  k.pkey_ = Share(raw);
  k.type_ = KeyType::kEd25519;
  k.kid_ = std::move(kid);
  k.has_private_ = true;
  return k;
}

Result<Key> Key::FromJwk(std::string_view json) {
  boost::system::error_code ec;
  bj::value v = bj::parse(json, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("JWK is not a JSON object");
  const bj::object& o = v.get_object();
  auto str = [&](std::string_view name) -> std::string {
    const bj::value* m = o.if_contains(name);
    return m && m->is_string() ? std::string(m->get_string()) : std::string();
  };
  std::string kty = str("kty"), crv = str("crv"), use = str("use");
  if (!use.empty() && use != "sig") {
    return Status::InvalidArgument("JWK use \"" + use + "\" is not \"sig\"");
  }
  Key k;
  k.kid_ = str("kid");
  k.alg_ = str("alg");
  PkeyPtr pkey;
  if (kty == "RSA") {
    Result<std::string> n = Member(o, "n", kty), e = Member(o, "e", kty);
    if (!n.ok()) return n.status();
    if (!e.ok()) return e.status();
    BnPtr bn_n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), int(n->size()), nullptr));
    BnPtr bn_e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), int(e->size()), nullptr));
    if (!bn_n || !bn_e) return Status::Internal("out of memory");
    if (BN_num_bits(bn_n.get()) < 2048) {
      return Status::InvalidArgument("RSA JWK modulus is shorter than 2048 bits");
    }
    BldPtr bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    pkey = FromData("RSA", params.get());
    k.type_ = KeyType::kRsa;
  } else if (kty == "EC") {
    if (crv != "P-256") return Status::InvalidArgument("EC JWK curve \"" + crv + "\" unsupported");
    Result<std::string> x = Member(o, "x", kty), y = Member(o, "y", kty);
    if (!x.ok()) return x.status();
    if (!y.ok()) return y.status();
    if (x->size() != kP256Bytes || y->size() != kP256Bytes) {
      return Status::InvalidArgument("EC P-256 JWK coordinates must be 32 bytes");
    }
    std::string point = "\x04" + *x + *y;
    BldPtr bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    pkey = FromData("EC", params.get());  // rejects points not on the curve
    k.type_ = KeyType::kEcP256;
  } else if (kty == "OKP") {
    if (crv != "Ed25519")
      return Status::InvalidArgument("OKP JWK curve \"" + crv + "\" unsupported");
    Result<std::string> x = Member(o, "x", kty);
    if (!x.ok()) return x.status();
    if (x->size() != 32) return Status::InvalidArgument("Ed25519 JWK x must be 32 bytes");
    pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(x->data()), 32));
    k.type_ = KeyType::kEd25519;
  } else {
    return Status::InvalidArgument("JWK kty \"" + kty + "\" unsupported");
  }
  if (!pkey) return Status::InvalidArgument("JWK does not describe a valid " + kty + " key");
  if (!k.alg_.empty()) {
    std::optional<JwsAlg> a = ParseJwsAlg(k.alg_);
    if (!a || KeyTypeFor(*a) != k.type_) {
      return Status::InvalidArgument("JWK alg \"" + k.alg_ + "\" does not fit its key type");
    }
  }
  k.pkey_ = Share(pkey.release());
  return k;
}

Result<Key> Key::FromPrivatePem(std::string_view pem, std::string kid) {
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  if (!bio) return Status::Internal("out of memory");
  // A null passphrase callback: encrypted keys fail instead of prompting on the terminal.
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                          [](char*, int, int, void*) { return 0; }, nullptr);
  if (!raw) return Status::InvalidArgument("not an unencrypted PEM private key");
  PkeyPtr pkey(raw);
  Key k;
  switch (EVP_PKEY_get_base_id(raw)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(raw) < 2048)
        return Status::InvalidArgument("RSA key is shorter than 2048 bits");
      k.type_ = KeyType::kRsa;
      break;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &len) != 1 ||
          std::string_view(group) != "prime256v1")
        return Status::InvalidArgument("EC key is not on curve P-256");
      k.type_ = KeyType::kEcP256;
      break;
    }
    case EVP_PKEY_ED25519:
      k.type_ = KeyType::kEd25519;
      break;
    default:
      return Status::InvalidArgument("unsupported key type (RSA, EC P-256 or Ed25519)");
  }
  k.pkey_ = Share(pkey.release());
  k.kid_ = std::move(kid);
  k.has_private_ = true;
  return k;
}

std::string Key::PrivatePem() const {
  if (!pkey_ || !has_private_) return "";
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1)
    return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, size_t(n)) : "";
}

std::string Key::PublicJwk() const {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  switch (type_) {
    case KeyType::kRsa: {
      BIGNUM *n = nullptr, *e = nullptr;
      EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N, &n);
      EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, &e);
      BnPtr hold_n(n), hold_e(e);
      w.Key("kty").String("RSA");
      w.Key("n").String(n ? Base64UrlEncode(BnBytes(n)) : "");
      w.Key("e").String(e ? Base64UrlEncode(BnBytes(e)) : "");
      break;
    }
    case KeyType::kEcP256: {
      BIGNUM *x = nullptr, *y = nullptr;
      EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x);
      EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y);
      BnPtr hold_x(x), hold_y(y);
      w.Key("kty").String("EC").Key("crv").String("P-256");
      w.Key("x").String(x ? Base64UrlEncode(BnBytes(x, kP256Bytes)) : "");
      w.Key("y").String(y ? Base64UrlEncode(BnBytes(y, kP256Bytes)) : "");
      break;
    }
    case KeyType::kEd25519:
      w.Key("kty").String("OKP").Key("crv").String("Ed25519");
      w.Key("x").String(Base64UrlEncode(RawPublicKey()));
      break;
  }
  w.StringIf("kid", kid_);
  w.Key("use").String("sig");
  w.Key("alg").String(alg_.empty() ? JwsAlgName(DefaultAlg()) : alg_);
  w.EndObject();
  return out;
}

std::string Key::RawPublicKey() const {
  if (type_ != KeyType::kEd25519 || !pkey_) return "";
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey_.get(), reinterpret_cast<unsigned char*>(out.data()),
                                  &len) <= 0) {
    return "";
  }
  out.resize(len);
  return out;
}

std::string Key::Ed25519Seed() const {
  if (type_ != KeyType::kEd25519 || !has_private_) return "";
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(pkey_.get(), reinterpret_cast<unsigned char*>(out.data()),
                                   &len) <= 0) {
    return "";
  }
  out.resize(len);
  return out;
}

Result<std::string> Key::Sign(JwsAlg alg, std::string_view data) const {
  if (!pkey_ || !has_private_) return Status::InvalidArgument("signing needs a private key");
  if (KeyTypeFor(alg) != type_) {
    return Status::InvalidArgument(std::string(JwsAlgName(alg)) + " does not fit a " +
                                   std::string(KeyTypeName(type_)) + " key");
  }
  MdCtxPtr md(EVP_MD_CTX_new());
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (!md || EVP_DigestSignInit(md.get(), nullptr, DigestFor(alg), nullptr, pkey_.get()) <= 0 ||
      EVP_DigestSign(md.get(), nullptr, &len, in, data.size()) <= 0) {
    return Status::Internal("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) <= 0) {
    return Status::Internal("signing failed");
  }
  sig.resize(len);
  if (alg != JwsAlg::kES256) return sig;
  // OpenSSL produces DER; JOSE wants R || S, each left-padded to 32 bytes (RFC 7518 §3.4).
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  SigPtr es(d2i_ECDSA_SIG(nullptr, &p, long(sig.size())));
  if (!es) return Status::Internal("signing failed");
  return BnBytes(ECDSA_SIG_get0_r(es.get()), kP256Bytes) +
         BnBytes(ECDSA_SIG_get0_s(es.get()), kP256Bytes);
}

Status Key::Verify(JwsAlg alg, std::string_view data, std::string_view signature) const {
  if (!pkey_) return Status::Unauthenticated("no key to verify the token signature");
  if (KeyTypeFor(alg) != type_) {
    return Status::Unauthenticated("token algorithm " + std::string(JwsAlgName(alg)) +
                                   " does not match the " + std::string(KeyTypeName(type_)) +
                                   " key");
  }
  if (!alg_.empty() && ParseJwsAlg(alg_) != alg) {
    return Status::Unauthenticated("token algorithm " + std::string(JwsAlgName(alg)) +
                                   " does not match the key's alg " + alg_);
  }
  std::string der;
  if (alg == JwsAlg::kES256) {
    if (signature.size() != 2 * kP256Bytes) {
      return Status::Unauthenticated("token signature is invalid");
    }
    const auto* s = reinterpret_cast<const unsigned char*>(signature.data());
    SigPtr es(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(s, kP256Bytes, nullptr);
    BIGNUM* ss = BN_bin2bn(s + kP256Bytes, kP256Bytes, nullptr);
    if (!es || !r || !ss || ECDSA_SIG_set0(es.get(), r, ss) != 1) {
      BN_free(r);
      BN_free(ss);
      return Status::Internal("out of memory");
    }
    unsigned char* buf = nullptr;
    int n = i2d_ECDSA_SIG(es.get(), &buf);
    if (n <= 0) return Status::Internal("out of memory");
    der.assign(reinterpret_cast<char*>(buf), size_t(n));
    OPENSSL_free(buf);
    signature = der;
  }
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, DigestFor(alg), nullptr, pkey_.get()) <= 0) {
    return Status::Internal("cannot initialise signature verification");
  }
  int rc = EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  if (rc != 1) return Status::Unauthenticated("token signature is invalid");
  return Status::OK();
}

std::string JwkThumbprint(const Key& key) {
  if (!key.valid()) return "";
  boost::system::error_code ec;
  bj::value v = bj::parse(key.PublicJwk(), ec);
  if (ec || !v.is_object()) return "";
  const bj::object& jwk = v.get_object();
  std::vector<std::string_view> members;
  switch (key.type()) {
    case KeyType::kRsa: members = {"e", "kty", "n"}; break;
    case KeyType::kEcP256: members = {"crv", "kty", "x", "y"}; break;
    case KeyType::kEd25519: members = {"crv", "kty", "x"}; break;
  }
  std::string canonical;
  json::JsonOut w(canonical);
  w.BeginObject();
  for (std::string_view m : members) {
    const bj::value* value = jwk.if_contains(m);
    w.Key(m).String(value && value->is_string() ? std::string_view(value->get_string()) : "");
  }
  w.EndObject();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    return "";
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace mcpreg::auth
