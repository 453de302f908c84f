// `mcpreg mcp [--db PATH | --registry URL]`: the registry as an MCP server over stdio
// (newline-delimited JSON-RPC on stdin/stdout; logs on stderr only). With --db it reads the
// local database (catching up with writes of a running `mcpreg serve` every 2 s); with
// --registry it answers from a registry's public REST API. Exit 0 on end of input.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "api/mcp/registry_tools.h"
#include "app/app.h"
#include "cli/commands.h"
#include "core/log.h"
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

int ServeStdio(std::shared_ptr<mcpapi::RegistryReader> reader, const policy::Policy* policy) {
  mcp::McpServer server(mcpapi::RegistryServerOptions());
  mcpapi::AddRegistryTools(server, std::move(reader), policy);
  Status st = mcp::RunStdio(server, STDIN_FILENO, STDOUT_FILENO);
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
  std::string db = o.db.empty() ? "./var/registry.db" : o.db;
  if (!std::filesystem::exists(db)) {
    log::Error("mcpreg mcp: no database at " + db +
               " (create one with `mcpreg serve` or `mcpreg import`, or use --registry URL)");
    return ExitCodeFor(Code::kNotFound);
  }
  auto reg = app::OpenRegistry(db, app::MigratePolicy::kRequireCurrent, nullptr);
  if (!reg.ok()) {
    log::Error("mcpreg mcp: " + reg.status().message());
    return ExitCodeFor(reg.status().code());
  }
  // Governed mode: the same listing rule as the server (unapproved versions stay withheld).
  if (pol) reg->service->SetPolicy(&*pol);
  service::GovernanceService governance(*reg->store, *reg->service, SystemClock::Instance(), {});
  if (Status gs = governance.Start(); !gs.ok()) {
    log::Error("mcpreg mcp: " + gs.message());
    return ExitCodeFor(gs.code());
  }
  // Catch up with other processes' writes while serving.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread refresher([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(2), [&] { return done; })) {
      lock.unlock();
      Status st = reg->service->Refresh();
      if (st.ok()) st = governance.Refresh();
      if (!st.ok()) log::Warn("mcpreg mcp: refresh: " + st.message());
      lock.lock();
    }
  });
  int code = ServeStdio(mcpapi::LocalReader(*reg->service), pol ? &*pol : nullptr);
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  refresher.join();
  return code;
}

}  // namespace

void RegisterMcp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("mcp", "Run the registry as an MCP server over stdio");
  auto opts = std::make_shared<Options>();
  auto* db = cmd->add_option("--db", opts->db, "SQLite database file (default ./var/registry.db)");
  cmd->add_option("--registry", opts->registry,
                  "Answer from a remote registry's REST API at this base URL instead")
      ->excludes(db);
  cmd->add_option("--policy", opts->policy,
                  "Governed mode: a compliance policy file (or \"default\") whose gates "
                  "validate_server_json reports and, with --db, whose listing rule applies");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace mcpreg::cli
