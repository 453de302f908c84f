#include "api/mcp/registry_reader.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "catalog/catalog.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "service/registry_service.h"
#include "transport/http_client.h"

namespace mcpreg::mcpapi {
namespace bj = boost::json;
namespace {

std::string ListBody(const std::vector<catalog::EntryPtr>& items,
                     const std::optional<std::string>& next) {
  size_t size = 64;
  for (const auto& e : items) size += e->response_json.size() + 1;
  std::string body;
  body.reserve(size);
  body += "{\"servers\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += items[i]->response_json;
  }
  body += "],\"metadata\":{";
  if (next) {
    body += "\"nextCursor\":";
    json::AppendString(body, *next);
    body += ',';
  }
  body += "\"count\":" + std::to_string(items.size()) + "}}";
  return body;
}

Result<bj::object> ParseObject(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::Unavailable(std::string(what) + ": the registry answered with invalid JSON");
  }
  return std::move(v.as_object());
}

Status CheckStatusFilter(std::string_view status) {
  if (status.empty() || status == "active" || status == "deprecated" || status == "deleted") {
    return Status::OK();
  }
  return Status::InvalidArgument("status must be active, deprecated or deleted");
}

class LocalRegistryReader : public RegistryReader {
 public:
  explicit LocalRegistryReader(const service::RegistryService& svc) : svc_(svc) {}

  Result<std::string> Search(const SearchRequest& req) const override {
    MCPREG_RETURN_IF_ERROR(CheckStatusFilter(req.status));
    catalog::ListQuery q;
    q.limit = req.limit;
    q.search = req.query;
    q.latest_only = true;
    if (req.transport == "remote") q.transport = catalog::TransportFilter::kRemote;
    if (req.transport == "local") q.transport = catalog::TransportFilter::kLocal;
    q.registry_type = req.registry_type;
    if (!req.status.empty()) {
      q.status = ParseVersionStatus(req.status);
      q.include_deleted = *q.status == VersionStatus::kDeleted;
    }
    if (!req.cursor.empty()) {
      size_t colon = req.cursor.find(':');
      if (colon == std::string::npos)
        q.cursor_name_only = req.cursor;
      else
        q.cursor = {req.cursor.substr(0, colon), req.cursor.substr(colon + 1)};
    }
    service::ListResult r = svc_.List(q);
    return ListBody(r.items, r.next_cursor);
  }

  Result<std::string> Get(std::string_view name, std::string_view version) const override {
    auto e = svc_.GetVersion(name, version, false);
    if (!e.ok()) return e.status();
    return (*e)->response_json;
  }

  Result<std::string> Versions(std::string_view name) const override {
    auto v = svc_.ListVersions(name, false);
    if (!v.ok()) return v.status();
    return ListBody(*v, std::nullopt);
  }

  std::vector<std::pair<std::string, std::string>> AllVersions(size_t max) const override {
    std::vector<std::pair<std::string, std::string>> out;
    catalog::ListQuery q;
    q.limit = 100;
    while (out.size() < max) {
      catalog::Page page = svc_.catalog().List(q);
      for (const auto& e : page.items) {
        if (out.size() == max) break;
        out.emplace_back(e->meta.name, e->meta.version);
      }
      if (!page.full || page.items.empty()) break;
      q.cursor = {page.items.back()->meta.name, page.items.back()->meta.version};
    }
    return out;
  }

  std::string Describe() const override { return "local database"; }

 private:
  const service::RegistryService& svc_;
};

// Drops list items the remote did not filter itself (it may ignore our extra parameters).
void FilterItems(bj::object& list, const SearchRequest& req) {
  auto* servers = list.if_contains("servers");
  if (!servers || !servers->is_array()) return;
  bj::array kept;
  for (auto& item : servers->as_array()) {
    if (!item.is_object()) continue;
    const bj::object& o = item.as_object();
    const bj::value* server = o.if_contains("server");
    const bj::object empty;
    const bj::object& s = server && server->is_object() ? server->as_object() : empty;
    auto non_empty = [&](std::string_view key) {
      const bj::value* v = s.if_contains(key);
      return v && v->is_array() && !v->as_array().empty();
    };
    if (req.transport == "remote" && !non_empty("remotes")) continue;
    if (req.transport == "local" && !non_empty("packages")) continue;
    if (!req.registry_type.empty()) {
      bool found = false;
      if (const bj::value* p = s.if_contains("packages"); p && p->is_array()) {
        for (const auto& pkg : p->as_array()) {
          const bj::value* rt =
              pkg.is_object() ? pkg.as_object().if_contains("registryType") : nullptr;
          found = found || (rt && rt->is_string() && rt->as_string() == req.registry_type);
        }
      }
      if (!found) continue;
    }
    std::string_view status = "active";
    if (const bj::value* m = o.if_contains("_meta"); m && m->is_object()) {
      const bj::value* off =
          m->as_object().if_contains("io.modelcontextprotocol.registry/official");
      const bj::value* st =
          off && off->is_object() ? off->as_object().if_contains("status") : nullptr;
      if (st && st->is_string()) status = st->as_string();
    }
    if (req.status.empty() ? status == "deleted" : status != req.status) continue;
    kept.push_back(std::move(item));
  }
  size_t count = kept.size();
  list["servers"] = std::move(kept);
  if (auto* md = list.if_contains("metadata"); md && md->is_object())
    md->as_object()["count"] = count;
}

class RemoteRegistryReader : public RegistryReader {
 public:
  explicit RemoteRegistryReader(std::string base) : base_(std::move(base)) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<std::string> Search(const SearchRequest& req) const override {
    MCPREG_RETURN_IF_ERROR(CheckStatusFilter(req.status));
    std::string path = "/v0.1/servers?version=latest&limit=" + std::to_string(req.limit);
    if (!req.query.empty()) path += "&search=" + PercentEncode(req.query);
    if (!req.cursor.empty()) path += "&cursor=" + PercentEncode(req.cursor);
    if (!req.transport.empty()) path += "&transport=" + PercentEncode(req.transport);
    if (!req.registry_type.empty()) path += "&registry_type=" + PercentEncode(req.registry_type);
    if (req.status == "deleted") path += "&include_deleted=true";
    auto list = GetJson(path);
    if (!list.ok()) return list.status();
    FilterItems(*list, req);
    std::string text;
    json::AppendValue(text, *list);
    return text;
  }

  Result<std::string> Get(std::string_view name, std::string_view version) const override {
    return GetText("/v0.1/servers/" + PercentEncode(name) + "/versions/" + PercentEncode(version));
  }

  Result<std::string> Versions(std::string_view name) const override {
    return GetText("/v0.1/servers/" + PercentEncode(name) + "/versions");
  }

  std::vector<std::pair<std::string, std::string>> AllVersions(size_t max) const override {
    std::vector<std::pair<std::string, std::string>> out;
    std::string cursor;
    while (out.size() < max) {
      std::string path = "/v0.1/servers?limit=100";
      if (!cursor.empty()) path += "&cursor=" + PercentEncode(cursor);
      auto list = GetJson(path);
      if (!list.ok()) break;
      const bj::value* servers = list->if_contains("servers");
      if (!servers || !servers->is_array()) break;
      for (const auto& item : servers->as_array()) {
        const bj::value* s = item.is_object() ? item.as_object().if_contains("server") : nullptr;
        if (!s || !s->is_object()) continue;
        const bj::value* n = s->as_object().if_contains("name");
        const bj::value* v = s->as_object().if_contains("version");
        if (n && v && n->is_string() && v->is_string() && out.size() < max) {
          out.emplace_back(std::string(n->as_string()), std::string(v->as_string()));
        }
      }
      const bj::value* md = list->if_contains("metadata");
      const bj::value* next =
          md && md->is_object() ? md->as_object().if_contains("nextCursor") : nullptr;
      if (!next || !next->is_string() || next->as_string().empty()) break;
      cursor = std::string(next->as_string());
    }
    return out;
  }

  std::string Describe() const override { return base_; }

 private:
  // The body of a successful answer, checked to be a JSON object.
  Result<std::string> GetText(const std::string& path) const {
    http::ClientRequest req;
    req.url = base_ + path;
    req.headers.push_back({"Accept", "application/json"});
    req.timeout = std::chrono::seconds(20);
    auto resp = http::Fetch(req);
    if (!resp.ok())
      return Status::Unavailable("registry " + base_ + ": " + resp.status().message());
    if (resp->status == 404) return Status::NotFound("Server not found");
    if (resp->status != 200) {
      std::string detail;
      boost::system::error_code ec;
      bj::value problem = bj::parse(resp->body, ec);
      if (!ec && problem.is_object()) {
        if (auto* d = problem.as_object().if_contains("detail"); d && d->is_string()) {
          detail = ": " + std::string(d->as_string());
        }
      }
      Code code = resp->status < 500 ? Code::kInvalidArgument : Code::kUnavailable;
      return Status(code, "registry answered HTTP " + std::to_string(resp->status) + detail);
    }
    auto parsed = ParseObject(resp->body, "registry " + base_);
    if (!parsed.ok()) return parsed.status();
    return std::move(resp->body);
  }

  Result<bj::object> GetJson(const std::string& path) const {
    auto text = GetText(path);
    if (!text.ok()) return text.status();
    return ParseObject(*text, "registry " + base_);
  }

  std::string base_;
};

}  // namespace

std::shared_ptr<RegistryReader> LocalReader(const service::RegistryService& service) {
  return std::make_shared<LocalRegistryReader>(service);
}

std::shared_ptr<RegistryReader> RemoteReader(std::string base_url) {
  return std::make_shared<RemoteRegistryReader>(std::move(base_url));
}

}  // namespace mcpreg::mcpapi
