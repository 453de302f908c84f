// The `mcp:` section of the server configuration file, for the /mcp endpoint of `mcpreg serve`:
//
//   mcp:
//     enabled: true                                  # default true
//     allowed_origins: [https://app.example.com]     # besides localhost origins
//     allowed_hosts: [registry.example.com]          # Host values besides localhost; "*" = any
//     session_idle_ttl_seconds: 1800
//     max_sessions: 10000
//     auth:                                          # OAuth 2.1 resource-server role
//       resource: https://registry.example.com/mcp   # required; tokens' audience
//       required: true                               # false = anonymous read-only too
//       issuers: [contoso-entra]                     # names from auth.issuers (default all)
//
// Unknown keys and wrong types are InvalidArgument errors naming "mcp.<key>".
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "mcp/http_endpoint.h"
#include "mcpreg/status.h"

namespace mcpreg::mcpapi {

struct McpAuthConfig {
  bool enabled = false;   // an `auth:` section is present
  bool required = true;   // no token -> 401 with the RFC 9728 challenge
  std::string resource;   // this endpoint's resource identifier (the audience)
  std::vector<std::string> issuers;  // accepted auth.issuers by name; empty = all
};

struct McpEndpointConfig {
  bool enabled = true;
  mcp::McpHttpOptions http;
  McpAuthConfig auth;
};

Result<McpEndpointConfig> ParseMcpConfig(const boost::json::object& section);

}  // namespace mcpreg::mcpapi
