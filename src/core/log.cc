#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "mcpreg/clock.h"

namespace mcpreg::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
}

void SetLevel(Level l) { g_level = l; }

void Write(Level l, std::string_view msg) {
  if (l < g_level.load()) return;
  static const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  std::string line = FormatRfc3339(SystemClock::Instance().Now() / 1000 * 1000);
  line += ' ';
  line += kNames[static_cast<int>(l)];
  line += ' ';
  line += msg;
  line += '\n';
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

}  // namespace mcpreg::log
