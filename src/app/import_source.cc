#include "app/import_source.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "core/json_out.h"
#include "core/percent.h"
#include "core/sha256.h"
#include "transport/http_client.h"

namespace mcpreg::app {
namespace {

bool IsUrl(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

// One entry: either a bare server.json or a ServerResponse {server, _meta}.
Result<ImportItem> ItemFrom(const boost::json::value& v, size_t index) {
  if (!v.is_object()) return Status::InvalidArgument("entry " + std::to_string(index) + " is not an object");
  const auto& o = v.get_object();
  ImportItem item;
  const boost::json::value* server = o.if_contains("server");
  if (server && server->is_object() && !o.contains("name")) {
    std::string s;
    json::AppendValue(s, *server);
    item.document = std::move(s);
    if (auto meta = o.if_contains("_meta"); meta && meta->is_object()) {
      if (auto off = meta->get_object().if_contains("io.modelcontextprotocol.registry/official");
          off && off->is_object()) {
        const auto& m = off->get_object();
        if (auto p = m.if_contains("publishedAt"); p && p->is_string()) {
          auto t = ParseRfc3339(p->get_string());
          if (t.ok()) item.options.published_at = *t;
        }
        if (auto st = m.if_contains("status"); st && st->is_string()) {
          auto parsed = ParseVersionStatus(st->get_string());
          if (parsed && *parsed != VersionStatus::kActive) {
            item.options.status = *parsed;
            if (auto msg = m.if_contains("statusMessage"); msg && msg->is_string())
              item.options.status_message = std::string(msg->get_string());
          }
        }
      }
    }
    return item;
  }
  std::string s;
  json::AppendValue(s, v);
  item.document = std::move(s);
  return item;
}

Result<boost::json::value> Parse(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  boost::json::parse_options po;
  po.max_depth = 64;
  auto v = boost::json::parse(text, ec, {}, po);
  if (ec) return Status::InvalidArgument(what + " is not valid JSON: " + ec.message());
  return v;
}

}  // namespace

Result<std::vector<ImportItem>> ParseImportDocument(std::string_view text) {
  auto v = Parse(text, "import source");
  if (!v.ok()) return v.status();
  const boost::json::array* arr = nullptr;
  if (v->is_array()) arr = &v->get_array();
  else if (v->is_object())
    if (auto s = v->get_object().if_contains("servers"); s && s->is_array()) arr = &s->get_array();
  if (!arr)
    return Status::InvalidArgument(
        "import source must be a JSON array of server.json documents or a {\"servers\":[...]} page");
  std::vector<ImportItem> out;
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    auto item = ItemFrom((*arr)[i], i);
    if (!item.ok()) return item.status();
    out.push_back(std::move(*item));
  }
  return out;
}

Result<std::vector<ImportItem>> LoadImportSource(const std::string& source,
                                                 const std::function<void(size_t)>& on_page,
                                                 const ImportLimits& limits) {
  if (!IsUrl(source)) {
    std::ifstream in(source, std::ios::binary);
    if (!in) return Status::InvalidArgument("cannot read " + source);
    std::stringstream ss;
    ss << in.rdbuf();
    return ParseImportDocument(ss.str());
  }
  auto get = [&limits](const std::string& url) {
    http::ClientRequest req;
    req.url = url;
    req.timeout = limits.timeout;
    req.connect_timeout =
        std::min<std::chrono::milliseconds>(limits.timeout, std::chrono::seconds(10));
    req.max_body_bytes = limits.max_page_bytes;
    req.guard = limits.guard;
    return http::Fetch(req);
  };
  // A URL: first try it as a document; otherwise page through it as a registry.
  std::string base = source;
  bool paged = base.find("/servers") != std::string::npos;
  if (!paged) {
    auto r = get(source);
    if (!r.ok()) return r.status();
    if (r->status == 200) {
      auto v = Parse(r->body, source);
      if (v.ok() && v->is_array()) return ParseImportDocument(r->body);
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    base += "/v0.1/servers";
  }
  std::vector<ImportItem> out;
  std::string cursor;
  std::unordered_set<std::string> seen;  // SHA-256 of every cursor followed
  for (size_t page = 1;; ++page) {
    if (page > limits.max_pages) {
      return Status::ResourceExhausted(base + " still had more pages after " +
                                       std::to_string(limits.max_pages) +
                                       " (the page limit): import stopped, nothing imported");
    }
    std::string url = base + (base.find('?') == std::string::npos ? "?" : "&") + "limit=100";
    if (!cursor.empty()) url += "&cursor=" + PercentEncode(cursor);
    auto r = get(url);
    if (!r.ok()) return r.status();
    if (r->status != 200)
      return Status::Unavailable(url + " answered HTTP " + std::to_string(r->status));
    auto items = ParseImportDocument(r->body);
    if (!items.ok()) return items.status();
    if (items->size() > limits.max_items - std::min(limits.max_items, out.size())) {
      return Status::ResourceExhausted(
          base + " offered more than " + std::to_string(limits.max_items) +
          " entries (the item limit): import stopped, nothing imported");
    }
    for (auto& it : *items) out.push_back(std::move(it));
    if (on_page) on_page(out.size());
    auto v = Parse(r->body, url);
    const boost::json::value* next = nullptr;
    if (auto md = v->get_object().if_contains("metadata"); md && md->is_object())
      next = md->get_object().if_contains("nextCursor");
    if (!next || !next->is_string() || next->get_string().empty()) break;
    cursor = std::string(next->get_string());
    if (cursor.size() > 8192) {
      return Status::FailedPrecondition(url +
                                        " sent a nextCursor longer than 8192 bytes: "
                                        "import stopped, nothing imported");
    }
    if (!seen.insert(Sha256Hex(cursor)).second) {
      return Status::FailedPrecondition(
          base + " repeated cursor \"" + cursor.substr(0, 80) + "\" on page " +
          std::to_string(page) + " (the source is looping): import stopped, nothing imported");
    }
  }
  return out;
}

}  // namespace mcpreg::app
