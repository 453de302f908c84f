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
#include "mcpreg/status.h"

namespace mcpreg::feed {

// True for exactly 64 lowercase hex characters.
bool IsSha256Hex(std::string_view s);
using ::mcpreg::Sha256Hex;  // lowercase hex SHA-256 (core/sha256.h)

class ArtifactStore {
 public:
  // Creates `dir` (and parents) when missing and removes orphan temp files (names matching
  // <64 hex>.tmp.<digits>.<digits> under <dir>/sha256/<2 hex>/ that no writer holds locked).
  // Errors: Unavailable when the directory cannot be created.
  static Result<ArtifactStore> Open(const std::string& dir);

  // Stores `data` after checking that its SHA-256 equals `declared_sha256`. Returns the digest.
  // Errors: InvalidArgument (declared digest malformed, or mismatch: "digest mismatch: declared
  // X, content hashes to Y"), Unavailable/Internal (I/O).
  Result<std::string> Put(std::string_view data, std::string_view declared_sha256) const;

  struct BlobInfo {
    std::string path;
    uint64_t size = 0;
  };
  // NotFound when absent; InvalidArgument when `sha256` is malformed.
  Result<BlobInfo> Stat(std::string_view sha256) const;
  // Reads [offset, offset+length) of a blob. REQUIRES: the range lies inside the blob.
  Result<std::string> Read(std::string_view sha256, uint64_t offset, uint64_t length) const;

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

// A parsed single "Range: bytes=..." header against a resource of `size` bytes.
struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
};
// nullopt-equivalent semantics: returns OK with `*has_range=false` when the header is absent or
// not a single bytes range we support (then the full body is served, as RFC 9110 allows);
// OutOfRange ("range not satisfiable") when it is syntactically valid but outside.
Status ParseRange(std::string_view header, uint64_t size, bool* has_range, ByteRange* range);

}  // namespace mcpreg::feed
