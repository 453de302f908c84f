// `mcpreg webhooks status [--db PATH|URI] [--config FILE]`
//   one line per webhook configured in FILE (config `webhooks:`), from the delivery state in the
//   database (federation/webhooks.h):
//     <url> delivered-through=<seq> pending=<n> attempts=<n> abandoned=<n> last-error=<text|->
//   Exit 0 (also with no webhooks configured: nothing is printed); 3 when the database cannot
//   be opened; 2 on usage errors (an invalid config).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/registry.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "config/config.h"
#include "federation/webhooks.h"

namespace mcpreg::cli {
namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "mcpreg webhooks status: %s\n", s.message().c_str());
  return ExitCodeFor(s.code());
}

int RunStatus(const std::string& db, const std::string& config_file) {
  config::Config cfg;
  if (!config_file.empty()) {
    auto c = config::LoadConfig(config_file);
    if (!c.ok()) return Fail(c.status());
    cfg = std::move(*c);
  }
  auto targets = federation::WebhookTargetsFrom(cfg.webhooks);
  if (!targets.ok()) return Fail(targets.status());
  auto options = app::RegistryOptionsFrom(cfg, db);
  if (!options.ok()) return Fail(options.status());
  options->migrate = app::MigratePolicy::kMustExist;
  auto reg = app::OpenRegistry(std::move(*options));
  if (!reg.ok()) return Fail(reg.status());
  auto lines = federation::WebhookStatusLines(*reg->store, *targets);
  if (!lines.ok()) return Fail(lines.status());
  for (const auto& l : *lines) std::printf("%s\n", l.c_str());
  return 0;
}

}  // namespace

void RegisterWebhooks(CLI::App& app, int* exit_code) {
  auto* webhooks = app.add_subcommand("webhooks", "Change-feed webhooks");
  webhooks->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>();
  auto* status = webhooks->add_subcommand(
      "status", "Delivery state of every configured webhook: cursor, pending, last error");
  AddDbOption(status, *db);
  status->add_option("--config", *config, "Server config (its webhooks: section)")
      ->check(CLI::ExistingFile);
  status->callback([db, config, exit_code] { *exit_code = RunStatus(*db, *config); });
}

}  // namespace mcpreg::cli
