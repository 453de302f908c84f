// HourlyQuota: how many calls one identity may make per hour (config `quotas:`), for the
// governance writes (requests, evidence). Identities are service::ActorOf strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::service {

// Per-identity rate limiting over fixed one-hour windows; at most kMaxIdentities identities
// are tracked (expired windows are dropped first; when all are live a new identity waits).
// Thread-safe.
class HourlyQuota {
 public:
  static constexpr size_t kMaxIdentities = 100000;
  explicit HourlyQuota(uint32_t per_hour) : per_hour_(per_hour) {}
  // Counts one call of `identity` at `now`. OK, or ResourceExhausted. per_hour 0 = no limit.
  Status Take(const std::string& identity, Micros now, std::string_view what);
  // Seconds until `identity` may call again (0 when it may now).
  int64_t WaitSeconds(const std::string& identity, Micros now);

 private:
  struct Window {
    Micros start = 0;
    uint32_t count = 0;
  };
  uint32_t per_hour_;
  std::mutex mu_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace mcpreg::service
