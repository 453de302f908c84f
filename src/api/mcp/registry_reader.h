// RegistryReader: the read side of the registry as the MCP tools need it, in the REST API's JSON
// shapes, with two implementations: the local RegistryService (`mcpreg serve`, `mcpreg mcp --db`)
// and a remote registry over HTTP (`mcpreg mcp --registry URL`, against /v0.1/servers...).
//
// Answers are JSON text (so pre-rendered catalog bytes reach the client without a parse), always
// a JSON object in these shapes (exactly the REST bodies):
//   ServerResponse
//   {"server":{...server.json...},"_meta":{"io.modelcontextprotocol.registry/official":{...}}}
//   ServerList      {"servers":[ServerResponse...],"metadata":{"nextCursor"?,"count"}}
//
// Thread-safety: implementations are safe to call concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::service {
class RegistryService;
}

namespace mcpreg::mcpapi {

struct SearchRequest {
  std::string query;          // free text; empty = everything
  std::string transport;      // "" | "remote" | "local"
  std::string registry_type;  // "" = any
  std::string status;         // "" (active + deprecated) | "active" | "deprecated" | "deleted"
  size_t limit = 30;          // 1..100
  std::string cursor;         // opaque: the previous page's nextCursor
};

class RegistryReader {
 public:
  virtual ~RegistryReader() = default;
  // Latest version of each matching server, ordered by name. A ServerList.
  // Errors: InvalidArgument (bad filter), Unavailable (remote unreachable).
  virtual Result<std::string> Search(const SearchRequest& req) const = 0;
  // One version ("latest" allowed). A ServerResponse. NotFound when absent.
  virtual Result<std::string> Get(std::string_view name, std::string_view version) const = 0;
  // Every visible version of a name, newest first. A ServerList. NotFound when none.
  virtual Result<std::string> Versions(std::string_view name) const = 0;
  // (name, version) of every visible version, ordered by name (for resources/list); at most
  // `max` of them.
  virtual std::vector<std::pair<std::string, std::string>> AllVersions(size_t max) const = 0;
  // Short description of the source, e.g. "local database" or the remote base URL.
  virtual std::string Describe() const = 0;
};

// Over the in-process service; `service` must outlive the reader.
std::shared_ptr<RegistryReader> LocalReader(const service::RegistryService& service);

// Over a registry's public REST API at `base_url` (e.g. "https://registry.example.com"; a
// trailing slash is ignored). Transport/registryType/status filters are sent as query
// parameters (mcpreg understands them) and also applied to the answer (other registries may not).
std::shared_ptr<RegistryReader> RemoteReader(std::string base_url);

}  // namespace mcpreg::mcpapi
