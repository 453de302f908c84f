// The `mcp:` section of the server configuration file, for the /mcp endpoint of `mcpreg serve`:
//
//   mcp:
//     enabled: true                                  # default true
//     allowed_origins: [https://app.example.com]     # besides localhost origins
//     allowed_hosts: [registry.example.com]          # Host values besides localhost; "*" = any
//     session_idle_ttl_seconds: 1800
//     max_sessions: 10000
//
// Unknown keys and wrong types are InvalidArgument errors naming "mcp.<key>".
#pragma once

#include <boost/json/object.hpp>

#include "mcp/http_endpoint.h"
#include "mcpreg/status.h"

namespace mcpreg::mcpapi {

struct McpEndpointConfig {
  bool enabled = true;
  mcp::McpHttpOptions http;
};

Result<McpEndpointConfig> ParseMcpConfig(const boost::json::object& section);

}  // namespace mcpreg::mcpapi
