#include "feed/store_blob_store.h"

namespace mcpreg::feed {
namespace {

Status Malformed() {
  return Status::InvalidArgument("sha256 must be 64 lowercase hex characters");
}

// The store's NotFound carries its own wording; answer as the on-disk store does.
Status NotFoundAsArtifact(const Status& s, std::string_view sha256) {
  if (s.IsNotFound()) return Status::NotFound("artifact " + std::string(sha256) + " not found");
  return s;
}

}  // namespace

Result<std::string> StoreBlobStore::Put(std::string_view data, std::string_view declared) const {
  auto sha = VerifyDigest(data, declared);
  if (!sha.ok()) return sha.status();
  MCPREG_RETURN_IF_ERROR(store_.PutBlob(*sha, data));
  return sha;
}

Result<uint64_t> StoreBlobStore::Size(std::string_view sha256) const {
  if (!IsSha256Hex(sha256)) return Malformed();
  auto size = store_.BlobSize(sha256);
  if (!size.ok()) return NotFoundAsArtifact(size.status(), sha256);
  return size;
}

Result<std::string> StoreBlobStore::Read(std::string_view sha256, uint64_t offset,
                                         uint64_t length) const {
  if (!IsSha256Hex(sha256)) return Malformed();
  auto data = store_.ReadBlob(sha256, offset, length);
  if (!data.ok()) return NotFoundAsArtifact(data.status(), sha256);
  return data;
}

}  // namespace mcpreg::feed
