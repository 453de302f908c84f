// The pure parts of governance: request documents and their gates, evidence bodies.
#include "service/governance_rules.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <set>

#include "core/sha256.h"
#include "policy/license.h"
#include "policy/sarif.h"
#include "policy/secret_scan.h"
#include "service/json_body.h"

namespace mcpreg::service::rules {
namespace bj = boost::json;
namespace {

Status Bad(std::string_view field, std::string_view why) {
  return Status::Unprocessable("request." + std::string(field) + ": " + std::string(why));
}

bool IsNamespaceChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Upstream's server-name shape: "<namespace>/<name>", namespace [a-zA-Z0-9.-] starting and
// ending alphanumeric, name [a-zA-Z0-9._-], at most 200 characters.
bool IsServerName(std::string_view n) {
  auto slash = n.find('/');
  if (n.size() > 200 || slash == std::string_view::npos || n.find('/', slash + 1) != n.npos)
    return false;
  std::string_view ns = n.substr(0, slash), name = n.substr(slash + 1);
  if (ns.size() < 2 || name.empty()) return false;
  if (!std::isalnum(static_cast<unsigned char>(ns.front())) ||
      !std::isalnum(static_cast<unsigned char>(ns.back())))
    return false;
  return std::all_of(ns.begin(), ns.end(), IsNamespaceChar) &&
         std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsHttpUrl(std::string_view s) { return s.starts_with("https://") || s.starts_with("http://"); }

// A required non-empty string member, at most kMaxText characters.
Result<std::string> RequiredString(const bj::object& o, std::string_view key,
                                   std::string_view field) {
  const bj::value* v = o.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty())
    return Bad(field, "required, a non-empty string");
  if (v->get_string().size() > kMaxText) return Bad(field, "longer than 2000 characters");
  return std::string(v->get_string());
}

Status OptionalString(const bj::object& o, std::string_view key, std::string_view field) {
  const bj::value* v = o.if_contains(key);
  if (!v) return Status::OK();
  if (!v->is_string()) return Bad(field, "must be a string");
  if (v->get_string().size() > kMaxText) return Bad(field, "longer than 2000 characters");
  return Status::OK();
}

Status OneOf(const std::string& value, std::initializer_list<std::string_view> allowed,
             std::string_view field) {
  for (auto a : allowed)
    if (value == a) return Status::OK();
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Bad(field, "must be one of " + list);
}

// Adds a request-gate issue unless the policy disables the rule, at the policy's severity.
// (Secret findings are refused outright whatever their configured severity: RefuseSecrets.)
void Error(std::vector<model::Issue>& out, std::string path, std::string message, std::string rule,
           const policy::Policy& pol) {
  if (!pol.Enabled(rule)) return;
  out.push_back(
      {"policy", std::move(path), std::move(message), pol.SeverityOf(rule), std::move(rule)});
}

}  // namespace

// Validates a request document; fills the bookkeeping fields of `out` from it.
Status ParseRequest(std::string_view body, ServerRequest* out) {
  auto doc = ParseJsonBody(body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::Unprocessable("request: expected a JSON object");
  const bj::object& o = doc->get_object();
  static const std::set<std::string_view> kKnown = {
      "name",      "team",     "contacts", "consumption", "hosting",
      "publisher", "pipeline", "apis",     "description", "server"};
  for (const auto& kv : o)
    if (!kKnown.count(kv.key())) return Bad(kv.key(), "unknown field");
  auto name = RequiredString(o, "name", "name");
  if (!name.ok()) return name.status();
  if (!IsServerName(*name))
    return Bad("name", "must look like <namespace>/<name>, e.g. com.contoso/weather");
  auto team = RequiredString(o, "team", "team");
  if (!team.ok()) return team.status();
  const bj::value* contacts = o.if_contains("contacts");
  if (!contacts || !contacts->is_array() || contacts->get_array().empty())
    return Bad("contacts", "required, a non-empty list of strings");
  for (size_t i = 0; i < contacts->get_array().size(); ++i) {
    const auto& c = contacts->get_array()[i];
    if (!c.is_string() || c.get_string().empty() || c.get_string().size() > 320)
      return Bad("contacts[" + std::to_string(i) + "]", "must be a non-empty string");
  }
  auto consumption = RequiredString(o, "consumption", "consumption");
  if (!consumption.ok()) return consumption.status();
  MCPREG_RETURN_IF_ERROR(
      OneOf(*consumption, {"first-party", "third-party", "both"}, "consumption"));
  auto hosting = RequiredString(o, "hosting", "hosting");
  if (!hosting.ok()) return hosting.status();
  MCPREG_RETURN_IF_ERROR(OneOf(*hosting, {"local", "remote", "both"}, "hosting"));
  const bj::value* pub = o.if_contains("publisher");
  if (!pub || !pub->is_object())
    return Bad("publisher",
               "required, an object with the publishing identity's issuer and subject");
  auto issuer = RequiredString(pub->get_object(), "issuer", "publisher.issuer");
  if (!issuer.ok()) return issuer.status();
  if (!issuer->starts_with("https://"))
    return Bad("publisher.issuer", "must be an https:// OIDC issuer URL");
  auto subject = RequiredString(pub->get_object(), "subject", "publisher.subject");
  if (!subject.ok()) return subject.status();
  auto pipeline = RequiredString(o, "pipeline", "pipeline");
  if (!pipeline.ok()) return pipeline.status();
  MCPREG_RETURN_IF_ERROR(OptionalString(o, "description", "description"));
  if (const bj::value* apis = o.if_contains("apis")) {
    if (!apis->is_array()) return Bad("apis", "must be a list");
    for (size_t i = 0; i < apis->get_array().size(); ++i) {
      std::string f = "apis[" + std::to_string(i) + "]";
      const auto& a = apis->get_array()[i];
      if (!a.is_object()) return Bad(f, "must be an object with name, owner and permission");
      auto an = RequiredString(a.get_object(), "name", f + ".name");
      if (!an.ok()) return an.status();
      auto ow = RequiredString(a.get_object(), "owner", f + ".owner");
      if (!ow.ok()) return ow.status();
      MCPREG_RETURN_IF_ERROR(OptionalString(a.get_object(), "permission", f + ".permission"));
    }
  }
  if (const bj::value* server = o.if_contains("server"); server && !server->is_object())
    return Bad("server", "must be a server.json object");
  out->name = *name;
  out->issuer = *issuer;
  out->subject = *subject;
  out->document = bj::serialize(*doc);
  return Status::OK();
}

std::string Str(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool HasError(const std::vector<model::Issue>& issues) {
  return std::any_of(issues.begin(), issues.end(),
                     [](const model::Issue& i) { return i.severity == "error"; });
}

std::string FailedRules(const std::vector<model::Issue>& issues) {
  std::string out;
  for (const auto& i : issues)
    if (i.severity == "error" && out.find(i.reference) == std::string::npos)
      out += (out.empty() ? "" : ", ") + i.reference;
  return out;
}

// The digests evidence for this document must be bound to: every package's fileSha256, or
// {""} for a server without digested packages (remote-only).
std::vector<std::string> Digests(std::string_view server_json) {
  std::vector<std::string> out;
  bj::error_code ec;
  bj::value v = bj::parse(server_json, ec);
  if (!ec && v.is_object())
    if (const bj::value* pkgs = v.get_object().if_contains("packages"); pkgs && pkgs->is_array())
      for (const auto& p : pkgs->get_array())
        if (p.is_object())
          if (std::string d = Str(p.get_object(), "fileSha256"); !d.empty()) out.push_back(d);
  if (out.empty()) out.push_back("");
  return out;
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Secrets are never stored: a request whose text or draft carries one is refused outright
// (messages are redacted), unlike other gate failures, which are recorded for review.
Status RefuseSecrets(const std::vector<model::Issue>& gates) {
  static const std::set<std::string_view> kSecretRules = {"request.secrets", "secrets.token",
                                                          "secrets.private-key", "secrets.jwt",
                                                          "secrets.connection-string"};
  std::string where;
  for (const auto& i : gates)
    if (kSecretRules.count(i.reference))  // at any configured severity
      where += (where.empty() ? "" : "; ") + i.path + ": " + i.message + " [" + i.reference + "]";
  if (where.empty()) return Status::OK();
  return Status::Unprocessable("request refused, secrets are never stored: " + where);
}

std::vector<model::Issue> RequestGates(const ServerRequest& r, const policy::Policy& pol,
                                       const std::vector<std::string>& trusted_issuers) {
  std::vector<model::Issue> out;
  bj::error_code ec;
  bj::value doc = bj::parse(r.document, ec);
  if (ec || !doc.is_object()) {
    out.push_back(
        {"policy", "", "the stored request is not a JSON object", "error", "request.document"});
    return out;
  }
  const bj::object& o = doc.get_object();
  // The publisher must be a workload identity from an issuer this registry trusts.
  // A mirrored server's request (GovernanceService::ApproveMirrored) names no publisher: its
  // versions come from the upstream, and publishing into a mirrored name is refused.
  const bool mirrored = r.issuer.empty() && o.if_contains("mirror") != nullptr;
  if (!mirrored && !trusted_issuers.empty() &&
      std::find(trusted_issuers.begin(), trusted_issuers.end(), r.issuer) == trusted_issuers.end())
    Error(out, "publisher.issuer",
          "issuer " + r.issuer +
              " is not a trusted OIDC issuer of this registry; publishing "
              "identities must come from a configured workload-identity issuer",
          "request.publisher-identity", pol);
  if (auto at = r.subject.find('@'); at != std::string::npos && at > 0 &&
                                     r.subject.find('.', at) != std::string::npos &&
                                     r.subject.find(':') == std::string::npos)
    Error(out, "publisher.subject",
          "subject looks like a personal account; use a workload identity (managed identity, "
          "service principal or CI OIDC subject)",
          "request.publisher-identity", pol);
  for (const auto& f : policy::ScanString(pol, r.subject))
    if (f.rule != "secrets.email")
      Error(out, "publisher.subject", "subject contains a " + f.kind + " (" + f.redacted + ")",
            "request.secrets", pol);
  // APIs owned by another team need that team's recorded permission.
  const std::string team = Str(o, "team");
  if (const bj::value* apis = o.if_contains("apis"); apis && apis->is_array())
    for (size_t i = 0; i < apis->get_array().size(); ++i) {
      const auto& a = apis->get_array()[i].get_object();
      std::string owner = Str(a, "owner");
      if (owner != team && owner != "self" && Str(a, "permission").empty())
        Error(out, "apis[" + std::to_string(i) + "].permission",
              "API " + Str(a, "name") + " is owned by " + owner +
                  "; record that team's permission (a link or ticket) before review",
              "request.api-permission", pol);
    }
  // No secrets in the request's own text.
  auto scan = [&](const std::string& path, std::string_view text) {
    for (const auto& f : policy::ScanString(pol, text))
      if (f.rule == "secrets.token" || f.rule == "secrets.private-key" || f.rule == "secrets.jwt" ||
          f.rule == "secrets.connection-string")
        Error(out, path, path + " contains a " + f.kind + " (" + f.redacted + ")",
              "request.secrets", pol);
  };
  for (std::string_view key : {"team", "pipeline", "description"})
    scan(std::string(key), Str(o, key));
  if (const bj::value* apis = o.if_contains("apis"); apis && apis->is_array())
    for (size_t i = 0; i < apis->get_array().size(); ++i)
      for (std::string_view key : {"name", "owner", "permission"})
        scan("apis[" + std::to_string(i) + "]." + std::string(key),
             Str(apis->get_array()[i].get_object(), key));
  // The draft server.json: shape, schema, and every policy rule.
  const bj::value* draft = o.if_contains("server");
  if (!draft) {
    Error(out, "server", "no draft server.json: the compliance gates run when one is attached",
          "request.draft", pol);
    return out;
  }
  const bj::object& d = draft->get_object();
  if (Str(d, "name") != r.name)
    Error(out, "server.name", "the draft's name must be " + r.name, "request.name", pol);
  auto count = [&](std::string_view key) {
    const bj::value* v = d.if_contains(key);
    return v && v->is_array() ? v->get_array().size() : size_t{0};
  };
  const std::string hosting = Str(o, "hosting");
  const bool local = count("packages") > 0, remote = count("remotes") > 0;
  if ((hosting == "local" || hosting == "both") && !local)
    Error(out, "server.packages", "hosting is " + hosting + " but the draft has no packages",
          "request.hosting", pol);
  if ((hosting == "remote" || hosting == "both") && !remote)
    Error(out, "server.remotes", "hosting is " + hosting + " but the draft has no remotes",
          "request.hosting", pol);
  if (hosting == "local" && remote)
    Error(out, "server.remotes", "hosting is local but the draft has remotes", "request.hosting",
          pol);
  if (hosting == "remote" && local)
    Error(out, "server.packages", "hosting is remote but the draft has packages", "request.hosting",
          pol);
  auto prefixed = [](const std::string& p) {
    return p.empty() ? std::string("server") : "server." + p;
  };
  for (auto issue : model::ValidateServerJson(*draft).issues) {
    issue.path = prefixed(issue.path);
    out.push_back(std::move(issue));
  }
  for (auto issue : policy::EvaluateText(pol, bj::serialize(*draft))) {
    issue.path = prefixed(issue.path);
    out.push_back(std::move(issue));
  }
  return out;
}

Status ParseEvidenceBody(const bj::object& o, const policy::Policy& pol, Evidence* out) {
  Evidence& ev = *out;
  static const std::set<std::string_view> kSarifKeys = {"kind", "digest", "sarif"};
  static const std::set<std::string_view> kAttestKeys = {"kind", "digest", "verdict",   "reviewer",
                                                         "link", "notes",  "expression"};
  for (const auto& kv : o)
    if (!(ev.kind == "sarif" ? kSarifKeys : kAttestKeys).count(kv.key()))
      return Status::Unprocessable("evidence." + std::string(kv.key()) + ": unknown field for " +
                                   ev.kind);
  if (ev.kind == "sarif") {
    const bj::value* sarif = o.if_contains("sarif");
    if (!sarif || !sarif->is_object())
      return Status::Unprocessable("evidence.sarif: required, the SARIF 2.1.0 log object");
    std::string text = bj::serialize(*sarif);
    auto report = policy::ParseSarif(text);
    if (!report.ok()) return Status::Unprocessable("evidence.sarif: " + report.status().message());
    ev.verdict = report->Blocks() ? "fail" : "pass";
    ev.summary = report->Summary();
    ev.document = Details([&](json::JsonOut& d) {
      d.Key("sha256")
          .String(Sha256Hex(text))
          .Key("open")
          .Int(report->open)
          .Key("blocking")
          .Int(report->blocking)
          .Key("critical")
          .Int(report->critical)
          .Key("high")
          .Int(report->high);
      d.Key("findings").BeginArray();
      size_t shown = 0;
      for (const auto& f : report->findings) {
        if (!f.blocking || ++shown > 20) continue;
        d.BeginObject()
            .Key("tool")
            .String(f.tool)
            .Key("ruleId")
            .String(f.rule_id)
            .Key("level")
            .String(f.level);
        if (f.security_severity) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "%.1f", *f.security_severity);
          d.Key("securitySeverity").Raw(buf);
        }
        d.Key("location")
            .String(f.location)
            .Key("message")
            .String(f.message.substr(0, 300))
            .EndObject();
      }
      d.EndArray();
    });
  } else {
    std::string verdict = Str(o, "verdict");
    if (verdict != "approved" && verdict != "rejected")
      return Status::Unprocessable("evidence.verdict: must be approved or rejected");
    std::string reviewer = Str(o, "reviewer");
    if (reviewer.empty() || reviewer.size() > 320)
      return Status::Unprocessable("evidence.reviewer: required, who reviewed");
    for (std::string_view key : {"link", "notes", "expression"})
      if (const bj::value* v = o.if_contains(key);
          v && (!v->is_string() || v->get_string().size() > kMaxText))
        return Status::Unprocessable("evidence." + std::string(key) +
                                     ": must be a string of at most 2000 characters");
    std::string link = Str(o, "link");
    if (!link.empty() && !IsHttpUrl(link))
      return Status::Unprocessable("evidence.link: must be an http(s) URL");
    bool pass = verdict == "approved";
    ev.summary = ev.kind + " review " + verdict + " by " + reviewer;
    std::string expression = Str(o, "expression");
    if (ev.kind == "license") {
      if (expression.empty())
        return Status::Unprocessable(
            "evidence.expression: required for a licence review (SPDX expression)");
      auto decision = policy::EvaluateLicense(pol, expression);
      if (!decision.ok())
        return Status::Unprocessable("evidence.expression: " + decision.status().message());
      if (decision->verdict == policy::LicenseVerdict::kDeny) {
        pass = false;
        ev.summary += "; " + decision->reason;
      }
    } else if (!expression.empty()) {
      return Status::Unprocessable("evidence.expression: only for licence reviews");
    }
    ev.verdict = pass ? "pass" : "fail";
    ev.document = Details([&](json::JsonOut& d) {
      d.Key("verdict")
          .String(verdict)
          .Key("reviewer")
          .String(reviewer)
          .StringIf("link", link)
          .StringIf("notes", Str(o, "notes"))
          .StringIf("expression", expression);
    });
  }
  return Status::OK();
}

}  // namespace mcpreg::service::rules
