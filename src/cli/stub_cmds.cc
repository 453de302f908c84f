// Temporary registrations for subcommands not yet built; each file replaces its stub.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace mcpreg::cli {
void RegisterMcp(CLI::App& app, int* exit_code) { app.add_subcommand("mcp", "Run the registry as an MCP stdio server"); }
}  // namespace mcpreg::cli
