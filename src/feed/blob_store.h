// BlobStore: where the package feed keeps artifact bytes, by SHA-256. Two implementations:
// ArtifactStore (feed/artifact_store.h: files in a directory, the SQLite deployment) and
// StoreBlobStore (feed/store_blob_store.h: in the database through Store::PutBlob, so every
// PostgreSQL replica serves every upload). FeedService holds one and never knows which.
//
// Every implementation verifies the content against the declared digest itself (VerifyDigest)
// before storing anything, and accepts a digest only as exactly 64 lowercase hex characters.
//
// Thread-safety: implementations are safe for concurrent use; Puts of the same content are
// idempotent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::feed {

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `data` after checking that its SHA-256 equals `declared_sha256`; durable when OK is
  // returned. Returns the digest. Errors: InvalidArgument (declared digest malformed, or
  // mismatch: "digest mismatch: declared X, content hashes to Y"), Unavailable/Internal.
  virtual Result<std::string> Put(std::string_view data,
                                  std::string_view declared_sha256) const = 0;
  // Size in bytes of a stored blob. Errors: NotFound ("artifact <sha> not found"),
  // InvalidArgument (malformed digest), Unavailable/Internal.
  virtual Result<uint64_t> Size(std::string_view sha256) const = 0;
  // Bytes [offset, offset + length) of a blob. REQUIRES: the range lies inside the blob (the
  // caller checked it against Size). Errors: as Size.
  virtual Result<std::string> Read(std::string_view sha256, uint64_t offset,
                                   uint64_t length) const = 0;
};

// True for exactly 64 lowercase hex characters.
bool IsSha256Hex(std::string_view s);

// The verification every Put does first: returns the digest of `data` when it equals
// `declared_sha256`. Errors: InvalidArgument (malformed declared digest, or mismatch).
Result<std::string> VerifyDigest(std::string_view data, std::string_view declared_sha256);

// A parsed single "Range: bytes=..." header against a resource of `size` bytes.
struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
};
// nullopt-equivalent semantics: returns OK with `*has_range=false` when the header is absent or
// not a single bytes range we support (then the full body is served, as RFC 9110 allows);
// OutOfRange ("range not satisfiable") when it is syntactically valid but outside.
Status ParseRange(std::string_view header, uint64_t size, bool* has_range, ByteRange* range);

}  // namespace mcpreg::feed
