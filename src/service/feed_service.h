// FeedService: the registry-controlled package feed. An identity holding "feed" on a server's
// name uploads an artifact (an MCPB bundle or a self-contained executable) for one version;
// bytes are stored content-addressed (feed/artifact_store.h) after their SHA-256 matched the
// declared digest, and the binding (name, version, filename) → digest is recorded with an
// audit entry. Downloads are by digest only.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "feed/artifact_store.h"
#include "mcpreg/clock.h"
#include "mcpreg/store.h"

namespace mcpreg::service {

// The REST path prefix of the feed, under /v0.1 (extension convention /x/<reverse-DNS>/...).
inline constexpr std::string_view kFeedPrefix = "/x/dev.mcpreg/feed";

struct UploadRequest {
  std::string server_name, version, filename;
  std::string declared_sha256;
  std::string content_type;  // "" = derived from the filename
  std::string_view data;
};

class FeedService {
 public:
  FeedService(feed::ArtifactStore blobs, Store& store, const Clock& clock, uint64_t max_bytes);

  // Errors: PermissionDenied (no "feed" on the name), InvalidArgument (bad filename, name,
  // version, digest, or digest mismatch), PayloadTooLarge, AlreadyExists (same file name
  // bound to other content), Unavailable/Internal.
  Result<Artifact> Upload(const auth::Principal& who, const UploadRequest& req);
  // Blob metadata by digest. NotFound / InvalidArgument.
  Result<feed::ArtifactStore::BlobInfo> Stat(std::string_view sha256) const;
  Result<std::string> Read(std::string_view sha256, uint64_t offset, uint64_t length) const;
  // Artifacts recorded for a server version (or all versions when `version` is empty).
  Result<std::vector<Artifact>> List(std::string_view server_name, std::string_view version) const;

  uint64_t max_bytes() const { return max_bytes_; }

 private:
  feed::ArtifactStore blobs_;
  Store& store_;
  const Clock& clock_;
  uint64_t max_bytes_;
};

// application/zip for .mcpb/.zip, application/octet-stream otherwise.
std::string ContentTypeForFilename(std::string_view filename);

}  // namespace mcpreg::service
