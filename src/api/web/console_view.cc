#include "api/web/console_view.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <optional>
#include <tuple>

#include "api/web/catalog_view.h"
#include "api/web/html.h"
#include "core/json_out.h"
#include "mcpreg/clock.h"
#include "service/governance_rules.h"
#include "service/json_body.h"

namespace mcpreg::web {
namespace bj = boost::json;
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

std::string StrOf(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Fields whose errors need no path in front (the path is the field).
bool IsPlainField(std::string_view path) {
  for (std::string_view f : {"name", "team", "contacts", "consumption", "hosting",
                             "publisher.issuer", "publisher.subject", "pipeline", "description"})
    if (path == f) return true;
  return false;
}

std::string_view WithoutRequestPrefix(std::string_view path) {
  return path.starts_with("request.") ? path.substr(8) : path;
}

void AppendErrors(std::string& out, const FieldErrors& e, std::string_view id) {
  auto it = e.at.find(id);
  if (it == e.at.end()) return;
  out += "<p class=\"error\" id=\"err-";
  out += id;  // ids are literals of this file
  out += "\">";
  for (size_t i = 0; i < it->second.size(); ++i) {
    if (i) out += "<br>";
    AppendEsc(out, it->second[i]);
  }
  out += "</p>";
}

// ` aria-describedby="..."` for a field with errors (and `extra` ids), or "".
std::string DescribedBy(const FieldErrors& e, std::string_view id, std::string_view extra = "") {
  std::string ids(extra);
  if (e.at.count(id)) ids = "err-" + std::string(id) + (ids.empty() ? "" : " " + ids);
  return ids.empty() ? std::string() : " aria-describedby=\"" + ids + "\"";
}

// <div class="field"><label for=ID>LABEL</label>CONTROL errors</div>; `control` is the HTML of
// the labelled element (built with Open below) and anything that goes with it.
void Field(std::string& out, const FieldErrors& e, std::string_view id, std::string_view label,
           const std::string& control) {
  out += "<div class=\"field\"><label for=\"";
  out += id;
  out += "\">";
  out += label;
  out += "</label>";
  out += control;
  AppendErrors(out, e, id);
  out += "</div>";
}

// The start tag of a form control: <TAG id=ID name=NAME ATTRS aria-describedby=...>.
std::string Open(std::string_view tag, const FieldErrors& e, std::string_view id,
                 std::string_view name, std::string_view attrs, std::string_view described = "") {
  return "<" + std::string(tag) + " id=\"" + std::string(id) + "\" name=\"" + std::string(name) +
         "\"" + std::string(attrs) + DescribedBy(e, id, described) + ">";
}

void TextInput(std::string& out, const FieldErrors& e, std::string_view id, std::string_view name,
               std::string_view label, const std::string& value, std::string_view attrs = "") {
  Field(out, e, id, label,
        Open("input", e, id, name, " type=\"text\" value=\"" + Esc(value) + "\"" + std::string(attrs)));
}

void Select(std::string& out, const FieldErrors& e, std::string_view id, std::string_view label,
            const std::string& value, std::initializer_list<std::string_view> options) {
  std::string control = Open("select", e, id, id, "") + "<option value=\"\">Choose…</option>";
  for (auto o : options)
    control += "<option" + std::string(value == o ? " selected" : "") + ">" + std::string(o) +
               "</option>";
  Field(out, e, id, label, control + "</select>");
}

void ApiRowHtml(std::string& out, const FieldErrors& e, size_t n, const ApiRow& row) {
  const std::string i = std::to_string(n);
  out += "<div class=\"api-row\">";
  for (auto [key, label, value] :
       {std::tuple{"name", "API name", &row.name}, std::tuple{"owner", "Owner", &row.owner},
        std::tuple{"permission", "Permission", &row.permission}}) {
    std::string id = std::string("api-") + key + "-" + i;
    TextInput(out, e, id, std::string("api_") + key, label, *value);
  }
  out += "</div>";
}

}  // namespace

RequestForm FormFromBody(std::string_view body) {
  auto get = [&](std::string_view key) { return FormValue(body, key).value_or(""); };
  RequestForm f;
  f.name = Trim(get("name"));
  f.team = get("team");
  f.contacts = get("contacts");
  f.consumption = get("consumption");
  f.hosting = get("hosting");
  f.issuer = Trim(get("issuer"));
  f.subject = Trim(get("subject"));
  f.pipeline = Trim(get("pipeline"));
  f.description = get("description");
  f.server = get("server");
  auto names = FormValues(body, "api_name"), owners = FormValues(body, "api_owner"),
       perms = FormValues(body, "api_permission");
  size_t rows = std::max({names.size(), owners.size(), perms.size()});
  auto at = [](const std::vector<std::string>& v, size_t i) {
    return i < v.size() ? Trim(v[i]) : std::string();
  };
  for (size_t i = 0; i < rows; ++i) {
    ApiRow r{at(names, i), at(owners, i), at(perms, i)};
    if (!r.name.empty() || !r.owner.empty() || !r.permission.empty()) f.apis.push_back(r);
  }
  if (f.name.empty()) {
    bj::error_code ec;
    bj::value draft = bj::parse(f.server, ec);
    if (!ec && draft.is_object()) f.name = StrOf(draft.get_object(), "name");
  }
  return f;
}

RequestForm FormFromDocument(std::string_view document) {
  RequestForm f;
  auto doc = service::ParseJsonBody(document);
  if (!doc.ok() || !doc->is_object()) return f;
  const bj::object& o = doc->get_object();
  f.name = StrOf(o, "name");
  f.team = StrOf(o, "team");
  if (const bj::value* c = o.if_contains("contacts"); c && c->is_array())
    for (const auto& x : c->get_array())
      if (x.is_string()) f.contacts += (f.contacts.empty() ? "" : "\n") + std::string(x.get_string());
  f.consumption = StrOf(o, "consumption");
  f.hosting = StrOf(o, "hosting");
  if (const bj::value* p = o.if_contains("publisher"); p && p->is_object()) {
    f.issuer = StrOf(p->get_object(), "issuer");
    f.subject = StrOf(p->get_object(), "subject");
  }
  f.pipeline = StrOf(o, "pipeline");
  f.description = StrOf(o, "description");
  if (const bj::value* a = o.if_contains("apis"); a && a->is_array())
    for (const auto& x : a->get_array())
      if (x.is_object())
        f.apis.push_back({StrOf(x.get_object(), "name"), StrOf(x.get_object(), "owner"),
                          StrOf(x.get_object(), "permission")});
  if (const bj::value* s = o.if_contains("server")) f.server = PrettyJson(*s);
  return f;
}

Result<std::string> RequestDocument(const RequestForm& f) {
  std::optional<bj::value> draft;
  if (!Trim(f.server).empty()) {
    auto parsed = service::ParseJsonBody(f.server);
    if (!parsed.ok())
      return Status::Unprocessable("request.server: the draft is not valid JSON (" +
                                   parsed.status().message() + ")");
    if (!parsed->is_object())
      return Status::Unprocessable("request.server: the draft must be a JSON object");
    draft = std::move(*parsed);
  }
  std::vector<std::string> contacts;
  size_t i = 0;
  while (i <= f.contacts.size()) {
    size_t j = f.contacts.find_first_of(",\n", i);
    if (j == std::string::npos) j = f.contacts.size();
    if (auto c = Trim(std::string_view(f.contacts).substr(i, j - i)); !c.empty())
      contacts.push_back(std::move(c));
    i = j + 1;
  }
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("name").String(f.name).Key("team").String(Trim(f.team));
  if (!contacts.empty()) {
    w.Key("contacts").BeginArray();
    for (const auto& c : contacts) w.String(c);
    w.EndArray();
  }
  w.Key("consumption").String(f.consumption).Key("hosting").String(f.hosting);
  w.Key("publisher").BeginObject().Key("issuer").String(f.issuer).Key("subject").String(f.subject);
  w.EndObject().Key("pipeline").String(f.pipeline);
  w.StringIf("description", Trim(f.description));
  if (!f.apis.empty()) {
    w.Key("apis").BeginArray();
    for (const auto& a : f.apis) {
      w.BeginObject().Key("name").String(a.name).Key("owner").String(a.owner);
      w.StringIf("permission", a.permission);
      w.EndObject();
    }
    w.EndArray();
  }
  if (draft) w.Key("server").Value(*draft);
  w.EndObject();
  return out;
}

Result<std::string> EvidenceDocument(std::string_view body) {
  auto get = [&](std::string_view key) { return Trim(FormValue(body, key).value_or("")); };
  const std::string kind = get("kind");
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("kind").String(kind);
  if (kind == "sarif") {
    auto log = service::ParseJsonBody(FormValue(body, "sarif").value_or(""));
    if (!log.ok())
      return Status::Unprocessable("evidence.sarif: choose a SARIF log (a JSON file): " +
                                   log.status().message());
    w.StringIf("digest", get("digest")).Key("sarif").Value(*log);
  } else {
    w.Key("verdict").String(get("verdict")).Key("reviewer").String(get("reviewer"));
    w.StringIf("link", get("link")).StringIf("notes", get("notes"));
    w.StringIf("digest", get("digest"));
    if (kind == "license") w.StringIf("expression", get("expression"));
  }
  w.EndObject();
  return out;
}

std::string FieldFor(std::string_view raw_path, const RequestForm& f) {
  std::string_view path = WithoutRequestPrefix(raw_path);
  for (std::string_view plain : {"name", "team", "consumption", "hosting", "pipeline",
                                 "description"})
    if (path == plain) return std::string(plain);
  if (path == "contacts" || path.starts_with("contacts[")) return "contacts";
  if (path == "publisher" || path == "publisher.issuer") return "issuer";
  if (path == "publisher.subject") return "subject";
  if (path == "server" || path.starts_with("server.") || path.starts_with("server["))
    return "server";
  if (path == "apis") return "apis";
  if (path.starts_with("apis[")) {
    size_t close = path.find(']');
    size_t row = 0;
    bool digits = close != std::string_view::npos && close > 5;
    for (size_t k = 5; digits && k < close; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(path[k])) || row > 1000) digits = false;
      else row = row * 10 + size_t(path[k] - '0');
    }
    std::string_view cell = digits ? path.substr(close + 1) : std::string_view();
    if (digits && row < f.apis.size())
      for (std::string_view key : {"name", "owner", "permission"})
        if (cell.size() == key.size() + 1 && cell[0] == '.' && cell.substr(1) == key)
          return "api-" + std::string(key) + "-" + std::to_string(row);
    return "apis";
  }
  return "";
}

void AddStatus(FieldErrors& e, const Status& s, const RequestForm& f) {
  const std::string& m = s.message();
  size_t colon = m.find(": ");
  if (m.starts_with("request.") && colon != std::string::npos) {
    std::string_view path = WithoutRequestPrefix(std::string_view(m).substr(0, colon));
    if (std::string field = FieldFor(path, f); !field.empty()) {
      e.at[field].push_back(IsPlainField(path) ? m.substr(colon + 2) : m.substr(8));
      return;
    }
  }
  e.summary.push_back(m);
}

void AddGates(FieldErrors& e, const std::vector<model::Issue>& gates, const RequestForm& f) {
  for (const auto& i : gates) {
    std::string text = i.severity == "error" ? "" : "Warning: ";
    std::string_view path = WithoutRequestPrefix(i.path);
    if (!IsPlainField(path) && !path.empty()) text += std::string(path) + ": ";
    text += i.message + " [" + i.reference + "]";
    std::string field = FieldFor(i.path, f);
    if (field.empty())
      e.summary.push_back(std::move(text));
    else
      e.at[field].push_back(std::move(text));
  }
}

std::string RenderRequestForm(const RequestForm& f, const FieldErrors& e, std::string_view action,
                              std::string_view submit, std::string_view csrf, bool name_fixed) {
  std::string out;
  out.reserve(4096 + f.server.size());
  out += "<form method=\"post\" action=\"";
  AppendEsc(out, action);
  out += "\" class=\"request-form\"><input type=\"hidden\" name=\"csrf\" value=\"";
  AppendEsc(out, csrf);
  out += "\">";
  if (!e.summary.empty()) {
    out += "<div class=\"error\" role=\"alert\" id=\"err-summary\"><p>Please correct:</p><ul>";
    for (const auto& m : e.summary) out += "<li>" + Esc(m) + "</li>";
    out += "</ul></div>";
  }
  TextInput(out, e, "name", "name", "Server name", f.name,
            name_fixed ? " readonly required" : " required placeholder=\"com.example/server\"");
  TextInput(out, e, "team", "team", "Team", f.team, " required");
  Field(out, e, "contacts", "Contacts",
        Open("textarea", e, "contacts", "contacts", " rows=\"2\"", "contacts-hint") +
            Esc(f.contacts) + "</textarea><small id=\"contacts-hint\">Comma or newline separated</small>");
  Select(out, e, "consumption", "Consumption", f.consumption, {"first-party", "third-party", "both"});
  Select(out, e, "hosting", "Hosting", f.hosting, {"local", "remote", "both"});
  TextInput(out, e, "issuer", "issuer", "Publisher issuer", f.issuer, " required");
  TextInput(out, e, "subject", "subject", "Publisher subject", f.subject, " required");
  TextInput(out, e, "pipeline", "pipeline", "Pipeline", f.pipeline, " required");
  TextInput(out, e, "description", "description", "Description", f.description);
  Field(out, e, "server", "Draft server.json",
        Open("textarea", e, "server", "server",
             " rows=\"16\" spellcheck=\"false\" class=\"code\"", "live-server") +
            Esc(f.server) +
            "</textarea><span id=\"live-server\" class=\"issues\" aria-live=\"polite\"></span>");
  Field(out, e, "server-file", "Upload server.json",
        "<input type=\"file\" id=\"server-file\" accept=\".json,application/json\" "
        "data-fill=\"server\">");
  out += "<fieldset id=\"apis\"";
  out += DescribedBy(e, "apis");
  out += "><legend>APIs</legend><div class=\"api-rows\">";
  for (size_t i = 0; i < f.apis.size(); ++i) ApiRowHtml(out, e, i, f.apis[i]);
  ApiRowHtml(out, e, f.apis.size(), ApiRow{});  // always one empty row to add to
  out += "</div><button type=\"button\" class=\"add-api\" hidden>Add API</button>";
  AppendErrors(out, e, "apis");
  out += "</fieldset><p><button type=\"submit\">";
  out += submit;
  out += "</button></p></form>";
  return out;
}

std::string StateBadge(std::string_view state) {
  std::string cls = state == "approved" ? "ok" : state == "rejected" ? "fail" : "";
  return "<span class=\"badge state " + cls + "\">" + Esc(state) + "</span>";
}

std::string GateSummary(const std::vector<model::Issue>& gates, bool pass) {
  size_t errors = 0, warnings = 0;
  for (const auto& i : gates) (i.severity == "error" ? errors : warnings)++;
  std::string out = pass ? "<span class=\"badge ok\">pass</span>"
                         : "<span class=\"badge fail\">fail</span> " +
                               Esc(service::rules::FailedRules(gates));
  if (errors || warnings)
    out += " (" + std::to_string(errors) + " errors, " + std::to_string(warnings) + " warnings)";
  return out;
}

std::string RenderGates(const std::vector<model::Issue>& gates, bool pass) {
  std::string out = "<p>Gates: " + GateSummary(gates, pass) + "</p>";
  if (gates.empty()) return out + "<p class=\"ok\">All gates pass.</p>";
  out += "<table class=\"gates\"><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Result"
         "</th><th scope=\"col\">Path</th><th scope=\"col\">Message</th></tr></thead><tbody>";
  for (const auto& i : gates) {
    const bool error = i.severity == "error";
    out += "<tr><td>" + Esc(i.reference) + "</td><td><span class=\"badge " +
           (error ? "fail\">fail" : "warn\">" + Esc(i.severity)) + "</span></td><td><code>" +
           Esc(i.path) + "</code></td><td>" + Esc(i.message) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string RenderCompliance(const service::VersionCompliance& c) {
  std::string out = "<dl class=\"compliance\"><dt>Status</dt><dd>" + Esc(c.status) +
                    "</dd><dt>Listed</dt><dd>" +
                    (c.listed ? "<span class=\"badge ok\">listed</span>"
                              : "<span class=\"badge fail\">withheld</span>") +
                    "</dd><dt>Gates</dt><dd>" + GateSummary(c.gates, c.gates_pass) + "</dd></dl>";
  if (!c.gates.empty()) out += RenderGates(c.gates, c.gates_pass);
  if (c.evidence.empty()) return out;
  out += "<table class=\"evidence\"><thead><tr><th scope=\"col\">Evidence</th><th scope=\"col\">"
         "State</th><th scope=\"col\">Latest</th></tr></thead><tbody>";
  for (const auto& s : c.evidence) {
    out += "<tr><td>" + Esc(s.kind) + "</td><td><span class=\"badge " +
           (s.state == "pass" ? "ok" : "fail") + "\">" + Esc(s.state) + "</span></td><td>";
    if (s.latest)
      out += Esc(s.latest->summary) + " — " + Esc(s.latest->actor) + ", <time>" +
             Esc(FormatRfc3339(s.latest->at)) + "</time>";
    out += "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string ComplianceSummary(const std::vector<service::VersionCompliance>& versions) {
  if (versions.empty()) return "no published versions";
  std::string out = "<ul class=\"compliance\">";
  for (const auto& c : versions) {
    out += "<li>" + Esc(c.version) + " " +
           (c.listed ? "<span class=\"badge ok\">listed</span>"
                     : "<span class=\"badge fail\">withheld</span>");
    std::string why;
    if (!c.gates_pass) why = "gates fail";
    for (const auto& s : c.evidence)
      if (s.state != "pass") why += (why.empty() ? "" : ", ") + s.kind + " " + s.state;
    if (c.status != "active") why += (why.empty() ? "" : ", ") + c.status;
    if (!why.empty()) out += " (" + Esc(why) + ")";
    out += "</li>";
  }
  return out + "</ul>";
}

}  // namespace mcpreg::web
