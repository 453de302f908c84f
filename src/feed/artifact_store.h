// ArtifactStore: content-addressed package storage on disk for the package feed.
//
// Blobs live at <dir>/sha256/<first two hex>/<64 hex> and are written atomically: a temp file
// <64 hex>.tmp.<pid>.<n> in the same directory, written, fsynced, renamed into place, then the
// directory fsynced, so a reader never sees a partial blob and a Put that returned OK survives
// a crash or power loss. The writer holds an exclusive flock on its temp file until the rename;
// Open() removes temp files nobody holds (orphans of a crashed writer), never one another
// process sharing the directory is still writing. The only path component ever derived from a
// request is the digest, and it is accepted only as exactly 64 lowercase hex characters: no
// request path reaches the filesystem unchecked.
//
// Thread-safety: safe for concurrent use, also by several processes on one directory;
// concurrent Puts of the same content are idempotent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "feed/blob_store.h"
#include "mcpreg/status.h"

namespace mcpreg::feed {

using ::mcpreg::Sha256Hex;  // lowercase hex SHA-256 (core/sha256.h)

// The on-disk BlobStore (a value type: copies share the directory).
class ArtifactStore final : public BlobStore {
 public:
  // Creates `dir` (and parents) when missing and removes orphan temp files (names matching
  // <64 hex>.tmp.<digits>.<digits> under <dir>/sha256/<2 hex>/ that no writer holds locked).
  // Errors: Unavailable when the directory cannot be created.
  static Result<ArtifactStore> Open(const std::string& dir);

  // Stores `data` after checking that its SHA-256 equals `declared_sha256`. Returns the digest.
  // Errors: InvalidArgument (declared digest malformed, or mismatch: "digest mismatch: declared
  // X, content hashes to Y"), Unavailable/Internal (I/O).
  Result<std::string> Put(std::string_view data, std::string_view declared_sha256) const override;

  struct BlobInfo {
    std::string path;
    uint64_t size = 0;
  };
  // NotFound when absent; InvalidArgument when `sha256` is malformed.
  Result<BlobInfo> Stat(std::string_view sha256) const;
  // Stat's size.
  Result<uint64_t> Size(std::string_view sha256) const override;
  // Reads [offset, offset+length) of a blob. REQUIRES: the range lies inside the blob.
  Result<std::string> Read(std::string_view sha256, uint64_t offset,
                           uint64_t length) const override;

  const std::string& dir() const { return dir_; }
  // Orphan temp files Open() removed.
  size_t orphans_removed() const { return orphans_removed_; }

 private:
  explicit ArtifactStore(std::string dir) : dir_(std::move(dir)) {}
  std::string PathFor(std::string_view sha256) const;
  std::string dir_;
  size_t orphans_removed_ = 0;
};

// True when `file_name` has the shape of a Put temp file: <64 hex>.tmp.<digits>.<digits>.
bool IsTempFileName(std::string_view file_name);

}  // namespace mcpreg::feed
