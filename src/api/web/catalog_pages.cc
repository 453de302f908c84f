// The public catalog: GET /, /servers/{name}, /servers/{name}/versions/{version},
// /assets/{file} (contracts in web_ui.h). Reads come from the same RegistryService calls as
// the list and get APIs, so a page shows exactly what the public API shows.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "api/web/catalog_view.h"
#include "api/web/html.h"
#include "api/web/viewer.h"
#include "api/web/web_ui.h"
#include "core/assets.h"
#include "core/percent.h"
#include "service/registry_service.h"

namespace mcpreg::web {
namespace {

struct Asset {
  std::string_view name;
  std::string_view content_type;
  std::string_view (*bytes)();
};

constexpr Asset kAssets[] = {
    {"app.css", "text/css; charset=utf-8", &assets::WebCss},
    {"catalog.js", "application/javascript; charset=utf-8", &assets::WebCatalogJs},
    {"console.js", "application/javascript; charset=utf-8", &assets::WebConsoleJs},
};

// A strong validator for embedded bytes: FNV-1a 64 of the content (the bytes never change
// while the process runs, and a rebuild with other bytes gets another tag).
std::string ETagOf(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

// If-None-Match compares weakly (RFC 9110 13.1.2): "*", or `etag` among its tags (W/ or not).
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  return header.find_first_not_of(" \t*") == std::string_view::npos ||
         header.find(etag) != std::string_view::npos;
}

// Each asset's tag and bytes, computed once.
struct Served {
  std::string etag;
  std::shared_ptr<const std::string> body;
};
const Served& ServedAsset(size_t i) {
  static const std::vector<Served> served = [] {
    std::vector<Served> v;
    for (const auto& a : kAssets)
      v.push_back({ETagOf(a.bytes()), std::make_shared<const std::string>(a.bytes())});
    return v;
  }();
  return served[i];
}

}  // namespace

http::HttpResponse WebUi::Catalog(const http::HttpRequest& req) const {
  const Viewer viewer = ViewerFor(*this, req);
  const CatalogQuery q = ParseCatalogQuery(req.query);
  const service::ListResult page = deps_.registry->List(ToListQuery(q));
  return HtmlResponse(200, Layout(CatalogTitle(q), viewer, RenderCatalog(q, page), {"catalog.js"}),
                      viewer.signed_in);
}

http::HttpResponse WebUi::ServerPage(const http::HttpRequest& req,
                                     std::string_view raw_name) const {
  return VersionPage(req, raw_name, "");
}

// raw_version "" = the server page (latest version, no version in the URL).
http::HttpResponse WebUi::VersionPage(const http::HttpRequest& req, std::string_view raw_name,
                                      std::string_view raw_version) const {
  const bool version_page = !raw_version.empty();
  auto name = PathUnescapeTwice(raw_name);
  auto version =
      version_page ? PathUnescapeTwice(raw_version) : std::optional<std::string>("latest");
  if (!name || !version) return NotFoundPage(req, version_page ? "server version" : "server");
  auto shown = deps_.registry->GetVersion(*name, *version, /*include_deleted=*/false);
  if (!shown.ok()) return NotFoundPage(req, version_page ? "server version" : "server");
  auto versions = deps_.registry->ListVersions(*name, /*include_deleted=*/false);
  const Viewer viewer = ViewerFor(*this, req);
  const auto& e = **shown;
  std::string title = e.title.empty() ? e.meta.name : e.title;
  if (version_page) title += " " + e.meta.version;
  std::string main = RenderServer(
      *shown, versions.ok() ? *versions : std::vector<catalog::EntryPtr>{}, version_page);
  return HtmlResponse(200, Layout(title, viewer, main, {"catalog.js"}), viewer.signed_in);
}

http::HttpResponse WebUi::Asset(const http::HttpRequest& req, std::string_view file) const {
  for (size_t i = 0; i < std::size(kAssets); ++i) {
    if (kAssets[i].name != file) continue;
    const Served& served = ServedAsset(i);
    http::HttpResponse r;
    r.Set("ETag", served.etag);
    r.Set("Cache-Control", "public, max-age=3600");
    r.Set("X-Content-Type-Options", "nosniff");
    if (auto inm = req.Header("If-None-Match");
        inm && !inm->empty() && NoneMatchHits(*inm, served.etag)) {
      r.status = 304;
      return r;
    }
    r.Set("Content-Type", std::string(kAssets[i].content_type));
    r.shared_body = served.body;
    return r;
  }
  return NotFoundPage(req, "file");
}

http::HttpResponse WebUi::NotFoundPage(const http::HttpRequest& req, std::string_view what) const {
  const Viewer viewer = ViewerFor(*this, req);
  return HtmlResponse(404,
                      Layout("Not found", viewer,
                             "<h1>Not found</h1><p>No such " + Esc(what) +
                                 ".</p><p><a href=\"/\">Back to the catalog</a></p>"),
                      viewer.signed_in);
}

}  // namespace mcpreg::web
