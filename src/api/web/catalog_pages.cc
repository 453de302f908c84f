#include "api/web/html.h"
#include "api/web/web_ui.h"

namespace mcpreg::web {

// TODO(catalog helper): the catalog pages.
http::HttpResponse WebUi::Catalog(const http::HttpRequest&) const {
  return HtmlResponse(200, Layout("Catalog", Viewer{}, "<h1>MCP servers</h1>"));
}
http::HttpResponse WebUi::ServerPage(const http::HttpRequest& req, std::string_view) const {
  return NotFoundPage(req, "server");
}
http::HttpResponse WebUi::VersionPage(const http::HttpRequest& req, std::string_view,
                                      std::string_view) const {
  return NotFoundPage(req, "server");
}
http::HttpResponse WebUi::Asset(const http::HttpRequest& req, std::string_view) const {
  return NotFoundPage(req, "file");
}
http::HttpResponse WebUi::NotFoundPage(const http::HttpRequest&, std::string_view what) const {
  return HtmlResponse(404, Layout("Not found", Viewer{},
                                  "<h1>Not found</h1><p>No such " + Esc(what) +
                                      ".</p><p><a href=\"/\">Back to the catalog</a></p>"));
}

}  // namespace mcpreg::web
