// FeedService: the registry-controlled package feed. An identity holding "feed" on a server's
// name uploads an artifact (an MCPB bundle or a self-contained executable) for one version;
// bytes are stored content-addressed (a feed::BlobStore: files on disk, or the database) after
// their SHA-256 matched the declared digest, and the binding (name, version, filename) → digest is recorded with an
// audit entry. Downloads are by digest only.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include <memory>

#include "feed/blob_store.h"
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

// A feed file name: 1..kMaxFeedFilename characters of [A-Za-z0-9._+-], not starting with '.'.
// Checked at upload and at download, so a name can never carry CR/LF, quotes or '/' into a
// header or a path.
inline constexpr size_t kMaxFeedFilename = 255;
bool IsValidFeedFilename(std::string_view filename);

// `Content-Disposition: attachment` for `filename`, encoded whatever it holds (RFC 6266):
// an ASCII fallback `filename="..."` (bytes outside [A-Za-z0-9._+-] replaced by '_') and
// `filename*=UTF-8''<percent-encoded>`.
std::string ContentDispositionFor(std::string_view filename);

class FeedService {
 public:
  // REQUIRES: `blobs` non-null; `store` and `clock` outlive the service.
  FeedService(std::unique_ptr<feed::BlobStore> blobs, Store& store, const Clock& clock,
              uint64_t max_bytes);

  // Who may read the artifacts of (name, version); `who` nullptr = anonymous. Default: everyone
  // (open mode). Governed registries install GovernanceService::MayReadVersion.
  // REQUIRES: set before serving; the rule outlives this service.
  using ReadRule = std::function<bool(const auth::Principal* who, std::string_view name,
                                      std::string_view version)>;
  void SetReadRule(ReadRule rule) { read_rule_ = std::move(rule); }

  // Errors: PermissionDenied (no "feed" on the name), InvalidArgument (bad filename, name,
  // version, digest, or digest mismatch), PayloadTooLarge, AlreadyExists (same file name
  // bound to other content), Unavailable/Internal.
  Result<Artifact> Upload(const auth::Principal& who, const UploadRequest& req);
  // A blob's size by digest, when `who` may read some version the blob is bound to (the read
  // rule); otherwise NotFound, as for an unknown digest. InvalidArgument (malformed digest),
  // Unavailable/Internal.
  Result<uint64_t> Size(const auth::Principal* who, std::string_view sha256) const;
  // REQUIRES: Size(who, sha256) succeeded for the caller and the range lies inside the blob.
  Result<std::string> Read(std::string_view sha256, uint64_t offset, uint64_t length) const;
  // Artifacts recorded for a server version (or all versions when `version` is empty) that
  // `who` may read; hidden ones are left out (as if absent).
  Result<std::vector<Artifact>> List(const auth::Principal* who, std::string_view server_name,
                                     std::string_view version) const;

  uint64_t max_bytes() const { return max_bytes_; }

 private:
  std::unique_ptr<feed::BlobStore> blobs_;
  Store& store_;
  const Clock& clock_;
  uint64_t max_bytes_;
  ReadRule read_rule_;
};

// application/zip for .mcpb/.zip, application/octet-stream otherwise.
std::string ContentTypeForFilename(std::string_view filename);

}  // namespace mcpreg::service
