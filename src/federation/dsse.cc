#include "federation/dsse.h"

#include <boost/json.hpp>

#include "auth/encoding.h"
#include "core/json_out.h"

namespace mcpreg::federation {
namespace {

namespace bj = boost::json;

// An attacker-chosen keyid as it may appear in a one-line message: at most 64 printable ASCII
// characters, anything else replaced by '?'.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 64; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f && c != '"') ? char(c) : '?';
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}

Status NotEnvelope(std::string_view why) {
  return Status::InvalidArgument("not a DSSE envelope: " + std::string(why));
}

const bj::string* StringMember(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

}  // namespace

std::string Pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

std::string EncodeEnvelope(const DsseEnvelope& envelope) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject()
      .Key("payloadType").String(envelope.payload_type)
      .Key("payload").String(auth::Base64Encode(envelope.payload))
      .Key("signatures").BeginArray();
  for (const DsseSignature& s : envelope.signatures)
    w.BeginObject().Key("keyid").String(s.keyid).Key("sig").String(auth::Base64Encode(s.sig)).EndObject();
  w.EndArray().EndObject();
  return out;
}

Result<DsseEnvelope> ParseEnvelope(std::string_view json) {
  boost::system::error_code ec;
  bj::parse_options po;
  po.max_depth = 8;  // an envelope is three levels deep
  bj::value v = bj::parse(json, ec, {}, po);
  if (ec) return NotEnvelope("invalid JSON (" + ec.message() + ")");
  const bj::object* o = v.if_object();
  if (!o) return NotEnvelope("expected a JSON object");
  const bj::string* type = StringMember(*o, "payloadType");
  const bj::string* payload = StringMember(*o, "payload");
  const bj::value* sigs = o->if_contains("signatures");
  if (!type) return NotEnvelope("payloadType must be a string");
  if (!payload) return NotEnvelope("payload must be a string");
  if (!sigs || !sigs->is_array()) return NotEnvelope("signatures must be an array");
  DsseEnvelope out;
  out.payload_type = std::string(*type);
  auto decoded = auth::Base64Decode(*payload);
  if (!decoded) return NotEnvelope("payload is not standard base64");
  out.payload = std::move(*decoded);
  const bj::array& arr = sigs->get_array();
  if (arr.empty()) return NotEnvelope("no signatures");
  if (arr.size() > kMaxDsseSignatures)
    return NotEnvelope("more than " + std::to_string(kMaxDsseSignatures) + " signatures");
  for (const bj::value& s : arr) {
    const bj::object* so = s.if_object();
    const bj::string* sig = so ? StringMember(*so, "sig") : nullptr;
    if (!sig) return NotEnvelope("a signature has no sig string");
    DsseSignature one;
    if (const bj::value* keyid = so->if_contains("keyid")) {
      if (!keyid->is_string()) return NotEnvelope("a signature's keyid is not a string");
      one.keyid = std::string(keyid->get_string());
    }
    auto raw = auth::Base64Decode(*sig);
    if (!raw) return NotEnvelope("a signature is not standard base64");
    one.sig = std::move(*raw);
    out.signatures.push_back(std::move(one));
  }
  return out;
}

Result<DsseEnvelope> SignEnvelope(std::string_view payload_type, std::string payload,
                                  const auth::Key& key, std::string keyid) {
  if (!key.valid() || key.type() != auth::KeyType::kEd25519 || !key.has_private())
    return Status::InvalidArgument("DSSE signing needs an Ed25519 private key");
  auto sig = key.Sign(auth::JwsAlg::kEdDSA, Pae(payload_type, payload));
  if (!sig.ok()) return sig.status();
  DsseEnvelope out;
  out.payload_type = std::string(payload_type);
  out.payload = std::move(payload);
  out.signatures.push_back({std::move(keyid), std::move(*sig)});
  return out;
}

Result<std::string> VerifyEnvelope(const DsseEnvelope& envelope, const auth::JwkSet& keys) {
  const std::string pae = Pae(envelope.payload_type, envelope.payload);
  Status first_failure;
  for (const DsseSignature& s : envelope.signatures) {
    if (s.keyid.empty()) continue;
    for (const auth::Key& key : keys.keys()) {
      if (key.kid() != s.keyid) continue;
      if (key.type() != auth::KeyType::kEd25519) {
        if (first_failure.ok())
          first_failure =
              Status::Unauthenticated("key " + Quoted(s.keyid) + " is not an Ed25519 key");
        continue;
      }
      if (key.Verify(auth::JwsAlg::kEdDSA, pae, s.sig).ok()) return s.keyid;
      if (first_failure.ok())
        first_failure = Status::Unauthenticated("signature by key " + Quoted(s.keyid) +
                                                " is invalid (the snapshot was changed or "
                                                "another key signed it)");
    }
  }
  if (!first_failure.ok()) return first_failure;
  std::string ids;
  for (const DsseSignature& s : envelope.signatures) ids += (ids.empty() ? "" : ", ") + Quoted(s.keyid);
  return Status::Unauthenticated("signed by another key: keyid " + ids + " is not in the JWKS");
}

}  // namespace mcpreg::federation
