// Curated exports of the approved server set: what an organisation publishes once it has
// decided which servers its developers may use.
//
//   ExportReadme     a Markdown page (title, how to point VS Code at the registry, one table
//                    row per server with one-click install links for VS Code and Visual Studio)
//   ExportAllowlist  GitHub Copilot's enterprise `managed-settings.json` allowlist
//   ExportCatalog    a static copy of the set in the official `/v0.1/servers` list shape
//
// Input: one catalog entry per approved server, its latest listed version, sorted by name
// (the caller selects approved, listed, non-deleted entries). Entries whose document does not
// parse still get a row / a name matcher, without links, commands or URLs.
//
// Every output is a pure function of its input: same entries and options, same bytes (no
// timestamps, no map iteration order). Install commands, arguments and URLs come from
// BuildInstallConfig (service/install_config.h), so links and allowlist commands are exactly
// what the install config gives; values the user must supply appear as `${input:ID}`.
//
// Thread-safe pure functions.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace mcpreg::model {
struct ServerJson;
}

namespace mcpreg::service {

// The one-click install links of one server version, as raw URLs (callers escape them for
// their markup). Every link installs the entry BuildInstallConfig gives, with the values the
// user must supply as `${input:ID}` prompts:
//   vscode           https://vscode.dev/redirect/mcp/install?name=<n>&config=<entry json>
//                    [&inputs=<prompts json>]
//   vscode_insiders  https://insiders.vscode.dev/redirect/mcp/install?<the same query>
//                    &quality=insiders
//   visual_studio    vsweb+mcp:/install?<json {"name", ...entry, "inputs"?}>
// every query value percent-encoded (RFC 3986 unreserved characters kept). A server whose
// first package is an MCPB bundle with an https URL gets only `bundle` (that URL); a link the
// install config cannot give (neither packages nor remotes) is "".
struct InstallLinkSet {
  std::string vscode;
  std::string vscode_insiders;
  std::string visual_studio;
  std::string bundle;
};
InstallLinkSet InstallLinks(const model::ServerJson& server);

struct ExportOptions {
  std::string title = "MCP servers";  // the README heading
  std::string registry_url;           // the registry base URL clients use; "" = not mentioned
};

// Markdown:
//   # <title>
//   <N> approved MCP server(s). [To browse and install them in VS Code, set
//   `chat.mcp.gallery.serviceUrl` (policy `McpGalleryServiceUrl`) to `<registry_url>`.]
//   | Server | Description | Version | Type | Licence | Install |
// One row per server: "**title**<br>`name`" (or just "`name`"), description, version,
// local / remote / both, licence (publisher `_meta` "license", else "github"."license", else
// "—"), and the install links
//   [VS Code](https://vscode.dev/redirect/mcp/install?name=<n>&config=<json>[&inputs=<json>])
//   [Visual Studio](vsweb+mcp:/install?<json {"name", ...entry, "inputs"?}>)
// from InstallLinks (above). An MCPB package gets an "[MCP bundle](<url>)" link instead; a
// server with neither packages nor remotes gets "—". Cell text escapes `\`, `|` and `<`, and turns line breaks into <br>.
// No table when the set is empty.
std::string ExportReadme(const std::vector<catalog::EntryPtr>& servers,
                         const ExportOptions& options);

// JSON: {"allowedMcpServers":[matcher, ...]}, one matcher per line. Per server, in input order:
//   {"serverName": name}
//   {"serverUrl": url}            per remote, and per package served over streamable-http/sse
//   {"serverCommand": [cmd, args...]}  per stdio package, from its VS Code install config
//                                      (pinned version; MCPB bundles have no command)
// URLs are canonicalised the way Copilot compares them: lowercase scheme and host, trailing
// dots of the host and a default port (http 80, https 443) dropped, fragment dropped; every
// `{var}` template becomes a `*` wildcard. A matcher already emitted is not repeated.
// Empty input gives {"allowedMcpServers":[]} (block everything but built-in servers).
std::string ExportAllowlist(const std::vector<catalog::EntryPtr>& servers);

// JSON: {"servers":[<response_json of each entry, verbatim>],"metadata":{"count":N}}, one
// server per line: the official list response shape, so any registry client can read it.
// `options` is not used yet (the list shape has no place for a title).
std::string ExportCatalog(const std::vector<catalog::EntryPtr>& servers,
                          const ExportOptions& options);

}  // namespace mcpreg::service
