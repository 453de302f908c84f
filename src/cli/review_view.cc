#include "cli/review_view.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <vector>

namespace mcpreg::cli {
namespace bj = boost::json;

const bj::array& ArrayAt(const bj::value& v, std::string_view key) {
  static const bj::array kEmpty;
  const bj::value* a = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  return a != nullptr && a->is_array() ? a->get_array() : kEmpty;
}

std::string StringAt(const bj::value& v, std::string_view key) {
  const bj::value* s = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  return s != nullptr && s->is_string() ? std::string(s->get_string()) : std::string();
}

namespace {

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

const bj::value& Member(const bj::value& v, std::string_view key) {
  static const bj::value kNull;
  const bj::value* m = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  return m != nullptr ? *m : kNull;
}

bool Pass(const bj::value& v) {
  const bj::value& p = Member(v, "pass");
  return p.is_bool() && p.get_bool();
}

// The distinct rule ids of the error issues of a {"pass", "issues"} object.
std::vector<std::string> FailingRules(const bj::value& gates) {
  std::vector<std::string> rules;
  for (const auto& i : ArrayAt(gates, "issues")) {
    std::string rule = StringAt(i, "reference");
    if (StringAt(i, "severity") == "error" &&
        std::find(rules.begin(), rules.end(), rule) == rules.end())
      rules.push_back(rule);
  }
  return rules;
}

std::string GatesCell(const bj::value& gates) {
  if (Pass(gates)) return "pass";
  return "fail (" + Join(FailingRules(gates), ", ") + ")";
}

// "1.0.0 withheld (gates fail (rule); sarif pass, license missing)".
std::string VersionLine(const bj::value& v) {
  std::string line = StringAt(v, "version");
  std::string status = StringAt(v, "status");
  if (status != "active") line += " " + status;
  const bj::value& listed = Member(v, "listed");
  line += listed.is_bool() && listed.get_bool() ? " listed" : " withheld";
  std::vector<std::string> parts;
  if (!Pass(Member(v, "gates"))) parts.push_back("gates " + GatesCell(Member(v, "gates")));
  std::vector<std::string> evidence;
  for (const auto& e : ArrayAt(Member(v, "evidence"), "required"))
    evidence.push_back(StringAt(e, "kind") + " " + StringAt(e, "state"));
  if (!evidence.empty()) parts.push_back(Join(evidence, ", "));
  if (!parts.empty()) line += " (" + Join(parts, "; ") + ")";
  return line;
}

}  // namespace

std::string ReviewTable(const bj::value& list) {
  const auto& requests = ArrayAt(list, "requests");
  if (requests.empty()) return "no pending requests";
  std::vector<std::vector<std::string>> rows = {{"NAME", "TEAM", "HOSTING", "GATES", "VERSIONS"}};
  for (const auto& r : requests) {
    const bj::value& doc = Member(r, "request");
    std::vector<std::string> versions;
    for (const auto& v : ArrayAt(r, "versions")) versions.push_back(VersionLine(v));
    rows.push_back({StringAt(r, "name"), StringAt(doc, "team"), StringAt(doc, "hosting"),
                    GatesCell(Member(r, "gates")),
                    versions.empty() ? "none published" : Join(versions, "; ")});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line += c + 1 < row.size() ? row[c] + std::string(width[c] - row[c].size() + 2, ' ') : row[c];
    out += line + "\n";
  }
  return out;
}

static std::string IssueLine(const bj::value& i) {
  std::string path = StringAt(i, "path");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%-8s", StringAt(i, "severity").c_str());
  return "    " + std::string(buf) + " " + StringAt(i, "reference") + "  " +
         (path.empty() ? "(root)" : path) + ": " + StringAt(i, "message") + "\n";
}

std::string ReviewDetail(const bj::value& v) {
  const bj::value& doc = Member(v, "request");
  std::string out = StringAt(v, "name") + " (" + StringAt(v, "state") + ", revision " +
                    bj::serialize(Member(v, "revision")) + ")\n";
  auto field = [&out](const char* label, const std::string& value) {
    if (!value.empty())
      out += "  " + std::string(label) + std::string(14 - std::strlen(label), ' ') + value + "\n";
  };
  std::vector<std::string> contacts;
  for (const auto& c : ArrayAt(doc, "contacts"))
    if (c.is_string()) contacts.push_back(std::string(c.get_string()));
  field("team:", StringAt(doc, "team"));
  field("contacts:", Join(contacts, ", "));
  field("consumption:", StringAt(doc, "consumption"));
  field("hosting:", StringAt(doc, "hosting"));
  const bj::value& pub = Member(doc, "publisher");
  field("publisher:", StringAt(pub, "issuer") + " subject " + StringAt(pub, "subject"));
  field("pipeline:", StringAt(doc, "pipeline"));
  for (const auto& a : ArrayAt(doc, "apis")) {
    std::string perm = StringAt(a, "permission");
    field("api:", StringAt(a, "name") + " (owner " + StringAt(a, "owner") +
                      (perm.empty() ? ", no permission recorded" : ", permission " + perm) + ")");
  }
  field("description:", StringAt(doc, "description"));
  const bj::value& draft = Member(doc, "server");
  field("draft:", draft.is_object() ? StringAt(draft, "name") + " " + StringAt(draft, "version")
                                    : std::string("none"));
  field("filed:", StringAt(v, "createdAt") + " by " + StringAt(v, "createdBy"));
  field("updated:", StringAt(v, "updatedAt"));
  if (!StringAt(v, "decidedBy").empty())
    field("decided:", StringAt(v, "decidedAt") + " by " + StringAt(v, "decidedBy"));
  field("reason:", StringAt(v, "reason"));

  const bj::value& gates = Member(v, "gates");
  const auto& issues = ArrayAt(gates, "issues");
  out += std::string("gates: ") + (Pass(gates) ? "pass" : "FAIL") +
         (issues.empty() ? "" : " (" + std::to_string(issues.size()) + " issue(s))") + "\n";
  for (const auto& i : issues) out += IssueLine(i);

  const auto& versions = ArrayAt(v, "versions");
  out += versions.empty() ? "versions: none published\n" : "versions:\n";
  for (const auto& ver : versions) {
    const bj::value& listed = Member(ver, "listed");
    out += "  " + StringAt(ver, "version") + "  " + StringAt(ver, "status") + "  " +
           (listed.is_bool() && listed.get_bool() ? "listed" : "withheld") + "\n";
    std::vector<std::string> digests;
    for (const auto& d : ArrayAt(ver, "digests"))
      if (d.is_string())
        digests.push_back(d.get_string().empty() ? "(remote)" : std::string(d.get_string()));
    if (!digests.empty()) out += "    digests: " + Join(digests, ", ") + "\n";
    out += "    gates: " + GatesCell(Member(ver, "gates")) + "\n";
    for (const auto& i : ArrayAt(Member(ver, "gates"), "issues")) out += "  " + IssueLine(i);
    for (const auto& e : ArrayAt(Member(ver, "evidence"), "required")) {
      out += "    evidence " + StringAt(e, "kind") + ": " + StringAt(e, "state");
      const bj::value& latest = Member(e, "latest");
      if (latest.is_object())
        out += " (" + StringAt(latest, "summary") + "; " + StringAt(latest, "at") + " by " +
               StringAt(latest, "actor") + ")";
      out += "\n";
    }
  }
  return out;
}


}  // namespace mcpreg::cli
