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
