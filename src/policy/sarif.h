// SARIF 2.1.0 scan results as a security gate (issue 5 evidence).
//
// ParseSarif reads a SARIF log (runs[].results[] with rules in tool.driver.rules and
// tool.extensions[].rules) and classifies every result:
//   - rule resolution: result.rule.toolComponent.index picks tool.extensions[i] (else the
//     driver); then result.rule.index / result.ruleIndex, else the rule whose id equals
//     result.ruleId / result.rule.id in that component (then in any component);
//   - kind: absent = "fail"; only "fail" results can be open;
//   - level (SARIF 3.27.10): result.level; else "none" when kind is not "fail"; else the rule's
//     defaultConfiguration.level; else "warning";
//   - security severity: properties["security-severity"] of the result, else of the rule; a
//     string (or number) in (0, 10]; anything else counts as absent;
//   - state: "fixed" when baselineState is "absent"; "suppressed" when some suppression is not
//     "rejected" (no status = accepted, underReview stays hidden); "closed" for kinds other than
//     fail; otherwise "open".
// Verdict: an open result blocks when its level is "error" or its security severity >= 7.0
// (GitHub's High and Critical). Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::policy {

struct SarifFinding {
  std::string tool;      // runs[].tool.driver.name
  std::string rule_id;   // "" when the result names none
  std::string level;     // effective level: error | warning | note | none
  std::optional<double> security_severity;
  std::string state;     // open | fixed | suppressed | closed
  std::string message;   // message.text
  std::string location;  // "uri:line" of the first location ("" when none)
  std::string path;      // JSON path of the result, e.g. "runs[0].results[3]"
  bool blocking = false;
};

struct SarifReport {
  std::vector<SarifFinding> findings;
  size_t open = 0;      // open results
  size_t blocking = 0;  // open and (error or security-severity >= 7.0)
  size_t critical = 0;  // open with security-severity >= 9.0
  size_t high = 0;      // open with 7.0 <= security-severity < 9.0

  bool Blocks() const { return blocking > 0; }
  // One line for logs and review queues, e.g. "2 blocking of 5 open (1 critical, 1 high)".
  std::string Summary() const;
};

inline constexpr double kBlockingSecuritySeverity = 7.0;

// InvalidArgument naming the JSON path on malformed input: not JSON, version other than
// "2.1.0", missing runs, wrong types, unknown level/kind/baselineState values, rule index out of
// range.
Result<SarifReport> ParseSarif(std::string_view text);

}  // namespace mcpreg::policy
