#include "service/governance_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <mutex>
#include <set>

#include "auth/permissions.h"
#include "core/json_out.h"
#include "service/auth_service.h"
#include "service/governance_rules.h"
#include "service/json_body.h"

namespace mcpreg::service {
namespace bj = boost::json;
using rules::Details;
using rules::Digests;
using rules::FailedRules;
using rules::HasError;
using rules::Str;
using rules::WriteGateSummary;

namespace {

bool IsOperator(const auth::Principal& who) { return who.auth_method == "cli" && who.issuer.empty(); }
}  // namespace

GovernanceService::GovernanceService(Store& store, RegistryService& registry, const Clock& clock,
                                     std::vector<std::string> trusted_issuers)
    : store_(store),
      registry_(registry),
      clock_(clock),
      trusted_issuers_(std::move(trusted_issuers)),
      default_policy_(policy::Policy::Default()) {
  SetQuotas(config::QuotaConfig{});
}

const policy::Policy& GovernanceService::GatePolicy() const {
  return registry_.policy() ? *registry_.policy() : default_policy_;
}

bool GovernanceService::Remember(const ServerRequest& r) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = requests_.try_emplace(r.name, r);
  if (inserted) return true;
  // Revisions only grow: a refresh that read the table before an in-process write must not
  // put the older row back.
  if (it->second.revision >= r.revision) return false;
  it->second = r;
  return true;
}

void GovernanceService::Remember(const Evidence& e) {
  std::unique_lock lock(mu_);
  auto& list = evidence_[{e.server_name, e.version}];
  // Kept in id order (newest last) even when another process's lower id arrives later.
  auto at = std::lower_bound(list.begin(), list.end(), e.id,
                             [](const Evidence& x, int64_t id) { return x.id < id; });
  if (at == list.end() || at->id != e.id) list.insert(at, e);
  // last_evidence_id_ is advanced by Refresh only: ids from another process's transaction may
  // be lower than one this process just wrote and must still be loaded.
}

Status GovernanceService::Start() {
  MCPREG_RETURN_IF_ERROR(Refresh());
  if (governed()) {
    registry_.catalog().SetListingRule([this](const catalog::Entry& e) { return Listed(e); });
    registry_.catalog().RelistAll();
  }
  return Status::OK();
}

Status GovernanceService::Refresh() {
  auto requests = store_.ListRequests("");
  if (!requests.ok()) return requests.status();
  int64_t after;
  {
    std::shared_lock lock(mu_);
    after = last_evidence_id_;
  }
  auto evidence = store_.ListEvidence("", "", after);
  if (!evidence.ok()) return evidence.status();
  std::set<std::string> changed;
  for (const auto& r : *requests)
    if (Remember(r)) changed.insert(r.name);
  for (const auto& e : *evidence) {
    Remember(e);
    changed.insert(e.server_name);
  }
  if (!evidence->empty()) {
    std::unique_lock lock(mu_);
    last_evidence_id_ = std::max(last_evidence_id_, evidence->back().id);
  }
  if (governed())
    for (const auto& name : changed) registry_.catalog().Relist(name);
  return Status::OK();
}

Result<ServerRequest> GovernanceService::Load(std::string_view name) const {
  // The store, not memory: decisions need the current revision even across processes.
  return store_.GetRequest(name);
}

std::vector<model::Issue> GovernanceService::RequestGates(const ServerRequest& r) const {
  return rules::RequestGates(r, GatePolicy(), trusted_issuers_);
}

VersionCompliance GovernanceService::Compliance(const catalog::Entry& e, bool with_issues) const {
  VersionCompliance c;
  c.version = e.meta.version;
  c.status = std::string(ToString(e.meta.status));
  if (with_issues || (governed() && !registry_.policy()->required_evidence.empty()))
    c.digests = Digests(e.server_json);
  bool approved;
  {
    std::shared_lock lock(mu_);
    auto it = requests_.find(e.meta.name);
    approved = it != requests_.end() && it->second.state == "approved";
    if (governed()) {
      auto ev = evidence_.find(std::make_pair(e.meta.name, e.meta.version));
      for (const auto& kind : registry_.policy()->required_evidence) {
        EvidenceState s{kind, "missing", std::nullopt};
        if (ev != evidence_.end())
          for (auto x = ev->second.rbegin(); x != ev->second.rend(); ++x)
            if (x->kind == kind &&
                std::find(c.digests.begin(), c.digests.end(), x->digest) != c.digests.end()) {
              s.state = x->verdict;
              s.latest = *x;
              break;
            }
        if (s.state != "pass") c.evidence_pass = false;
        c.evidence.push_back(std::move(s));
      }
    }
  }
  if (!governed()) {
    c.listed = e.meta.status != VersionStatus::kDeleted;
    return c;
  }
  // The policy is the expensive part: skip it when the answer is already "withheld".
  if (with_issues) {
    c.gates = policy::EvaluateText(*registry_.policy(), e.server_json);
    c.gates_pass = !HasError(c.gates);
  } else if (approved && c.evidence_pass && e.meta.status != VersionStatus::kDeleted) {
    c.gates_pass = registry_.GatesPass(e.server_json);  // memoized: publish evaluated it
  }
  c.listed =
      approved && c.evidence_pass && c.gates_pass && e.meta.status != VersionStatus::kDeleted;
  return c;
}

bool GovernanceService::Listed(const catalog::Entry& e) const {
  if (!governed()) return e.meta.status != VersionStatus::kDeleted;
  return Compliance(e, /*with_issues=*/false).listed;
}

RequestView GovernanceService::View(const ServerRequest& r) const {
  RequestView v;
  v.request = r;
  v.gates = RequestGates(r);
  v.gates_pass = !HasError(v.gates);
  for (const auto& e : registry_.catalog().Versions(r.name, /*include_deleted=*/true,
                                                    /*include_withheld=*/true)) {
    auto c = Compliance(*e, /*with_issues=*/true);
    c.listed =
        !e->withheld.load(std::memory_order_relaxed) && e->meta.status != VersionStatus::kDeleted;
    v.versions.push_back(std::move(c));
  }
  return v;
}

Result<RequestView> GovernanceService::Write(Store::RequestWrite w) {
  auto r = store_.PutRequest(w);
  if (!r.ok()) return r.status();
  Remember(*r);
  if (governed()) registry_.catalog().Relist(r->name);
  return View(*r);
}

Result<RequestView> GovernanceService::File(const auth::Principal& token_who, std::string_view body) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  MCPREG_RETURN_IF_ERROR(CheckRequestQuota(who, body, /*filing=*/true));
  ServerRequest r;
  MCPREG_RETURN_IF_ERROR(rules::ParseRequest(body, &r));
  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  r.state = "pending";
  r.created_at = r.updated_at = now;
  r.created_by = actor;
  auto gates = RequestGates(r);
  MCPREG_RETURN_IF_ERROR(rules::RefuseSecrets(gates));
  Store::RequestWrite w;
  // A retired name may be requested again (its history stays in the audit log); any other
  // existing request is updated, not re-filed.
  auto existing = Load(r.name);
  if (existing.ok()) {
    if (existing->state != "retired")
      return Status::AlreadyExists("a request for " + r.name + " already exists (" +
                                   existing->state + "); update it instead");
    w.expected_revision = existing->revision;
  } else if (!existing.status().IsNotFound()) {
    return existing.status();
  }
  w.request = r;
  w.audit.push_back(
      {now, actor, "request", r.name, Details([&](json::JsonOut& d) {
         d.Key("state").String("pending").Key("issuer").String(r.issuer).Key("subject").String(
             r.subject);
         WriteGateSummary(d, gates);
       })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Update(const auth::Principal& token_who, std::string_view name,
                                              std::string_view body) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  auto current = Load(name);
  if (!current.ok()) return current.status();
  if (!MayRead(who, *current)) return Status::NotFound("no request for " + std::string(name));
  if (!MayUpdate(who, *current))
    return Status::PermissionDenied("only the filer or a reviewer may update the request for " +
                                    std::string(name));
  MCPREG_RETURN_IF_ERROR(CheckRequestQuota(who, body, /*filing=*/false));
  if (current->state != "pending" && current->state != "rejected")
    return Status::FailedPrecondition("the request for " + std::string(name) + " is " +
                                      current->state + " and can no longer be changed");
  ServerRequest r = *current;
  MCPREG_RETURN_IF_ERROR(rules::ParseRequest(body, &r));
  if (r.name != name)
    return Status::InvalidArgument("request name " + r.name + " does not match the URL (" +
                                   std::string(name) + ")");
  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  r.state = "pending";
  r.updated_at = now;
  r.decided_by.clear();
  r.decided_at = 0;
  r.reason.clear();
  auto gates = RequestGates(r);
  MCPREG_RETURN_IF_ERROR(rules::RefuseSecrets(gates));
  Store::RequestWrite w;
  w.request = r;
  w.expected_revision = current->revision;
  w.audit.push_back({now, actor, "request-update", r.name, Details([&](json::JsonOut& d) {
                       d.Key("revision").Int(current->revision + 1).Key("state").String("pending");
                       WriteGateSummary(d, gates);
                     })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Get(const auth::Principal& who,
                                           std::string_view name) const {
  auto r = Load(name);
  if (!r.ok()) return r.status();
  if (!MayRead(who, *r)) return Status::NotFound("no request for " + std::string(name));
  return View(*r);
}

Result<RequestView> GovernanceService::Approve(const auth::Principal& token_who, std::string_view name,
                                               std::string note) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  if (!auth::HasPermission(who.permissions, auth::kActionReview, name))
    return Status::PermissionDenied("approving needs the reviewer role on " + std::string(name));
  auto current = Load(name);
  if (!current.ok()) return current.status();
  if (current->state != "pending")
    return Status::FailedPrecondition("the request for " + std::string(name) + " is " +
                                      current->state + ", not pending");
  auto gates = RequestGates(*current);
  if (HasError(gates))
    return Status::FailedPrecondition("cannot approve " + std::string(name) +
                                      ": compliance gates fail (" + FailedRules(gates) + ")");
  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  Store::RequestWrite w;
  w.request = *current;
  w.request.state = "approved";
  w.request.updated_at = w.request.decided_at = now;
  w.request.decided_by = actor;
  w.request.reason = std::move(note);
  w.expected_revision = current->revision;
  for (const char* role : {"publisher", "feed-contributor"}) {
    Grant g;
    g.issuer = current->issuer;
    g.subject = current->subject;
    g.namespace_pattern = current->name;
    g.role = role;
    g.created_at = now;
    g.created_by = actor;
    w.grants.push_back(g);
    w.audit.push_back(
        {now, actor, "grant", "grant:" + g.issuer + "#" + g.subject, Details([&](json::JsonOut& d) {
           d.Key("namespace")
               .String(g.namespace_pattern)
               .Key("role")
               .String(g.role)
               .Key("request")
               .String(current->name);
         })});
  }
  w.audit.push_back({now, actor, "approve", current->name, Details([&](json::JsonOut& d) {
                       d.Key("revision")
                           .Int(current->revision + 1)
                           .Key("note")
                           .String(w.request.reason)
                           .Key("granted")
                           .String("publisher, feed-contributor to " + current->issuer + "#" +
                                   current->subject);
                     })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Reject(const auth::Principal& token_who, std::string_view name,
                                              std::string reason) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  if (!auth::HasPermission(who.permissions, auth::kActionReview, name))
    return Status::PermissionDenied("rejecting needs the reviewer role on " + std::string(name));
  if (reason.empty()) return Status::InvalidArgument("a rejection needs a reason");
  if (reason.size() > rules::kMaxText)
    return Status::InvalidArgument("reason longer than 2000 characters");
  auto current = Load(name);
  if (!current.ok()) return current.status();
  if (current->state != "pending")
    return Status::FailedPrecondition("the request for " + std::string(name) + " is " +
                                      current->state + ", not pending");
  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  Store::RequestWrite w;
  w.request = *current;
  w.request.state = "rejected";
  w.request.updated_at = w.request.decided_at = now;
  w.request.decided_by = actor;
  w.request.reason = reason;
  w.expected_revision = current->revision;
  w.audit.push_back({now, actor, "reject", current->name, Details([&](json::JsonOut& d) {
                       d.Key("revision").Int(current->revision + 1).Key("reason").String(reason);
                     })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Retire(const auth::Principal& token_who, std::string_view name,
                                              std::string message) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  if (!MayRetire(who, name))
    return Status::PermissionDenied(
        "retiring needs the owner's publish right or an admin's edit "
        "right on " +
        std::string(name));
  if (message.empty()) return Status::InvalidArgument("a retirement needs a message");
  if (message.size() > 500) return Status::InvalidArgument("message longer than 500 characters");
  auto current = Load(name);
  if (!current.ok() && !current.status().IsNotFound()) return current.status();
  if (current.ok() && current->state == "retired")
    return Status::FailedPrecondition(std::string(name) + " is already retired");
  // Every version to deleted (one transaction, audited as "status" entries).
  auto versions = registry_.SetServerStatus(who, name, VersionStatus::kDeleted, message);
  if (!versions.ok() && !versions.status().IsNotFound() &&
      versions.status().code() != Code::kFailedPrecondition)
    return versions.status();
  if (!current.ok() && versions.status().IsNotFound())
    return Status::NotFound("no request or server named " + std::string(name));
  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  Store::RequestWrite w;
  if (current.ok()) {
    w.request = *current;
    w.expected_revision = current->revision;
    // The identity loses the rights its approval gave.
    for (const char* role : {"publisher", "feed-contributor"}) {
      Grant g;
      g.issuer = current->issuer;
      g.subject = current->subject;
      g.namespace_pattern = current->name;
      g.role = role;
      w.revoke_grants.push_back(g);
    }
  } else {  // a server that predates governance: record its retirement as a request
    w.request.name = std::string(name);
    w.request.document = Details([&](json::JsonOut& d) { d.Key("name").String(name); });
    w.request.created_at = now;
    w.request.created_by = actor;
  }
  w.request.state = "retired";
  w.request.updated_at = w.request.decided_at = now;
  w.request.decided_by = actor;
  w.request.reason = message;
  w.audit.push_back(
      {now, actor, "retire", std::string(name), Details([&](json::JsonOut& d) {
         d.Key("message").String(message).Key("versions").Int(versions.ok() ? versions->size() : 0);
       })});
  return Write(std::move(w));
}

Result<Evidence> GovernanceService::AddEvidence(const auth::Principal& token_who, std::string_view name,
                                                std::string_view version, std::string_view body) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  if (!IsOperator(who))
    MCPREG_RETURN_IF_ERROR(evidence_rate_->Take(ActorOf(who), clock_.Now(), "evidence uploads"));
  auto doc = ParseJsonBody(body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::Unprocessable("evidence: expected a JSON object");
  const bj::object& o = doc->get_object();
  Evidence ev;
  ev.server_name = std::string(name);
  ev.version = std::string(version);
  ev.kind = Str(o, "kind");
  if (!policy::IsEvidenceKind(ev.kind))
    return Status::Unprocessable(
        "evidence.kind: must be one of sarif, threat-model, license, legal");
  const bool may_review = auth::HasPermission(who.permissions, auth::kActionReview, name);
  // The store, not memory: a request filed by another process a moment ago counts.
  auto request = Load(name);
  if (!request.ok() && !request.status().IsNotFound()) return request.status();
  const bool known = request.ok();
  const bool filer = known && request->created_by == ActorOf(who);
  if (ev.kind == "sarif" ? !(may_review || filer ||
                             auth::HasPermission(who.permissions, auth::kActionPublish, name))
                         : !may_review)
    return Status::PermissionDenied(
        ev.kind == "sarif" ? "uploading scan results needs publish or review on " + ev.server_name +
                                 ", or being the request's filer"
                           : "attestations need the reviewer role on " + ev.server_name);
  if (version.empty() || version.size() > 255 || version == "latest")
    return Status::InvalidArgument("evidence needs a concrete version (not latest)");
  // Bind to the version's digest: given, or taken from the published version.
  auto published =
      registry_.catalog().Get(name, version, /*include_deleted=*/true, /*include_withheld=*/true);
  if (!published && !known)
    return Status::NotFound("no request and no published version for " + ev.server_name);
  const bj::value* digest = o.if_contains("digest");
  if (digest && (!digest->is_string() || !rules::IsSha256Hex(digest->get_string())))
    return Status::Unprocessable("evidence.digest: must be 64 lowercase hex characters (SHA-256)");
  if (published) {
    auto digests = Digests(published->server_json);
    ev.digest = digest ? std::string(digest->get_string()) : digests.front();
    if (std::find(digests.begin(), digests.end(), ev.digest) == digests.end())
      return Status::Unprocessable("evidence.digest: " + ev.digest +
                                   " is not the digest of any package of " + ev.server_name + " " +
                                   ev.version);
  } else if (digest) {
    ev.digest = std::string(digest->get_string());
  }
  MCPREG_RETURN_IF_ERROR(rules::ParseEvidenceBody(o, GatePolicy(), &ev));
  ev.at = clock_.Now();
  ev.actor = ActorOf(who);
  AuditEvent event{ev.at, ev.actor, "evidence", ev.server_name, Details([&](json::JsonOut& d) {
                     d.Key("version")
                         .String(ev.version)
                         .Key("kind")
                         .String(ev.kind)
                         .Key("verdict")
                         .String(ev.verdict)
                         .Key("digest")
                         .String(ev.digest)
                         .Key("summary")
                         .String(ev.summary);
                   })};
  auto stored = store_.AddEvidence(ev, event);
  if (!stored.ok()) return stored.status();
  Remember(*stored);
  if (governed()) registry_.catalog().Relist(name);
  return stored;
}

std::vector<catalog::EntryPtr> GovernanceService::ApprovedSet() const {
  std::vector<std::string> names;
  if (governed()) {
    std::shared_lock lock(mu_);
    for (const auto& [name, r] : requests_)
      if (r.state == "approved") names.push_back(name);
  } else {
    catalog::ListQuery q;
    q.limit = registry_.catalog().size();
    q.latest_only = true;
    for (const auto& e : registry_.catalog().List(q).items) names.push_back(e->meta.name);
  }
  std::vector<catalog::EntryPtr> out;
  for (const auto& name : names) {
    auto versions = registry_.catalog().Versions(name, /*include_deleted=*/false);
    if (versions.empty()) continue;
    auto latest = std::find_if(versions.begin(), versions.end(),
                               [](const catalog::EntryPtr& e) { return e->meta.is_latest; });
    out.push_back(latest != versions.end() ? *latest : versions.front());
  }
  return out;
}

}  // namespace mcpreg::service
