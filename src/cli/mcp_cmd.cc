// `mcpreg mcp [--db PATH|URI | --registry URL]`: the registry as an MCP server over stdio
// (newline-delimited JSON-RPC on stdin/stdout; logs on stderr only). With --db (or $MCPREG_DB,
// or the default database) it reads the database, catching up with writes of a running
// `mcpreg serve` (app/refresher.h); with --registry it answers from a registry's public REST
// API. Exit 0 on end of input.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <optional>

#include "api/mcp/change_relay.h"
#include "api/mcp/registry_tools.h"
#include "app/refresher.h"
#include "app/registry.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "core/log.h"
#include "federation/changes.h"
#include "mcp/stdio_transport.h"
#include "policy/policy.h"
#include "service/governance_service.h"

namespace mcpreg::cli {
namespace {

struct Options {
  std::string db;
  std::string registry;
  std::string policy;  // "" = open mode, "default" = built-in, else a policy file
};

// `registry`: the local database, whose change feed becomes resource change notifications
// (api/mcp/change_relay.h); null for --registry URL (no notifications).
int ServeStdio(std::shared_ptr<mcpapi::RegistryReader> reader, const policy::Policy* policy,
               app::Registry* registry = nullptr) {
  mcp::McpServer server(mcpapi::RegistryServerOptions());
  mcpapi::AddRegistryTools(server, std::move(reader), policy);
  std::unique_ptr<federation::ChangeFeed> feed;
  std::unique_ptr<mcpapi::McpChangeRelay> relay;
  if (registry) {
    feed = std::make_unique<federation::ChangeFeed>(
        *registry->store, policy ? federation::ListedInCatalog(*registry->catalog) : nullptr);
    auto started = mcpapi::McpChangeRelay::Start(*feed, *registry->store, *registry->catalog,
                                                 server.events());
    if (started.ok()) {
      relay = std::move(*started);
    } else {
      log::Warn("mcpreg mcp: resource change notifications off: " + started.status().message());
    }
  }
  Status st = mcp::RunStdio(server, STDIN_FILENO, STDOUT_FILENO);
  if (relay) relay->Stop();
  server.events().CloseAll();
  if (feed) feed->Stop();
  if (!st.ok()) {
    log::Error("mcpreg mcp: " + st.message());
    return ExitCodeFor(st.code());
  }
  return 0;
}

int Run(const Options& o) {
  log::SetLevel(log::Level::kWarn);  // stderr stays quiet unless something is wrong
  std::optional<policy::Policy> pol;
  if (!o.policy.empty()) {
    auto loaded = o.policy == "default" ? policy::Policy::Default() : policy::Policy::LoadFile(o.policy);
    if (!loaded.ok()) {
      log::Error("mcpreg mcp: --policy: " + loaded.status().message());
      return ExitCodeFor(loaded.status().code());
    }
    pol = std::move(*loaded);
  }
  if (!o.registry.empty()) {
    if (o.registry.rfind("http://", 0) != 0 && o.registry.rfind("https://", 0) != 0) {
      log::Error("mcpreg mcp: --registry must be an http(s) URL, got \"" + o.registry + "\"");
      return ExitCodeFor(Code::kInvalidArgument);
    }
    return ServeStdio(mcpapi::RemoteReader(o.registry), pol ? &*pol : nullptr);
  }
  auto options = app::RegistryOptionsFrom(config::Config(), o.db);
  if (!options.ok()) {
    log::Error("mcpreg mcp: " + options.status().message());
    return ExitCodeFor(options.status().code());
  }
  options->migrate = app::MigratePolicy::kMustExist;
  // Governed mode: the same listing rule as the server (unapproved versions stay withheld).
  options->policy = std::move(pol);
  auto reg = app::OpenRegistry(std::move(*options));
  if (!reg.ok()) {
    std::string hint = reg.status().IsNotFound()
                           ? " (create one with `mcpreg serve` or `mcpreg import`, or use "
                             "--registry URL)"
                           : "";
    log::Error("mcpreg mcp: " + reg.status().message() + hint);
    return ExitCodeFor(reg.status().code());
  }
  auto governance = app::StartGovernance(*reg);
  if (!governance.ok()) {
    log::Error("mcpreg mcp: " + governance.status().message());
    return ExitCodeFor(governance.status().code());
  }
  // Catch up with other processes' writes while serving.
  app::Refresher refresher(*reg->store, *reg->service, governance->get());
  int code = ServeStdio(mcpapi::LocalReader(*reg->service), reg->policy.get(), &*reg);
  refresher.Stop();
  return code;
}

}  // namespace

void RegisterMcp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("mcp", "Run the registry as an MCP server over stdio");
  auto opts = std::make_shared<Options>();
  auto* db = AddDbOption(cmd, opts->db);
  cmd->add_option("--registry", opts->registry,
                  "Answer from a remote registry's REST API at this base URL instead")
      ->excludes(db);
  cmd->add_option("--policy", opts->policy,
                  "Governed mode: a compliance policy file (or \"default\") whose gates "
                  "validate_server_json reports and, with --db, whose listing rule applies");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace mcpreg::cli
