// Status changes and edits of existing versions (PATCH .../status, PUT .../versions/{v}).
#include <boost/json.hpp>

#include "auth/permissions.h"
#include "core/json_out.h"
#include "model/server_json.h"
#include "model/validate.h"
#include "service/auth_service.h"
#include "service/registry_service.h"
#include "service/json_body.h"
#include "service/versioning.h"

namespace mcpreg::service {
namespace {

constexpr size_t kMaxStatusMessage = 500;

Status CheckStatusRights(const auth::Principal& who, std::string_view name) {
  if (auth::HasPermission(who.permissions, auth::kActionPublish, name) ||
      auth::HasPermission(who.permissions, auth::kActionEdit, name))
    return Status::OK();
  return Status::PermissionDenied("You do not have permission to update the status of this server");
}

std::string StatusDetails(std::string_view version, VersionStatus status,
                          const std::optional<std::string>& message) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  if (!version.empty()) w.Key("version").String(version);
  w.Key("status").String(ToString(status));
  if (message) w.Key("statusMessage").String(*message);
  w.EndObject();
  return out;
}

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

Result<catalog::EntryPtr> RegistryService::SetVersionStatus(const auth::Principal& token_who,
                                                            std::string_view name,
                                                            std::string_view version,
                                                            VersionStatus status,
                                                            std::optional<std::string> message) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  MCPREG_RETURN_IF_ERROR(CheckStatusRights(who, name));
  MCPREG_RETURN_IF_ERROR(CheckStatusRequest(status, message));
  auto current = catalog_.Get(name, version, /*include_deleted=*/true, /*include_withheld=*/true);
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
    rows.audit.push_back({now, ActorOf(who), "status", std::string(name),
                          StatusDetails(version, status, message)});
    return Status::OK();
  });
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  auto e = catalog_.Get(name, version, true, true);
  if (!e) return Status::Internal("updated version missing from the catalog");
  return e;
}

Result<std::vector<catalog::EntryPtr>> RegistryService::SetServerStatus(
    const auth::Principal& token_who, std::string_view name, VersionStatus status,
    std::optional<std::string> message) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  MCPREG_RETURN_IF_ERROR(CheckStatusRights(who, name));
  MCPREG_RETURN_IF_ERROR(CheckStatusRequest(status, message));
  auto existing = catalog_.Versions(name, /*include_deleted=*/true, /*include_withheld=*/true);
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
    rows.audit.push_back({now, ActorOf(who), "status", std::string(name),
                          StatusDetails("", status, message)});
    return Status::OK();
  });
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  return catalog_.Versions(name, true, true);
}

Result<catalog::EntryPtr> RegistryService::EditVersion(const auth::Principal& token_who,
                                                       std::string_view name,
                                                       std::string_view version,
                                                       std::string_view server_json) {
  auto live = LivePrincipal(store_, token_who);
  if (!live.ok()) return live.status();
  const auth::Principal& who = *live;
  if (!auth::HasPermission(who.permissions, auth::kActionEdit, name))
    return Status::PermissionDenied("You do not have edit permissions for this server");
  auto current = catalog_.Get(name, version, /*include_deleted=*/false, /*include_withheld=*/true);
  if (!current) return Status::NotFound("Server not found");
  auto doc = ParseJsonBody(server_json);
  if (!doc.ok()) return doc.status();
  auto report = model::ValidateForPublish(*doc);
  if (!report.valid)
    return Status::Unprocessable("Failed to edit server, invalid schema: call /validate for details");
  auto parsed = model::ParseServerJson(*doc);
  if (!parsed.ok()) return parsed.status();
  if (parsed->name != name) return Status::InvalidArgument("Cannot rename server");
  std::string canonical = model::SerializeServerJson(*parsed);
  MCPREG_RETURN_IF_ERROR(CheckGates(canonical));
  if (parsed->version != version)
    return Status::InvalidArgument("Version in request body must match URL path parameter");
  MCPREG_RETURN_IF_ERROR(CheckRemotesFree(name, *parsed));
  const Micros now = clock_.Now();
  bool exact_grant = false;  // as for publishing: only a grant naming this server opens a mirror
  for (const auto& perm : who.permissions)
    exact_grant = exact_grant || (perm.action == auth::kActionEdit && perm.resource == name);
  auto written = store_.UpdateServer(name, [&](ServerRows& rows) -> Status {
    auto* row = rows.Find(version);
    if (!row || row->meta.status == VersionStatus::kDeleted) return Status::NotFound("Server not found");
    if (!row->meta.mirror_upstream.empty() && !exact_grant)
      return Status::AlreadyExists("server " + std::string(name) + " version " + std::string(version) +
                                   " is mirrored from upstream " + row->meta.mirror_upstream +
                                   ": edit it upstream");
    row->server_json = canonical;
    row->meta.updated_at = now;
    row->dirty = true;
    rows.audit.push_back({now, ActorOf(who), "edit", std::string(name),
                          StatusDetails(version, row->meta.status, std::nullopt)});
    return Status::OK();
  });
  if (!written.ok()) return written.status();
  catalog_.Apply(*written);
  auto e = catalog_.Get(name, version, true, true);
  if (!e) return Status::Internal("edited version missing from the catalog");
  return e;
}

}  // namespace mcpreg::service
