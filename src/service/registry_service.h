// RegistryService: the registry's read and write rules, shared by every surface (REST handlers,
// MCP tools, CLI import). Reads are answered from the in-memory catalog (no database round trip);
// writes go through the Store's per-name transaction and are then applied to the catalog.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "catalog/catalog.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"

namespace mcpreg::model {
struct ServerJson;
}
namespace mcpreg::policy {
struct Policy;
}

namespace mcpreg::service {

struct ListResult {
  std::vector<catalog::EntryPtr> items;
  std::optional<std::string> next_cursor;  // "name:version" of the last item, only on full pages
};

struct PublishOptions {
  // Keep publishedAt from an imported entry's official _meta instead of "now" (import only).
  std::optional<Micros> published_at;
  std::optional<VersionStatus> status;  // import only: carry a source registry's status
  std::optional<std::string> status_message;
};

struct ImportSummary {
  size_t total = 0, imported = 0, unchanged = 0, invalid = 0, failed = 0;
  std::vector<std::string> problems;  // one line per skipped entry: "<name>@<version>: <why>"
};

class RegistryService {
 public:
  RegistryService(Store& store, catalog::Catalog& catalog, const Clock& clock);

  // --- reads --------------------------------------------------------------------------------
  // One page of GET /servers. REQUIRES: 1 <= q.limit <= 100 (handlers validate).
  ListResult List(const catalog::ListQuery& q) const;
  Store& store() const { return store_; }
  // Whether the database accepts work (Store::Health: cheap, non-blocking). Reads above are
  // answered from memory either way. Errors: Unavailable ("database unavailable: ...").
  Status Health() const { return store_.Health(); }
  // `version` may be "latest". NotFound("Server not found") when absent or hidden.
  Result<catalog::EntryPtr> GetVersion(std::string_view name, std::string_view version,
                                       bool include_deleted) const;
  // Newest published first. NotFound("Server not found") when the name has no visible version.
  Result<std::vector<catalog::EntryPtr>> ListVersions(std::string_view name,
                                                      bool include_deleted) const;

  // --- writes -------------------------------------------------------------------------------
  // Validates (schema version + semantic rules), then stores a new version and recomputes
  // isLatest. Errors: Unprocessable (invalid document; message says to call /validate),
  // AlreadyExists ("invalid version: cannot publish duplicate version"), FailedPrecondition
  // (remote URL owned by another server, 10,000-version cap), Unavailable/Internal (store).
  // REQUIRES nothing of `who` but its permissions: "publish" on the name, else
  // PermissionDenied naming the patterns held. Every write is audited as ActorOf(who).
  Result<catalog::EntryPtr> Publish(const auth::Principal& who, std::string_view server_json,
                                    const PublishOptions& opts = {});

  // Imports documents one by one through Publish; an identical existing version counts as
  // unchanged, invalid ones are reported and skipped. `progress(done, total)` is optional.
  // Runs as `who` (an operator principal: "publish" on "*").
  ImportSummary Import(const auth::Principal& who, const std::vector<std::string>& documents,
                       const std::vector<PublishOptions>& options,
                       const std::function<void(size_t, size_t)>& progress = {});

  // PATCH .../versions/{v}/status. Errors: NotFound("Server version not found"),
  // InvalidArgument (message with active status, message > 500 chars), FailedPrecondition
  // ("No changes to apply: ..."; remote URL conflict when restoring a deleted version).
  // Status and edit calls need "publish" or "edit" (status) / "edit" (edit) on the name.
  Result<catalog::EntryPtr> SetVersionStatus(const auth::Principal& who, std::string_view name,
                                             std::string_view version,
                                             VersionStatus status,
                                             std::optional<std::string> message);
  // PATCH /servers/{name}/status: every version in one transaction. Returns all versions of
  // the name after the update (not only changed ones), newest published first.
  Result<std::vector<catalog::EntryPtr>> SetServerStatus(const auth::Principal& who,
                                                         std::string_view name,
                                                         VersionStatus status,
                                                         std::optional<std::string> message);
  // PUT .../versions/{v}: replaces the document of an existing, non-deleted version.
  // Errors: NotFound, InvalidArgument ("Cannot rename server", "Version in request body must
  // match URL path parameter"), Unprocessable (invalid), FailedPrecondition (remote URL owned).
  Result<catalog::EntryPtr> EditVersion(const auth::Principal& who, std::string_view name,
                                        std::string_view version,
                                        std::string_view server_json);

  // Catches the catalog up with writes made by other processes sharing the database.
  Status Refresh();

  // Governed mode: API publishes and edits must also pass this compliance policy (errors block,
  // warnings inform). Operator imports are not gated. Null (the default) = open mode, as
  // upstream. REQUIRES: `policy` outlives the service; set before serving.
  void SetPolicy(const policy::Policy* policy) { policy_ = policy; }
  const policy::Policy* policy() const { return policy_; }
  // Governed mode: true when the policy raises no error on `canonical` (a document as stored);
  // always true in open mode. Verdicts are memoized by the document's SHA-256 (bounded), so the
  // gate check at publish and the listing rule evaluate one document once.
  bool GatesPass(std::string_view canonical) const;

  const catalog::Catalog& catalog() const { return catalog_; }
  catalog::Catalog& catalog() { return catalog_; }
  const Clock& clock() const { return clock_; }

 private:
  // A validated document ready to store: its identity and canonical bytes.
  struct PreparedVersion {
    std::string name, version, canonical;
  };
  // Parse + validate + remote-URL and feed checks, outside any transaction.
  Result<PreparedVersion> Prepare(std::string_view server_json) const;
  // Packages served from our feed must name an uploaded artifact of this server by digest.
  Status CheckFeedPackages(const model::ServerJson& server) const;
  // The in-transaction part of publishing `p` (duplicate, cap, isLatest). `p` and `opts` must
  // outlive the returned mutator's use.
  // `gated`: the compliance gates were checked (recorded in the audit entry).
  // `may_enter_mirror`: the publisher holds a grant naming exactly this server, which alone
  // lets a local version into a name mirrored from an upstream (else AlreadyExists, HTTP 409,
  // federation/mirror.h; *mirror_conflict is then set when given).
  Store::Mutator PublishMutator(const PreparedVersion& p, const PublishOptions& opts,
                                Micros now, const std::string& actor, bool gated = false,
                                bool may_enter_mirror = false,
                                bool* mirror_conflict = nullptr) const;
  // FailedPrecondition when a remote URL of `server_json` belongs to another, non-deleted name.
  Status CheckRemotesFree(std::string_view name, const model::ServerJson& server) const;
  Status CheckRemotesFree(std::string_view name, std::string_view server_json) const;

  // Unprocessable naming the failed compliance gates, when a policy is set. `canonical` is
  // the document as it will be stored (what the listing rule evaluates later).
  Status CheckGates(std::string_view canonical) const;

  Store& store_;
  catalog::Catalog& catalog_;
  const Clock& clock_;
  const policy::Policy* policy_ = nullptr;
  static constexpr size_t kMaxGateVerdicts = 100000;
  mutable std::mutex gate_mu_;
  mutable std::unordered_map<std::string, bool> gate_verdicts_;  // sha256 -> gates pass
};

}  // namespace mcpreg::service
