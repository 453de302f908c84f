// BlobHoldingStore: a real store (SQLite) that also holds feed blobs — in memory, with the
// Store contract for PutBlob/BlobSize/ReadBlob — so the database-backed feed::StoreBlobStore can
// be exercised where no PostgreSQL server is available. A fake at the Store seam only.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "testing/delegating_store.h"

namespace mcpreg::testing {

class BlobHoldingStore : public DelegatingStore {
 public:
  using DelegatingStore::DelegatingStore;

  bool HoldsBlobs() const override { return true; }
  Status PutBlob(std::string_view sha256, std::string_view data) override {
    std::lock_guard lock(mu_);
    ++puts_;
    blobs_.emplace(std::string(sha256), std::string(data));
    return Status::OK();
  }
  Result<uint64_t> BlobSize(std::string_view sha256) override {
    std::lock_guard lock(mu_);
    auto it = blobs_.find(std::string(sha256));
    if (it == blobs_.end()) return Status::NotFound("no blob");
    return uint64_t(it->second.size());
  }
  Result<std::string> ReadBlob(std::string_view sha256, uint64_t offset,
                               uint64_t length) override {
    std::lock_guard lock(mu_);
    auto it = blobs_.find(std::string(sha256));
    if (it == blobs_.end()) return Status::NotFound("no blob");
    if (offset + length > it->second.size()) return Status::OutOfRange("past the end");
    return it->second.substr(offset, length);
  }
  // PutBlob calls so far.
  size_t puts() {
    std::lock_guard lock(mu_);
    return puts_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> blobs_;
  size_t puts_ = 0;
};

}  // namespace mcpreg::testing
