// StoreBlobStore: feed package bytes kept in the database (Store::PutBlob / BlobSize /
// ReadBlob), for backends whose Store::HoldsBlobs() is true (PostgreSQL). The store chunks the
// bytes; this class verifies the digest before anything reaches it (the store trusts it).
//
// Thread-safety: as the Store (safe for concurrent use).
#pragma once

#include "feed/blob_store.h"
#include "mcpreg/store.h"

namespace mcpreg::feed {

class StoreBlobStore final : public BlobStore {
 public:
  // REQUIRES: store.HoldsBlobs(); `store` outlives this object.
  explicit StoreBlobStore(Store& store) : store_(store) {}

  // Errors: those of BlobStore; the store's (Unavailable "database unavailable: ...") as is.
  Result<std::string> Put(std::string_view data, std::string_view declared_sha256) const override;
  Result<uint64_t> Size(std::string_view sha256) const override;
  Result<std::string> Read(std::string_view sha256, uint64_t offset,
                           uint64_t length) const override;

 private:
  Store& store_;
};

}  // namespace mcpreg::feed
