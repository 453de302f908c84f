// BuildEntry: turns a stored record into the catalog's immutable, pre-rendered entry.
#include <boost/json.hpp>

#include "catalog/catalog.h"
#include "core/json_out.h"

namespace mcpreg::catalog {
namespace {

std::string_view StringField(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// {"server":<doc>,"_meta":{"io.modelcontextprotocol.registry/official":{...}}} with the
// official meta fields in the Go struct's order, then "dev.mcpreg/mirror" for mirrored rows.
std::string RenderResponse(const VersionMeta& m, std::string_view server_json) {
  std::string out;
  out.reserve(server_json.size() + 256);
  json::JsonOut w(out);
  w.BeginObject().Key("server").Raw(server_json.empty() ? std::string_view("null") : server_json);
  w.Key("_meta").BeginObject().Key("io.modelcontextprotocol.registry/official").BeginObject();
  w.Key("status").String(ToString(m.status));
  w.Key("statusChangedAt").String(FormatRfc3339(m.status_changed_at));
  if (m.status_message) w.Key("statusMessage").String(*m.status_message);
  w.Key("publishedAt").String(FormatRfc3339(m.published_at));
  w.Key("updatedAt").String(FormatRfc3339(m.updated_at));
  w.Key("isLatest").Bool(m.is_latest);
  w.EndObject();
  // A mirrored version names where it came from (the mirror writes this object itself).
  if (!m.mirror_upstream.empty() && !m.mirror_meta.empty())
    w.Key("dev.mcpreg/mirror").Raw(m.mirror_meta);
  w.EndObject().EndObject();
  out.shrink_to_fit();
  return out;
}

}  // namespace

EntryPtr BuildEntry(const VersionRecord& record, std::vector<std::string>* remote_urls) {
  auto e = std::make_shared<Entry>();
  e->meta = record.meta;
  e->seq = record.seq;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(record.server_json, ec);
  if (!ec && doc.is_object()) {
    const auto& o = doc.get_object();
    e->title = std::string(StringField(o, "title"));
    e->description = std::string(StringField(o, "description"));
    if (const auto* remotes = o.if_contains("remotes"); remotes && remotes->is_array()) {
      e->has_remotes = !remotes->get_array().empty();
      for (const auto& r : remotes->get_array()) {
        if (!r.is_object() || remote_urls == nullptr) continue;
        std::string_view url = StringField(r.get_object(), "url");
        if (!url.empty()) remote_urls->emplace_back(url);
      }
    }
    if (const auto* pkgs = o.if_contains("packages"); pkgs && pkgs->is_array()) {
      e->has_packages = !pkgs->get_array().empty();
      for (const auto& p : pkgs->get_array()) {
        if (!p.is_object()) continue;
        std::string_view type = StringField(p.get_object(), "registryType");
        if (!type.empty() && std::find(e->registry_types.begin(), e->registry_types.end(), type) ==
                                 e->registry_types.end()) {
          e->registry_types.emplace_back(type);
        }
      }
    }
  }
  e->response_json = RenderResponse(e->meta, record.server_json);
  // {"server":<document>,"_meta":...}: the document starts right after the first key.
  constexpr size_t kPrefix = sizeof("{\"server\":") - 1;
  e->server_json = std::string_view(e->response_json).substr(kPrefix, record.server_json.size());
  return e;
}

}  // namespace mcpreg::catalog
