#include "service/registry_service.h"

#include <boost/json.hpp>
#include <set>

#include "model/server_json.h"
#include "model/validate.h"
#include "service/versioning.h"

namespace mcpreg::service {
namespace {

constexpr size_t kMaxVersionsPerName = 10000;
constexpr unsigned kMaxJsonDepth = 64;

Result<boost::json::value> ParseBody(std::string_view body) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec, {}, opts);
  if (ec) return Status::InvalidArgument("invalid JSON: " + ec.message());
  return v;
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
  auto doc = ParseBody(server_json);
  if (!doc.ok()) return doc.status();
  auto report = model::ValidateForPublish(*doc);
  if (!report.valid)
    return Status::Unprocessable("Failed to publish server, invalid schema: call /validate for details");
  auto parsed = model::ParseServerJson(*doc);
  if (!parsed.ok()) return parsed.status();
  // Cheap checks against the in-memory catalog before opening a transaction.
  MCPREG_RETURN_IF_ERROR(CheckRemotesFree(parsed->name, *parsed));
  return PreparedVersion{parsed->name, parsed->version, model::SerializeServerJson(*parsed)};
}

Store::Mutator RegistryService::PublishMutator(const PreparedVersion& p, const PublishOptions& opts,
                                               Micros now) const {
  return [&p, &opts, now](ServerRows& rows) -> Status {
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
    return Status::OK();
  };
}

Result<catalog::EntryPtr> RegistryService::Publish(std::string_view server_json,
                                                   const PublishOptions& opts) {
  auto prepared = Prepare(server_json);
  if (!prepared.ok()) return prepared.status();
  auto written = store_.UpdateServer(prepared->name, PublishMutator(*prepared, opts, clock_.Now()));
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  auto e = catalog_.Get(prepared->name, prepared->version, /*include_deleted=*/true);
  if (!e) return Status::Internal("published version missing from the catalog");
  return e;
}

ImportSummary RegistryService::Import(const std::vector<std::string>& documents,
                                      const std::vector<PublishOptions>& options,
                                      const std::function<void(size_t, size_t)>& progress) {
  constexpr size_t kBatch = 500;  // versions per durable transaction
  static const PublishOptions kDefaults;
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
      updates.push_back({batch[i].name, PublishMutator(batch[i], *batch_opts[i], now + static_cast<Micros>(i))});
    auto written = store_.UpdateServers(updates);
    if (written.ok()) {
      catalog_.Apply(*written);
      s.imported += batch.size();
    } else {
      // One bad entry fails the whole transaction: redo this batch one by one to isolate it.
      for (size_t i = 0; i < batch.size(); ++i) {
        auto one = store_.UpdateServer(
            batch[i].name, PublishMutator(batch[i], *batch_opts[i], now + static_cast<Micros>(i)));
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
    if (!prepared.ok()) {
      auto doc = ParseBody(documents[i]);
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
    if (auto existing = catalog_.Get(prepared->name, prepared->version, true)) {
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

namespace mcpreg::service {
namespace {

constexpr size_t kMaxStatusMessage = 500;

Status CheckStatusRequest(VersionStatus status, const std::optional<std::string>& message) {
  if (status == VersionStatus::kActive && message)
    return Status::InvalidArgument("status_message cannot be provided when setting status to active");
  if (message && message->size() > kMaxStatusMessage)
    return Status::InvalidArgument("status_message must be at most 500 characters");
  return Status::OK();
}

// Applies a status change to one row; returns true if anything changed.
bool ApplyStatus(ServerRows::Row& row, VersionStatus status, const std::optional<std::string>& message,
                 Micros now) {
  std::optional<std::string> new_message = status == VersionStatus::kActive ? std::nullopt : message;
  if (row.meta.status == status && row.meta.status_message == new_message) return false;
  if (row.meta.status != status) row.meta.status_changed_at = now;
  row.meta.status = status;
  row.meta.status_message = std::move(new_message);
  row.meta.updated_at = now;
  row.dirty = true;
  return true;
}

}  // namespace

Status RegistryService::CheckRemotesFree(std::string_view name, std::string_view server_json) const {
  auto parsed = model::ParseServerJson(server_json);
  if (!parsed.ok()) return Status::OK();
  return CheckRemotesFree(name, *parsed);
}

Status RegistryService::CheckRemotesFree(std::string_view name, const model::ServerJson& server) const {
  for (const auto& remote : server.remotes) {
    std::string owner = catalog_.RemoteUrlOwner(remote.url);
    if (!owner.empty() && owner != name)
      return Status::FailedPrecondition("remote URL " + remote.url + " is already used by server " + owner);
  }
  return Status::OK();
}

Result<catalog::EntryPtr> RegistryService::SetVersionStatus(std::string_view name,
                                                            std::string_view version,
                                                            VersionStatus status,
                                                            std::optional<std::string> message) {
  MCPREG_RETURN_IF_ERROR(CheckStatusRequest(status, message));
  auto current = catalog_.Get(name, version, /*include_deleted=*/true);
  if (!current) return Status::NotFound("Server version not found");
  if (current->meta.status == VersionStatus::kDeleted && status != VersionStatus::kDeleted)
    MCPREG_RETURN_IF_ERROR(CheckRemotesFree(name, current->server_json));
  const Micros now = clock_.Now();
  auto written = store_.UpdateServer(name, [&](ServerRows& rows) -> Status {
    auto* row = rows.Find(version);
    if (!row) return Status::NotFound("Server version not found");
    if (!ApplyStatus(*row, status, message, now))
      return Status::FailedPrecondition("No changes to apply: version is already " +
                                        std::string(ToString(status)) + " with this message");
    versioning::RecomputeLatest(rows);
    return Status::OK();
  });
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  auto e = catalog_.Get(name, version, true);
  if (!e) return Status::Internal("updated version missing from the catalog");
  return e;
}

Result<std::vector<catalog::EntryPtr>> RegistryService::SetServerStatus(
    std::string_view name, VersionStatus status, std::optional<std::string> message) {
  MCPREG_RETURN_IF_ERROR(CheckStatusRequest(status, message));
  auto existing = catalog_.Versions(name, /*include_deleted=*/true);
  if (existing.empty()) return Status::NotFound("Server not found");
  if (status != VersionStatus::kDeleted)
    for (const auto& e : existing)
      if (e->meta.status == VersionStatus::kDeleted)
        MCPREG_RETURN_IF_ERROR(CheckRemotesFree(name, e->server_json));
  const Micros now = clock_.Now();
  auto written = store_.UpdateServer(name, [&](ServerRows& rows) -> Status {
    if (rows.rows.empty()) return Status::NotFound("Server not found");
    bool changed = false;
    for (auto& row : rows.rows) changed |= ApplyStatus(row, status, message, now);
    if (!changed)
      return Status::FailedPrecondition("No changes to apply: every version is already " +
                                        std::string(ToString(status)));
    versioning::RecomputeLatest(rows);
    return Status::OK();
  });
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  return catalog_.Versions(name, true);
}

Result<catalog::EntryPtr> RegistryService::EditVersion(std::string_view name,
                                                       std::string_view version,
                                                       std::string_view server_json) {
  auto current = catalog_.Get(name, version, /*include_deleted=*/false);
  if (!current) return Status::NotFound("Server not found");
  auto doc = ParseBody(server_json);
  if (!doc.ok()) return doc.status();
  auto report = model::ValidateForPublish(*doc);
  if (!report.valid)
    return Status::Unprocessable("Failed to edit server, invalid schema: call /validate for details");
  auto parsed = model::ParseServerJson(*doc);
  if (!parsed.ok()) return parsed.status();
  if (parsed->name != name) return Status::InvalidArgument("Cannot rename server");
  if (parsed->version != version)
    return Status::InvalidArgument("Version in request body must match URL path parameter");
  MCPREG_RETURN_IF_ERROR(CheckRemotesFree(name, *parsed));
  std::string canonical = model::SerializeServerJson(*parsed);
  const Micros now = clock_.Now();
  auto written = store_.UpdateServer(name, [&](ServerRows& rows) -> Status {
    auto* row = rows.Find(version);
    if (!row || row->meta.status == VersionStatus::kDeleted) return Status::NotFound("Server not found");
    row->server_json = canonical;
    row->meta.updated_at = now;
    row->dirty = true;
    return Status::OK();
  });
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  auto e = catalog_.Get(name, version, true);
  if (!e) return Status::Internal("edited version missing from the catalog");
  return e;
}

}  // namespace mcpreg::service
