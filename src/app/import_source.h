// Reading import sources: a local file or URL holding a JSON array of server.json documents
// (or of ServerResponse objects / a ServerList page), or another registry's base URL, paged
// through /v0.1/servers following nextCursor.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"
#include "service/registry_service.h"

namespace mcpreg::app {

struct ImportItem {
  std::string document;              // one server.json, as JSON text
  service::PublishOptions options;   // status/publishedAt carried from a source registry
};

// Parses an array of server.json documents, an array of {server,_meta} objects, or a
// {servers:[...]} page. Errors: InvalidArgument naming what is wrong.
Result<std::vector<ImportItem>> ParseImportDocument(std::string_view json);

// Loads FILE or URL. A URL whose body is not a JSON array/page is treated as a registry base
// URL and paged through {base}/v0.1/servers?limit=100. `on_page(count_so_far)` reports progress.
Result<std::vector<ImportItem>> LoadImportSource(const std::string& source,
                                                 const std::function<void(size_t)>& on_page = {});

}  // namespace mcpreg::app
