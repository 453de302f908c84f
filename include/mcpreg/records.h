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
  // Mirrored rows (federation/mirror.h), all "" for a version published here:
  std::string mirror_upstream;  // the upstream's config name
  std::string mirror_meta;      // provenance JSON object, served as _meta["dev.mcpreg/mirror"]
  // Digest of the upstream entry the row was last written from (unchanged entries are not
  // rewritten); kMirrorRemoved once the upstream's filters no longer select the version.
  std::string mirror_digest;
};
inline constexpr std::string_view kMirrorRemoved = "removed";

// A stored version: meta plus the canonical server.json (as model::Serialize writes it) and
// the store-wide change sequence number of its last write (strictly increasing across the
// whole store; replicas catch up by asking for rows with a higher seq).
struct VersionRecord {
  VersionMeta meta;
  std::string server_json;
  int64_t seq = 0;
};

// One audit-log entry as the writer supplies it. `details` is a JSON object (as text).
struct AuditEvent {
  Micros at = 0;
  std::string actor;     // who: "oidc:<issuer>#<subject>", "cli:<user>@<host>", ...
  std::string action;    // what: "publish", "status", "edit", "grant", "revoke", "upload", ...
  std::string resource;  // on what: a server name, "grant:<issuer>#<subject>", ...
  std::string details = "{}";
};

// A stored audit entry: store-assigned sequence number and its place in the hash chain.
struct AuditRecord {
  int64_t seq = 0;
  AuditEvent event;
  std::string prev_hash;  // 64 hex; zeros for the first entry
  std::string hash;       // sha256(prev_hash || AuditCanonical(record))
};

// The bytes hashed for an entry: the JSON array [seq, at, actor, action, resource, details].
std::string AuditCanonical(int64_t seq, const AuditEvent& e);
// sha256 hex of prev_hash + AuditCanonical(seq, e).
std::string AuditHash(std::string_view prev_hash, int64_t seq, const AuditEvent& e);

// A publishing right held by a workload identity on a namespace pattern.
struct Grant {
  int64_t id = 0;
  std::string issuer;
  std::string subject;
  std::string namespace_pattern;  // "com.contoso/*"
  std::string role;               // publisher | feed-contributor | reviewer | admin
  Micros created_at = 0;
  std::string created_by;
};

// A package artifact in the feed, bound to a server version by name and digest.
struct Artifact {
  std::string server_name, version, filename, sha256;
  uint64_t size = 0;
  std::string content_type;
  Micros uploaded_at = 0;
  std::string uploaded_by;
};


// A server request (issue 5): a team asks for a server name to be admitted to the registry.
// `document` is the request as filed (JSON object text, see service/governance_service.h);
// the other fields are the registry's bookkeeping. One request per server name.
struct ServerRequest {
  std::string name;               // the server name requested, e.g. "com.contoso/weather"
  std::string state = "pending";  // pending | approved | rejected | retired
  std::string document = "{}";
  std::string issuer, subject;    // the publisher identity named in the document
  int64_t revision = 0;           // store-assigned; +1 on every write (optimistic concurrency)
  Micros created_at = 0, updated_at = 0;
  std::string created_by;         // actor who filed it
  std::string decided_by;         // actor of the last approve/reject/retire ("" while pending)
  Micros decided_at = 0;
  std::string reason;             // rejection reason / approval note / retirement message
};

// One piece of evidence bound to a server version and the digest of what was examined
// (the package's fileSha256, or "" for a remote-only server).
struct Evidence {
  int64_t id = 0;                 // store-assigned, increasing: newer evidence has a higher id
  std::string server_name, version, digest;
  std::string kind;               // sarif | threat-model | license | legal
  std::string verdict;            // pass | fail
  std::string summary;            // one line for queues and audit
  std::string document = "{}";    // JSON object: the attestation, or the SARIF verdict
  Micros at = 0;
  std::string actor;
};

}  // namespace mcpreg
