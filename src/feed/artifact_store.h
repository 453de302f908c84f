// ArtifactStore: content-addressed package storage on disk for the package feed.
//
// Blobs live at <dir>/sha256/<first two hex>/<64 hex> and are written atomically (temp file in
// the same directory, fsync, rename), so a reader never sees a partial blob and a crash leaves
// no garbage visible. The only path component ever derived from a request is the digest, and
// it is accepted only as exactly 64 lowercase hex characters: no request path reaches the
// filesystem unchecked.
//
// Thread-safety: safe for concurrent use; concurrent Puts of the same content are idempotent.
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
  // Creates `dir` (and parents) when missing. Errors: Unavailable when it cannot.
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

 private:
  explicit ArtifactStore(std::string dir) : dir_(std::move(dir)) {}
  std::string PathFor(std::string_view sha256) const;
  std::string dir_;
};

// A parsed single "Range: bytes=..." header against a resource of `size` bytes.
struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
};
// nullopt-equivalent semantics: returns OK with `*has_range=false` when the header is absent or
// not a single bytes range we support (then the full body is served, as RFC 9110 allows);
// OutOfRange ("range not satisfiable") when it is syntactically valid but outside.
Status ParseRange(std::string_view header, uint64_t size, bool* has_range, ByteRange* range);

}  // namespace mcpreg::feed
