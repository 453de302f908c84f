// The registry's own MCP surface: tools and resources that let agents ask "which approved server
// does X, and how do I install it?". Served over stdio (`mcpreg mcp`) and Streamable HTTP (`/mcp`
// on `mcpreg serve`), both through a RegistryReader (local service or remote registry).
//
// Tools (argument names are a public contract; every tool has inputSchema and outputSchema and
// answers with structuredContent plus the same JSON as a text block):
//   search_servers       {query, transport?: remote|local, registryType?, status?, limit?, cursor?}
//                        -> ServerList of latest versions {servers, metadata{count,nextCursor?}}
//   get_server           {name, version?}          -> ServerResponse (latest when no version)
//   list_versions        {name}                    -> ServerList, newest first
//   get_install_config   {name, version?, client?: vscode|visualstudio|claude, option?}
//                        -> service::BuildInstallConfig's object (default client: vscode) for
//                        the chosen install option ("<registryType>:<identifier>" of a package,
//                        "<transport>:<url>" of a remote; default the first). A 2026-07-28
//                        client that declared elicitation and gave no option for a server with
//                        several is asked through an input-required result (mcp/input.h).
//   validate_server_json {server_json: string|object} -> {valid, issues[]} (the /validate body)
// Business failures (unknown server, bad filter, remote down) are tool results with isError.
//
// Resources: template mcpreg://servers/{name}/versions/{version} (application/json, the
// ServerResponse); resources/list enumerates every visible version (paginated by the library).
#pragma once

#include <memory>
#include <string>

#include "api/mcp/registry_reader.h"
#include "mcp/server.h"

namespace mcpreg::policy {
struct Policy;
}

namespace mcpreg::mcpapi {

// Identity ("mcpreg", MCPREG_VERSION) and instructions for the registry MCP server.
mcp::ServerOptions RegistryServerOptions();

// Registers the tools and the resource template on `server`. `policy` (optional, must outlive
// the server): the registry's compliance policy, whose issues validate_server_json adds to
// its report (the tool's `policy` argument can also ask for the built-in default or none).
void AddRegistryTools(mcp::McpServer& server, std::shared_ptr<RegistryReader> reader,
                      const policy::Policy* policy = nullptr);

// The resource URI of one server version (name and version percent-encoded).
std::string ServerVersionUri(std::string_view name, std::string_view version);

}  // namespace mcpreg::mcpapi
