// DelegatingStore: a Store that forwards every call to a real store (SQLite in a temp dir), for
// tests that need one capability changed at the Store seam — report unhealthy, fail writes,
// hold blobs in memory, count waits — while everything else behaves as the real backend.
// Subclasses override what they change.
//
// Thread-safety: as the inner store.
#pragma once

#include <memory>
#include <utility>

#include "mcpreg/store.h"

namespace mcpreg::testing {

class DelegatingStore : public Store {
 public:
  explicit DelegatingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  Store& inner() { return *inner_; }

  Result<std::vector<MigrationInfo>> Migrate(bool dry_run) override {
    return inner_->Migrate(dry_run);
  }
  Result<ChangeBatch> LoadChangesSince(int64_t after_seq, size_t max) override {
    return inner_->LoadChangesSince(after_seq, max);
  }
  Result<std::vector<VersionRecord>> UpdateServer(std::string_view name,
                                                  const Mutator& mutate) override {
    return inner_->UpdateServer(name, mutate);
  }
  Result<std::vector<VersionRecord>> UpdateServers(const std::vector<Update>& updates) override {
    return inner_->UpdateServers(updates);
  }
  Result<int64_t> MaxSeq() override { return inner_->MaxSeq(); }
  Result<AuditRecord> AppendAudit(const AuditEvent& event) override {
    return inner_->AppendAudit(event);
  }
  Result<std::vector<AuditRecord>> ListAudit(std::string_view resource, int64_t after_seq,
                                             size_t limit) override {
    return inner_->ListAudit(resource, after_seq, limit);
  }
  Result<Grant> AddGrant(const Grant& grant, const AuditEvent& event) override {
    return inner_->AddGrant(grant, event);
  }
  Status RevokeGrant(const Grant& grant, const AuditEvent& event) override {
    return inner_->RevokeGrant(grant, event);
  }
  Result<std::vector<Grant>> ListGrants(std::string_view issuer,
                                        std::string_view subject) override {
    return inner_->ListGrants(issuer, subject);
  }
  Status PutArtifact(const Artifact& artifact, const AuditEvent& event) override {
    return inner_->PutArtifact(artifact, event);
  }
  Result<std::vector<Artifact>> FindArtifacts(std::string_view server_name,
                                              std::string_view version,
                                              std::string_view sha256) override {
    return inner_->FindArtifacts(server_name, version, sha256);
  }
  Result<ServerRequest> PutRequest(const RequestWrite& write) override {
    return inner_->PutRequest(write);
  }
  Result<ServerRequest> GetRequest(std::string_view name) override {
    return inner_->GetRequest(name);
  }
  Result<std::vector<ServerRequest>> ListRequests(std::string_view state) override {
    return inner_->ListRequests(state);
  }
  Result<Evidence> AddEvidence(const Evidence& evidence, const AuditEvent& event) override {
    return inner_->AddEvidence(evidence, event);
  }
  Result<std::vector<Evidence>> ListEvidence(std::string_view server_name,
                                             std::string_view version,
                                             int64_t after_id) override {
    return inner_->ListEvidence(server_name, version, after_id);
  }
  Status Health() override { return inner_->Health(); }
  unsigned WaitForChange(std::chrono::milliseconds timeout) override {
    return inner_->WaitForChange(timeout);
  }
  bool HoldsBlobs() const override { return inner_->HoldsBlobs(); }
  Status PutBlob(std::string_view sha256, std::string_view data) override {
    return inner_->PutBlob(sha256, data);
  }
  Result<uint64_t> BlobSize(std::string_view sha256) override { return inner_->BlobSize(sha256); }
  Result<std::string> ReadBlob(std::string_view sha256, uint64_t offset,
                               uint64_t length) override {
    return inner_->ReadBlob(sha256, offset, length);
  }
  Result<std::string> GetOrPutSetting(std::string_view key, std::string_view value) override {
    return inner_->GetOrPutSetting(key, value);
  }
  Result<MirrorState> GetMirrorState(std::string_view upstream) override {
    return inner_->GetMirrorState(upstream);
  }
  Status PutMirrorState(const MirrorState& state) override { return inner_->PutMirrorState(state); }
  Result<std::vector<VersionMeta>> ListMirrored(std::string_view upstream) override {
    return inner_->ListMirrored(upstream);
  }
  Result<Snapshot> Export() override { return inner_->Export(); }
  Result<bool> IsEmpty() override { return inner_->IsEmpty(); }
  Status Restore(const Snapshot& snap) override { return inner_->Restore(snap); }

 private:
  std::unique_ptr<Store> inner_;
};

}  // namespace mcpreg::testing
