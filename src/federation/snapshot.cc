#include "federation/snapshot.h"

#include <boost/json.hpp>

#include "core/json_out.h"
#include "core/sha256.h"
#include "federation/dsse.h"

namespace mcpreg::federation {
namespace {

namespace bj = boost::json;

Status BadPayload(std::string_view why) {
  return Status::InvalidArgument("snapshot payload " + std::string(why));
}

Result<Micros> TimeMember(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return BadPayload("has no " + std::string(key) + " string");
  auto t = ParseRfc3339(v->get_string());
  if (!t.ok()) return BadPayload(std::string(key) + " is not an RFC 3339 time");
  return *t;
}

}  // namespace

Result<SnapshotSigner> SnapshotSigner::FromRegistryKey(const auth::Key& registry_key) {
  if (!registry_key.valid() || registry_key.type() != auth::KeyType::kEd25519 ||
      !registry_key.has_private())
    return Status::InvalidArgument("snapshots are signed with an Ed25519 private key");
  auto key = auth::Key::Ed25519FromSeed(registry_key.Ed25519Seed(),
                                        auth::JwkThumbprint(registry_key));
  if (!key.ok()) return key.status();
  SnapshotSigner out;
  out.key_ = std::move(*key);
  return out;
}

std::string SnapshotSigner::JwksJson() const {
  auth::JwkSet set;
  set.Add(key_);
  return set.ToJson();
}

PublicSet CollectPublic(const catalog::Catalog& catalog) {
  catalog::ListQuery q;
  q.include_deleted = true;
  q.include_withheld = true;  // to see every seq; withheld entries are dropped below
  q.limit = catalog.size() + 1;
  catalog::Page page = catalog.List(q);
  PublicSet out;
  out.entries.reserve(page.items.size());
  for (catalog::EntryPtr& e : page.items) {
    out.generation = std::max(out.generation, e->seq);
    if (!e->withheld.load(std::memory_order_acquire)) out.entries.push_back(std::move(e));
  }
  return out;
}

std::string RenderPayload(const PublicSet& set, Micros created_at, Micros expires_at) {
  size_t bytes = 128;
  for (const auto& e : set.entries) bytes += e->response_json.size() + 1;
  std::string out;
  out.reserve(bytes);
  json::JsonOut w(out);
  w.BeginObject()
      .Key("generation").Int(set.generation)
      .Key("createdAt").String(FormatRfc3339(created_at))
      .Key("expiresAt").String(FormatRfc3339(expires_at))
      .Key("servers").BeginArray();
  for (const auto& e : set.entries) w.Raw(e->response_json);
  w.EndArray().EndObject();
  return out;
}

Result<std::string> SignSnapshot(const PublicSet& set, const SnapshotSigner& signer, Micros now,
                                 Micros ttl) {
  auto envelope = SignEnvelope(kSnapshotPayloadType, RenderPayload(set, now, now + ttl),
                               signer.key(), signer.kid());
  if (!envelope.ok()) return envelope.status();
  return EncodeEnvelope(*envelope);
}

bool LooksLikeEnvelope(std::string_view json) {
  // Only the top level matters; a DSSE envelope is small apart from its payload string.
  boost::system::error_code ec;
  bj::parse_options po;
  po.max_depth = 8;
  bj::value v = bj::parse(json, ec, {}, po);
  const bj::object* o = ec ? nullptr : v.if_object();
  return o && o->contains("payloadType") && o->contains("payload") && o->contains("signatures");
}

Result<VerifiedSnapshot> VerifySnapshot(std::string_view envelope_json, const auth::JwkSet& keys,
                                        Micros now) {
  if (envelope_json.size() > kMaxSnapshotBytes)
    return Status::ResourceExhausted("snapshot is larger than " +
                                     std::to_string(kMaxSnapshotBytes) + " bytes");
  auto envelope = ParseEnvelope(envelope_json);
  if (!envelope.ok()) return envelope.status();
  if (envelope->payload_type != kSnapshotPayloadType) {
    std::string shown = envelope->payload_type.substr(0, 100);
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return Status::InvalidArgument("payloadType \"" + shown + "\" is not " +
                                   std::string(kSnapshotPayloadType));
  }
  auto kid = VerifyEnvelope(*envelope, keys);
  if (!kid.ok()) return kid.status();

  // Signed by a trusted key from here on, but still checked: the key may sign other things.
  boost::system::error_code ec;
  bj::parse_options po;
  po.max_depth = 64;
  bj::value v = bj::parse(envelope->payload, ec, {}, po);
  if (ec) return BadPayload("is not valid JSON (" + ec.message() + ")");
  const bj::object* o = v.if_object();
  if (!o) return BadPayload("is not a JSON object");
  VerifiedSnapshot out;
  out.kid = std::move(*kid);
  const bj::value* gen = o->if_contains("generation");
  if (!gen || !(gen->is_int64() || gen->is_uint64()) ||
      (gen->is_int64() && gen->get_int64() < 0) ||
      (gen->is_uint64() && gen->get_uint64() > uint64_t(INT64_MAX)))
    return BadPayload("has no generation (an integer >= 0)");
  out.info.generation = gen->is_int64() ? gen->get_int64() : int64_t(gen->get_uint64());
  auto created = TimeMember(*o, "createdAt");
  if (!created.ok()) return created.status();
  auto expires = TimeMember(*o, "expiresAt");
  if (!expires.ok()) return expires.status();
  if (*expires < *created) return BadPayload("expires before it was created");
  out.info.created_at = *created;
  out.info.expires_at = *expires;
  const bj::value* servers = o->if_contains("servers");
  if (!servers || !servers->is_array()) return BadPayload("has no servers array");
  for (const bj::value& s : servers->get_array())
    if (!s.is_object()) return BadPayload("has a servers member that is not an object");
  out.info.servers = servers->get_array().size();
  if (now + kSnapshotLeeway < *created)
    return Status::FailedPrecondition("snapshot is not valid before " + FormatRfc3339(*created));
  if (now - kSnapshotLeeway > *expires)
    return Status::FailedPrecondition("snapshot expired at " + FormatRfc3339(*expires));
  out.payload = std::move(envelope->payload);
  return out;
}

SnapshotPublisher::SnapshotPublisher(const catalog::Catalog& catalog, SnapshotSigner signer,
                                     const Clock& clock, Micros ttl)
    : catalog_(catalog), signer_(std::move(signer)), clock_(clock), ttl_(ttl) {}

Result<std::shared_ptr<const SnapshotPublisher::Signed>> SnapshotPublisher::Current() {
  std::lock_guard lock(mu_);
  const int64_t state = catalog_.generation();
  const Micros now = clock_.Now();
  if (cached_ && cached_state_ == state && now < cached_->info.expires_at - ttl_ / 2)
    return cached_;
  PublicSet set = CollectPublic(catalog_);
  auto envelope = SignSnapshot(set, signer_, now, ttl_);
  if (!envelope.ok()) return Status::Internal("signing the snapshot: " + envelope.status().message());
  auto s = std::make_shared<Signed>();
  s->info = {set.generation, now, now + ttl_, set.entries.size()};
  s->etag = "\"g" + std::to_string(set.generation) + "-" + Sha256Hex(*envelope).substr(0, 16) + "\"";
  s->envelope = std::move(*envelope);
  cached_ = s;
  cached_state_ = state;
  ++signs_;
  return std::shared_ptr<const Signed>(std::move(s));
}

int SnapshotPublisher::signs() const {
  std::lock_guard lock(mu_);
  return signs_;
}

}  // namespace mcpreg::federation
