// JsonSchema::Validate: walks the compiled Node tree over an instance and collects every error.
#include <boost/json.hpp>
#include <cmath>

#include "core/json_out.h"
#include "schema/schema_node.h"

namespace mcpreg::schema {
namespace bj = boost::json;

namespace {

std::string_view KindName(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "null";
    case bj::kind::bool_: return "boolean";
    case bj::kind::object: return "object";
    case bj::kind::array: return "array";
    case bj::kind::string: return "string";
    case bj::kind::double_: {
      double d = v.get_double();
      return std::isfinite(d) && d == std::floor(d) ? "integer" : "number";
    }
    default: return "integer";
  }
}

bool MatchesTypes(uint8_t types, const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return types & kNull;
    case bj::kind::bool_: return types & kBoolean;
    case bj::kind::object: return types & kObject;
    case bj::kind::array: return types & kArray;
    case bj::kind::string: return types & kString;
    default:
      if (types & kNumber) return true;
      return (types & kInteger) && KindName(v) == std::string_view("integer");
  }
}

std::string TypeList(uint8_t types) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kString, "string"}, {kNumber, "number"}, {kInteger, "integer"}, {kObject, "object"},
      {kArray, "array"}, {kBoolean, "boolean"}, {kNull, "null"}};
  std::string out;
  for (auto [bit, name] : kNames) {
    if (!(types & bit)) continue;
    if (!out.empty()) out += " or ";
    out += name;
  }
  return out;
}

std::string Compact(const bj::value& v) {
  std::string out;
  ::mcpreg::json::AppendValue(out, v);
  return out;
}

std::string FormatNumber(double d) {
  std::string out;
  ::mcpreg::json::AppendNumber(out, d);
  return out;
}

std::string ChildPath(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

class Walker {
 public:
  explicit Walker(std::vector<SchemaError>& out) : out_(out) {}

  void Walk(const Node* n, const bj::value& v, const std::string& path) {
    while (n->ref) n = n->ref;
    if (n->is_bool) {
      if (!n->bool_value) Add(path, n->location, "no value is allowed here");
      return;
    }
    if (n->types && !MatchesTypes(n->types, v)) {
      Add(path, Loc(n, "type"),
          "expected " + TypeList(n->types) + ", got " + std::string(KindName(v)));
    }
    if (n->enum_values) CheckEnum(n, v, path);
    if (n->const_value && !JsonEqual(*n->const_value, v)) {
      Add(path, Loc(n, "const"), "must be equal to " + Compact(*n->const_value));
    }
    if (v.is_string()) CheckString(n, v.get_string(), path);
    if (v.is_number()) CheckNumber(n, v.to_number<double>(), path);
    if (v.is_object()) CheckObject(n, v.get_object(), path);
    if (v.is_array()) CheckArray(n, v.get_array(), path);
    CheckCombinators(n, v, path);
  }

 private:
  static std::string Loc(const Node* n, std::string_view kw) {
    return AppendLocation(n->location, kw);
  }
  void Add(const std::string& path, std::string location, std::string message) {
    out_.push_back({path, std::move(location), std::move(message)});
  }
  // Validates in a scratch list; returns the errors without recording them.
  std::vector<SchemaError> Try(const Node* n, const bj::value& v, const std::string& path) {
    std::vector<SchemaError> scratch;
    Walker(scratch).Walk(n, v, path);
    return scratch;
  }

  void CheckEnum(const Node* n, const bj::value& v, const std::string& path) {
    for (const bj::value& e : *n->enum_values)
      if (JsonEqual(e, v)) return;
    std::string list;
    for (const bj::value& e : *n->enum_values) list += (list.empty() ? "" : ", ") + Compact(e);
    Add(path, Loc(n, "enum"), "must be one of: " + list);
  }

  // Length first: a string over its maxLength, or over kMaxMatchedStringBytes, is reported and
  // never handed to `pattern` or `format`.
  void CheckString(const Node* n, std::string_view s, const std::string& path) {
    bool too_long = false;
    if (n->min_length || n->max_length) {
      size_t len = CodePointLength(s);
      if (n->min_length && len < *n->min_length) {
        Add(path, Loc(n, "minLength"), "must be at least " + std::to_string(*n->min_length) +
                                           " characters long (got " + std::to_string(len) + ")");
      }
      if (n->max_length && len > *n->max_length) {
        too_long = true;
        Add(path, Loc(n, "maxLength"), "must be at most " + std::to_string(*n->max_length) +
                                           " characters long (got " + std::to_string(len) + ")");
      }
    }
    bool matched = n->pattern || n->format == "uri" || n->format == "uri-reference";
    if (too_long || !matched) return;
    if (s.size() > kMaxMatchedStringBytes) {
      Add(path, Loc(n, n->pattern ? "pattern" : "format"),
          "is too long to check (" + std::to_string(s.size()) + " bytes; at most " +
              std::to_string(kMaxMatchedStringBytes) + ")");
      return;
    }
    if (n->pattern && !n->pattern->Matches(s)) {
      Add(path, Loc(n, "pattern"), "does not match the pattern " + n->pattern->source());
    }
    if ((n->format == "uri" && !IsUri(s)) || (n->format == "uri-reference" && !IsUriReference(s))) {
      Add(path, Loc(n, "format"), "is not a valid " + n->format + ": \"" + std::string(s) + "\"");
    }
  }

  void CheckNumber(const Node* n, double d, const std::string& path) {
    if (n->minimum && d < *n->minimum)
      Add(path, Loc(n, "minimum"), "must be >= " + FormatNumber(*n->minimum));
    if (n->maximum && d > *n->maximum)
      Add(path, Loc(n, "maximum"), "must be <= " + FormatNumber(*n->maximum));
    if (n->exclusive_minimum && d <= *n->exclusive_minimum)
      Add(path, Loc(n, "exclusiveMinimum"), "must be > " + FormatNumber(*n->exclusive_minimum));
    if (n->exclusive_maximum && d >= *n->exclusive_maximum)
      Add(path, Loc(n, "exclusiveMaximum"), "must be < " + FormatNumber(*n->exclusive_maximum));
    if (n->multiple_of) {
      double q = d / *n->multiple_of;
      if (!std::isfinite(q) || std::fabs(q - std::round(q)) > 1e-9)
        Add(path, Loc(n, "multipleOf"), "must be a multiple of " + FormatNumber(*n->multiple_of));
    }
  }

  void CheckObject(const Node* n, const bj::object& o, const std::string& path) {
    for (const std::string& r : n->required) {
      if (!o.contains(r)) Add(ChildPath(path, r), Loc(n, "required"), "required field is missing");
    }
    if (n->min_properties && o.size() < *n->min_properties)
      Add(path, Loc(n, "minProperties"),
          "must have at least " + std::to_string(*n->min_properties) + " properties");
    if (n->max_properties && o.size() > *n->max_properties)
      Add(path, Loc(n, "maxProperties"),
          "must have at most " + std::to_string(*n->max_properties) + " properties");
    for (const auto& [key, val] : o) {
      std::string child = ChildPath(path, key);
      bool matched = false;
      for (const auto& [name, sub] : n->properties) {
        if (name == std::string_view(key)) {
          matched = true;
          Walk(sub, val, child);
        }
      }
      if (!n->pattern_properties.empty()) {
        // A key longer than any string we match cannot match a patternProperties regex here.
        bool checkable = key.size() <= kMaxMatchedStringBytes;
        for (const auto& [pat, sub] : n->pattern_properties) {
          if (checkable && pat.Matches(key)) {
            matched = true;
            Walk(sub, val, child);
          }
        }
      }
      if (!matched && n->additional_properties) {
        const Node* ap = n->additional_properties;
        if (ap->is_bool && !ap->bool_value) {
          Add(child, ap->location, "unknown field \"" + std::string(key) + "\" is not allowed");
        } else {
          Walk(ap, val, child);
        }
      }
      if (n->property_names) {
        for (SchemaError& e : Try(n->property_names, bj::value(key), child)) {
          e.message = "invalid property name \"" + std::string(key) + "\": " + e.message;
          e.instance_path = child;
          out_.push_back(std::move(e));
        }
      }
    }
    for (const auto& [key, names] : n->dependency_lists) {
      if (!o.contains(key)) continue;
      for (const std::string& dep : names) {
        if (!o.contains(dep))
          Add(ChildPath(path, dep), AppendLocation(Loc(n, "dependencies"), key),
              "required when \"" + key + "\" is present");
      }
    }
    for (const auto& [key, sub] : n->dependency_schemas)
      if (o.contains(key)) Walk(sub, bj::value(o), path);
  }

  void CheckArray(const Node* n, const bj::array& a, const std::string& path) {
    if (n->min_items && a.size() < *n->min_items)
      Add(path, Loc(n, "minItems"), "must have at least " + std::to_string(*n->min_items) +
                                        " items (got " + std::to_string(a.size()) + ")");
    if (n->max_items && a.size() > *n->max_items)
      Add(path, Loc(n, "maxItems"), "must have at most " + std::to_string(*n->max_items) +
                                        " items (got " + std::to_string(a.size()) + ")");
    for (size_t i = 0; i < a.size(); ++i) {
      std::string child = path + "[" + std::to_string(i) + "]";
      if (n->items) {
        Walk(n->items, a[i], child);
      } else if (n->has_tuple_items) {
        if (i < n->tuple_items.size()) {
          Walk(n->tuple_items[i], a[i], child);
        } else if (n->additional_items) {
          Walk(n->additional_items, a[i], child);
        }
      }
    }
    if (n->unique_items) {
      for (size_t i = 0; i < a.size(); ++i) {
        for (size_t j = i + 1; j < a.size(); ++j) {
          if (JsonEqual(a[i], a[j])) {
            Add(path, Loc(n, "uniqueItems"), "items [" + std::to_string(i) + "] and [" +
                                                 std::to_string(j) + "] are identical");
            i = j = a.size();  // one report is enough
          }
        }
      }
    }
    if (n->contains) {
      bool any = false;
      for (const bj::value& item : a) any = any || Try(n->contains, item, path).empty();
      if (!any) Add(path, Loc(n, "contains"), "must contain at least one matching item");
    }
  }

  // Records the combinator error followed by the errors of the closest alternative.
  void ReportClosest(const std::string& path, std::string location, std::string message,
                     std::vector<std::vector<SchemaError>>& branches) {
    Add(path, std::move(location), std::move(message));
    // A branch failing an enum/const (typically a "type" discriminator) describes another kind
    // of value, so it counts as far away; otherwise fewer errors = closer.
    auto distance = [](const std::vector<SchemaError>& b) {
      size_t d = b.size();
      for (const SchemaError& e : b) {
        std::string_view loc = e.keyword_location;
        if (loc.ends_with("/enum") || loc.ends_with("/const")) d += 100;
      }
      return d;
    };
    auto* best = &branches.front();
    for (auto& b : branches)
      if (distance(b) < distance(*best)) best = &b;
    for (SchemaError& e : *best) out_.push_back(std::move(e));
  }

  void CheckCombinators(const Node* n, const bj::value& v, const std::string& path) {
    for (const Node* sub : n->all_of) Walk(sub, v, path);
    if (!n->any_of.empty()) {
      std::vector<std::vector<SchemaError>> branches;
      bool ok = false;
      for (const Node* sub : n->any_of) {
        branches.push_back(Try(sub, v, path));
        if (branches.back().empty()) {
          ok = true;
          break;
        }
      }
      if (!ok)
        ReportClosest(path, Loc(n, "anyOf"), "does not match any of the allowed alternatives",
                      branches);
    }
    if (!n->one_of.empty()) {
      std::vector<std::vector<SchemaError>> branches;
      std::vector<size_t> passing;
      for (size_t i = 0; i < n->one_of.size(); ++i) {
        branches.push_back(Try(n->one_of[i], v, path));
        if (branches.back().empty()) passing.push_back(i);
      }
      if (passing.empty()) {
        ReportClosest(path, Loc(n, "oneOf"), "does not match any of the allowed alternatives",
                      branches);
      } else if (passing.size() > 1) {
        Add(path, Loc(n, "oneOf"), "matches more than one alternative (" +
                                       std::to_string(passing[0]) + " and " +
                                       std::to_string(passing[1]) + ")");
      }
    }
    if (n->not_schema && Try(n->not_schema, v, path).empty()) {
      const Node* ns = n->not_schema;
      while (ns->ref) ns = ns->ref;
      Add(path, Loc(n, "not"),
          ns->const_value ? "must not be " + Compact(*ns->const_value)
                          : "must not match the schema at " + ns->location);
    }
    if (n->if_schema) {
      bool cond = Try(n->if_schema, v, path).empty();
      if (cond && n->then_schema) Walk(n->then_schema, v, path);
      if (!cond && n->else_schema) Walk(n->else_schema, v, path);
    }
  }

  std::vector<SchemaError>& out_;
};

}  // namespace

bool JsonEqual(const bj::value& a, const bj::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
    return a == b;  // int64/uint64 compare exactly
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const bj::array &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!JsonEqual(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const bj::object &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, xv] : x) {
      const bj::value* yv = y.if_contains(k);
      if (!yv || !JsonEqual(xv, *yv)) return false;
    }
    return true;
  }
  return a == b;
}

std::vector<SchemaError> JsonSchema::Validate(const bj::value& instance) const {
  std::vector<SchemaError> out;
  Walker(out).Walk(impl_->root, instance, "");
  return out;
}

bool JsonSchema::IsValid(const bj::value& instance) const { return Validate(instance).empty(); }

}  // namespace mcpreg::schema
