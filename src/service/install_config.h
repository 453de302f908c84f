// Install configuration for MCP clients: turns one server version (its server.json) into the
// exact entry a client's configuration file needs.
//
//   vscode        mcp.json                   {"servers":{NAME:{...}},"inputs":[...]}
//   visualstudio  .mcp.json                  {"servers":{NAME:{...}},"inputs":[...]}
//   claude        claude_desktop_config.json {"mcpServers":{NAME:{...}}}
//
// Packages (the first one; packages win over remotes) become {type:"stdio", command, args, env}:
//   npm  -> npx -y ID@VERSION         pypi -> uvx ID==VERSION
//   oci  -> docker run -i --rm [-e VAR ...] ID[:VERSION]
//   nuget-> dnx ID@VERSION --yes --   (runtimeHint, when given, replaces the command)
//   mcpb -> no command: the result names the bundle (URL + sha256) to install instead.
// runtimeArguments come before the package, packageArguments after it; named arguments are
// "--flag" followed by the value. Remotes become {type:"http"|"sse", url, headers}; Claude
// Desktop reaches remotes through `npx -y mcp-remote URL [--header "K: V"]`.
//
// Values the user must supply (required or secret env vars/headers/arguments without a fixed
// value, and {variables}) become `${input:ID}` references plus an `inputs` entry
// {type:"promptString", id, description, password} for VS Code / Visual Studio; Claude Desktop
// has no prompts, so they become "<ID>" placeholders, listed in `inputs` of the result.
//
// Thread-safe pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::model {
struct ServerJson;
}

namespace mcpreg::service {

enum class InstallClient { kVsCode, kVisualStudio, kClaude };

// "vscode" | "visualstudio" | "claude"; InvalidArgument otherwise.
Result<InstallClient> ParseInstallClient(std::string_view name);

// The result object:
//   {"client","file","name","version",
//    "kind": "package"|"remote"|"bundle",
//    "config": <the file content to merge: servers/mcpServers (+ inputs)>,
//    "inputs": [{"id","description","password","required"}],   // what the user must supply
//    "bundle"?: {"url","fileSha256"?}}                          // mcpb packages only
// Errors: FailedPrecondition when the server has neither packages nor remotes.
Result<boost::json::object> BuildInstallConfig(const model::ServerJson& server,
                                               InstallClient client);

}  // namespace mcpreg::service
