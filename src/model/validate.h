// server.json validation as the official registry performs it, reporting every issue.
//
// ValidateServerJson (what `POST /validate` and `mcpreg validate` run):
//   1. JSON syntax                      -> one issue of type "json" (rule "json-parse-error")
//   2. `$schema` present and known      -> error "schema-field-required" /
//                                          "schema-version-extraction-error" /
//                                          "schema-version-not-available"
//      known but not current            -> one warning "schema-version-deprecated"
//                                          ("draft" -> warning "schema-version-unreleased")
//   3. full JSON Schema validation of the document as sent, against the schema version it names
//      -> type "schema", reference = schema keyword location
//   4. the semantic rules (semantic_rules.cc) -> type "semantic", reference = rule id
// ValidateForPublish (what publish and edit run): the same steps, except that "draft" is not an
// accepted version there (upstream publish skips step 3; we do not, so a document the schema
// rejects, e.g. a 309-character name, is never stored).
//
// Limits (hostile input): a text body over kMaxServerJsonBytes is one error "document-too-large"
// and is not parsed; nesting deeper than kMaxServerJsonDepth is a "json-parse-error". Strings are
// length-checked before any matching: the schema's maxLength first, then (schema/json_schema.h)
// no `pattern`/`format` on more than 64 KiB, then the semantic caps below, each reported as one
// error "value-too-long" at the value's path (left out when the schema already reported a
// maxLength error there) and skipping that value's other rules.
//
// Issue paths use upstream's notation: `name`, `packages[0].transport.url`, `$schema` is
// reported as `schema` (upstream's path for it). `valid` is true iff no issue has severity
// "error". Thread-safe (pure functions over immutable compiled schemas).
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::model {

struct ServerJson;

inline constexpr size_t kMaxServerJsonBytes = 4 * 1024 * 1024;  // text handed to Validate*()
inline constexpr unsigned kMaxServerJsonDepth = 64;             // JSON nesting when parsing text
// Semantic-rule caps. Names and versions count Unicode code points like the schema's maxLength.
inline constexpr size_t kMaxNameChars = 200;     // name (schema: maxLength 200)
inline constexpr size_t kMaxVersionChars = 255;  // version, packages[].version (maxLength 255)
// repository.url, websiteUrl, icons[].src, remotes[].url, packages[].transport.url,
// packages[].registryBaseUrl.
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxSubfolderBytes = 1024;  // repository.subfolder

struct Issue {
  std::string type;      // "json" | "schema" | "semantic"
  std::string path;      // "" = document root
  std::string message;
  std::string severity;  // "error" | "warning" | "info"
  std::string reference;  // schema keyword location or rule id
};

struct ValidationReport {
  bool valid = true;
  std::vector<Issue> issues;

  // Appends `issue`, clearing `valid` when it is an error.
  void Add(Issue issue);
  // Issues of `other` appended in order.
  void Merge(const ValidationReport& other);
  // True when some issue carries `reference` (a rule id or schema keyword location).
  bool HasReference(std::string_view reference) const;
  // Upstream's /validate body: {"valid":bool,"issues":[{"type","path","message","severity",
  // "reference"}]} (issues is [] when empty).
  std::string ToJson() const;
};

ValidationReport ValidateServerJson(std::string_view body);
ValidationReport ValidateServerJson(const boost::json::value& doc);

ValidationReport ValidateForPublish(std::string_view body);
ValidationReport ValidateForPublish(const boost::json::value& doc);

// Step 4 alone, on an already parsed document (rule ids listed in semantic_rules.cc).
ValidationReport ValidateSemantics(const ServerJson& server);

}  // namespace mcpreg::model
