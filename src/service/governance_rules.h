// The pure parts of governance (no store, no catalog): parsing and checking server-request
// documents, the request gates, evidence bodies, and small JSON writers. Used by
// GovernanceService; contracts of the shapes are in service/governance_service.h.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_out.h"
#include "mcpreg/records.h"
#include "mcpreg/status.h"
#include "model/validate.h"
#include "policy/policy.h"

namespace mcpreg::service::rules {

inline constexpr size_t kMaxText = 2000;  // any one free-text field of a request or attestation

// Validates a request document (Unprocessable naming the field, InvalidArgument for bad JSON)
// and fills out->name, issuer, subject and the canonical document.
Status ParseRequest(std::string_view body, ServerRequest* out);

// The request gates and the policy's rules on the draft (paths prefixed "server."), at the
// policy's severities; disabled rules are skipped. `trusted_issuers` empty = any issuer.
std::vector<model::Issue> RequestGates(const ServerRequest& r, const policy::Policy& pol,
                                       const std::vector<std::string>& trusted_issuers);

// Unprocessable (redacted) when `gates` hold a secret finding: such requests are never stored.
Status RefuseSecrets(const std::vector<model::Issue>& gates);

bool HasError(const std::vector<model::Issue>& issues);
// "rule, rule" of the error issues, each once.
std::string FailedRules(const std::vector<model::Issue>& issues);

// The digests evidence for a stored document must be bound to: every package's fileSha256,
// or {""} for a server without digested packages (remote-only).
std::vector<std::string> Digests(std::string_view server_json);
bool IsSha256Hex(std::string_view s);

// A string member of `o`, "" when absent or not a string.
std::string Str(const boost::json::object& o, std::string_view key);

// Checks the kind-specific fields of an evidence body (out->kind set by the caller) and fills
// verdict, summary and document. Errors: Unprocessable naming the field.
Status ParseEvidenceBody(const boost::json::object& o, const policy::Policy& pol, Evidence* out);

// A JSON object built by `fill` (audit details, evidence documents).
std::string Details(const std::function<void(json::JsonOut&)>& fill);
void WriteIssues(json::JsonOut& w, const std::vector<model::Issue>& issues);
// "gates": {"pass","errors","warnings","failed"} for audit details.
void WriteGateSummary(json::JsonOut& w, const std::vector<model::Issue>& gates);

}  // namespace mcpreg::service::rules
