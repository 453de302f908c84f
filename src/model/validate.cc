// ValidateServerJson / ValidateForPublish: chains JSON parsing, the `$schema` version policy,
// JSON Schema validation (src/schema) and the semantic rules (semantic_rules.cc).
#include "model/validate.h"

#include <boost/json.hpp>

#include "core/json_out.h"
#include "model/server_json.h"
#include "schema/official_schemas.h"

namespace mcpreg::model {
namespace bj = boost::json;

void ValidationReport::Add(Issue issue) {
  if (issue.severity == "error") valid = false;
  issues.push_back(std::move(issue));
}

void ValidationReport::Merge(const ValidationReport& other) {
  for (const Issue& i : other.issues) Add(i);
}

bool ValidationReport::HasReference(std::string_view reference) const {
  for (const Issue& i : issues)
    if (i.reference == reference) return true;
  return false;
}

std::string ValidationReport::ToJson() const {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("valid").Bool(valid).Key("issues").BeginArray();
  for (const Issue& i : issues) {
    w.BeginObject();
    w.Key("type").String(i.type);
    w.Key("path").String(i.path);
    w.Key("message").String(i.message);
    w.Key("severity").String(i.severity);
    w.Key("reference").String(i.reference);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

namespace {

enum class Mode { kFull, kPublish };

// Step 2. Returns the schema to validate against (nullptr when the version is unusable).
const schema::JsonSchema* CheckSchemaVersion(const bj::object& doc, Mode mode,
                                             ValidationReport& report) {
  const bj::value* v = doc.if_contains("$schema");
  if (!v || !v->is_string() || v->get_string().empty()) {
    report.Add({"semantic", "schema", "$schema field is required", "error",
                "schema-field-required"});
    return nullptr;
  }
  std::string url(v->get_string());
  std::string version = schema::SchemaVersionFromUrl(url);
  if (version.empty()) {
    report.Add({"schema", "schema",
                "failed to extract schema version from URL: invalid schema URL format: " + url,
                "error", "schema-version-extraction-error"});
    return nullptr;
  }
  bool draft = version == schema::kDraftSchemaVersion;
  const schema::JsonSchema* compiled =
      (draft && mode == Mode::kPublish) ? nullptr : schema::OfficialSchema(version);
  if (url != schema::kCurrentSchemaUrl && (compiled || !draft)) {
    if (draft) {
      report.Add({"semantic", "schema",
                  "schema version draft is unreleased; the official registry does not accept it "
                  "yet (current: " + std::string(schema::kCurrentSchemaVersion) + ")",
                  "warning", "schema-version-unreleased"});
    } else {
      report.Add({"semantic", "schema",
                  "schema version " + version + " is not the current version (" +
                      std::string(schema::kCurrentSchemaVersion) +
                      "). Consider updating to the latest schema version",
                  "warning", "schema-version-deprecated"});
    }
  }
  if (!compiled) {
    report.Add({"schema", "schema",
                "schema version " + version + " not available (known: 2025-07-09 ... " +
                    std::string(schema::kCurrentSchemaVersion) + ")",
                "error", "schema-version-not-available"});
  }
  return compiled;
}

// True when the schema step already reported `path` as over its maxLength.
bool HasMaxLengthError(const ValidationReport& report, std::string_view path) {
  for (const Issue& i : report.issues)
    if (i.path == path && std::string_view(i.reference).ends_with("/maxLength")) return true;
  return false;
}

ValidationReport Run(const bj::value& doc, Mode mode) {
  ValidationReport report;
  if (!doc.is_object()) {
    report.Add({"json", "", "server.json must be a JSON object", "error", "json-not-object"});
    return report;
  }
  const schema::JsonSchema* compiled = CheckSchemaVersion(doc.get_object(), mode, report);
  if (compiled) {
    for (schema::SchemaError& e : compiled->Validate(doc)) {
      report.Add({"schema", std::move(e.instance_path), std::move(e.message), "error",
                  std::move(e.keyword_location)});
    }
  }
  Result<ServerJson> parsed = ParseServerJson(doc);
  if (!parsed.ok()) {
    // A field of the wrong JSON type: the schema step already reported it when it ran.
    if (!compiled || report.valid)
      report.Add({"json", "", parsed.status().message(), "error", "json-type-error"});
    return report;
  }
  for (const Issue& issue : ValidateSemantics(*parsed).issues) {
    if (issue.reference == "value-too-long" && HasMaxLengthError(report, issue.path)) continue;
    report.Add(issue);
  }
  return report;
}

ValidationReport RunText(std::string_view body, Mode mode) {
  if (body.size() > kMaxServerJsonBytes) {
    ValidationReport report;
    report.Add({"json", "",
                "document is too large (" + std::to_string(body.size()) + " bytes; at most " +
                    std::to_string(kMaxServerJsonBytes) + ")",
                "error", "document-too-large"});
    return report;
  }
  bj::parse_options opts;
  opts.max_depth = kMaxServerJsonDepth;
  boost::system::error_code ec;
  bj::value doc = bj::parse(body, ec, {}, opts);
  if (ec) {
    ValidationReport report;
    report.Add({"json", "", "invalid JSON: " + ec.message(), "error", "json-parse-error"});
    return report;
  }
  return Run(doc, mode);
}

}  // namespace

ValidationReport ValidateServerJson(std::string_view body) { return RunText(body, Mode::kFull); }
ValidationReport ValidateServerJson(const bj::value& doc) { return Run(doc, Mode::kFull); }
ValidationReport ValidateForPublish(std::string_view body) {
  return RunText(body, Mode::kPublish);
}
ValidationReport ValidateForPublish(const bj::value& doc) { return Run(doc, Mode::kPublish); }

}  // namespace mcpreg::model
