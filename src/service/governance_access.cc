// GovernanceService: who may read what (the one visibility rule), quotas and paged listing.
// Split from governance_service.cc; the contracts are in governance_service.h.
#include <algorithm>
#include <mutex>

#include "auth/permissions.h"
#include "service/auth_service.h"
#include "service/governance_service.h"

namespace mcpreg::service {
namespace {

bool IsOperator(const auth::Principal& who) {
  return who.auth_method == "cli" && who.issuer.empty();
}

}  // namespace

void GovernanceService::SetQuotas(const config::QuotaConfig& quotas) {
  quotas_ = quotas;
  request_rate_ = std::make_unique<HourlyQuota>(quotas.requests_per_hour);
  evidence_rate_ = std::make_unique<HourlyQuota>(quotas.evidence_per_hour);
}

Status GovernanceService::CheckRequestQuota(const auth::Principal& who, std::string_view body,
                                            bool filing) {
  if (IsOperator(who)) return Status::OK();
  if (body.size() > quotas_.max_request_bytes)
    return Status::PayloadTooLarge("a request document may be at most " +
                                   std::to_string(quotas_.max_request_bytes) + " bytes");
  const std::string actor = ActorOf(who);
  if (filing) {
    size_t open = 0;
    {
      std::shared_lock lock(mu_);
      for (const auto& [name, r] : requests_)
        if (r.created_by == actor && (r.state == "pending" || r.state == "rejected")) ++open;
    }
    if (quotas_.open_requests > 0 && open >= quotas_.open_requests)
      return Status::ResourceExhausted(
          "quota exceeded: at most " + std::to_string(quotas_.open_requests) +
          " open (pending or rejected) requests per identity; wait for a decision");
  }
  return request_rate_->Take(actor, clock_.Now(), "request files and updates");
}

int64_t GovernanceService::RetryAfterSeconds(const auth::Principal& who) const {
  const std::string actor = ActorOf(who);
  const Micros now = clock_.Now();
  int64_t wait =
      std::max(request_rate_->WaitSeconds(actor, now), evidence_rate_->WaitSeconds(actor, now));
  return wait > 0 ? wait : 3600;  // open_requests: frees when a reviewer decides
}

bool GovernanceService::MayRead(const auth::Principal& who, const ServerRequest& r) const {
  return MayUpdate(who, r) || IsIdentity(who, r.issuer, r.subject);
}

bool GovernanceService::MayUpdate(const auth::Principal& who, const ServerRequest& r) const {
  // "publish" (even "com.contoso/*") is not enough: only the filer and reviewers (README).
  return MayReview(who, r.name) || r.created_by == ActorOf(who);
}

bool GovernanceService::MayRetire(const auth::Principal& who, std::string_view name) {
  return auth::HasPermission(who.permissions, auth::kActionPublish, name) ||
         auth::HasPermission(who.permissions, auth::kActionEdit, name);
}

bool GovernanceService::MayReview(const auth::Principal& who, std::string_view name) {
  return auth::HasPermission(who.permissions, auth::kActionReview, name);
}

bool GovernanceService::MayReadRequest(const auth::Principal* who, std::string_view name) const {
  if (!who) return false;
  if (auth::HasPermission(who->permissions, auth::kActionReview, name)) return true;
  std::shared_lock lock(mu_);
  auto it = requests_.find(name);
  return it != requests_.end() && MayRead(*who, it->second);
}

bool GovernanceService::MayReadVersion(const auth::Principal* who, std::string_view name,
                                       std::string_view version) const {
  if (!governed()) return true;
  if (registry_.catalog().Get(name, version, /*include_deleted=*/false,
                              /*include_withheld=*/false))
    return true;  // listed: public
  return MayReadRequest(who, name);
}

Result<RequestPage> GovernanceService::ListPage(const auth::Principal& who, std::string_view state,
                                                std::string_view cursor, size_t limit) const {
  if (!state.empty() && state != "pending" && state != "approved" && state != "rejected" &&
      state != "retired")
    return Status::InvalidArgument("state must be pending, approved, rejected or retired");
  if (limit < 1 || limit > kMaxRequestPage)
    return Status::InvalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxRequestPage));
  // Pick the page under the lock (cheap checks only); render views (gates, policy) after.
  std::vector<ServerRequest> page;
  bool more = false;
  {
    std::shared_lock lock(mu_);
    for (auto it = requests_.upper_bound(cursor); it != requests_.end(); ++it) {
      const ServerRequest& r = it->second;
      if ((!state.empty() && r.state != state) || !MayRead(who, r)) continue;
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.push_back(r);
    }
  }
  RequestPage out;
  for (const auto& r : page) out.items.push_back(View(r));
  if (more) out.next_cursor = page.back().name;
  return out;
}

Result<std::vector<RequestView>> GovernanceService::List(const auth::Principal& who,
                                                         std::string_view state) const {
  std::vector<RequestView> all;
  std::string cursor;
  for (;;) {
    auto page = ListPage(who, state, cursor, kMaxRequestPage);
    if (!page.ok()) return page.status();
    for (auto& v : page->items) all.push_back(std::move(v));
    if (!page->next_cursor) return all;
    cursor = *page->next_cursor;
  }
}

Result<std::vector<Evidence>> GovernanceService::ListEvidence(const auth::Principal* who,
                                                              std::string_view name,
                                                              std::string_view version) const {
  if (!MayReadRequest(who, name))
    return Status::NotFound("no evidence for " + std::string(name) + " you may read");
  std::shared_lock lock(mu_);
  std::vector<Evidence> out;
  for (auto it = evidence_.lower_bound(std::make_pair(std::string(name), std::string()));
       it != evidence_.end() && it->first.first == name; ++it)
    if (version.empty() || it->first.second == version)
      out.insert(out.end(), it->second.begin(), it->second.end());
  std::sort(out.begin(), out.end(),
            [](const Evidence& a, const Evidence& b) { return a.id < b.id; });
  return out;
}

}  // namespace mcpreg::service
