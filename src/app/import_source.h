// Reading import sources: a local file or URL holding a JSON array of server.json documents
// (or of ServerResponse objects / a ServerList page), or another registry's base URL, paged
// through /v0.1/servers following nextCursor.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"
#include "service/registry_service.h"
#include "transport/ssrf_guard.h"

namespace mcpreg::app {

struct ImportItem {
  std::string document;              // one server.json, as JSON text
  service::PublishOptions options;   // status/publishedAt carried from a source registry
};

// Parses an array of server.json documents, an array of {server,_meta} objects, or a
// {servers:[...]} page. Errors: InvalidArgument naming what is wrong.
Result<std::vector<ImportItem>> ParseImportDocument(std::string_view json);

// Bounds on reading a URL source, which is another party's server.
struct ImportLimits {
  size_t max_pages = 10000;   // pages fetched from a registry
  size_t max_items = 200000;  // entries gathered in all
  size_t max_page_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds timeout{30000};  // per HTTP request (connect + whole response)
  // When set, the source's addresses must pass the SSRF guard (default: public addresses
  // only); std::nullopt trusts every address.
  std::optional<http::SsrfGuard> guard = http::SsrfGuard(false);
};

// Loads FILE or URL. A URL whose body is not a JSON array/page is treated as a registry base
// URL and paged through {base}/v0.1/servers?limit=100 following metadata.nextCursor.
// `on_page(count_so_far)` reports progress. Paging stops with an error, importing nothing, when
// the source repeats a cursor it sent before (FailedPrecondition "... repeated cursor ..."),
// or exceeds max_pages or max_items (ResourceExhausted naming the limit). Other errors:
// InvalidArgument (unreadable file, bad JSON), PermissionDenied (address refused by the
// guard), Unavailable (network, deadline, non-200 answer).
Result<std::vector<ImportItem>> LoadImportSource(const std::string& source,
                                                 const std::function<void(size_t)>& on_page = {},
                                                 const ImportLimits& limits = {});

}  // namespace mcpreg::app
