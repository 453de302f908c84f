// The `mcp:` section of the server configuration file, for the /mcp endpoint of `mcpreg serve`:
//
//   mcp:
//     enabled: true                                  # default true
//     allowed_origins: [https://app.example.com]     # besides localhost origins
//     allowed_hosts: [registry.example.com]          # Host values besides localhost; "*" = any
//     session_idle_ttl_seconds: 600          # default 600; an idle session (no open SSE
//                                            #   stream) is then ended; its id gets 404
//     max_sessions: 10000                    # the table; when full, the longest-idle session
//                                            #   is ended; all streaming -> 503 + Retry-After
//     max_sessions_per_client: 64            # per remote address (IPv6: /64); more -> 429
//                                            #   + Retry-After (JSON-RPC error -32000)
//     max_client_capabilities_bytes: 16384   # initialize capabilities + clientInfo (JSON);
//                                            #   larger -> JSON-RPC -32602, no session
//     max_subscriptions_per_session: 256     # resources/subscribe URIs; more -> -32602
//     max_subscription_uri_bytes: 2048       # one subscribed URI; longer -> -32602
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
