// `mcpreg status NAME [--version V] (--deprecate|--delete|--restore) [--message M]
// [--registry URL]`: changes the status of one version of a server, or of all its versions when
// --version is absent, with the token `mcpreg login oidc` stored. Prints one line per version the
// registry reports back: "NAME VERSION: STATUS".
// Exit codes through ExitCodeFor: 0 ok, 1 refused (or not logged in), 2 usage, 3 environment.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "client/registry_api.h"
#include "client/token_file.h"

namespace mcpreg::cli {
namespace {

struct StatusOptions {
  std::string name;
  std::string version;
  bool deprecate = false;
  bool remove = false;
  bool restore = false;
  std::optional<std::string> message;
  std::string registry;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "mcpreg status: %s\n", st.message().c_str());
  return ExitCodeFor(st.code());
}

int RunStatus(const StatusOptions& opts) {
  auto change = client::MakeStatusChange(opts.deprecate, opts.remove, opts.restore, opts.message);
  if (!change.ok()) return Fail(change.status());
  auto login = client::LoadLogin(opts.registry, client::ProcessEnv(), std::time(nullptr));
  if (!login.ok()) return Fail(login.status());
  auto result = client::UpdateStatus(login->registry, login->registry_token, opts.name,
                                     opts.version, *change);
  if (!result.ok()) return Fail(result.status());
  if (opts.version.empty()) {
    std::printf("%s: %d version(s) updated\n", opts.name.c_str(), result->updated_count);
  }
  for (const auto& v : result->versions) {
    std::printf("%s %s: %s\n", opts.name.c_str(), v.version.c_str(),
                v.status.empty() ? change->status.c_str() : v.status.c_str());
  }
  return 0;
}

}  // namespace

void RegisterStatus(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "Deprecate, delete or restore a server version (or all its versions)");
  cmd->add_option("NAME", opts->name, "Server name, e.g. io.github.acme/weather")->required();
  cmd->add_option("--version", opts->version, "Only this version (default: every version)");
  cmd->add_flag("--deprecate", opts->deprecate, "Mark as deprecated");
  cmd->add_flag("--delete", opts->remove, "Mark as deleted (hidden from listings)");
  cmd->add_flag("--restore", opts->restore, "Mark as active again");
  auto* message = cmd->add_option("--message", "Status message (with --deprecate/--delete)");
  cmd->add_option("--registry", opts->registry,
                  "Registry base URL (default: the one logged in to, or $MCPREG_REGISTRY)");
  cmd->callback([opts, message, exit_code] {
    if (message->count() > 0) opts->message = message->as<std::string>();
    *exit_code = RunStatus(*opts);
  });
}

}  // namespace mcpreg::cli
