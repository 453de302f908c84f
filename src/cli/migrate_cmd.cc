// `mcpreg migrate [--db PATH|URI] [--dry-run]`
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "app/registry.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "mcpreg/store.h"

namespace mcpreg::cli {

void RegisterMigrate(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending database migrations");
  auto db = std::make_shared<std::string>();
  auto dry = std::make_shared<bool>(false);
  AddDbOption(cmd, *db);
  cmd->add_flag("--dry-run", *dry, "Only list what would be applied");
  cmd->callback([db, dry, exit_code] {
    auto fail = [exit_code](const Status& s) {
      std::fprintf(stderr, "mcpreg migrate: %s\n", s.message().c_str());
      *exit_code = ExitCodeFor(s.code());
    };
    auto options = app::RegistryOptionsFrom(config::Config(), *db);
    if (!options.ok()) return fail(options.status());
    auto store = app::OpenDatabase(*options);
    if (!store.ok()) return fail(store.status());
    auto before = (*store)->Migrate(true);
    auto after = *dry ? before : (*store)->Migrate(false);
    if (!after.ok()) return fail(after.status());
    size_t changed = 0;
    for (size_t i = 0; i < after->size(); ++i) {
      const auto& m = (*after)[i];
      bool was = before.ok() && i < before->size() && (*before)[i].applied;
      const char* state = m.applied ? (was ? "applied" : "applied now") : "pending";
      if (m.applied && !was) ++changed;
      std::printf("%04d %-32s %s\n", m.version, m.name.c_str(), *dry && !m.applied ? "would apply" : state);
    }
    size_t pending = static_cast<size_t>(
        std::count_if(after->begin(), after->end(), [](auto& m) { return !m.applied; }));
    std::printf("%s: %zu migration(s) %s\n", RedactLocation(options->location).c_str(),
                *dry ? pending : changed, *dry ? "pending" : "applied");
    *exit_code = 0;
  });
}

}  // namespace mcpreg::cli
