// Policy loading (defaults, YAML/JSON overlay with strict key checking) and the evaluation chain.
#include "policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "model/server_json.h"
#include "policy/rules.h"

namespace mcpreg::policy {
namespace bj = boost::json;

namespace {

struct RuleInfo {
  std::string_view id;
  std::string_view default_severity;  // "" = depends on strict mode
  std::vector<std::string_view> settings;
};

// Why these defaults: the built-in policy is the strict enterprise one from issue 5. Everything
// that leaks data or weakens transport security blocks; asking users for a PAT only informs
// (the server may have no OAuth alternative yet).
const std::vector<RuleInfo>& Rules() {
  static const std::vector<RuleInfo> kRules = {
      {"local.transport-stdio", "error", {}},
      {"local.runtime-required", "", {"runtimeHints", "registryTypes"}},
      {"local.package-digest", "error", {}},
      {"remote.transport-streamable-http", "error", {}},
      {"remote.https", "error", {}},
      {"remote.auth-declared", "error", {"headers", "metaKeys"}},
      {"remote.probe", "error", {}},
      {"secrets.token", "error", {}},
      {"secrets.private-key", "error", {}},
      {"secrets.jwt", "error", {}},
      {"secrets.connection-string", "error", {}},
      {"secrets.internal-host", "error", {"hosts"}},
      {"secrets.classification", "error", {"words"}},
      {"secrets.email", "error", {"allowDomains"}},
      {"secrets.secret-input", "warning", {}},
      {"secrets.secret-value", "error", {}},
      {"content.sample", "error", {"words", "phrases"}},
      {"content.denylist", "error", {"names"}},
      {"license.spdx", "error", {"allow", "deny", "allowExceptions"}},
      // Server-request gates (evaluated by service/governance_service.cc on requests).
      {"request.publisher-identity", "error", {}},
      {"request.api-permission", "error", {}},
      {"request.hosting", "error", {}},
      {"request.name", "error", {}},
      {"request.secrets", "error", {}},
      {"request.draft", "warning", {}},
  };
  return kRules;
}

const RuleInfo* FindRule(std::string_view id) {
  for (const RuleInfo& r : Rules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::vector<std::string>* ListFor(Policy& p, std::string_view rule, std::string_view key) {
  if (rule == "local.runtime-required") {
    return key == "runtimeHints" ? &p.runtime_hints : &p.registry_types;
  }
  if (rule == "remote.auth-declared") return key == "headers" ? &p.auth_headers : &p.auth_meta_keys;
  if (rule == "secrets.internal-host") return &p.internal_hosts;
  if (rule == "secrets.classification") return &p.classification_words;
  if (rule == "secrets.email") return &p.allowed_email_domains;
  if (rule == "content.sample") return key == "words" ? &p.sample_words : &p.sample_phrases;
  if (rule == "content.denylist") return &p.name_denylist;
  if (rule == "license.spdx") {
    if (key == "allow") return &p.license_allow;
    if (key == "deny") return &p.license_deny;
    return &p.license_allow_exceptions;
  }
  return nullptr;
}

Status ParseRule(Policy& p, std::string_view id, const bj::value& v) {
  const std::string where = "policy.rules." + std::string(id);
  const RuleInfo* info = FindRule(id);
  if (info == nullptr) return Status::InvalidArgument(where + ": unknown rule id");
  if (!v.is_object()) return Status::InvalidArgument(where + ": expected an object");
  RuleSetting setting;
  for (const auto& kv : v.as_object()) {
    std::string_view key = kv.key();
    const std::string at = where + "." + std::string(key);
    if (key == "enabled") {
      if (!kv.value().is_bool()) return Status::InvalidArgument(at + ": expected true or false");
      setting.enabled = kv.value().as_bool();
    } else if (key == "severity") {
      const bj::string* s = kv.value().if_string();
      if (s == nullptr || (*s != "error" && *s != "warning")) {
        return Status::InvalidArgument(at + ": expected \"error\" or \"warning\"");
      }
      setting.severity = std::string(*s);
    } else if (std::find(info->settings.begin(), info->settings.end(), key) !=
               info->settings.end()) {
      const bj::array* a = kv.value().if_array();
      if (a == nullptr) return Status::InvalidArgument(at + ": expected a list of strings");
      std::vector<std::string> list;
      for (const bj::value& e : *a) {
        if (!e.is_string()) return Status::InvalidArgument(at + ": expected a list of strings");
        list.emplace_back(e.as_string());
      }
      *ListFor(p, id, key) = std::move(list);
    } else {
      return Status::InvalidArgument(at + ": unknown key");
    }
  }
  p.rules[std::string(id)] = setting;
  return Status::OK();
}

// YAML -> JSON. Plain scalars that read as bool/null/number become those; quoted stay strings.
bj::value YamlToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    bj::object o;
    for (const auto& kv : n) o[kv.first.Scalar()] = YamlToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    bj::array a;
    for (const auto& e : n) a.push_back(YamlToJson(e));
    return a;
  }
  if (!n.IsDefined() || n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() != "!") {
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return bj::string(s);
}

}  // namespace

const std::vector<std::string_view>& RuleIds() {
  static const std::vector<std::string_view> kIds = [] {
    std::vector<std::string_view> ids;
    for (const RuleInfo& r : Rules()) ids.push_back(r.id);
    return ids;
  }();
  return kIds;
}

Policy Policy::Default() {
  Policy p;
  p.runtime_hints = {"npx", "uvx", "docker", "dnx", "node", "python", "python3", "deno", "bun"};
  p.registry_types = {"npm", "pypi", "nuget", "oci"};
  p.auth_headers = {"Authorization"};
  p.auth_meta_keys = {"oauth", "authorization", "auth"};
  p.classification_words = {"confidential",      "internal only",  "internal use only",
                            "do not distribute", "not for public", "restricted distribution"};
  p.allowed_email_domains = {"example.com", "example.org", "example.net"};
  p.sample_words = {"sample", "samples", "demo", "demos", "example", "examples", "template",
                    "templates", "boilerplate", "playground", "helloworld", "scaffold"};
  p.sample_phrases = {"hello world", "test server", "sample server", "demo server",
                      "example server", "template server", "starter template", "for testing only",
                      "do not use in production"};
  p.license_allow = {"0BSD",         "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0",
                     "CC0-1.0",      "CC-BY-4.0",  "ISC",          "MIT",          "MIT-0",
                     "PostgreSQL",   "Python-2.0", "Unlicense",    "UPL-1.0",      "Zlib"};
  p.license_deny = {"AGPL-*", "GPL-*",        "LGPL-*",    "SSPL-*",  "BUSL-*", "Elastic-*",
                    "CC-BY-NC*", "CC-BY-SA-*", "CC-BY-ND-*", "WTFPL", "Commons-Clause",
                    "OSL-*",  "NPL-*",        "QPL-*",     "Sleepycat"};
  p.license_allow_exceptions = {"LLVM-exception"};
  p.required_evidence = {"sarif", "threat-model", "license", "legal"};
  return p;
}

Result<Policy> Policy::FromJson(const bj::object& config) {
  Policy p = Default();
  for (const auto& kv : config) {
    std::string_view key = kv.key();
    if (key == "strict") {
      if (!kv.value().is_bool()) {
        return Status::InvalidArgument("policy.strict: expected true or false");
      }
      p.strict = kv.value().as_bool();
    } else if (key == "rules") {
      const bj::object* rules = kv.value().if_object();
      if (rules == nullptr) return Status::InvalidArgument("policy.rules: expected an object");
      for (const auto& r : *rules) MCPREG_RETURN_IF_ERROR(ParseRule(p, r.key(), r.value()));
    } else if (key == "evidence") {
      const bj::array* kinds = kv.value().if_array();
      if (kinds == nullptr) return Status::InvalidArgument("policy.evidence: expected a list");
      p.required_evidence.clear();
      for (const auto& k : *kinds) {
        const bj::string* s = k.if_string();
        if (s == nullptr || !IsEvidenceKind(*s))
          return Status::InvalidArgument(
              "policy.evidence: expected sarif, threat-model, license or legal");
        p.required_evidence.emplace_back(*s);
      }
    } else {
      return Status::InvalidArgument("policy." + std::string(key) + ": unknown key");
    }
  }
  return p;
}

bool IsEvidenceKind(std::string_view kind) {
  return kind == "sarif" || kind == "threat-model" || kind == "license" || kind == "legal";
}

Result<Policy> Policy::FromYaml(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("policy: " + std::string(e.what()));
  }
  if (!root.IsDefined() || root.IsNull()) return Default();
  if (!root.IsMap()) return Status::InvalidArgument("policy: expected a mapping at the top level");
  bj::value v = YamlToJson(root);
  return FromJson(v.as_object());
}

Result<Policy> Policy::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("policy file " + path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  Result<Policy> p = FromYaml(ss.str());
  if (!p.ok()) return Status::InvalidArgument(path + ": " + p.status().message());
  return p;
}

bool Policy::Enabled(std::string_view rule_id) const {
  auto it = rules.find(rule_id);
  return it == rules.end() || it->second.enabled;
}

std::string Policy::SeverityOf(std::string_view rule_id) const {
  auto it = rules.find(rule_id);
  if (it != rules.end() && !it->second.severity.empty()) return it->second.severity;
  const RuleInfo* info = FindRule(rule_id);
  if (info == nullptr || info->default_severity.empty()) return strict ? "error" : "warning";
  return std::string(info->default_severity);
}

std::vector<model::Issue> Evaluate(const Policy& policy, const bj::value& doc,
                                   const model::ServerJson& server, RemoteProber* prober) {
  std::vector<model::Issue> out;
  internal::Sink sink(policy, out);
  internal::CheckLocal(server, sink);
  internal::CheckRemote(server, prober, sink);
  internal::CheckSecrets(doc, server, sink);
  internal::CheckContent(server, sink);
  internal::CheckLicense(doc, sink);
  return out;
}

std::vector<model::Issue> EvaluateText(const Policy& policy, std::string_view body,
                                       RemoteProber* prober) {
  boost::system::error_code ec;
  bj::value doc = bj::parse(body, ec);
  if (ec || !doc.is_object()) return {};
  Result<model::ServerJson> server = model::ParseServerJson(doc);
  if (!server.ok()) return {};
  return Evaluate(policy, doc, *server, prober);
}

void AddPolicyIssues(const Policy& policy, std::string_view body, model::ValidationReport& report,
                     RemoteProber* prober) {
  for (model::Issue& issue : EvaluateText(policy, body, prober)) report.Add(std::move(issue));
}

namespace internal {

void Sink::Add(std::string_view rule, std::string path, std::string message) {
  AddAs(rule, policy_.SeverityOf(rule), std::move(path), std::move(message));
}

void Sink::AddAs(std::string_view rule, std::string severity, std::string path,
                 std::string message) {
  out_.push_back({"policy", std::move(path), std::move(message), std::move(severity),
                  std::string(rule)});
}

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

bool IContains(const std::vector<std::string>& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& e) { return IEquals(e, s); });
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

bool IsPlaceholder(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() == '{' && s.back() == '}') return true;
  if (s.front() == '<' && s.back() == '>') return true;
  if (s.front() == '%' && s.back() == '%' && s.size() > 2) return true;
  if (s.front() == '$') return true;
  return false;
}

}  // namespace internal
}  // namespace mcpreg::policy
