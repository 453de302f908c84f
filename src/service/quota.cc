#include "service/quota.h"

#include <algorithm>

namespace mcpreg::service {
namespace {
constexpr Micros kHour = 3600LL * 1000000;
}  // namespace

Status HourlyQuota::Take(const std::string& identity, Micros now, std::string_view what) {
  if (per_hour_ == 0) return Status::OK();
  std::lock_guard lock(mu_);
  auto it = windows_.find(identity);
  if (it == windows_.end()) {
    if (windows_.size() >= kMaxIdentities)
      std::erase_if(windows_, [now](const auto& kv) { return now - kv.second.start >= kHour; });
    if (windows_.size() >= kMaxIdentities)
      return Status::ResourceExhausted("too many identities are filing at once; try again later");
    it = windows_.emplace(identity, Window{now, 0}).first;
  }
  Window& w = it->second;
  if (now - w.start >= kHour) w = Window{now, 0};
  if (w.count >= per_hour_)
    return Status::ResourceExhausted("quota exceeded: at most " + std::to_string(per_hour_) + " " +
                                     std::string(what) + " per hour per identity");
  ++w.count;
  return Status::OK();
}

int64_t HourlyQuota::WaitSeconds(const std::string& identity, Micros now) {
  std::lock_guard lock(mu_);
  if (per_hour_ == 0) return 0;
  auto it = windows_.find(identity);
  if (it == windows_.end()) return windows_.size() >= kMaxIdentities ? 60 : 0;
  const Window& w = it->second;
  if (now - w.start >= kHour || w.count < per_hour_) return 0;
  return std::max<int64_t>((w.start + kHour - now + 999999) / 1000000, 1);
}

}  // namespace mcpreg::service
