// Minimal structured logging to stderr: `2025-10-20T10:11:12.123Z INFO message key=value ...`.
// Thread-safe (one write(2) per line). stdout is never used, so `mcpreg mcp` can own it.
#pragma once

#include <string_view>

namespace mcpreg::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void SetLevel(Level l);
void Write(Level l, std::string_view msg);
inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warn(std::string_view m) { Write(Level::kWarn, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }
inline void Debug(std::string_view m) { Write(Level::kDebug, m); }

}  // namespace mcpreg::log
