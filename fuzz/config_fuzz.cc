// Target config: the bytes are an mcpreg YAML (or JSON) configuration file. Runs
// config::ParseConfig, then what `mcpreg serve` does with the sections it keeps raw: the
// compliance policy (policy::Policy::FromJson) and the MCP section (mcpapi::ParseMcpConfig).
// Errors must come back as Status, never as an escaped exception (which aborts the target).
// Note: yaml-cpp is the system library, not instrumented: the fuzzer sees coverage of our
// loader only, and ASan checks yaml-cpp through its interceptors only.
#include "api/mcp/http_config.h"
#include "config/config.h"
#include "fuzz/fuzz_common.h"
#include "policy/policy.h"

using namespace mcpreg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The source names a directory that exists, so relative paths (jwks_file) resolve there.
  static const std::string source = fuzz::SharedDir() + "/mcpreg.yaml";
  auto cfg = config::ParseConfig(fuzz::AsView(data, size), source);
  if (!cfg.ok()) return 0;
  if (!cfg->policy.empty()) (void)policy::Policy::FromJson(cfg->policy);
  (void)mcpapi::ParseMcpConfig(cfg->mcp);
  return 0;
}
