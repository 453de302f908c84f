// The public catalog's views: what `GET /` was asked for, and the HTML of the catalog, server
// and version pages. Pure rendering: the handlers (catalog_pages.cc) make the service calls and
// pass the results in, so these functions do no I/O and hold no state.
//
// Every string that comes from a server.json document, a version record or the request goes
// through Esc / UrlComponent / SafeHref (html.h): hostile metadata renders as text, and only
// http(s) links (https or data:image icons) from metadata reach an attribute.
//
// Thread-safe pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "service/registry_service.h"

namespace mcpreg::web {

// The catalog's page size (the list API's default limit).
inline constexpr size_t kCatalogPageSize = 30;

// The catalog view a URL asks for. Query fields (application/x-www-form-urlencoded, as a GET
// form sends them):
//   search=TEXT                 every word must match name, title or description
//   transport=remote|local      repeatable (one checkbox each); both or neither = any
//   registry_type=TYPE          a package of this registryType; "" = any
//   include_deprecated=true     also servers whose latest version is deprecated
//   cursor=NAME:VERSION         the list API's nextCursor of the previous page
// Unknown fields and values other than these are ignored; a badly encoded field is absent.
struct CatalogQuery {
  std::string search;
  bool remote = false;
  bool local = false;
  std::string registry_type;
  bool include_deprecated = false;
  std::string cursor;
};
CatalogQuery ParseCatalogQuery(std::string_view raw_query);

// The list API's query for `q` (GET /v0.1/servers?version=latest&search=&transport=
// &registry_type=&cursor=&limit=): the latest listed version of each server, deleted and
// withheld versions never; without include_deprecated also status active only.
catalog::ListQuery ToListQuery(const CatalogQuery& q, size_t limit = kCatalogPageSize);

// "/?<fields of q>" with `cursor` (instead of q.cursor; "" = first page), fields in a fixed
// order and only when set: the shareable URL of a view. "/" when nothing is set.
std::string CatalogUrl(const CatalogQuery& q, std::string_view cursor);

// The catalog page's main content: heading, the search form (a plain GET form to "/"), and
// the results region `#results` (aria-live; a count, one item per entry linking to
// /servers/{name}, a "Next" link when `page.next_cursor` is set).
std::string RenderCatalog(const CatalogQuery& q, const service::ListResult& page);

// The page title for `q` ("MCP servers" or "MCP servers: <search>"; not escaped).
std::string CatalogTitle(const CatalogQuery& q);

// A server page (the latest version) or a version page. `shown` is the version to show;
// `versions` every visible version of the name, newest first (the version table; may be
// empty). `version_page`: the page of /servers/{name}/versions/{version} (says whether the
// version is the latest and links to the server page). REQUIRES: shown != nullptr.
std::string RenderServer(const catalog::EntryPtr& shown,
                         const std::vector<catalog::EntryPtr>& versions, bool version_page);

// `v` as JSON indented by two spaces (object keys in their order), for display.
std::string PrettyJson(const boost::json::value& v);

// The src of an icon as an img may load it under the pages' CSP: a data:image/... URL (at most
// 128 KiB) without whitespace or quotes (escaped for an attribute), else "". Icons on other
// origins are never loaded: the pages work on an offline network, and a publisher's URL cannot
// see who views the catalog (a letter placeholder stands in).
std::string SafeImageSrc(std::string_view src);

}  // namespace mcpreg::web
