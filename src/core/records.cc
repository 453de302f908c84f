#include "mcpreg/records.h"
#include "mcpreg/store.h"

namespace mcpreg {

std::string_view ToString(VersionStatus s) {
  switch (s) {
    case VersionStatus::kActive: return "active";
    case VersionStatus::kDeprecated: return "deprecated";
    case VersionStatus::kDeleted: return "deleted";
  }
  return "active";
}

std::optional<VersionStatus> ParseVersionStatus(std::string_view s) {
  if (s == "active") return VersionStatus::kActive;
  if (s == "deprecated") return VersionStatus::kDeprecated;
  if (s == "deleted") return VersionStatus::kDeleted;
  return std::nullopt;
}

ServerRows::Row* ServerRows::Find(std::string_view version) {
  for (auto& r : rows)
    if (r.meta.version == version) return &r;
  return nullptr;
}

}  // namespace mcpreg

#include "core/json_out.h"
#include "core/sha256.h"

namespace mcpreg {

std::string AuditCanonical(int64_t seq, const AuditEvent& e) {
  std::string out;
  json::JsonOut w(out);
  w.BeginArray().Int(seq).Int(e.at).String(e.actor).String(e.action).String(e.resource)
      .String(e.details).EndArray();
  return out;
}

std::string AuditHash(std::string_view prev_hash, int64_t seq, const AuditEvent& e) {
  return Sha256Hex(std::string(prev_hash) + AuditCanonical(seq, e));
}

}  // namespace mcpreg
