// GovernanceService: the life of a server under governance (issue 5) — request, automated
// gates, evidence, review, listing, retirement — on top of RegistryService and the Store.
//
// A server request (one per server name) is a JSON object:
//   {"name": "com.contoso/weather",                 // the server name to admit
//    "team": "Weather Platform", "contacts": ["weather@contoso.com"],
//    "consumption": "first-party" | "third-party" | "both",
//    "hosting": "local" | "remote" | "both",
//    "publisher": {"issuer": "https://...", "subject": "..."},  // the workload identity
//    "pipeline": "https://dev.azure.com/contoso/weather/_build?definitionId=7",
//    "apis": [{"name": "Graph", "owner": "Identity", "permission": "https://..."}],  // optional
//    "description": "...",                                                      // optional
//    "server": { draft server.json }}                                           // optional
// Structural problems are Unprocessable naming the field ("request.hosting: ..."); everything
// that can be fixed later is a gate issue, reported with the request instead of refusing it.
//
// Request gates (model::Issue, type "policy", reference = rule id; errors block approval):
//   request.publisher-identity  issuer is a configured trusted issuer (when any is configured);
//                               subject is not a personal account (e-mail/UPN) or a secret;
//                               skipped for a mirrored server's request (ApproveMirrored: its
//                               document has "mirror" and no publisher, which filers cannot send)
//   request.api-permission      every API owned by another team has a recorded permission
//   request.hosting             the draft's packages/remotes agree with `hosting`
//   request.name                the draft's name equals the request's name
//   request.secrets             no token/key/connection string in the request's free text
//                               or subject; like the draft's secrets.* findings, this refuses
//                               the request outright (Unprocessable, redacted): never stored
//   request.draft               (warning) no draft server.json to run the policy on
//   + every policy rule on the draft, paths prefixed "server.".
// The policy is the registry's (governed mode) or the built-in default (open mode).
//
// Evidence (per version, bound to the digest examined: a package's fileSha256, or "" for a
// remote-only server): {"kind": "sarif", "digest"?, "sarif": <SARIF 2.1.0 log>} or an
// attestation {"kind": "threat-model"|"license"|"legal", "verdict": "approved"|"rejected",
// "reviewer", "link"?, "notes"?, "digest"?, "expression" (license only: SPDX)}. A SARIF log
// passes unless it has a blocking open result (policy/sarif.h); an attestation passes when
// approved, and a licence whose expression the policy denies never passes. The newest evidence
// of a kind decides. SARIF needs "publish" or "review" on the name or being the request's
// filer (scans usually come before approval); attestations need "review".
//
// Listing rule (governed mode only): a version is listed iff its request is approved, its
// status is not deleted, no policy error fires on its document, and for every kind in
// policy.required_evidence the newest matching evidence passes. Others are withheld from every
// public read (catalog::Entry::withheld). Open mode lists like upstream.
//
// Identity = issuer + subject (service::ActorOf): a request's filer is the identity that filed
// it; its publisher identity is the (issuer, subject) the document names.
//
// Permissions (README "Governance"): filing needs any authenticated principal; reading a
// request needs "review" on its name, being its filer or being its publisher identity;
// updating it needs "review" or being its filer ("publish", even on a wildcard such as
// "com.contoso/*", gives neither); approve/reject need "review"; retire needs "publish" or
// "edit" on the name. A request the caller may not read is NotFound (existence not revealed).
// Approval grants the request's publisher identity the roles publisher and feed-contributor
// on exactly the requested name; retirement revokes them in the same transaction. Every
// transition is audited with the request name as resource, in the same transaction as the
// change. Writes check the principal's grants as stored now (LivePrincipal), not as issued.
//
// Visibility (one rule for every read of a version, its feed artifacts and its evidence):
// MayReadVersion(who, name, version): open mode: always; governed: the version is listed, or
// `who` may read the name's request. Evidence (reviewer notes included) is readable only by
// who may read the name's request (for a name without request: "review" on it).
//
// Quotas (config `quotas:`), per identity (ActorOf), the local operator exempt:
// requests_per_hour (files + updates) and evidence_per_hour over a fixed one-hour window
// starting at the identity's first counted call, open_requests (pending or rejected requests
// filed by the identity) and max_request_bytes (one request document). Over quota is
// ResourceExhausted (HTTP 429; RetryAfterSeconds(who) gives the Retry-After value); too large a
// document is PayloadTooLarge (413). Request listing is paged (at most kMaxRequestPage per call).
//
// Thread-safety: all methods may be called concurrently. In-memory state (requests, evidence)
// is loaded by Start() and caught up by Refresh() with writes from other processes.
#pragma once

#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "mcpreg/clock.h"
#include "mcpreg/records.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"
#include "model/validate.h"
#include "policy/policy.h"
#include "service/quota.h"
#include "service/registry_service.h"

namespace mcpreg::service {

struct EvidenceState {
  std::string kind;
  std::string state;  // pass | fail | missing
  std::optional<Evidence> latest;
};

struct VersionCompliance {
  std::string version;
  std::string status;                // active | deprecated | deleted
  std::vector<std::string> digests;  // what evidence must be bound to ({""} for remote-only)
  std::vector<model::Issue> gates;
  bool gates_pass = true;
  std::vector<EvidenceState> evidence;  // one per required kind
  bool evidence_pass = true;
  bool listed = false;
};

struct RequestView {
  ServerRequest request;
  std::vector<model::Issue> gates;  // request gates + policy on the draft
  bool gates_pass = true;
  std::vector<VersionCompliance> versions;  // published versions, newest first
};

struct RequestPage {
  std::vector<RequestView> items;
  std::optional<std::string> next_cursor;  // the last item's name, only on a full page
};

// Bulk approval of mirrored servers (issue 13; ApproveMirrored). One line of the report per
// matching name.
struct MirrorApproval {
  enum class Outcome {
    kApproved,         // a request was filed and approved now (dry run: would be)
    kAlreadyApproved,  // its request was approved before, and its latest version is listed
    kWithheld,         // not listed: gates or evidence fail (`detail` says which)
    kRefused,          // not touched: no reviewer right, or another request decides it
  };
  std::string name;
  std::string upstream;  // the upstream the latest mirrored version came from
  std::string version;   // that version
  Outcome outcome = Outcome::kRefused;
  bool approved = false;  // a kWithheld item whose request is (or, dry run, would be) approved
  std::string detail;     // kWithheld: the failing gates/evidence; kRefused: why
};
struct MirrorApprovalReport {
  std::vector<MirrorApproval> items;  // ordered by name
  bool dry_run = false;
  size_t Count(MirrorApproval::Outcome o) const;
};
// At most this many mirrored names are handled per ApproveMirrored call; more is refused.
inline constexpr size_t kMaxMirrorApprovals = 10000;

inline constexpr size_t kDefaultRequestPage = 30;
inline constexpr size_t kMaxRequestPage = 100;

class GovernanceService {
 public:
  // `trusted_issuers`: the OIDC issuers the registry trusts (config auth.issuers[].issuer).
  GovernanceService(Store& store, RegistryService& registry, const Clock& clock,
                    std::vector<std::string> trusted_issuers);

  // Quotas (default: config::QuotaConfig defaults). REQUIRES: called before serving.
  void SetQuotas(const config::QuotaConfig& quotas);

  // Loads requests and evidence. In governed mode (registry.policy() set) installs the listing
  // rule on the catalog and evaluates it for every version.
  Status Start();
  // Catches up with requests/evidence written by other processes; relists what changed.
  Status Refresh();
  bool governed() const { return registry_.policy() != nullptr; }

  // Files a request. Errors: Unprocessable/InvalidArgument (malformed; a secret inside),
  // AlreadyExists (a request for the name exists and is not retired), ResourceExhausted
  // (requests_per_hour or open_requests), PayloadTooLarge (max_request_bytes).
  Result<RequestView> File(const auth::Principal& who, std::string_view body);
  // Replaces the document of a pending or rejected request (back to pending).
  // Errors: NotFound (also when `who` may not read it), FailedPrecondition (approved/retired),
  // InvalidArgument (name mismatch), ResourceExhausted, PayloadTooLarge.
  Result<RequestView> Update(const auth::Principal& who, std::string_view name,
                             std::string_view body);
  // Errors: NotFound (absent, or `who` may not read it).
  Result<RequestView> Get(const auth::Principal& who, std::string_view name) const;
  // One page of the requests the principal may read, optionally in one state, ordered by
  // name, starting after `cursor` (a name; "" = first page). REQUIRES 1 <= limit <=
  // kMaxRequestPage. Reads the in-memory copy (no database scan; Refresh keeps it current).
  // Errors: InvalidArgument (unknown state, limit out of range).
  Result<RequestPage> ListPage(const auth::Principal& who, std::string_view state,
                               std::string_view cursor, size_t limit) const;
  // Every request the principal may read (all pages; for the local CLI).
  Result<std::vector<RequestView>> List(const auth::Principal& who, std::string_view state) const;
  // Errors: FailedPrecondition (not pending; error gates failing).
  Result<RequestView> Approve(const auth::Principal& who, std::string_view name, std::string note);
  // Errors: InvalidArgument (empty reason), FailedPrecondition (not pending).
  Result<RequestView> Reject(const auth::Principal& who, std::string_view name, std::string reason);
  // Moves every version to deleted with `message` and the request to retired; history stays.
  // Errors: InvalidArgument (empty message), FailedPrecondition (already retired).
  Result<RequestView> Retire(const auth::Principal& who, std::string_view name,
                             std::string message);

  // Bulk review of mirrored servers: for every name whose versions are mirrored (from
  // `upstream`, or any upstream when empty), not deleted, and that federation::GlobMatch(pattern)
  // matches, in name order:
  //   - no request: files one on `who`'s behalf from the latest mirrored version (its
  //     server.json as the draft; team "mirror:<upstream>", consumption third-party, hosting
  //     from its packages/remotes, no publisher identity — publishing into a mirrored name is
  //     refused anyway, so approval grants nothing) and approves it in the same transaction,
  //     audited as "request" then "approve" (details carry "mirror": upstream). When the
  //     request gates fail (the policy on the draft), nothing is written: kWithheld;
  //   - an approved request: kAlreadyApproved (kWithheld when its latest version is not listed);
  //   - a pending, rejected or retired request: kRefused (a person decides those one by one);
  //   - no "review" right on the name: kRefused.
  // A newly approved name whose latest version is still not listed (evidence missing or
  // failing) is kWithheld with approved = true. `dry_run` writes nothing and reports what
  // would happen. `note` is the approval note (at most 2000 characters).
  // Errors: InvalidArgument (empty pattern, longer than 200 characters or with control
  // characters; note too long), PermissionDenied (matches exist but `who` may review none of
  // them), ResourceExhausted (more than kMaxMirrorApprovals names match: narrow the pattern),
  // store errors. No match is an empty report, not an error.
  Result<MirrorApprovalReport> ApproveMirrored(const auth::Principal& who,
                                               std::string_view pattern,
                                               std::string_view upstream, bool dry_run,
                                               std::string note);

  Result<Evidence> AddEvidence(const auth::Principal& who, std::string_view name,
                               std::string_view version, std::string_view body);
  // Evidence of a version (every version when `version` is empty), oldest first.
  // Errors: NotFound when `who` (nullptr = anonymous) may not read the name's request.
  Result<std::vector<Evidence>> ListEvidence(const auth::Principal* who, std::string_view name,
                                             std::string_view version) const;

  // After a ResourceExhausted from File/Update/AddEvidence: seconds until `who` may try again
  // (the end of its exhausted hourly window; 3600 for open_requests), at least 1.
  int64_t RetryAfterSeconds(const auth::Principal& who) const;

  // The visibility rule (see above). `who` nullptr = anonymous.
  bool MayReadVersion(const auth::Principal* who, std::string_view name,
                      std::string_view version) const;
  // The permission rules above, for callers that show what a principal may do (the web
  // console hides buttons that would be refused; every write still checks them itself).
  // MayUpdate: the filer or "review" on the name. MayRetire: "publish" or "edit" on the name.
  // MayReview: "review" on the name (approve, reject, attest).
  bool MayUpdate(const auth::Principal& who, const ServerRequest& r) const;
  static bool MayRetire(const auth::Principal& who, std::string_view name);
  static bool MayReview(const auth::Principal& who, std::string_view name);
  // True when `who` may read the request of `name` (and so its evidence).
  bool MayReadRequest(const auth::Principal* who, std::string_view name) const;

  // The listing rule (true in open mode for everything not deleted).
  bool Listed(const catalog::Entry& entry) const;
  // What exports publish: one entry per name — its latest listed version — sorted by name.
  // Governed: names with an approved request; open: every listed name.
  std::vector<catalog::EntryPtr> ApprovedSet() const;

 private:
  // "gates fail: a, b; evidence sarif missing, ..." for a version the listing rule withholds,
  // "" when its gates and evidence pass (and it is not deleted).
  std::string WhyWithheld(const catalog::Entry& e) const;
  MirrorApproval ApproveOneMirrored(const auth::Principal& who, const catalog::Entry& latest,
                                    bool dry_run, const std::string& note);
  const policy::Policy& GatePolicy() const;
  RequestView View(const ServerRequest& r) const;
  VersionCompliance Compliance(const catalog::Entry& e, bool with_issues) const;
  std::vector<model::Issue> RequestGates(const ServerRequest& r) const;
  bool MayRead(const auth::Principal& who, const ServerRequest& r) const;
  // requests_per_hour + open_requests (when `filing`) + max_request_bytes.
  Status CheckRequestQuota(const auth::Principal& who, std::string_view body, bool filing);
  Result<ServerRequest> Load(std::string_view name) const;
  // Stores `w`, updates the in-memory copy and relists the name.
  Result<RequestView> Write(Store::RequestWrite w);
  // Keeps `r` unless a newer revision is held; true when it was taken.
  bool Remember(const ServerRequest& r);
  void Remember(const Evidence& e);

  Store& store_;
  RegistryService& registry_;
  const Clock& clock_;
  std::vector<std::string> trusted_issuers_;
  policy::Policy default_policy_;

  mutable std::shared_mutex mu_;
  std::map<std::string, ServerRequest, std::less<>> requests_;
  std::map<std::pair<std::string, std::string>, std::vector<Evidence>, std::less<>> evidence_;
  int64_t last_evidence_id_ = 0;

  config::QuotaConfig quotas_;
  std::unique_ptr<HourlyQuota> request_rate_;
  std::unique_ptr<HourlyQuota> evidence_rate_;
};

// JSON renderings shared by REST, CLI and MCP.
std::string RequestViewJson(const RequestView& v);
std::string RequestListJson(const std::vector<RequestView>& v);
// {"requests":[...],"metadata":{"count":N,"nextCursor"?:NAME}}
std::string RequestPageJson(const RequestPage& p);
std::string EvidenceJson(const Evidence& e);
std::string EvidenceListJson(const std::vector<Evidence>& v);

}  // namespace mcpreg::service
