#include "service/registry_service.h"
#include "service/json_body.h"

#include <boost/json.hpp>
#include <set>

#include "model/server_json.h"
#include "model/validate.h"
#include "policy/policy.h"
#include "core/json_out.h"
#include "core/sha256.h"
#include "service/auth_service.h"
#include "service/versioning.h"
#include "auth/permissions.h"

namespace mcpreg::service {
namespace {

constexpr size_t kMaxVersionsPerName = 10000;

std::string Details(std::initializer_list<std::pair<std::string_view, std::string_view>> kv) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  for (const auto& [k, v] : kv) w.Key(k).String(v);
  w.EndObject();
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out.empty() ? "(none)" : out;
}

// Upstream's 403 text for publish.
Status CheckPublish(const auth::Principal& who, const std::string& name) {
  if (auth::HasPermission(who.permissions, auth::kActionPublish, name)) return Status::OK();
  return Status::PermissionDenied(
      "You do not have permission to publish this server. You have permission to publish: " +
      Join(auth::PatternsFor(who.permissions, auth::kActionPublish)) +
      ". Attempting to publish: " + name);
}

}  // namespace

RegistryService::RegistryService(Store& store, catalog::Catalog& catalog, const Clock& clock)
    : store_(store), catalog_(catalog), clock_(clock) {}

ListResult RegistryService::List(const catalog::ListQuery& q) const {
  ListResult out;
  auto page = catalog_.List(q);
  out.items = std::move(page.items);
  if (page.full && !out.items.empty()) {
    const auto& last = out.items.back()->meta;
    out.next_cursor = last.name + ":" + last.version;
  }
  return out;
}

Result<catalog::EntryPtr> RegistryService::GetVersion(std::string_view name,
                                                      std::string_view version,
                                                      bool include_deleted) const {
  catalog::EntryPtr e = version == "latest" ? catalog_.GetLatest(name, include_deleted)
                                            : catalog_.Get(name, version, include_deleted);
  if (!e) return Status::NotFound("Server not found");
  return e;
}

Result<std::vector<catalog::EntryPtr>> RegistryService::ListVersions(std::string_view name,
                                                                     bool include_deleted) const {
  auto v = catalog_.Versions(name, include_deleted);
  if (v.empty()) return Status::NotFound("Server not found");
  return v;
}

Result<RegistryService::PreparedVersion> RegistryService::Prepare(std::string_view server_json) const {
  auto doc = ParseJsonBody(server_json);
  if (!doc.ok()) return doc.status();
  auto report = model::ValidateForPublish(*doc);
  if (!report.valid)
    return Status::Unprocessable("Failed to publish server, invalid schema: call /validate for details");
  auto parsed = model::ParseServerJson(*doc);
  if (!parsed.ok()) return parsed.status();
  // Cheap checks against the in-memory catalog before opening a transaction.
  MCPREG_RETURN_IF_ERROR(CheckRemotesFree(parsed->name, *parsed));
  MCPREG_RETURN_IF_ERROR(CheckFeedPackages(*parsed));
  return PreparedVersion{parsed->name, parsed->version, model::SerializeServerJson(*parsed)};
}

bool RegistryService::GatesPass(std::string_view canonical) const {
  if (!policy_) return true;
  std::string key = Sha256Hex(canonical);
  {
    std::lock_guard lock(gate_mu_);
    if (auto it = gate_verdicts_.find(key); it != gate_verdicts_.end()) return it->second;
  }
  bool pass = true;
  for (const auto& issue : policy::EvaluateText(*policy_, canonical))
    if (issue.severity == "error") pass = false;
  std::lock_guard lock(gate_mu_);
  if (gate_verdicts_.size() >= kMaxGateVerdicts) gate_verdicts_.clear();
  gate_verdicts_.emplace(std::move(key), pass);
  return pass;
}

Status RegistryService::CheckGates(std::string_view server_json) const {
  if (!policy_ || GatesPass(server_json)) return Status::OK();
  std::string failed;
  for (const auto& issue : policy::EvaluateText(*policy_, server_json)) {
    if (issue.severity != "error") continue;
    if (failed.find(issue.reference) != std::string::npos) continue;
    failed += (failed.empty() ? "" : ", ") + issue.reference;
  }
  if (failed.empty()) return Status::OK();
  return Status::Unprocessable("Failed to publish server, compliance gates failed (" + failed +
                               "): call /validate for details");
}

Status RegistryService::CheckFeedPackages(const model::ServerJson& server) const {
  static constexpr std::string_view kFeedPath = "/x/dev.mcpreg/feed/artifacts/";
  for (size_t i = 0; i < server.packages.size(); ++i) {
    const auto& pkg = server.packages[i];
    auto at = pkg.identifier.find(kFeedPath);
    if (at == std::string::npos) continue;
    std::string sha = pkg.identifier.substr(at + kFeedPath.size(), 64);
    std::string where = "package " + std::to_string(i) + " (" + pkg.identifier + ")";
    if (pkg.file_sha256 != sha)
      return Status::FailedPrecondition(where + ": fileSha256 must equal the feed artifact's digest " + sha);
    auto found = store_.FindArtifacts(server.name, "", sha);
    if (!found.ok()) return found.status();
    if (found->empty())
      return Status::FailedPrecondition(where + ": no artifact with digest " + sha +
                                        " was uploaded to the feed for " + server.name);
  }
  return Status::OK();
}

Store::Mutator RegistryService::PublishMutator(const PreparedVersion& p, const PublishOptions& opts,
                                               Micros now, const std::string& actor,
                                               bool gated, bool may_enter_mirror,
                                               bool* mirror_conflict) const {
  return [&p, &opts, now, &actor, gated, may_enter_mirror, mirror_conflict](ServerRows& rows) -> Status {
    if (!may_enter_mirror)
      for (const auto& r : rows.rows)
        if (!r.meta.mirror_upstream.empty()) {
          if (mirror_conflict) *mirror_conflict = true;
          return Status::AlreadyExists(
              "server " + p.name + " is mirrored from upstream " + r.meta.mirror_upstream +
              ": a local version needs an `mcpreg admin grant` naming exactly this server");
        }
    if (rows.Find(p.version))
      return Status::FailedPrecondition("invalid version: cannot publish duplicate version");
    if (rows.rows.size() >= kMaxVersionsPerName)
      return Status::FailedPrecondition("maximum number of versions (" +
                                        std::to_string(kMaxVersionsPerName) +
                                        ") reached for server " + p.name);
    const Micros published = opts.published_at.value_or(now);
    ServerRows::Row row;
    row.meta.name = p.name;
    row.meta.version = p.version;
    row.meta.status = opts.status.value_or(VersionStatus::kActive);
    if (row.meta.status != VersionStatus::kActive) row.meta.status_message = opts.status_message;
    row.meta.published_at = published;
    row.meta.updated_at = std::max(now, published);
    row.meta.status_changed_at =
        row.meta.status == VersionStatus::kActive ? published : row.meta.updated_at;
    row.server_json = p.canonical;
    row.dirty = true;
    if (!opts.status) {
      // Upstream's publish rule: latest iff it outranks the current latest.
      bool latest = versioning::NewVersionBecomesLatest(rows, p.version, published);
      if (latest)
        for (auto& r : rows.rows)
          if (r.meta.is_latest) { r.meta.is_latest = false; r.dirty = true; }
      row.meta.is_latest = latest;
      rows.rows.push_back(std::move(row));
    } else {
      rows.rows.push_back(std::move(row));
      versioning::RecomputeLatest(rows);
    }
    rows.audit.push_back({now, actor, opts.status || opts.published_at ? "import" : "publish", p.name,
                          Details({{"version", p.version}, {"gates", gated ? "pass" : "not checked"}})});
    return Status::OK();
  };
}

Result<catalog::EntryPtr> RegistryService::Publish(const auth::Principal& token_who,
                                                   std::string_view server_json,
                                                   const PublishOptions& opts) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  // Like upstream: authorization on the claimed name comes before validation.
  auto doc = ParseJsonBody(server_json);
  if (!doc.ok()) return doc.status();
  if (doc->is_object())
    if (auto* n = doc->get_object().if_contains("name"); n && n->is_string())
      MCPREG_RETURN_IF_ERROR(CheckPublish(who, std::string(n->get_string())));
  auto prepared = Prepare(server_json);
  if (!prepared.ok()) return prepared.status();
  MCPREG_RETURN_IF_ERROR(CheckPublish(who, prepared->name));
  const std::string actor = ActorOf(who);
  if (Status gates = CheckGates(prepared->canonical); !gates.ok()) {
    // A refused publish is a gate result: it goes into the audit log too.
    auto logged = store_.AppendAudit({clock_.Now(), actor, "publish-refused", prepared->name,
                                      Details({{"version", prepared->version},
                                               {"reason", gates.message()}})});
    if (!logged.ok()) return logged.status();
    return gates;
  }
  bool exact_grant = false;  // namespace wildcards don't open a mirrored name
  for (const auto& perm : who.permissions)
    exact_grant = exact_grant || (perm.action == auth::kActionPublish && perm.resource == prepared->name);
  bool mirror_conflict = false;
  auto written = store_.UpdateServer(prepared->name, PublishMutator(*prepared, opts, clock_.Now(), actor,
                                                                       /*gated=*/policy_ != nullptr,
                                                                       exact_grant, &mirror_conflict));
  if (!written.ok()) {
    // Only the mirror conflict is a 409; a unique-key violation of a raced duplicate version
    // is upstream's "cannot publish duplicate version" (400).
    if (written.status().IsAlreadyExists() && !mirror_conflict)
      return Status::FailedPrecondition("invalid version: cannot publish duplicate version");
    return written.status();
  }
  catalog_.Apply(*written);
  auto e = catalog_.Get(prepared->name, prepared->version, /*include_deleted=*/true, /*include_withheld=*/true);
  if (!e) return Status::Internal("published version missing from the catalog");
  return e;
}

ImportSummary RegistryService::Import(const auth::Principal& who,
                                      const std::vector<std::string>& documents,
                                      const std::vector<PublishOptions>& options,
                                      const std::function<void(size_t, size_t)>& progress) {
  constexpr size_t kBatch = 500;  // versions per durable transaction
  static const PublishOptions kDefaults;
  const std::string actor = ActorOf(who);
  ImportSummary s;
  s.total = documents.size();
  std::vector<PreparedVersion> batch;
  std::vector<const PublishOptions*> batch_opts;
  std::set<std::pair<std::string, std::string>> in_batch;
  size_t done = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    // Distinct, increasing timestamps keep the import order as the publication order (which
    // orders /versions and decides latest among non-semver versions).
    const Micros now = clock_.Now();
    std::vector<Store::Update> updates;
    updates.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i)
      updates.push_back({batch[i].name, PublishMutator(batch[i], *batch_opts[i], now + static_cast<Micros>(i), actor)});
    auto written = store_.UpdateServers(updates);
    if (written.ok()) {
      catalog_.Apply(*written);
      s.imported += batch.size();
    } else {
      // One bad entry fails the whole transaction: redo this batch one by one to isolate it.
      for (size_t i = 0; i < batch.size(); ++i) {
        auto one = store_.UpdateServer(
            batch[i].name,
            PublishMutator(batch[i], *batch_opts[i], now + static_cast<Micros>(i), actor));
        if (one.ok()) {
          catalog_.Apply(*one);
          ++s.imported;
        } else {
          ++s.failed;
          s.problems.push_back(batch[i].name + "@" + batch[i].version + ": " + one.status().message());
        }
      }
    }
    done += batch.size();
    if (progress) progress(done + s.unchanged + s.invalid, s.total);
    batch.clear();
    batch_opts.clear();
    in_batch.clear();
  };
  for (size_t i = 0; i < documents.size(); ++i) {
    const PublishOptions& opts = i < options.size() ? options[i] : kDefaults;
    auto prepared = Prepare(documents[i]);
    std::string label = "entry " + std::to_string(i);
    if (prepared.ok() && !auth::HasPermission(who.permissions, auth::kActionPublish, prepared->name))
      prepared = CheckPublish(who, prepared->name);
    if (!prepared.ok()) {
      auto doc = ParseJsonBody(documents[i]);
      std::string why = prepared.status().message();
      if (doc.ok()) {
        if (doc->is_object()) {
          auto* n = doc->get_object().if_contains("name");
          auto* v = doc->get_object().if_contains("version");
          if (n && n->is_string() && v && v->is_string())
            label = std::string(n->get_string()) + "@" + std::string(v->get_string());
        }
        for (const auto& is : model::ValidateForPublish(*doc).issues)
          if (is.severity == "error") { why = is.path + ": " + is.message; break; }
      }
      bool invalid = prepared.status().code() == Code::kUnprocessable || prepared.status().IsInvalidArgument();
      ++(invalid ? s.invalid : s.failed);
      s.problems.push_back(label + ": " + why);
      if (progress) progress(done + s.unchanged + s.invalid + s.failed, s.total);
      continue;
    }
    if (auto existing = catalog_.Get(prepared->name, prepared->version, true, true)) {
      if (existing->server_json == prepared->canonical) {
        ++s.unchanged;
      } else {
        ++s.failed;
        s.problems.push_back(prepared->name + "@" + prepared->version +
                             ": version already exists with different content");
      }
      continue;
    }
    if (!in_batch.insert({prepared->name, prepared->version}).second) {
      ++s.unchanged;  // the same version twice in one import
      continue;
    }
    batch.push_back(std::move(*prepared));
    batch_opts.push_back(&opts);
    if (batch.size() >= kBatch) flush();
  }
  flush();
  if (progress) progress(s.total, s.total);
  return s;
}

Status RegistryService::Refresh() { return catalog::Refresh(store_, catalog_); }

}  // namespace mcpreg::service

