// GovernanceService::ApproveMirrored: a reviewer admits mirrored servers in bulk by name
// pattern (contract in governance_service.h). Mirrored servers arrive without a request, so
// the reviewer's run files one per name and approves it in the same transaction; the listing
// rule then treats them like any other server (gates and evidence still decide).
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "auth/permissions.h"
#include "core/json_out.h"
#include "federation/mirror.h"
#include "service/auth_service.h"
#include "service/governance_rules.h"
#include "service/governance_service.h"

namespace mcpreg::service {
namespace bj = boost::json;
using rules::Details;
using rules::FailedRules;
using rules::HasError;
using rules::WriteGateSummary;

namespace {

constexpr size_t kMaxPattern = 200;  // server names are at most 200 characters

// The upstream URL recorded in a mirrored row's provenance (_meta["dev.mcpreg/mirror"].url).
std::string UpstreamUrl(const VersionMeta& meta) {
  bj::error_code ec;
  bj::value v = bj::parse(meta.mirror_meta, ec);
  if (ec || !v.is_object()) return "";
  return rules::Str(v.get_object(), "url");
}

// local | remote | both from what the document declares (packages, remotes); "local" when it
// declares neither, which the request.hosting gate then reports.
std::string HostingOf(const catalog::Entry& e) {
  if (e.has_packages && e.has_remotes) return "both";
  return e.has_remotes ? "remote" : "local";
}

bool IsMirroredRow(const VersionMeta& m) {
  return !m.mirror_upstream.empty() && m.mirror_digest != kMirrorRemoved &&
         m.status != VersionStatus::kDeleted;
}

}  // namespace

size_t MirrorApprovalReport::Count(MirrorApproval::Outcome o) const {
  return std::count_if(items.begin(), items.end(),
                       [o](const MirrorApproval& i) { return i.outcome == o; });
}

std::string GovernanceService::WhyWithheld(const catalog::Entry& e) const {
  if (e.meta.status == VersionStatus::kDeleted) return "deleted";
  auto c = Compliance(e, /*with_issues=*/true);
  std::string out;
  if (!c.gates_pass) out = "gates fail: " + FailedRules(c.gates);
  std::string evidence;
  for (const auto& s : c.evidence)
    if (s.state != "pass") evidence += (evidence.empty() ? "" : ", ") + s.kind + " " + s.state;
  if (!evidence.empty()) out += (out.empty() ? "" : "; ") + std::string("evidence ") + evidence;
  return out;
}

Result<MirrorApprovalReport> GovernanceService::ApproveMirrored(const auth::Principal& token_who,
                                                                std::string_view pattern,
                                                                std::string_view upstream,
                                                                bool dry_run, std::string note) {
  if (pattern.empty()) return Status::InvalidArgument("the pattern is empty");
  if (pattern.size() > kMaxPattern)
    return Status::InvalidArgument("the pattern is longer than 200 characters");
  if (std::any_of(pattern.begin(), pattern.end(),
                  [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); }))
    return Status::InvalidArgument("the pattern contains control characters");
  if (note.size() > rules::kMaxText)
    return Status::InvalidArgument("reason longer than 2000 characters");
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;

  // The matching names, each with its latest mirrored version (is_latest, else the newest
  // published: Versions() orders newest first).
  catalog::ListQuery q;
  q.limit = registry_.catalog().size();
  q.include_withheld = true;
  std::map<std::string, catalog::EntryPtr> latest;
  for (const auto& e : registry_.catalog().List(q).items) {
    if (!IsMirroredRow(e->meta) || (!upstream.empty() && e->meta.mirror_upstream != upstream) ||
        !federation::GlobMatch(pattern, e->meta.name))
      continue;
    auto [it, inserted] = latest.try_emplace(e->meta.name, e);
    if (!inserted && e->meta.is_latest) it->second = e;
    if (latest.size() > kMaxMirrorApprovals)
      return Status::ResourceExhausted("more than " + std::to_string(kMaxMirrorApprovals) +
                                       " mirrored servers match " + std::string(pattern) +
                                       "; narrow the pattern");
  }
  for (auto& [name, e] : latest)
    if (!e->meta.is_latest) {
      auto versions = registry_.catalog().Versions(name, /*include_deleted=*/false,
                                                   /*include_withheld=*/true);
      for (const auto& v : versions)
        if (IsMirroredRow(v->meta) && (upstream.empty() || v->meta.mirror_upstream == upstream)) {
          e = v;
          break;
        }
    }

  MirrorApprovalReport report;
  report.dry_run = dry_run;
  bool may_review_any = latest.empty();
  for (const auto& [name, e] : latest)
    may_review_any = may_review_any || auth::HasPermission(who.permissions, auth::kActionReview, name);
  if (!may_review_any)
    return Status::PermissionDenied("approving needs the reviewer role on the matching names (" +
                                    std::to_string(latest.size()) + " match " +
                                    std::string(pattern) + ")");
  for (const auto& [name, e] : latest) report.items.push_back(ApproveOneMirrored(who, *e, dry_run, note));
  return report;
}

MirrorApproval GovernanceService::ApproveOneMirrored(const auth::Principal& who,
                                                     const catalog::Entry& latest, bool dry_run,
                                                     const std::string& note) {
  using Outcome = MirrorApproval::Outcome;
  MirrorApproval out;
  out.name = latest.meta.name;
  out.upstream = latest.meta.mirror_upstream;
  out.version = latest.meta.version;
  auto refuse = [&](std::string why) {
    out.outcome = Outcome::kRefused;
    out.detail = std::move(why);
    return out;
  };
  if (!auth::HasPermission(who.permissions, auth::kActionReview, out.name))
    return refuse("approving needs the reviewer role on " + out.name);
  auto current = Load(out.name);
  if (current.ok()) {
    if (current->state != "approved")
      return refuse("its request is " + current->state +
                    (current->state == "pending" ? " (filed by " + current->created_by +
                                                       "): decide it with review approve|reject"
                                                 : "; file a new request to admit it"));
    out.approved = true;
    out.detail = WhyWithheld(latest);
    out.outcome = out.detail.empty() ? Outcome::kAlreadyApproved : Outcome::kWithheld;
    return out;
  }
  if (!current.status().IsNotFound()) return refuse(current.status().message());

  const Micros now = clock_.Now();
  const std::string actor = ActorOf(who);
  const std::string url = UpstreamUrl(latest.meta);
  ServerRequest r;
  r.name = out.name;
  r.state = "approved";
  r.created_at = r.updated_at = r.decided_at = now;
  r.created_by = r.decided_by = actor;
  r.reason = note;
  r.document = Details([&](json::JsonOut& d) {
    d.Key("name").String(out.name);
    d.Key("team").String("mirror:" + out.upstream);
    d.Key("contacts").BeginArray().String(actor).EndArray();
    d.Key("consumption").String("third-party");
    d.Key("hosting").String(HostingOf(latest));
    d.Key("pipeline").String(url.empty() ? "mirror:" + out.upstream : url);
    d.Key("description").String("mirrored from upstream " + out.upstream + ", filed in bulk by " +
                                 actor);
    d.Key("mirror")
        .BeginObject()
        .Key("upstream")
        .String(out.upstream)
        .Key("url")
        .String(url)
        .Key("version")
        .String(out.version)
        .EndObject();
    d.Key("server").Raw(latest.server_json);
  });
  auto gates = RequestGates(r);
  if (Status secrets = rules::RefuseSecrets(gates); !secrets.ok() || HasError(gates)) {
    out.outcome = Outcome::kWithheld;
    out.detail = "gates fail: " + FailedRules(gates) + " (not approved)";
    return out;
  }
  out.approved = true;
  if (dry_run) {
    out.detail = WhyWithheld(latest);
    out.outcome = out.detail.empty() ? Outcome::kApproved : Outcome::kWithheld;
    return out;
  }
  Store::RequestWrite w;
  w.request = r;
  w.audit.push_back({now, actor, "request", r.name, Details([&](json::JsonOut& d) {
                       d.Key("state").String("pending").Key("mirror").String(out.upstream);
                       d.Key("version").String(out.version);
                       WriteGateSummary(d, gates);
                     })});
  w.audit.push_back({now, actor, "approve", r.name, Details([&](json::JsonOut& d) {
                       d.Key("revision").Int(1).Key("note").String(note);
                       d.Key("mirror").String(out.upstream).Key("bulk").Bool(true);
                       d.Key("granted").String("nothing (mirrored: the upstream publishes)");
                     })});
  auto written = Write(std::move(w));
  if (!written.ok()) return refuse(written.status().message());
  out.detail = WhyWithheld(latest);
  out.outcome = out.detail.empty() ? Outcome::kApproved : Outcome::kWithheld;
  return out;
}

}  // namespace mcpreg::service
