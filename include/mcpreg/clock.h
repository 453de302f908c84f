// Clock: the seam for "now". Production uses SystemClock; tests inject a ManualClock.
// Timestamps throughout mcpreg are microseconds since the Unix epoch (UTC), the resolution
// PostgreSQL keeps and the official registry exposes.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg {

using Micros = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Micros Now() const override;
  static const Clock& Instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Micros start) : now_(start) {}
  Micros Now() const override { return now_.load(); }
  void Set(Micros t) { now_.store(t); }
  void Advance(Micros d) { now_.fetch_add(d); }

 private:
  std::atomic<Micros> now_;
};

// Go's time.RFC3339Nano in UTC: "2025-10-20T10:11:12.123456Z", trailing fraction zeros trimmed,
// no fraction at all when it is zero.
std::string FormatRfc3339(Micros t);
// Parses RFC 3339 (any offset, optional fraction up to nanoseconds, truncated to micros).
// Returns InvalidArgument on anything else.
Result<Micros> ParseRfc3339(std::string_view s);

}  // namespace mcpreg
