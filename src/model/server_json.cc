// server.json parsing (tolerant, typed) and Go-compatible serialization.
#include "model/server_json.h"

#include <boost/json.hpp>

#include "core/json_out.h"

#include <initializer_list>

namespace mcpreg::model {
namespace bj = boost::json;

namespace {

// Reads fields of one JSON object into a struct, remembering the path for error messages.
// `null` is treated as absent everywhere (Go leaves the zero value).
class Reader {
 public:
  Reader(const bj::object& o, std::string path) : o_(o), path_(std::move(path)) {}

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const bj::value* Get(std::string_view key) const {
    const bj::value* v = o_.if_contains(key);
    return (v && !v->is_null()) ? v : nullptr;
  }
  static Status Expected(const std::string& path, std::string_view what) {
    return Status::InvalidArgument(path + ": expected " + std::string(what));
  }

  Status Str(std::string_view key, std::string& out) const {
    if (const bj::value* v = Get(key)) {
      if (!v->is_string()) return Expected(Path(key), "string");
      out = std::string(v->get_string());
    }
    return Status::OK();
  }
  Status OptStr(std::string_view key, std::optional<std::string>& out) const {
    if (const bj::value* v = Get(key)) {
      if (!v->is_string()) return Expected(Path(key), "string");
      out = std::string(v->get_string());
    }
    return Status::OK();
  }
  Status Bool(std::string_view key, bool& out) const {
    if (const bj::value* v = Get(key)) {
      if (!v->is_bool()) return Expected(Path(key), "boolean");
      out = v->get_bool();
    }
    return Status::OK();
  }
  Status StrList(std::string_view key, std::vector<std::string>& out) const {
    const bj::value* v = Get(key);
    if (!v) return Status::OK();
    if (!v->is_array()) return Expected(Path(key), "array");
    const bj::array& a = v->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].is_null()) {
        out.emplace_back();
        continue;
      }
      if (!a[i].is_string()) return Expected(Path(key) + "[" + std::to_string(i) + "]", "string");
      out.emplace_back(a[i].get_string());
    }
    return Status::OK();
  }
  // Object-valued field: calls fn(reader) when present.
  template <typename Fn>
  Status Obj(std::string_view key, Fn fn) const {
    const bj::value* v = Get(key);
    if (!v) return Status::OK();
    if (!v->is_object()) return Expected(Path(key), "object");
    return fn(Reader(v->get_object(), Path(key)));
  }
  // Array-of-objects field: calls fn(reader, out.back()) for each element.
  template <typename T, typename Fn>
  Status List(std::string_view key, std::vector<T>& out, Fn fn) const {
    const bj::value* v = Get(key);
    if (!v) return Status::OK();
    if (!v->is_array()) return Expected(Path(key), "array");
    const bj::array& a = v->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      std::string p = Path(key) + "[" + std::to_string(i) + "]";
      out.emplace_back();
      if (a[i].is_null()) continue;
      if (!a[i].is_object()) return Expected(p, "object");
      MCPREG_RETURN_IF_ERROR(fn(Reader(a[i].get_object(), p), out.back()));
    }
    return Status::OK();
  }
  // Map-of-objects field (sorted by key, like Go maps are encoded).
  template <typename T, typename Fn>
  Status Map(std::string_view key, std::map<std::string, T>& out, Fn fn) const {
    const bj::value* v = Get(key);
    if (!v) return Status::OK();
    if (!v->is_object()) return Expected(Path(key), "object");
    for (const auto& [k, item] : v->get_object()) {
      T& slot = out[std::string(k)];
      slot = T{};
      if (item.is_null()) continue;
      std::string p = Path(key) + "." + std::string(k);
      if (!item.is_object()) return Expected(p, "object");
      MCPREG_RETURN_IF_ERROR(fn(Reader(item.get_object(), p), slot));
    }
    return Status::OK();
  }

  const bj::object& object() const { return o_; }

  // Copies the members whose key is not in `known` to `out`, in document order.
  void Rest(std::initializer_list<std::string_view> known, bj::object& out) const {
    for (const auto& kv : o_) {
      bool is_known = false;
      for (std::string_view k : known) is_known = is_known || kv.key() == k;
      if (!is_known) out.emplace(kv.key(), kv.value());
    }
  }

 private:
  const bj::object& o_;
  std::string path_;
};

Status ReadInput(const Reader& r, Input& in) {
  MCPREG_RETURN_IF_ERROR(r.Str("description", in.description));
  MCPREG_RETURN_IF_ERROR(r.Bool("isRequired", in.is_required));
  MCPREG_RETURN_IF_ERROR(r.Str("format", in.format));
  MCPREG_RETURN_IF_ERROR(r.Str("value", in.value));
  MCPREG_RETURN_IF_ERROR(r.Bool("isSecret", in.is_secret));
  MCPREG_RETURN_IF_ERROR(r.Str("default", in.default_value));
  MCPREG_RETURN_IF_ERROR(r.Str("placeholder", in.placeholder));
  return r.StrList("choices", in.choices);
}

Status ReadInputWithVariables(const Reader& r, InputWithVariables& in) {
  MCPREG_RETURN_IF_ERROR(ReadInput(r, in));
  return r.Map("variables", in.variables, ReadInput);
}

Status ReadKeyValue(const Reader& r, KeyValueInput& kv) {
  MCPREG_RETURN_IF_ERROR(ReadInputWithVariables(r, kv));
  r.Rest({"description", "isRequired", "format", "value", "isSecret", "default", "placeholder", "choices", "variables", "name"}, kv.unknown);
  return r.Str("name", kv.name);
}

Status ReadArgument(const Reader& r, Argument& a) {
  MCPREG_RETURN_IF_ERROR(ReadInputWithVariables(r, a));
  MCPREG_RETURN_IF_ERROR(r.Str("type", a.type));
  MCPREG_RETURN_IF_ERROR(r.Str("name", a.name));
  MCPREG_RETURN_IF_ERROR(r.Str("valueHint", a.value_hint));
  r.Rest({"description", "isRequired", "format", "value", "isSecret", "default", "placeholder", "choices", "variables", "type", "name", "valueHint", "isRepeated"}, a.unknown);
  return r.Bool("isRepeated", a.is_repeated);
}

Status ReadTransport(const Reader& r, Transport& t) {
  MCPREG_RETURN_IF_ERROR(r.Str("type", t.type));
  MCPREG_RETURN_IF_ERROR(r.Str("url", t.url));
  MCPREG_RETURN_IF_ERROR(r.List("headers", t.headers, ReadKeyValue));
  r.Rest({"type", "url", "headers", "variables"}, t.unknown);
  return r.Map("variables", t.variables, ReadInput);
}

Status ReadPackage(const Reader& r, Package& p) {
  MCPREG_RETURN_IF_ERROR(r.Str("registryType", p.registry_type));
  MCPREG_RETURN_IF_ERROR(r.Str("registryBaseUrl", p.registry_base_url));
  MCPREG_RETURN_IF_ERROR(r.Str("identifier", p.identifier));
  MCPREG_RETURN_IF_ERROR(r.Str("version", p.version));
  MCPREG_RETURN_IF_ERROR(r.Str("fileSha256", p.file_sha256));
  MCPREG_RETURN_IF_ERROR(r.Str("runtimeHint", p.runtime_hint));
  MCPREG_RETURN_IF_ERROR(
      r.Obj("transport", [&](const Reader& tr) { return ReadTransport(tr, p.transport); }));
  MCPREG_RETURN_IF_ERROR(r.List("runtimeArguments", p.runtime_arguments, ReadArgument));
  MCPREG_RETURN_IF_ERROR(r.List("packageArguments", p.package_arguments, ReadArgument));
  r.Rest({"registryType", "registryBaseUrl", "identifier", "version", "fileSha256", "runtimeHint",
          "transport", "runtimeArguments", "packageArguments", "environmentVariables"},
         p.unknown);
  return r.List("environmentVariables", p.environment_variables, ReadKeyValue);
}

Status ReadIcon(const Reader& r, Icon& icon) {
  MCPREG_RETURN_IF_ERROR(r.Str("src", icon.src));
  MCPREG_RETURN_IF_ERROR(r.OptStr("mimeType", icon.mime_type));
  MCPREG_RETURN_IF_ERROR(r.StrList("sizes", icon.sizes));
  r.Rest({"src", "mimeType", "sizes", "theme"}, icon.unknown);
  return r.OptStr("theme", icon.theme);
}

Status ReadServer(const Reader& r, ServerJson& s) {
  MCPREG_RETURN_IF_ERROR(r.Str("$schema", s.schema));
  MCPREG_RETURN_IF_ERROR(r.Str("name", s.name));
  MCPREG_RETURN_IF_ERROR(r.Str("description", s.description));
  MCPREG_RETURN_IF_ERROR(r.Str("title", s.title));
  MCPREG_RETURN_IF_ERROR(r.Obj("repository", [&](const Reader& rr) {
    Repository repo;
    MCPREG_RETURN_IF_ERROR(rr.Str("url", repo.url));
    MCPREG_RETURN_IF_ERROR(rr.Str("source", repo.source));
    MCPREG_RETURN_IF_ERROR(rr.Str("id", repo.id));
    MCPREG_RETURN_IF_ERROR(rr.Str("subfolder", repo.subfolder));
    rr.Rest({"url", "source", "id", "subfolder"}, repo.unknown);
    s.repository = std::move(repo);
    return Status::OK();
  }));
  MCPREG_RETURN_IF_ERROR(r.Str("version", s.version));
  MCPREG_RETURN_IF_ERROR(r.Str("websiteUrl", s.website_url));
  MCPREG_RETURN_IF_ERROR(r.List("icons", s.icons, ReadIcon));
  MCPREG_RETURN_IF_ERROR(r.List("packages", s.packages, ReadPackage));
  MCPREG_RETURN_IF_ERROR(r.List("remotes", s.remotes, ReadTransport));
  r.Rest({"$schema", "name", "description", "title", "repository", "version", "websiteUrl",
          "icons", "packages", "remotes", "_meta"},
         s.unknown);
  return r.Obj("_meta", [&](const Reader& mr) {
    s.has_meta = true;
    if (const bj::value* pp = mr.Get(kPublisherProvidedKey)) {
      if (!pp->is_object()) return Reader::Expected(mr.Path(kPublisherProvidedKey), "object");
      // Empty = absent, as upstream's omitempty map: Parse(Serialize(x)) stays x.
      if (!pp->get_object().empty()) s.publisher_provided = pp->get_object();
    }
    return Status::OK();
  });
}

// ---- serialization (field order and omitempty exactly as upstream's Go structs) ----

// The fields the model does not know, after the known ones, in document order.
void WriteUnknown(json::JsonOut& w, const bj::object& unknown) {
  for (const auto& kv : unknown) w.Key(kv.key()).Value(kv.value());
}

void WriteInputFields(json::JsonOut& w, const Input& in) {
  w.StringIf("description", in.description);
  w.BoolIf("isRequired", in.is_required);
  w.StringIf("format", in.format);
  w.StringIf("value", in.value);
  w.BoolIf("isSecret", in.is_secret);
  w.StringIf("default", in.default_value);
  w.StringIf("placeholder", in.placeholder);
  if (!in.choices.empty()) {
    w.Key("choices").BeginArray();
    for (const std::string& c : in.choices) w.String(c);
    w.EndArray();
  }
}

void WriteInputMap(json::JsonOut& w, std::string_view key, const std::map<std::string, Input>& m) {
  if (m.empty()) return;
  w.Key(key).BeginObject();
  for (const auto& [name, in] : m) {  // std::map: bytewise sorted, like Go
    w.Key(name).BeginObject();
    WriteInputFields(w, in);
    w.EndObject();
  }
  w.EndObject();
}

void WriteKeyValue(json::JsonOut& w, const KeyValueInput& kv) {
  w.BeginObject();
  WriteInputFields(w, kv);
  WriteInputMap(w, "variables", kv.variables);
  w.Key("name").String(kv.name);
  WriteUnknown(w, kv.unknown);
  w.EndObject();
}

void WriteKeyValues(json::JsonOut& w, std::string_view key, const std::vector<KeyValueInput>& v) {
  if (v.empty()) return;
  w.Key(key).BeginArray();
  for (const KeyValueInput& kv : v) WriteKeyValue(w, kv);
  w.EndArray();
}

void WriteArguments(json::JsonOut& w, std::string_view key, const std::vector<Argument>& v) {
  if (v.empty()) return;
  w.Key(key).BeginArray();
  for (const Argument& a : v) {
    w.BeginObject();
    WriteInputFields(w, a);
    WriteInputMap(w, "variables", a.variables);
    w.Key("type").String(a.type);
    w.StringIf("name", a.name);
    w.StringIf("valueHint", a.value_hint);
    w.BoolIf("isRepeated", a.is_repeated);
    WriteUnknown(w, a.unknown);
    w.EndObject();
  }
  w.EndArray();
}

void WriteTransport(json::JsonOut& w, const Transport& t) {
  w.BeginObject();
  w.Key("type").String(t.type);
  w.StringIf("url", t.url);
  WriteKeyValues(w, "headers", t.headers);
  WriteInputMap(w, "variables", t.variables);
  WriteUnknown(w, t.unknown);
  w.EndObject();
}

void WritePackage(json::JsonOut& w, const Package& p) {
  w.BeginObject();
  w.Key("registryType").String(p.registry_type);
  w.StringIf("registryBaseUrl", p.registry_base_url);
  w.Key("identifier").String(p.identifier);
  w.StringIf("version", p.version);
  w.StringIf("fileSha256", p.file_sha256);
  w.StringIf("runtimeHint", p.runtime_hint);
  w.Key("transport");
  WriteTransport(w, p.transport);
  WriteArguments(w, "runtimeArguments", p.runtime_arguments);
  WriteArguments(w, "packageArguments", p.package_arguments);
  WriteKeyValues(w, "environmentVariables", p.environment_variables);
  WriteUnknown(w, p.unknown);
  w.EndObject();
}

void WriteIcon(json::JsonOut& w, const Icon& icon) {
  w.BeginObject();
  w.Key("src").String(icon.src);
  if (icon.mime_type) w.Key("mimeType").String(*icon.mime_type);
  if (!icon.sizes.empty()) {
    w.Key("sizes").BeginArray();
    for (const std::string& s : icon.sizes) w.String(s);
    w.EndArray();
  }
  if (icon.theme) w.Key("theme").String(*icon.theme);
  WriteUnknown(w, icon.unknown);
  w.EndObject();
}

}  // namespace

std::set<std::string> ServerJson::PackageRegistryTypes() const {
  std::set<std::string> out;
  for (const Package& p : packages) out.insert(p.registry_type);
  return out;
}

Result<ServerJson> ParseServerJson(const bj::value& doc) {
  if (!doc.is_object()) return Status::InvalidArgument("server.json: expected object");
  ServerJson s;
  MCPREG_RETURN_IF_ERROR(ReadServer(Reader(doc.get_object(), ""), s));
  return s;
}

Result<ServerJson> ParseServerJson(std::string_view text) {
  boost::system::error_code ec;
  bj::value doc = bj::parse(text, ec);
  if (ec) return Status::InvalidArgument("invalid JSON: " + ec.message());
  return ParseServerJson(doc);
}

void AppendServerJson(std::string& out, const ServerJson& s) {
  json::JsonOut w(out);
  w.BeginObject();
  w.Key("$schema").String(s.schema);
  w.Key("name").String(s.name);
  w.Key("description").String(s.description);
  w.StringIf("title", s.title);
  if (s.repository) {
    w.Key("repository").BeginObject();
    w.StringIf("url", s.repository->url);
    w.StringIf("source", s.repository->source);
    w.StringIf("id", s.repository->id);
    w.StringIf("subfolder", s.repository->subfolder);
    WriteUnknown(w, s.repository->unknown);
    w.EndObject();
  }
  w.Key("version").String(s.version);
  w.StringIf("websiteUrl", s.website_url);
  if (!s.icons.empty()) {
    w.Key("icons").BeginArray();
    for (const Icon& icon : s.icons) WriteIcon(w, icon);
    w.EndArray();
  }
  if (!s.packages.empty()) {
    w.Key("packages").BeginArray();
    for (const Package& p : s.packages) WritePackage(w, p);
    w.EndArray();
  }
  if (!s.remotes.empty()) {
    w.Key("remotes").BeginArray();
    for (const Transport& t : s.remotes) WriteTransport(w, t);
    w.EndArray();
  }
  if (s.has_meta) {
    w.Key("_meta").BeginObject();
    if (s.publisher_provided && !s.publisher_provided->empty()) {
      w.Key(kPublisherProvidedKey);
      std::string encoded;
      json::AppendGoValue(encoded, bj::value(*s.publisher_provided));
      w.Raw(encoded);
    }
    w.EndObject();
  }
  WriteUnknown(w, s.unknown);
  w.EndObject();
}

std::string SerializeServerJson(const ServerJson& s) {
  std::string out;
  AppendServerJson(out, s);
  return out;
}

}  // namespace mcpreg::model
