#include "service/admin_service.h"

#include "core/json_out.h"
#include "model/matchers.h"
#include "service/auth_service.h"

namespace mcpreg::service {
namespace {

Status CheckGrant(const Grant& g) {
  if (g.issuer.empty() || g.issuer.find_first_of(" \t\n") != std::string::npos)
    return Status::InvalidArgument("--issuer must be the identity's OIDC issuer URL");
  if (g.subject.empty()) return Status::InvalidArgument("--subject must not be empty");
  if (!IsKnownRole(g.role))
    return Status::InvalidArgument("unknown role \"" + g.role +
                                   "\" (use publisher, feed-contributor, reviewer or admin)");
  if (!IsValidNamespacePattern(g.namespace_pattern))
    return Status::InvalidArgument("invalid namespace pattern \"" + g.namespace_pattern +
                                   "\" (e.g. com.contoso/*, com.contoso/weather, com.contoso.*)");
  return Status::OK();
}

std::string GrantDetails(const Grant& g) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("issuer").String(g.issuer).Key("subject").String(g.subject)
      .Key("namespace").String(g.namespace_pattern).Key("role").String(g.role).EndObject();
  return out;
}

}  // namespace

bool IsValidNamespacePattern(std::string_view p) {
  return p.size() <= 255 && model::IsNamespacePatternSyntax(p);
}

Result<Grant> AddGrant(Store& store, const Clock& clock, const auth::Principal& who, Grant g) {
  MCPREG_RETURN_IF_ERROR(CheckGrant(g));
  g.created_at = clock.Now();
  g.created_by = ActorOf(who);
  return store.AddGrant(g, {g.created_at, g.created_by, "grant", "grant:" + g.namespace_pattern,
                            GrantDetails(g)});
}

Status RevokeGrant(Store& store, const Clock& clock, const auth::Principal& who, const Grant& g) {
  MCPREG_RETURN_IF_ERROR(CheckGrant(g));
  return store.RevokeGrant(g, {clock.Now(), ActorOf(who), "revoke", "grant:" + g.namespace_pattern,
                               GrantDetails(g)});
}

Result<AuditVerification> VerifyAuditChain(Store& store) {
  AuditVerification v;
  std::string prev(64, '0');
  int64_t after = 0;
  for (;;) {
    auto batch = store.ListAudit("", after, 10000);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) break;
    for (const auto& r : *batch) {
      ++v.entries;
      if (r.seq != after + 1) {
        v = {false, v.entries, after + 1, "entry " + std::to_string(after + 1) + " is missing"};
        return v;
      }
      if (r.prev_hash != prev) {
        v = {false, v.entries, r.seq, "entry " + std::to_string(r.seq) + " does not link to its predecessor"};
        return v;
      }
      if (AuditHash(r.prev_hash, r.seq, r.event) != r.hash) {
        v = {false, v.entries, r.seq, "entry " + std::to_string(r.seq) + " was altered (hash mismatch)"};
        return v;
      }
      prev = r.hash;
      after = r.seq;
    }
  }
  return v;
}

}  // namespace mcpreg::service
