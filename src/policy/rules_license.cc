// license.spdx: a small recursive-descent SPDX expression parser evaluated directly to a verdict.
#include <boost/json.hpp>

#include "model/server_json.h"
#include "policy/license.h"
#include "policy/rules.h"

namespace mcpreg::policy {
namespace {

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':';
}

bool Matches(const std::vector<std::string>& list, std::string_view id) {
  std::string lid = internal::Lower(id);
  for (const std::string& e : list) {
    std::string le = internal::Lower(e);
    if (!le.empty() && le.back() == '*') {
      le.pop_back();
      if (lid.compare(0, le.size(), le) == 0) return true;
    } else if (le == lid) {
      return true;
    }
  }
  return false;
}

class Parser {
 public:
  Parser(const Policy& policy, std::string_view s) : policy_(policy), s_(s) {}

  Result<LicenseDecision> Parse() {
    if (s_.find_first_of("\r\n") != std::string_view::npos) return Fail("line break");
    Result<LicenseDecision> r = Or();
    if (!r.ok()) return r;
    Skip();
    if (pos_ != s_.size()) return Fail("unexpected \"" + std::string(s_.substr(pos_, 1)) + "\"");
    return r;
  }

 private:
  Status Fail(const std::string& what) {
    return Status::InvalidArgument("invalid SPDX expression at offset " + std::to_string(pos_) +
                                   ": " + what);
  }
  void Skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  std::string_view Peek() {
    Skip();
    size_t e = pos_;
    while (e < s_.size() && IdChar(s_[e])) ++e;
    return s_.substr(pos_, e - pos_);
  }
  // Consumes the operator `op` ("AND", ...) in all-upper or all-lower case.
  bool Op(std::string_view op) {
    std::string_view w = Peek();
    if (w == op || w == internal::Lower(op)) {
      pos_ += w.size();
      return true;
    }
    return false;
  }
  static bool IsOp(std::string_view w) {
    std::string l = internal::Lower(w);
    return l == "and" || l == "or" || l == "with";
  }

  Result<LicenseDecision> Or() {
    Result<LicenseDecision> best = And();
    if (!best.ok()) return best;
    while (Op("OR")) {
      Result<LicenseDecision> r = And();
      if (!r.ok()) return r;
      if (r->verdict < best->verdict) best = std::move(r);
    }
    return best;
  }

  Result<LicenseDecision> And() {
    Result<LicenseDecision> worst = With();
    if (!worst.ok()) return worst;
    while (Op("AND")) {
      Result<LicenseDecision> r = With();
      if (!r.ok()) return r;
      if (r->verdict > worst->verdict) worst = std::move(r);
    }
    return worst;
  }

  Result<LicenseDecision> With() {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      Result<LicenseDecision> r = Or();
      if (!r.ok()) return r;
      Skip();
      if (pos_ >= s_.size() || s_[pos_] != ')') return Fail("missing \")\"");
      ++pos_;
      return r;
    }
    std::string_view id = Peek();
    if (id.empty()) return Fail(pos_ >= s_.size() ? "expected a licence id" : "unexpected \"" +
                                                       std::string(s_.substr(pos_, 1)) + "\"");
    if (IsOp(id)) return Fail("expected a licence id, got operator " + std::string(id));
    pos_ += id.size();
    if (pos_ < s_.size() && s_[pos_] == '+') ++pos_;
    LicenseDecision d = Leaf(id);
    if (Op("WITH")) {
      std::string_view exc = Peek();
      if (exc.empty() || IsOp(exc)) return Fail("expected an exception id after WITH");
      pos_ += exc.size();
      if (Matches(policy_.license_allow_exceptions, exc)) {
        d = {LicenseVerdict::kAllow, std::string(id) + " WITH " + std::string(exc) +
                                         " is allowed by policy"};
      }
    }
    return d;
  }

  LicenseDecision Leaf(std::string_view id) {
    const std::string s(id);
    if (Matches(policy_.license_deny, id)) return {LicenseVerdict::kDeny, s + " is denied by policy"};
    if (Matches(policy_.license_allow, id)) return {LicenseVerdict::kAllow, s + " is allowed"};
    return {LicenseVerdict::kReview, s + " needs a licence review (not on the allow list)"};
  }

  const Policy& policy_;
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<LicenseDecision> EvaluateLicense(const Policy& policy, std::string_view expression) {
  if (expression.find_first_not_of(" \t") == std::string_view::npos) {
    return Status::InvalidArgument("invalid SPDX expression: empty");
  }
  return Parser(policy, expression).Parse();
}

namespace internal {

void CheckLicense(const boost::json::value& doc, Sink& sink) {
  if (!sink.On("license.spdx") || !doc.is_object()) return;
  const boost::json::value* meta = doc.as_object().if_contains("_meta");
  if (meta == nullptr || !meta->is_object()) return;
  const boost::json::value* pp = meta->as_object().if_contains(model::kPublisherProvidedKey);
  if (pp == nullptr || !pp->is_object()) return;
  const boost::json::value* lic = pp->as_object().if_contains("license");
  if (lic == nullptr) return;
  const std::string path =
      "_meta." + std::string(model::kPublisherProvidedKey) + ".license";
  if (!lic->is_string()) {
    sink.Add("license.spdx", path, "license must be an SPDX expression string");
    return;
  }
  Result<LicenseDecision> d = EvaluateLicense(sink.policy(), lic->as_string());
  if (!d.ok()) {
    sink.Add("license.spdx", path, d.status().message());
  } else if (d->verdict == LicenseVerdict::kDeny) {
    sink.Add("license.spdx", path, "licence not allowed: " + d->reason);
  } else if (d->verdict == LicenseVerdict::kReview) {
    sink.AddAs("license.spdx", "warning", path, d->reason);
  }
}

}  // namespace internal
}  // namespace mcpreg::policy
