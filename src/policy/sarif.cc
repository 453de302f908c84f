// SARIF 2.1.0 reader; see sarif.h for the rules applied.
#include "policy/sarif.h"

#include <boost/json.hpp>
#include <charconv>

namespace mcpreg::policy {
namespace {
namespace bj = boost::json;

Status Bad(const std::string& path, const std::string& what) {
  return Status::InvalidArgument("SARIF " + (path.empty() ? "document" : path) + ": " + what);
}

const bj::value* Get(const bj::object& o, std::string_view key) { return o.if_contains(key); }

// The string member `key`, "" when absent; error when present with another type.
Status Str(const bj::object& o, std::string_view key, const std::string& path, std::string& out) {
  const bj::value* v = Get(o, key);
  if (v == nullptr || v->is_null()) return Status::OK();
  if (!v->is_string()) return Bad(path + "." + std::string(key), "expected a string");
  out = std::string(v->as_string());
  return Status::OK();
}

const bj::object* Obj(const bj::object& o, std::string_view key) {
  const bj::value* v = Get(o, key);
  return v != nullptr ? v->if_object() : nullptr;
}

std::optional<double> SecuritySeverity(const bj::object* props) {
  if (props == nullptr) return std::nullopt;
  const bj::value* v = Get(*props, "security-severity");
  if (v == nullptr) return std::nullopt;
  double d = 0;
  if (v->is_string()) {
    std::string_view s = v->as_string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  } else if (v->is_number()) {
    d = v->to_number<double>();
  } else {
    return std::nullopt;
  }
  if (!(d > 0.0 && d <= 10.0)) return std::nullopt;
  return d;
}

bool OneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return true;
  }
  return false;
}

struct Component {
  const bj::array* rules = nullptr;
};

// Finds the rule object for a result; nullptr when the result names no resolvable rule.
Result<const bj::object*> ResolveRule(const bj::object& result, const std::vector<Component>& comps,
                                      const std::string& path, const std::string& rule_id) {
  size_t comp = 0;  // 0 = driver, i + 1 = extensions[i]
  const bj::object* ref = Obj(result, "rule");
  std::optional<int64_t> index;
  if (const bj::value* ri = Get(result, "ruleIndex"); ri != nullptr && ri->is_int64()) {
    index = ri->as_int64();
  }
  if (ref != nullptr) {
    if (const bj::object* tc = Obj(*ref, "toolComponent")) {
      const bj::value* ti = Get(*tc, "index");
      if (ti != nullptr && ti->is_int64()) {
        int64_t i = ti->as_int64();
        if (i < 0 || static_cast<size_t>(i) + 1 >= comps.size()) {
          return Bad(path + ".rule.toolComponent.index", "no tool extension " + std::to_string(i));
        }
        comp = static_cast<size_t>(i) + 1;
      }
    }
    if (const bj::value* ri = Get(*ref, "index"); ri != nullptr && ri->is_int64()) {
      index = ri->as_int64();
    }
  }
  if (index && *index >= 0) {
    const bj::array* rules = comps[comp].rules;
    if (rules == nullptr || static_cast<size_t>(*index) >= rules->size()) {
      return Bad(path, "rule index " + std::to_string(*index) + " is out of range");
    }
    const bj::object* rule = (*rules)[static_cast<size_t>(*index)].if_object();
    if (rule == nullptr) return Bad(path, "rule " + std::to_string(*index) + " is not an object");
    return rule;
  }
  if (rule_id.empty()) return static_cast<const bj::object*>(nullptr);
  auto find_in = [&](const bj::array* rules) -> const bj::object* {
    if (rules == nullptr) return nullptr;
    for (const bj::value& r : *rules) {
      const bj::object* o = r.if_object();
      const bj::value* id = o != nullptr ? Get(*o, "id") : nullptr;
      if (id != nullptr && id->is_string() && id->as_string() == rule_id) return o;
    }
    return nullptr;
  };
  if (const bj::object* r = find_in(comps[comp].rules)) return r;
  for (const Component& c : comps) {
    if (const bj::object* r = find_in(c.rules)) return r;
  }
  return static_cast<const bj::object*>(nullptr);
}

Status ReadResult(const bj::object& result, const std::vector<Component>& comps,
                  const std::string& tool, const std::string& path, SarifReport& report) {
  SarifFinding f;
  f.tool = tool;
  f.path = path;
  MCPREG_RETURN_IF_ERROR(Str(result, "ruleId", path, f.rule_id));
  if (f.rule_id.empty()) {
    if (const bj::object* ref = Obj(result, "rule")) {
      MCPREG_RETURN_IF_ERROR(Str(*ref, "id", path + ".rule", f.rule_id));
    }
  }
  Result<const bj::object*> rule = ResolveRule(result, comps, path, f.rule_id);
  if (!rule.ok()) return rule.status();
  if (f.rule_id.empty() && *rule != nullptr) {
    MCPREG_RETURN_IF_ERROR(Str(**rule, "id", path + ".rule", f.rule_id));
  }

  std::string kind = "fail";
  MCPREG_RETURN_IF_ERROR(Str(result, "kind", path, kind));
  if (!OneOf(kind, {"fail", "pass", "open", "review", "informational", "notApplicable"})) {
    return Bad(path + ".kind", "unknown kind \"" + kind + "\"");
  }
  MCPREG_RETURN_IF_ERROR(Str(result, "level", path, f.level));
  if (f.level.empty()) {
    if (kind != "fail") {
      f.level = "none";
    } else if (*rule != nullptr) {
      if (const bj::object* dc = Obj(**rule, "defaultConfiguration")) {
        MCPREG_RETURN_IF_ERROR(Str(*dc, "level", path + ".rule.defaultConfiguration", f.level));
      }
    }
    if (f.level.empty()) f.level = "warning";
  }
  if (!OneOf(f.level, {"error", "warning", "note", "none"})) {
    return Bad(path + ".level", "unknown level \"" + f.level + "\"");
  }
  f.security_severity = SecuritySeverity(Obj(result, "properties"));
  if (!f.security_severity && *rule != nullptr) {
    f.security_severity = SecuritySeverity(Obj(**rule, "properties"));
  }

  std::string baseline;
  MCPREG_RETURN_IF_ERROR(Str(result, "baselineState", path, baseline));
  if (!baseline.empty() && !OneOf(baseline, {"new", "unchanged", "updated", "absent"})) {
    return Bad(path + ".baselineState", "unknown baselineState \"" + baseline + "\"");
  }
  bool suppressed = false;
  if (const bj::value* sup = Get(result, "suppressions"); sup != nullptr && !sup->is_null()) {
    if (!sup->is_array()) return Bad(path + ".suppressions", "expected an array");
    for (const bj::value& s : sup->as_array()) {
      const bj::object* so = s.if_object();
      if (so == nullptr) return Bad(path + ".suppressions", "expected objects");
      std::string status;
      MCPREG_RETURN_IF_ERROR(Str(*so, "status", path + ".suppressions", status));
      if (status != "rejected") suppressed = true;
    }
  }
  f.state = baseline == "absent" ? "fixed"
            : suppressed         ? "suppressed"
            : kind != "fail"     ? "closed"
                                 : "open";

  if (const bj::object* msg = Obj(result, "message")) {
    MCPREG_RETURN_IF_ERROR(Str(*msg, "text", path + ".message", f.message));
  }
  if (const bj::value* locs = Get(result, "locations");
      locs != nullptr && locs->is_array() && !locs->as_array().empty()) {
    const bj::object* loc = locs->as_array()[0].if_object();
    const bj::object* phys = loc != nullptr ? Obj(*loc, "physicalLocation") : nullptr;
    if (phys != nullptr) {
      if (const bj::object* art = Obj(*phys, "artifactLocation")) {
        MCPREG_RETURN_IF_ERROR(Str(*art, "uri", path + ".locations[0]", f.location));
      }
      const bj::object* region = Obj(*phys, "region");
      const bj::value* line = region != nullptr ? Get(*region, "startLine") : nullptr;
      if (line != nullptr && line->is_int64()) f.location += ":" + std::to_string(line->as_int64());
    }
  }

  if (f.state == "open") {
    ++report.open;
    const double sev = f.security_severity.value_or(0.0);
    f.blocking = f.level == "error" || sev >= kBlockingSecuritySeverity;
    if (f.blocking) ++report.blocking;
    if (sev >= 9.0) ++report.critical;
    else if (sev >= kBlockingSecuritySeverity) ++report.high;
  }
  report.findings.push_back(std::move(f));
  return Status::OK();
}

}  // namespace

std::string SarifReport::Summary() const {
  return std::to_string(blocking) + " blocking of " + std::to_string(open) + " open (" +
         std::to_string(critical) + " critical, " + std::to_string(high) + " high), " +
         std::to_string(findings.size()) + " results";
}

Result<SarifReport> ParseSarif(std::string_view text) {
  boost::system::error_code ec;
  bj::value doc = bj::parse(text, ec);
  if (ec) return Status::InvalidArgument("SARIF: invalid JSON: " + ec.message());
  const bj::object* root = doc.if_object();
  if (root == nullptr) return Bad("", "expected a JSON object");
  std::string version;
  MCPREG_RETURN_IF_ERROR(Str(*root, "version", "", version));
  if (version != "2.1.0") {
    return Bad("version", version.empty() ? "missing (want \"2.1.0\")"
                                          : "unsupported version \"" + version + "\" (want 2.1.0)");
  }
  const bj::value* runs = Get(*root, "runs");
  if (runs == nullptr || !runs->is_array()) return Bad("runs", "expected an array");
  SarifReport report;
  for (size_t r = 0; r < runs->as_array().size(); ++r) {
    const std::string rpath = "runs[" + std::to_string(r) + "]";
    const bj::object* run = runs->as_array()[r].if_object();
    if (run == nullptr) return Bad(rpath, "expected an object");
    const bj::object* tool = Obj(*run, "tool");
    const bj::object* driver = tool != nullptr ? Obj(*tool, "driver") : nullptr;
    if (driver == nullptr) return Bad(rpath + ".tool.driver", "expected an object");
    std::string tool_name;
    MCPREG_RETURN_IF_ERROR(Str(*driver, "name", rpath + ".tool.driver", tool_name));
    std::vector<Component> comps;
    const bj::value* rules = Get(*driver, "rules");
    comps.push_back({rules != nullptr ? rules->if_array() : nullptr});
    if (const bj::value* ext = Get(*tool, "extensions"); ext != nullptr && ext->is_array()) {
      for (const bj::value& e : ext->as_array()) {
        const bj::object* eo = e.if_object();
        const bj::value* er = eo != nullptr ? Get(*eo, "rules") : nullptr;
        comps.push_back({er != nullptr ? er->if_array() : nullptr});
      }
    }
    const bj::value* results = Get(*run, "results");
    if (results == nullptr || results->is_null()) continue;  // the tool did not run to results
    if (!results->is_array()) return Bad(rpath + ".results", "expected an array");
    for (size_t i = 0; i < results->as_array().size(); ++i) {
      const std::string path = rpath + ".results[" + std::to_string(i) + "]";
      const bj::object* res = results->as_array()[i].if_object();
      if (res == nullptr) return Bad(path, "expected an object");
      MCPREG_RETURN_IF_ERROR(ReadResult(*res, comps, tool_name, path, report));
    }
  }
  return report;
}

}  // namespace mcpreg::policy
