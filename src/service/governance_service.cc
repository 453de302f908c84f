#include "service/governance_service.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <boost/json.hpp>
#include <mutex>
#include <set>

#include "auth/permissions.h"
#include "core/json_out.h"
#include "core/sha256.h"
#include "policy/license.h"
#include "policy/sarif.h"
#include "policy/secret_scan.h"
#include "service/auth_service.h"
#include "service/json_body.h"

namespace mcpreg::service {
namespace bj = boost::json;
namespace {

constexpr size_t kMaxText = 2000;  // any one free-text field of a request or attestation

Status Bad(std::string_view field, std::string_view why) {
  return Status::Unprocessable("request." + std::string(field) + ": " + std::string(why));
}

bool IsNamespaceChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; }
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Upstream's server-name shape: "<namespace>/<name>", namespace [a-zA-Z0-9.-] starting and
// ending alphanumeric, name [a-zA-Z0-9._-], at most 200 characters.
bool IsServerName(std::string_view n) {
  auto slash = n.find('/');
  if (n.size() > 200 || slash == std::string_view::npos || n.find('/', slash + 1) != n.npos)
    return false;
  std::string_view ns = n.substr(0, slash), name = n.substr(slash + 1);
  if (ns.size() < 2 || name.empty()) return false;
  if (!std::isalnum(static_cast<unsigned char>(ns.front())) ||
      !std::isalnum(static_cast<unsigned char>(ns.back())))
    return false;
  return std::all_of(ns.begin(), ns.end(), IsNamespaceChar) &&
         std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsHttpUrl(std::string_view s) { return s.starts_with("https://") || s.starts_with("http://"); }

// A required non-empty string member, at most kMaxText characters.
Result<std::string> RequiredString(const bj::object& o, std::string_view key, std::string_view field) {
  const bj::value* v = o.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty())
    return Bad(field, "required, a non-empty string");
  if (v->get_string().size() > kMaxText) return Bad(field, "longer than 2000 characters");
  return std::string(v->get_string());
}

Status OptionalString(const bj::object& o, std::string_view key, std::string_view field) {
  const bj::value* v = o.if_contains(key);
  if (!v) return Status::OK();
  if (!v->is_string()) return Bad(field, "must be a string");
  if (v->get_string().size() > kMaxText) return Bad(field, "longer than 2000 characters");
  return Status::OK();
}

Status OneOf(const std::string& value, std::initializer_list<std::string_view> allowed,
             std::string_view field) {
  for (auto a : allowed)
    if (value == a) return Status::OK();
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Bad(field, "must be one of " + list);
}

// Validates a request document; fills the bookkeeping fields of `out` from it.
Status ParseRequest(std::string_view body, ServerRequest* out) {
  auto doc = ParseJsonBody(body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::Unprocessable("request: expected a JSON object");
  const bj::object& o = doc->get_object();
  static const std::set<std::string_view> kKnown = {
      "name",      "team",     "contacts", "consumption", "hosting", "publisher",
      "pipeline",  "apis",     "description", "server"};
  for (const auto& kv : o)
    if (!kKnown.count(kv.key())) return Bad(kv.key(), "unknown field");
  auto name = RequiredString(o, "name", "name");
  if (!name.ok()) return name.status();
  if (!IsServerName(*name))
    return Bad("name", "must look like <namespace>/<name>, e.g. com.contoso/weather");
  auto team = RequiredString(o, "team", "team");
  if (!team.ok()) return team.status();
  const bj::value* contacts = o.if_contains("contacts");
  if (!contacts || !contacts->is_array() || contacts->get_array().empty())
    return Bad("contacts", "required, a non-empty list of strings");
  for (size_t i = 0; i < contacts->get_array().size(); ++i) {
    const auto& c = contacts->get_array()[i];
    if (!c.is_string() || c.get_string().empty() || c.get_string().size() > 320)
      return Bad("contacts[" + std::to_string(i) + "]", "must be a non-empty string");
  }
  auto consumption = RequiredString(o, "consumption", "consumption");
  if (!consumption.ok()) return consumption.status();
  MCPREG_RETURN_IF_ERROR(OneOf(*consumption, {"first-party", "third-party", "both"}, "consumption"));
  auto hosting = RequiredString(o, "hosting", "hosting");
  if (!hosting.ok()) return hosting.status();
  MCPREG_RETURN_IF_ERROR(OneOf(*hosting, {"local", "remote", "both"}, "hosting"));
  const bj::value* pub = o.if_contains("publisher");
  if (!pub || !pub->is_object())
    return Bad("publisher", "required, an object with the publishing identity's issuer and subject");
  auto issuer = RequiredString(pub->get_object(), "issuer", "publisher.issuer");
  if (!issuer.ok()) return issuer.status();
  if (!issuer->starts_with("https://")) return Bad("publisher.issuer", "must be an https:// OIDC issuer URL");
  auto subject = RequiredString(pub->get_object(), "subject", "publisher.subject");
  if (!subject.ok()) return subject.status();
  auto pipeline = RequiredString(o, "pipeline", "pipeline");
  if (!pipeline.ok()) return pipeline.status();
  MCPREG_RETURN_IF_ERROR(OptionalString(o, "description", "description"));
  if (const bj::value* apis = o.if_contains("apis")) {
    if (!apis->is_array()) return Bad("apis", "must be a list");
    for (size_t i = 0; i < apis->get_array().size(); ++i) {
      std::string f = "apis[" + std::to_string(i) + "]";
      const auto& a = apis->get_array()[i];
      if (!a.is_object()) return Bad(f, "must be an object with name, owner and permission");
      auto an = RequiredString(a.get_object(), "name", f + ".name");
      if (!an.ok()) return an.status();
      auto ow = RequiredString(a.get_object(), "owner", f + ".owner");
      if (!ow.ok()) return ow.status();
      MCPREG_RETURN_IF_ERROR(OptionalString(a.get_object(), "permission", f + ".permission"));
    }
  }
  if (const bj::value* server = o.if_contains("server"); server && !server->is_object())
    return Bad("server", "must be a server.json object");
  out->name = *name;
  out->issuer = *issuer;
  out->subject = *subject;
  out->document = bj::serialize(*doc);
  return Status::OK();
}

std::string Str(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Adds a request-gate issue unless the policy disables the rule, at the policy's severity.
// (Secret findings are refused outright whatever their configured severity: RefuseSecrets.)
void Error(std::vector<model::Issue>& out, std::string path, std::string message, std::string rule,
           const policy::Policy& pol) {
  if (!pol.Enabled(rule)) return;
  out.push_back({"policy", std::move(path), std::move(message), pol.SeverityOf(rule), std::move(rule)});
}

bool HasError(const std::vector<model::Issue>& issues) {
  return std::any_of(issues.begin(), issues.end(),
                     [](const model::Issue& i) { return i.severity == "error"; });
}

std::string FailedRules(const std::vector<model::Issue>& issues) {
  std::string out;
  for (const auto& i : issues)
    if (i.severity == "error" && out.find(i.reference) == std::string::npos)
      out += (out.empty() ? "" : ", ") + i.reference;
  return out;
}

// The digests evidence for this document must be bound to: every package's fileSha256, or
// {""} for a server without digested packages (remote-only).
std::vector<std::string> Digests(std::string_view server_json) {
  std::vector<std::string> out;
  bj::error_code ec;
  bj::value v = bj::parse(server_json, ec);
  if (!ec && v.is_object())
    if (const bj::value* pkgs = v.get_object().if_contains("packages"); pkgs && pkgs->is_array())
      for (const auto& p : pkgs->get_array())
        if (p.is_object())
          if (std::string d = Str(p.get_object(), "fileSha256"); !d.empty()) out.push_back(d);
  if (out.empty()) out.push_back("");
  return out;
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Details(const std::function<void(json::JsonOut&)>& fill) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  fill(w);
  w.EndObject();
  return out;
}

void WriteIssues(json::JsonOut& w, const std::vector<model::Issue>& issues) {
  w.BeginArray();
  for (const auto& i : issues)
    w.BeginObject()
        .Key("type").String(i.type)
        .Key("path").String(i.path)
        .Key("message").String(i.message)
        .Key("severity").String(i.severity)
        .Key("reference").String(i.reference)
        .EndObject();
  w.EndArray();
}

void WriteGateSummary(json::JsonOut& w, const std::vector<model::Issue>& gates) {
  size_t errors = 0, warnings = 0;
  for (const auto& i : gates) (i.severity == "error" ? errors : warnings)++;
  w.Key("gates").BeginObject().Key("pass").Bool(errors == 0).Key("errors").Int(errors)
      .Key("warnings").Int(warnings).Key("failed").String(FailedRules(gates)).EndObject();
}

// Secrets are never stored: a request whose text or draft carries one is refused outright
// (messages are redacted), unlike other gate failures, which are recorded for review.
Status RefuseSecrets(const std::vector<model::Issue>& gates) {
  static const std::set<std::string_view> kSecretRules = {
      "request.secrets", "secrets.token", "secrets.private-key", "secrets.jwt",
      "secrets.connection-string"};
  std::string where;
  for (const auto& i : gates)
    if (kSecretRules.count(i.reference))  // at any configured severity
      where += (where.empty() ? "" : "; ") + i.path + ": " + i.message + " [" + i.reference + "]";
  if (where.empty()) return Status::OK();
  return Status::Unprocessable("request refused, secrets are never stored: " + where);
}

}  // namespace

GovernanceService::GovernanceService(Store& store, RegistryService& registry, const Clock& clock,
                                     std::vector<std::string> trusted_issuers)
    : store_(store),
      registry_(registry),
      clock_(clock),
      trusted_issuers_(std::move(trusted_issuers)),
      default_policy_(policy::Policy::Default()) {}

const policy::Policy& GovernanceService::GatePolicy() const {
  return registry_.policy() ? *registry_.policy() : default_policy_;
}

void GovernanceService::Remember(const ServerRequest& r) {
  std::unique_lock lock(mu_);
  requests_[r.name] = r;
}

void GovernanceService::Remember(const Evidence& e) {
  std::unique_lock lock(mu_);
  auto& list = evidence_[{e.server_name, e.version}];
  if (std::none_of(list.begin(), list.end(), [&](const Evidence& x) { return x.id == e.id; }))
    list.push_back(e);
  last_evidence_id_ = std::max(last_evidence_id_, e.id);
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
  for (const auto& r : *requests) {
    {
      std::shared_lock lock(mu_);
      auto it = requests_.find(r.name);
      if (it != requests_.end() && it->second.revision == r.revision) continue;
    }
    Remember(r);
    changed.insert(r.name);
  }
  for (const auto& e : *evidence) {
    Remember(e);
    changed.insert(e.server_name);
  }
  if (governed())
    for (const auto& name : changed) registry_.catalog().Relist(name);
  return Status::OK();
}

Result<ServerRequest> GovernanceService::Load(std::string_view name) const {
  // The store, not memory: decisions need the current revision even across processes.
  return store_.GetRequest(name);
}

bool GovernanceService::MayRead(const auth::Principal& who, const ServerRequest& r) const {
  return auth::HasPermission(who.permissions, auth::kActionReview, r.name) ||
         auth::HasPermission(who.permissions, auth::kActionPublish, r.name) ||
         r.created_by == ActorOf(who);
}

std::vector<model::Issue> GovernanceService::RequestGates(const ServerRequest& r) const {
  std::vector<model::Issue> out;
  bj::error_code ec;
  bj::value doc = bj::parse(r.document, ec);
  if (ec || !doc.is_object()) {
    out.push_back({"policy", "", "the stored request is not a JSON object", "error", "request.document"});
    return out;
  }
  const bj::object& o = doc.get_object();
  const policy::Policy& pol = GatePolicy();
  // The publisher must be a workload identity from an issuer this registry trusts.
  if (!trusted_issuers_.empty() &&
      std::find(trusted_issuers_.begin(), trusted_issuers_.end(), r.issuer) == trusted_issuers_.end())
    Error(out, "publisher.issuer",
          "issuer " + r.issuer + " is not a trusted OIDC issuer of this registry; publishing "
          "identities must come from a configured workload-identity issuer",
          "request.publisher-identity", pol);
  if (auto at = r.subject.find('@'); at != std::string::npos && at > 0 &&
                                     r.subject.find('.', at) != std::string::npos &&
                                     r.subject.find(':') == std::string::npos)
    Error(out, "publisher.subject",
          "subject looks like a personal account; use a workload identity (managed identity, "
          "service principal or CI OIDC subject)",
          "request.publisher-identity", pol);
  for (const auto& f : policy::ScanString(pol, r.subject))
    if (f.rule != "secrets.email")
      Error(out, "publisher.subject", "subject contains a " + f.kind + " (" + f.redacted + ")",
            "request.secrets", pol);
  // APIs owned by another team need that team's recorded permission.
  const std::string team = Str(o, "team");
  if (const bj::value* apis = o.if_contains("apis"); apis && apis->is_array())
    for (size_t i = 0; i < apis->get_array().size(); ++i) {
      const auto& a = apis->get_array()[i].get_object();
      std::string owner = Str(a, "owner");
      if (owner != team && owner != "self" && Str(a, "permission").empty())
        Error(out, "apis[" + std::to_string(i) + "].permission",
              "API " + Str(a, "name") + " is owned by " + owner +
                  "; record that team's permission (a link or ticket) before review",
              "request.api-permission", pol);
    }
  // No secrets in the request's own text.
  auto scan = [&](const std::string& path, std::string_view text) {
    for (const auto& f : policy::ScanString(pol, text))
      if (f.rule == "secrets.token" || f.rule == "secrets.private-key" || f.rule == "secrets.jwt" ||
          f.rule == "secrets.connection-string")
        Error(out, path, path + " contains a " + f.kind + " (" + f.redacted + ")", "request.secrets", pol);
  };
  for (std::string_view key : {"team", "pipeline", "description"}) scan(std::string(key), Str(o, key));
  if (const bj::value* apis = o.if_contains("apis"); apis && apis->is_array())
    for (size_t i = 0; i < apis->get_array().size(); ++i)
      for (std::string_view key : {"name", "owner", "permission"})
        scan("apis[" + std::to_string(i) + "]." + std::string(key),
             Str(apis->get_array()[i].get_object(), key));
  // The draft server.json: shape, schema, and every policy rule.
  const bj::value* draft = o.if_contains("server");
  if (!draft) {
    Error(out, "server", "no draft server.json: the compliance gates run when one is attached",
          "request.draft", pol);
    return out;
  }
  const bj::object& d = draft->get_object();
  if (Str(d, "name") != r.name)
    Error(out, "server.name", "the draft's name must be " + r.name, "request.name", pol);
  auto count = [&](std::string_view key) {
    const bj::value* v = d.if_contains(key);
    return v && v->is_array() ? v->get_array().size() : size_t{0};
  };
  const std::string hosting = Str(o, "hosting");
  const bool local = count("packages") > 0, remote = count("remotes") > 0;
  if ((hosting == "local" || hosting == "both") && !local)
    Error(out, "server.packages", "hosting is " + hosting + " but the draft has no packages",
          "request.hosting", pol);
  if ((hosting == "remote" || hosting == "both") && !remote)
    Error(out, "server.remotes", "hosting is " + hosting + " but the draft has no remotes",
          "request.hosting", pol);
  if (hosting == "local" && remote)
    Error(out, "server.remotes", "hosting is local but the draft has remotes", "request.hosting", pol);
  if (hosting == "remote" && local)
    Error(out, "server.packages", "hosting is remote but the draft has packages", "request.hosting", pol);
  auto prefixed = [](const std::string& p) { return p.empty() ? std::string("server") : "server." + p; };
  for (auto issue : model::ValidateServerJson(*draft).issues) {
    issue.path = prefixed(issue.path);
    out.push_back(std::move(issue));
  }
  for (auto issue : policy::EvaluateText(pol, bj::serialize(*draft))) {
    issue.path = prefixed(issue.path);
    out.push_back(std::move(issue));
  }
  return out;
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
  c.listed = approved && c.evidence_pass && c.gates_pass && e.meta.status != VersionStatus::kDeleted;
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
    c.listed = !e->withheld.load(std::memory_order_relaxed) && e->meta.status != VersionStatus::kDeleted;
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

Result<RequestView> GovernanceService::File(const auth::Principal& who, std::string_view body) {
  ServerRequest r;
  MCPREG_RETURN_IF_ERROR(ParseRequest(body, &r));
  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  r.state = "pending";
  r.created_at = r.updated_at = now;
  r.created_by = actor;
  auto gates = RequestGates(r);
  MCPREG_RETURN_IF_ERROR(RefuseSecrets(gates));
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
  w.audit.push_back({now, actor, "request", r.name, Details([&](json::JsonOut& d) {
                       d.Key("state").String("pending").Key("issuer").String(r.issuer)
                           .Key("subject").String(r.subject);
                       WriteGateSummary(d, gates);
                     })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Update(const auth::Principal& who, std::string_view name,
                                              std::string_view body) {
  auto current = Load(name);
  if (!current.ok()) return current.status();
  if (!MayRead(who, *current))
    return Status::PermissionDenied("only the filer or a reviewer may update the request for " +
                                    std::string(name));
  if (current->state != "pending" && current->state != "rejected")
    return Status::FailedPrecondition("the request for " + std::string(name) + " is " +
                                      current->state + " and can no longer be changed");
  ServerRequest r = *current;
  MCPREG_RETURN_IF_ERROR(ParseRequest(body, &r));
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
  MCPREG_RETURN_IF_ERROR(RefuseSecrets(gates));
  Store::RequestWrite w;
  w.request = r;
  w.expected_revision = current->revision;
  w.audit.push_back({now, actor, "request-update", r.name, Details([&](json::JsonOut& d) {
                       d.Key("revision").Int(current->revision + 1).Key("state").String("pending");
                       WriteGateSummary(d, gates);
                     })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Get(const auth::Principal& who, std::string_view name) const {
  auto r = Load(name);
  if (!r.ok()) return r.status();
  if (!MayRead(who, *r))
    return Status::PermissionDenied("you may not read the request for " + std::string(name));
  return View(*r);
}

Result<std::vector<RequestView>> GovernanceService::List(const auth::Principal& who,
                                                         std::string_view state) const {
  if (!state.empty() && state != "pending" && state != "approved" && state != "rejected" &&
      state != "retired")
    return Status::InvalidArgument("state must be pending, approved, rejected or retired");
  auto all = store_.ListRequests(state);
  if (!all.ok()) return all.status();
  std::vector<RequestView> out;
  for (const auto& r : *all)
    if (MayRead(who, r)) out.push_back(View(r));
  return out;
}

Result<RequestView> GovernanceService::Approve(const auth::Principal& who, std::string_view name,
                                               std::string note) {
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
    w.audit.push_back({now, actor, "grant", "grant:" + g.issuer + "#" + g.subject,
                       Details([&](json::JsonOut& d) {
                         d.Key("namespace").String(g.namespace_pattern).Key("role").String(g.role)
                             .Key("request").String(current->name);
                       })});
  }
  w.audit.push_back({now, actor, "approve", current->name, Details([&](json::JsonOut& d) {
                       d.Key("revision").Int(current->revision + 1)
                           .Key("note").String(w.request.reason)
                           .Key("granted").String("publisher, feed-contributor to " +
                                                  current->issuer + "#" + current->subject);
                     })});
  return Write(std::move(w));
}

Result<RequestView> GovernanceService::Reject(const auth::Principal& who, std::string_view name,
                                              std::string reason) {
  if (!auth::HasPermission(who.permissions, auth::kActionReview, name))
    return Status::PermissionDenied("rejecting needs the reviewer role on " + std::string(name));
  if (reason.empty()) return Status::InvalidArgument("a rejection needs a reason");
  if (reason.size() > kMaxText) return Status::InvalidArgument("reason longer than 2000 characters");
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

Result<RequestView> GovernanceService::Retire(const auth::Principal& who, std::string_view name,
                                              std::string message) {
  if (!auth::HasPermission(who.permissions, auth::kActionPublish, name) &&
      !auth::HasPermission(who.permissions, auth::kActionEdit, name))
    return Status::PermissionDenied("retiring needs the owner's publish right or an admin's edit "
                                    "right on " + std::string(name));
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
  w.audit.push_back({now, actor, "retire", std::string(name), Details([&](json::JsonOut& d) {
                       d.Key("message").String(message)
                           .Key("versions").Int(versions.ok() ? versions->size() : 0);
                     })});
  return Write(std::move(w));
}

Result<Evidence> GovernanceService::AddEvidence(const auth::Principal& who, std::string_view name,
                                                std::string_view version, std::string_view body) {
  auto doc = ParseJsonBody(body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::Unprocessable("evidence: expected a JSON object");
  const bj::object& o = doc->get_object();
  Evidence ev;
  ev.server_name = std::string(name);
  ev.version = std::string(version);
  ev.kind = Str(o, "kind");
  if (!policy::IsEvidenceKind(ev.kind))
    return Status::Unprocessable("evidence.kind: must be one of sarif, threat-model, license, legal");
  const bool may_review = auth::HasPermission(who.permissions, auth::kActionReview, name);
  bool filer;
  {
    std::shared_lock lock(mu_);
    auto it = requests_.find(name);
    filer = it != requests_.end() && it->second.created_by == ActorOf(who);
  }
  if (ev.kind == "sarif"
          ? !(may_review || filer || auth::HasPermission(who.permissions, auth::kActionPublish, name))
          : !may_review)
    return Status::PermissionDenied(
        ev.kind == "sarif"
            ? "uploading scan results needs publish or review on " + ev.server_name +
                  ", or being the request's filer"
            : "attestations need the reviewer role on " + ev.server_name);
  if (version.empty() || version.size() > 255 || version == "latest")
    return Status::InvalidArgument("evidence needs a concrete version (not latest)");
  // Bind to the version's digest: given, or taken from the published version.
  auto published = registry_.catalog().Get(name, version, /*include_deleted=*/true, /*include_withheld=*/true);
  bool known;
  {
    std::shared_lock lock(mu_);
    known = requests_.count(name) > 0;
  }
  if (!published && !known)
    return Status::NotFound("no request and no published version for " + ev.server_name);
  const bj::value* digest = o.if_contains("digest");
  if (digest && (!digest->is_string() || !IsSha256Hex(digest->get_string())))
    return Status::Unprocessable("evidence.digest: must be 64 lowercase hex characters (SHA-256)");
  if (published) {
    auto digests = Digests(published->server_json);
    ev.digest = digest ? std::string(digest->get_string()) : digests.front();
    if (std::find(digests.begin(), digests.end(), ev.digest) == digests.end())
      return Status::Unprocessable("evidence.digest: " + ev.digest + " is not the digest of any package of " +
                                   ev.server_name + " " + ev.version);
  } else if (digest) {
    ev.digest = std::string(digest->get_string());
  }
  static const std::set<std::string_view> kSarifKeys = {"kind", "digest", "sarif"};
  static const std::set<std::string_view> kAttestKeys = {"kind",  "digest", "verdict", "reviewer",
                                                        "link",  "notes",  "expression"};
  for (const auto& kv : o)
    if (!(ev.kind == "sarif" ? kSarifKeys : kAttestKeys).count(kv.key()))
      return Status::Unprocessable("evidence." + std::string(kv.key()) + ": unknown field for " + ev.kind);
  if (ev.kind == "sarif") {
    const bj::value* sarif = o.if_contains("sarif");
    if (!sarif || !sarif->is_object())
      return Status::Unprocessable("evidence.sarif: required, the SARIF 2.1.0 log object");
    std::string text = bj::serialize(*sarif);
    auto report = policy::ParseSarif(text);
    if (!report.ok()) return Status::Unprocessable("evidence.sarif: " + report.status().message());
    ev.verdict = report->Blocks() ? "fail" : "pass";
    ev.summary = report->Summary();
    ev.document = Details([&](json::JsonOut& d) {
      d.Key("sha256").String(Sha256Hex(text))
          .Key("open").Int(report->open).Key("blocking").Int(report->blocking)
          .Key("critical").Int(report->critical).Key("high").Int(report->high);
      d.Key("findings").BeginArray();
      size_t shown = 0;
      for (const auto& f : report->findings) {
        if (!f.blocking || ++shown > 20) continue;
        d.BeginObject().Key("tool").String(f.tool).Key("ruleId").String(f.rule_id)
            .Key("level").String(f.level);
        if (f.security_severity) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "%.1f", *f.security_severity);
          d.Key("securitySeverity").Raw(buf);
        }
        d.Key("location").String(f.location).Key("message").String(f.message.substr(0, 300)).EndObject();
      }
      d.EndArray();
    });
  } else {
    std::string verdict = Str(o, "verdict");
    if (verdict != "approved" && verdict != "rejected")
      return Status::Unprocessable("evidence.verdict: must be approved or rejected");
    std::string reviewer = Str(o, "reviewer");
    if (reviewer.empty() || reviewer.size() > 320)
      return Status::Unprocessable("evidence.reviewer: required, who reviewed");
    for (std::string_view key : {"link", "notes", "expression"})
      if (const bj::value* v = o.if_contains(key); v && (!v->is_string() || v->get_string().size() > kMaxText))
        return Status::Unprocessable("evidence." + std::string(key) + ": must be a string of at most 2000 characters");
    std::string link = Str(o, "link");
    if (!link.empty() && !IsHttpUrl(link))
      return Status::Unprocessable("evidence.link: must be an http(s) URL");
    bool pass = verdict == "approved";
    ev.summary = ev.kind + " review " + verdict + " by " + reviewer;
    std::string expression = Str(o, "expression");
    if (ev.kind == "license") {
      if (expression.empty())
        return Status::Unprocessable("evidence.expression: required for a licence review (SPDX expression)");
      auto decision = policy::EvaluateLicense(GatePolicy(), expression);
      if (!decision.ok()) return Status::Unprocessable("evidence.expression: " + decision.status().message());
      if (decision->verdict == policy::LicenseVerdict::kDeny) {
        pass = false;
        ev.summary += "; " + decision->reason;
      }
    } else if (!expression.empty()) {
      return Status::Unprocessable("evidence.expression: only for licence reviews");
    }
    ev.verdict = pass ? "pass" : "fail";
    ev.document = Details([&](json::JsonOut& d) {
      d.Key("verdict").String(verdict).Key("reviewer").String(reviewer).StringIf("link", link)
          .StringIf("notes", Str(o, "notes")).StringIf("expression", expression);
    });
  }
  ev.at = clock_.Now();
  ev.actor = ActorOf(who);
  AuditEvent event{ev.at, ev.actor, "evidence", ev.server_name, Details([&](json::JsonOut& d) {
                     d.Key("version").String(ev.version).Key("kind").String(ev.kind)
                         .Key("verdict").String(ev.verdict).Key("digest").String(ev.digest)
                         .Key("summary").String(ev.summary);
                   })};
  auto stored = store_.AddEvidence(ev, event);
  if (!stored.ok()) return stored.status();
  Remember(*stored);
  if (governed()) registry_.catalog().Relist(name);
  return stored;
}

std::vector<Evidence> GovernanceService::ListEvidence(std::string_view name,
                                                      std::string_view version) const {
  std::shared_lock lock(mu_);
  std::vector<Evidence> out;
  for (const auto& [key, list] : evidence_)
    if (key.first == name && (version.empty() || key.second == version))
      out.insert(out.end(), list.begin(), list.end());
  std::sort(out.begin(), out.end(), [](const Evidence& a, const Evidence& b) { return a.id < b.id; });
  return out;
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

// --- JSON -------------------------------------------------------------------------------------

namespace {

void WriteEvidence(json::JsonOut& w, const Evidence& e) {
  w.BeginObject()
      .Key("id").Int(e.id)
      .Key("server").String(e.server_name)
      .Key("version").String(e.version)
      .Key("digest").String(e.digest)
      .Key("kind").String(e.kind)
      .Key("verdict").String(e.verdict)
      .Key("summary").String(e.summary)
      .Key("at").String(FormatRfc3339(e.at))
      .Key("actor").String(e.actor)
      .Key("details").Raw(e.document)
      .EndObject();
}

void WriteView(json::JsonOut& w, const RequestView& v) {
  const ServerRequest& r = v.request;
  w.BeginObject()
      .Key("name").String(r.name)
      .Key("state").String(r.state)
      .Key("revision").Int(r.revision)
      .Key("createdAt").String(FormatRfc3339(r.created_at))
      .Key("createdBy").String(r.created_by)
      .Key("updatedAt").String(FormatRfc3339(r.updated_at));
  if (!r.decided_by.empty())
    w.Key("decidedBy").String(r.decided_by).Key("decidedAt").String(FormatRfc3339(r.decided_at));
  w.StringIf("reason", r.reason);
  w.Key("request").Raw(r.document);
  w.Key("gates").BeginObject().Key("pass").Bool(v.gates_pass).Key("issues");
  WriteIssues(w, v.gates);
  w.EndObject();
  w.Key("versions").BeginArray();
  for (const auto& c : v.versions) {
    w.BeginObject().Key("version").String(c.version).Key("status").String(c.status)
        .Key("listed").Bool(c.listed);
    w.Key("digests").BeginArray();
    for (const auto& d : c.digests) w.String(d);
    w.EndArray();
    w.Key("gates").BeginObject().Key("pass").Bool(c.gates_pass).Key("issues");
    WriteIssues(w, c.gates);
    w.EndObject();
    w.Key("evidence").BeginObject().Key("pass").Bool(c.evidence_pass).Key("required").BeginArray();
    for (const auto& s : c.evidence) {
      w.BeginObject().Key("kind").String(s.kind).Key("state").String(s.state);
      if (s.latest) {
        w.Key("latest");
        WriteEvidence(w, *s.latest);
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string RequestViewJson(const RequestView& v) {
  std::string out;
  json::JsonOut w(out);
  WriteView(w, v);
  return out;
}

std::string RequestListJson(const std::vector<RequestView>& v) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("requests").BeginArray();
  for (const auto& x : v) WriteView(w, x);
  w.EndArray().Key("metadata").BeginObject().Key("count").Int(v.size()).EndObject().EndObject();
  return out;
}

std::string EvidenceJson(const Evidence& e) {
  std::string out;
  json::JsonOut w(out);
  WriteEvidence(w, e);
  return out;
}

std::string EvidenceListJson(const std::vector<Evidence>& v) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("evidence").BeginArray();
  for (const auto& e : v) WriteEvidence(w, e);
  w.EndArray().EndObject();
  return out;
}

}  // namespace mcpreg::service
