// Target sarif: the bytes are a SARIF 2.1.0 log as uploaded as scan evidence. Runs
// policy::ParseSarif and checks the report's counters against its findings: open, blocking,
// critical and high are exactly the counts the header's rules give.
#include "fuzz/fuzz_common.h"
#include "policy/sarif.h"

using namespace mcpreg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto report = policy::ParseSarif(fuzz::AsView(data, size));
  if (!report.ok()) return 0;
  size_t open = 0, blocking = 0, critical = 0, high = 0;
  for (const auto& f : report->findings) {
    if (f.state != "open") {
      fuzz::Check(!f.blocking, "only open findings block");
      continue;
    }
    ++open;
    double sev = f.security_severity.value_or(0);
    bool blocks = f.level == "error" || sev >= policy::kBlockingSecuritySeverity;
    fuzz::Check(f.blocking == blocks, "blocking = error level or severity >= 7");
    blocking += blocks;
    critical += sev >= 9.0;
    high += sev >= 7.0 && sev < 9.0;
    if (f.security_severity) fuzz::Check(sev > 0 && sev <= 10, "severity in (0, 10]");
  }
  fuzz::Check(report->open == open, "open count");
  fuzz::Check(report->blocking == blocking, "blocking count");
  fuzz::Check(report->critical == critical, "critical count");
  fuzz::Check(report->high == high, "high count");
  report->Summary();
  return 0;
}
