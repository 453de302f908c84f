// Value types shared by the store, the catalog and the services: one row per server version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mcpreg/clock.h"

namespace mcpreg {

enum class VersionStatus { kActive, kDeprecated, kDeleted };

std::string_view ToString(VersionStatus s);
// Returns nullopt for anything but "active", "deprecated", "deleted".
std::optional<VersionStatus> ParseVersionStatus(std::string_view s);

// Registry-managed facts about one version (the official `_meta` block) without its document.
struct VersionMeta {
  std::string name;
  std::string version;
  VersionStatus status = VersionStatus::kActive;
  Micros status_changed_at = 0;
  std::optional<std::string> status_message;  // <= 500 chars; absent when null
  Micros published_at = 0;
  Micros updated_at = 0;
  bool is_latest = false;
};

// A stored version: meta plus the canonical server.json (as model::Serialize writes it) and
// the store-wide change sequence number of its last write (strictly increasing across the
// whole store; replicas catch up by asking for rows with a higher seq).
struct VersionRecord {
  VersionMeta meta;
  std::string server_json;
  int64_t seq = 0;
};

}  // namespace mcpreg
