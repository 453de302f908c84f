// SPDX licence expressions checked against the policy's allow/deny lists (rule license.spdx).
//
// Grammar (SPDX spec annex "License expressions"): operators AND, OR, WITH in all-upper or
// all-lower case, precedence WITH > AND > OR, parentheses, `id+` ("or later"), LicenseRef-/
// DocumentRef- ids. Verdicts: a simple id is deny when it matches `license_deny`, allow when it
// matches `license_allow`, otherwise review (also NONE, NOASSERTION and unknown LicenseRef-*);
// `id WITH exc` is allow when `exc` is in `license_allow_exceptions`, else the id's verdict;
// AND takes the worst operand, OR the best branch.
//
// In a server.json the expression is read from the publisher-provided `_meta` object, key
// "license"; the rule reports deny at the rule's severity, review as a warning, and a malformed
// expression at the rule's severity. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::policy {

struct Policy;

enum class LicenseVerdict { kAllow = 0, kReview = 1, kDeny = 2 };

struct LicenseDecision {
  LicenseVerdict verdict = LicenseVerdict::kReview;
  std::string reason;  // names the deciding id, e.g. "GPL-3.0-only is denied by policy"
};

// InvalidArgument with the offending position on a malformed expression.
Result<LicenseDecision> EvaluateLicense(const Policy& policy, std::string_view expression);

}  // namespace mcpreg::policy
