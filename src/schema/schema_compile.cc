// JsonSchema::Compile: turns a draft-07 schema document into a tree of Nodes. Every subschema
// becomes one Node registered under its location, so a $ref to "#/definitions/X" and the walk
// through "definitions" share the same Node, and recursive references terminate.
#include <boost/json.hpp>
#include <unordered_map>

#include "schema/schema_node.h"

namespace mcpreg::schema {
namespace bj = boost::json;

namespace {

class Compiler {
 public:
  explicit Compiler(JsonSchema::Impl& impl) : impl_(impl) {}

  // Compiles (or returns the already compiled) subschema `v` found at `location`.
  Result<const Node*> CompileAt(const bj::value& v, const std::string& location) {
    if (auto it = by_location_.find(location); it != by_location_.end()) return it->second;
    Node& n = impl_.nodes.emplace_back();
    n.location = location;
    by_location_[location] = &n;
    MCPREG_RETURN_IF_ERROR(Fill(n, v));
    return static_cast<const Node*>(&n);
  }

  // Compiles every schema under "definitions" so that errors there surface even when unused.
  Status CompileDefinitions(const bj::value& doc) {
    const bj::object* root = doc.if_object();
    if (!root) return Status::OK();
    const bj::value* defs = root->if_contains("definitions");
    if (!defs) return Status::OK();
    if (!defs->is_object()) return Bad("#/definitions", "must be an object");
    for (const auto& [name, sub] : defs->get_object()) {
      auto r = CompileAt(sub, AppendLocation("#/definitions", name));
      if (!r.ok()) return r.status();
    }
    return Status::OK();
  }

 private:
  static Status Bad(const std::string& location, std::string_view what) {
    return Status::InvalidArgument("invalid schema at " + location + ": " + std::string(what));
  }

  Result<const Node*> Sub(const bj::value& v, const std::string& location) {
    return CompileAt(v, location);
  }

  // Resolves a local reference ("#/a/b", or "<$id>#/a/b") to the Node of its target.
  Result<const Node*> ResolveRef(std::string_view ref, const std::string& at) {
    std::string_view id;
    if (const bj::object* o = impl_.doc.if_object()) {
      if (const bj::value* v = o->if_contains("$id"); v && v->is_string()) id = v->get_string();
    }
    size_t hash = ref.find('#');
    if (hash == std::string_view::npos || (hash != 0 && ref.substr(0, hash) != id)) {
      return Bad(at, "only local $ref (\"#/...\") is supported, got \"" + std::string(ref) + "\"");
    }
    std::string_view pointer = ref.substr(hash + 1);
    const bj::value* cur = &impl_.doc;
    std::string location = "#";
    while (!pointer.empty()) {
      if (pointer[0] != '/') return Bad(at, "malformed $ref \"" + std::string(ref) + "\"");
      pointer.remove_prefix(1);
      size_t slash = pointer.find('/');
      std::string token = PointerToken(pointer.substr(0, slash));
      pointer = slash == std::string_view::npos ? std::string_view() : pointer.substr(slash);
      if (const bj::object* o = cur->if_object()) {
        cur = o->if_contains(token);
      } else if (const bj::array* a = cur->if_array()) {
        char* end = nullptr;
        unsigned long i = std::strtoul(token.c_str(), &end, 10);
        cur = (!token.empty() && *end == '\0' && i < a->size()) ? &(*a)[i] : nullptr;
      } else {
        cur = nullptr;
      }
      if (!cur) return Bad(at, "$ref \"" + std::string(ref) + "\" does not resolve");
      location = AppendLocation(location, token);
    }
    return CompileAt(*cur, location);
  }

  // Decodes one JSON-pointer token inside a URI fragment: %XX, then ~1 and ~0.
  static std::string PointerToken(std::string_view raw) {
    std::string pct;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(uint8_t(raw[i + 1])) &&
          std::isxdigit(uint8_t(raw[i + 2]))) {
        pct += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        pct += raw[i];
      }
    }
    std::string out;
    for (size_t i = 0; i < pct.size(); ++i) {
      if (pct[i] == '~' && i + 1 < pct.size() && (pct[i + 1] == '0' || pct[i + 1] == '1')) {
        out += pct[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        out += pct[i];
      }
    }
    return out;
  }

  static Result<size_t> Count(const bj::value& v, const std::string& at) {
    if (auto i = v.if_int64(); i && *i >= 0) return static_cast<size_t>(*i);
    if (auto u = v.if_uint64()) return static_cast<size_t>(*u);
    if (auto d = v.if_double(); d && *d >= 0 && *d == static_cast<double>(size_t(*d)))
      return static_cast<size_t>(*d);
    return Bad(at, "must be a non-negative integer");
  }

  static Result<double> Number(const bj::value& v, const std::string& at) {
    if (!v.is_number()) return Bad(at, "must be a number");
    return v.to_number<double>();
  }

  static Result<Pattern> CompilePattern(const bj::value& v, const std::string& at) {
    if (!v.is_string()) return Bad(at, "must be a string");
    auto p = Pattern::Compile(v.get_string());
    if (!p.ok()) {
      return Bad(at, "bad or unsupported regular expression \"" + std::string(v.get_string()) +
                         "\": " + p.status().message());
    }
    return p;
  }

  static Result<uint8_t> TypeBit(const bj::value& v, const std::string& at) {
    if (!v.is_string()) return Bad(at, "type names must be strings");
    std::string_view t = v.get_string();
    if (t == "null") return uint8_t{kNull};
    if (t == "boolean") return uint8_t{kBoolean};
    if (t == "object") return uint8_t{kObject};
    if (t == "array") return uint8_t{kArray};
    if (t == "number") return uint8_t{kNumber};
    if (t == "string") return uint8_t{kString};
    if (t == "integer") return uint8_t{kInteger};
    return Bad(at, "unknown type \"" + std::string(t) + "\"");
  }

  Status SchemaList(const bj::value& v, const std::string& at, std::vector<const Node*>& out) {
    if (!v.is_array() || v.get_array().empty()) return Bad(at, "must be a non-empty array");
    for (size_t i = 0; i < v.get_array().size(); ++i) {
      auto r = Sub(v.get_array()[i], AppendLocation(at, std::to_string(i)));
      if (!r.ok()) return r.status();
      out.push_back(*r);
    }
    return Status::OK();
  }

  Status SchemaMap(const bj::value& v, const std::string& at,
                   std::vector<std::pair<std::string, const Node*>>& out) {
    if (!v.is_object()) return Bad(at, "must be an object");
    for (const auto& [k, sub] : v.get_object()) {
      auto r = Sub(sub, AppendLocation(at, k));
      if (!r.ok()) return r.status();
      out.emplace_back(std::string(k), *r);
    }
    return Status::OK();
  }

#define MCPREG_ASSIGN(lhs, expr)           \
  do {                                     \
    auto _r = (expr);                      \
    if (!_r.ok()) return _r.status();      \
    lhs = std::move(_r).value();           \
  } while (0)

  Status Fill(Node& n, const bj::value& v) {
    if (v.is_bool()) {
      n.is_bool = true;
      n.bool_value = v.get_bool();
      return Status::OK();
    }
    if (!v.is_object()) return Bad(n.location, "a schema must be an object or a boolean");
    const bj::object& o = v.get_object();
    auto at = [&](std::string_view kw) { return AppendLocation(n.location, kw); };
    if (const bj::value* r = o.if_contains("$ref")) {
      if (!r->is_string()) return Bad(at("$ref"), "must be a string");
      MCPREG_ASSIGN(n.ref, ResolveRef(r->get_string(), at("$ref")));
      return Status::OK();  // draft-07: siblings of $ref are ignored
    }
    for (const auto& [key, val] : o) {
      std::string_view k = key;
      std::string loc = at(k);
      if (k == "type") {
        if (val.is_array()) {
          for (const bj::value& t : val.get_array()) {
            uint8_t bit;
            MCPREG_ASSIGN(bit, TypeBit(t, loc));
            n.types |= bit;
          }
        } else {
          MCPREG_ASSIGN(n.types, TypeBit(val, loc));
        }
      } else if (k == "enum") {
        if (!val.is_array()) return Bad(loc, "must be an array");
        n.enum_values = val.get_array();
      } else if (k == "const") {
        n.const_value = val;
      } else if (k == "minLength") {
        MCPREG_ASSIGN(n.min_length, Count(val, loc));
      } else if (k == "maxLength") {
        MCPREG_ASSIGN(n.max_length, Count(val, loc));
      } else if (k == "pattern") {
        MCPREG_ASSIGN(n.pattern, CompilePattern(val, loc));
      } else if (k == "format") {
        if (!val.is_string()) return Bad(loc, "must be a string");
        n.format = std::string(val.get_string());
      } else if (k == "minimum") {
        MCPREG_ASSIGN(n.minimum, Number(val, loc));
      } else if (k == "maximum") {
        MCPREG_ASSIGN(n.maximum, Number(val, loc));
      } else if (k == "exclusiveMinimum") {
        MCPREG_ASSIGN(n.exclusive_minimum, Number(val, loc));
      } else if (k == "exclusiveMaximum") {
        MCPREG_ASSIGN(n.exclusive_maximum, Number(val, loc));
      } else if (k == "multipleOf") {
        MCPREG_ASSIGN(n.multiple_of, Number(val, loc));
        if (*n.multiple_of <= 0) return Bad(loc, "must be greater than 0");
      } else if (k == "properties") {
        MCPREG_RETURN_IF_ERROR(SchemaMap(val, loc, n.properties));
      } else if (k == "patternProperties") {
        if (!val.is_object()) return Bad(loc, "must be an object");
        for (const auto& [pk, sub] : val.get_object()) {
          std::string sub_loc = AppendLocation(loc, pk);
          Pattern p;
          MCPREG_ASSIGN(p, CompilePattern(bj::value(pk), sub_loc));
          const Node* s;
          MCPREG_ASSIGN(s, Sub(sub, sub_loc));
          n.pattern_properties.emplace_back(std::move(p), s);
        }
      } else if (k == "additionalProperties") {
        MCPREG_ASSIGN(n.additional_properties, Sub(val, loc));
      } else if (k == "required") {
        if (!val.is_array()) return Bad(loc, "must be an array");
        for (const bj::value& r : val.get_array()) {
          if (!r.is_string()) return Bad(loc, "must hold strings");
          n.required.emplace_back(r.get_string());
        }
      } else if (k == "propertyNames") {
        MCPREG_ASSIGN(n.property_names, Sub(val, loc));
      } else if (k == "minProperties") {
        MCPREG_ASSIGN(n.min_properties, Count(val, loc));
      } else if (k == "maxProperties") {
        MCPREG_ASSIGN(n.max_properties, Count(val, loc));
      } else if (k == "dependencies") {
        if (!val.is_object()) return Bad(loc, "must be an object");
        for (const auto& [dk, dv] : val.get_object()) {
          if (dv.is_array()) {
            std::vector<std::string> names;
            for (const bj::value& d : dv.get_array()) {
              if (!d.is_string()) return Bad(AppendLocation(loc, dk), "must hold strings");
              names.emplace_back(d.get_string());
            }
            n.dependency_lists.emplace_back(std::string(dk), std::move(names));
          } else {
            const Node* s;
            MCPREG_ASSIGN(s, Sub(dv, AppendLocation(loc, dk)));
            n.dependency_schemas.emplace_back(std::string(dk), s);
          }
        }
      } else if (k == "items") {
        if (val.is_array()) {
          n.has_tuple_items = true;
          for (size_t i = 0; i < val.get_array().size(); ++i) {
            const Node* s;
            MCPREG_ASSIGN(s, Sub(val.get_array()[i], AppendLocation(loc, std::to_string(i))));
            n.tuple_items.push_back(s);
          }
        } else {
          MCPREG_ASSIGN(n.items, Sub(val, loc));
        }
      } else if (k == "additionalItems") {
        MCPREG_ASSIGN(n.additional_items, Sub(val, loc));
      } else if (k == "contains") {
        MCPREG_ASSIGN(n.contains, Sub(val, loc));
      } else if (k == "minItems") {
        MCPREG_ASSIGN(n.min_items, Count(val, loc));
      } else if (k == "maxItems") {
        MCPREG_ASSIGN(n.max_items, Count(val, loc));
      } else if (k == "uniqueItems") {
        if (!val.is_bool()) return Bad(loc, "must be a boolean");
        n.unique_items = val.get_bool();
      } else if (k == "allOf") {
        MCPREG_RETURN_IF_ERROR(SchemaList(val, loc, n.all_of));
      } else if (k == "anyOf") {
        MCPREG_RETURN_IF_ERROR(SchemaList(val, loc, n.any_of));
      } else if (k == "oneOf") {
        MCPREG_RETURN_IF_ERROR(SchemaList(val, loc, n.one_of));
      } else if (k == "not") {
        MCPREG_ASSIGN(n.not_schema, Sub(val, loc));
      } else if (k == "if") {
        MCPREG_ASSIGN(n.if_schema, Sub(val, loc));
      } else if (k == "then") {
        MCPREG_ASSIGN(n.then_schema, Sub(val, loc));
      } else if (k == "else") {
        MCPREG_ASSIGN(n.else_schema, Sub(val, loc));
      }
      // Everything else ($schema, $id, $comment, title, description, default, examples,
      // definitions, unknown keywords) is an annotation here.
    }
    return Status::OK();
  }
#undef MCPREG_ASSIGN

  JsonSchema::Impl& impl_;
  std::unordered_map<std::string, Node*> by_location_;
};

}  // namespace

std::string AppendLocation(const std::string& base, std::string_view token) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = base;
  out += '/';
  for (unsigned char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else if (c <= 0x20 || c >= 0x7F || c == '%' || c == '"' || c == '#' || c == '<' ||
               c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' ||
               c == '}') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

JsonSchema::JsonSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Compile(const bj::value& schema_doc) {
  auto impl = std::make_unique<Impl>();
  impl->doc = schema_doc;
  Compiler compiler(*impl);
  auto root = compiler.CompileAt(impl->doc, "#");
  if (!root.ok()) return root.status();
  impl->root = *root;
  MCPREG_RETURN_IF_ERROR(compiler.CompileDefinitions(impl->doc));
  return std::shared_ptr<const JsonSchema>(new JsonSchema(std::move(impl)));
}

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Compile(std::string_view schema_text) {
  boost::system::error_code ec;
  bj::value doc = bj::parse(schema_text, ec);
  if (ec) return Status::InvalidArgument("schema is not valid JSON: " + ec.message());
  return Compile(doc);
}

}  // namespace mcpreg::schema
