// Compliance policy: which governance gates run on a server.json and how hard they bite.
//
// A Policy is a set of rules, each with an id, an enabled flag, a severity ("error" blocks,
// "warning" informs) and rule-specific lists. It is loaded from a YAML or JSON file (or from the
// raw `policy:` object of the server config) in this shape; every key is optional and unknown
// keys are errors naming the key:
//
//   strict: true                 # false: runtime-needing local packages are warnings, not errors
//   evidence: [sarif, threat-model, license, legal]   # evidence a version needs to be listed
//   rules:
//     <rule id>:                 # one of kRuleIds below
//       enabled: true
//       severity: error          # error | warning (default: the rule's own, see policy.cc)
//       <setting>: [ ... ]       # rule-specific lists; a given list replaces the default
//
// Rule ids and their settings (families in src/policy/rules_*.cc):
//   local.transport-stdio, local.runtime-required {runtimeHints, registryTypes},
//   local.package-digest, remote.transport-streamable-http, remote.https,
//   remote.auth-declared {headers, metaKeys}, remote.probe (only with a RemoteProber),
//   secrets.token, secrets.private-key, secrets.jwt, secrets.connection-string,
//   secrets.internal-host {hosts}, secrets.classification {words}, secrets.email {allowDomains},
//   secrets.secret-input, secrets.secret-value, content.sample {words, phrases},
//   content.denylist {names}, license.spdx {allow, deny, allowExceptions}; and the server-request
//   gates request.publisher-identity, request.api-permission, request.hosting, request.name,
//   request.secrets, request.draft (warning) — see service/governance_service.h.
//
// Evaluation returns model::Issue{type "policy", path, message, severity, reference = rule id},
// the same shape as schema issues, so reports can be merged. Paths use upstream's notation
// (`packages[0].transport.type`). Secrets are never echoed: messages carry a redacted prefix.
//
// Thread-safety: a Policy is an immutable value after loading; Evaluate is a pure function and
// may run concurrently (the prober, if any, must itself be thread-safe).
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"
#include "model/validate.h"

namespace mcpreg::model {
struct ServerJson;
}

namespace mcpreg::policy {

class RemoteProber;

struct RuleSetting {
  bool enabled = true;
  std::string severity;  // "error" | "warning"; "" = the rule's default
};

struct Policy {
  bool strict = true;
  std::map<std::string, RuleSetting, std::less<>> rules;  // only rules the file mentions

  // local.runtime-required
  std::vector<std::string> runtime_hints;    // e.g. npx, uvx, docker, dnx
  std::vector<std::string> registry_types;   // package types needing a runtime: npm, pypi, ...
  // remote.auth-declared
  std::vector<std::string> auth_headers;     // header names (case-insensitive)
  std::vector<std::string> auth_meta_keys;   // keys in the publisher-provided _meta object
  // secrets.*
  std::vector<std::string> internal_hosts;   // host names/suffixes (case-insensitive)
  std::vector<std::string> classification_words;
  std::vector<std::string> allowed_email_domains;  // the domain and its subdomains
  // content.*
  std::vector<std::string> sample_words;     // whole words in name/title
  std::vector<std::string> sample_phrases;   // phrases in name/title/description
  std::vector<std::string> name_denylist;    // substrings of name/title
  // license.spdx (ids case-insensitive; a trailing "*" is a prefix match, e.g. "GPL-*")
  std::vector<std::string> license_allow;
  std::vector<std::string> license_deny;
  std::vector<std::string> license_allow_exceptions;
  // Governed listing: the evidence kinds every version needs (default: all four).
  std::vector<std::string> required_evidence;

  // The built-in strict policy (`mcpreg validate --policy default`): every rule on, defaults
  // as documented in policy.cc.
  static Policy Default();
  // Defaults overlaid with `config`. InvalidArgument naming the key on unknown keys, unknown
  // rule ids, wrong types or bad severities.
  static Result<Policy> FromJson(const boost::json::object& config);
  // YAML (a superset of JSON) text. InvalidArgument with the YAML position on syntax errors.
  static Result<Policy> FromYaml(std::string_view text);
  // Reads `path` and parses it as YAML. NotFound / InvalidArgument.
  static Result<Policy> LoadFile(const std::string& path);

  bool Enabled(std::string_view rule_id) const;
  // The effective severity of `rule_id`: the configured one, else the rule default (for
  // local.runtime-required: "error" when strict, else "warning").
  std::string SeverityOf(std::string_view rule_id) const;
};

// sarif | threat-model | license | legal.
bool IsEvidenceKind(std::string_view kind);

// Every rule id the policy knows, in evaluation order.
const std::vector<std::string_view>& RuleIds();

// Runs every enabled rule on a parsed document. `doc` is the raw JSON (the secret scan walks all
// of it, including `_meta`); `server` its typed form. `prober` may be null: then remote.probe
// does not run (it is the only rule that does I/O).
std::vector<model::Issue> Evaluate(const Policy& policy, const boost::json::value& doc,
                                   const model::ServerJson& server,
                                   RemoteProber* prober = nullptr);

// Parses `body` and evaluates it. A body that is not JSON or not a server.json object yields no
// policy issues (schema validation reports those).
std::vector<model::Issue> EvaluateText(const Policy& policy, std::string_view body,
                                       RemoteProber* prober = nullptr);

// Adds the policy issues of `body` to `report` (clearing `valid` on any error).
void AddPolicyIssues(const Policy& policy, std::string_view body, model::ValidationReport& report,
                     RemoteProber* prober = nullptr);

}  // namespace mcpreg::policy
