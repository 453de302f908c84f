// The console's pure parts: the server-request form (form fields <-> the request document the
// REST API takes, see service/governance_service.h), where an error or gate issue belongs on
// that form, and HTML renderings of requests, gates and compliance. No I/O, no authorization:
// console_pages.cc calls GovernanceService and composes pages from these.
//
// Form contract (labels and names are used by browser tests and console.js):
//   field  input name     id            label
//   name   name           name          Server name
//   team   team           team          Team
//   ...    contacts       contacts      Contacts (comma or newline separated)
//          consumption    consumption   Consumption (select first-party|third-party|both)
//          hosting        hosting       Hosting (select local|remote|both)
//          issuer         issuer        Publisher issuer
//          subject        subject       Publisher subject
//          pipeline       pipeline      Pipeline
//          description    description   Description
//          server         server        Draft server.json (+ file input "Upload server.json")
//   APIs (fieldset id "apis"): rows of api_name / api_owner / api_permission, ids
//          api-name-N, api-owner-N, api-permission-N, labels API name / Owner / Permission.
// Each field's errors render as <p class="error" id="err-ID">, referenced by the field's
// aria-describedby; errors that belong to no field go to a role="alert" summary.
//
// Thread-safe pure functions; every string that is not a literal here is escaped.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"
#include "model/validate.h"
#include "service/governance_service.h"

namespace mcpreg::web {

struct ApiRow {
  std::string name, owner, permission;
};

// The request form's values, as typed (kept verbatim for re-rendering).
struct RequestForm {
  std::string name, team, contacts, consumption, hosting, issuer, subject, pipeline, description;
  std::string server;         // the draft server.json text
  std::vector<ApiRow> apis;   // rows with every cell empty are dropped
};

// The form in an application/x-www-form-urlencoded body. When `name` is empty and the draft
// is a JSON object with a string "name", that name is used.
RequestForm FormFromBody(std::string_view body);
// The form prefilled from a stored request document (unknown or malformed parts left empty).
RequestForm FormFromDocument(std::string_view document);
// The request document for GovernanceService::File/Update. Contacts split on commas and
// newlines (trimmed, empties dropped); empty optional fields are omitted, empty required ones
// are sent empty so that the service names them. Errors: Unprocessable "request.server: ..."
// when the draft is not a JSON object.
Result<std::string> RequestDocument(const RequestForm& f);

// Messages placed on the form: by field id (see above), plus those that fit no field.
struct FieldErrors {
  std::map<std::string, std::vector<std::string>, std::less<>> at;
  std::vector<std::string> summary;
  bool empty() const { return at.empty() && summary.empty(); }
};

// The form field id for an error location or gate path ("request.team", "publisher.subject",
// "apis[1].owner", "server.remotes[0].url", ...), "" when none fits. `f` tells which API rows
// exist.
std::string FieldFor(std::string_view path, const RequestForm& f);
// A refusal from File/Update: "request.X: why" goes to field X, anything else to the summary.
void AddStatus(FieldErrors& e, const Status& s, const RequestForm& f);
// Gate issues at their fields ("server.*" issues at the draft, listing their path).
void AddGates(FieldErrors& e, const std::vector<model::Issue>& gates, const RequestForm& f);

// The whole form: posts to `action` with the session's CSRF token; `submit` is the button text;
// `name_fixed`: the server name is read-only (updating an existing request).
std::string RenderRequestForm(const RequestForm& f, const FieldErrors& e, std::string_view action,
                              std::string_view submit, std::string_view csrf, bool name_fixed);

// The evidence document for GovernanceService::AddEvidence from the evidence form's fields:
// kind=sarif with `sarif` (the log's text) and optional `digest`, or an attestation kind with
// verdict, reviewer, link, notes and (license) expression; empty optional fields are omitted.
// Errors: Unprocessable "evidence.sarif: ..." when the log is not JSON.
Result<std::string> EvidenceDocument(std::string_view form_body);

// "pending" etc. as a badge.
std::string StateBadge(std::string_view state);
// One line: "pass" or "fail: rule, rule (N errors, M warnings)".
std::string GateSummary(const std::vector<model::Issue>& gates, bool pass);
// A table of gate issues (rule, severity, path, message), or "All gates pass".
std::string RenderGates(const std::vector<model::Issue>& gates, bool pass);
// One version's compliance: status, listed, gates, each required evidence kind's state.
std::string RenderCompliance(const service::VersionCompliance& c);
// A short per-version summary for lists: "1.0.0 listed", "1.1.0 withheld (evidence: sarif
// missing)".
std::string ComplianceSummary(const std::vector<service::VersionCompliance>& versions);

}  // namespace mcpreg::web
