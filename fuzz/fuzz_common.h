// Shared set-up for the libFuzzer targets: a real registry (SQLite store + catalog + service) in
// a temporary directory, seeded once per process with the valid server.json fixtures, so that
// the HTTP and MCP targets reach handlers that find servers. Not thread-safe; call from
// LLVMFuzzerTestOneInput only (libFuzzer runs one input at a time per process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/app.h"  // app::Registry (SharedRegistry lives in fuzz_registry.cc)

namespace mcpreg::fuzz {

// The process-wide registry, created on first use in a fresh directory under /dev/shm (or
// TMPDIR) and removed at exit. Aborts with a message when it cannot be opened: a harness that
// cannot set up must not report "no crashes".
app::Registry& SharedRegistry();
// The directory SharedRegistry() lives in (for other stores a target needs, e.g. the feed).
const std::string& SharedDir();

// Reads a file of the source tree (MCPREG_SOURCE_DIR-relative); aborts when missing.
std::string ReadSourceFile(std::string_view relative_path);

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts with `what` when `cond` is false: the harness's property checks. An abort is a crash
// to libFuzzer, so a violated contract is reported like a memory error.
void Check(bool cond, const char* what);

}  // namespace mcpreg::fuzz
