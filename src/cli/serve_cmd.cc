// `mcpreg serve [--listen HOST:PORT] [--db PATH|URI] [--config FILE]`
#include <CLI/CLI.hpp>

#include "app/app.h"
#include "cli/commands.h"
#include "cli/db_option.h"

namespace mcpreg::cli {

void RegisterServe(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the registry HTTP server");
  auto opts = std::make_shared<app::ServeOptions>();
  auto no_demo = std::make_shared<bool>(false);
  cmd->add_option("--listen", opts->listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free port)");
  AddDbOption(cmd, opts->db);
  cmd->add_option("--config", opts->config_file, "Configuration file (YAML or JSON)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--threads", opts->threads, "I/O threads (0 = one per core)");
  cmd->add_flag("--no-demo", *no_demo, "Do not load the demo catalog into a new database");
  cmd->callback([opts, no_demo, exit_code] {
    opts->seed_demo = !*no_demo;
    *exit_code = app::Serve(*opts);
  });
}

}  // namespace mcpreg::cli
