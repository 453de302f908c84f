// `mcpreg migrate [--db PATH] [--dry-run]`
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "mcpreg/store.h"

namespace mcpreg::cli {

void RegisterMigrate(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending database migrations");
  auto db = std::make_shared<std::string>("./var/registry.db");
  auto dry = std::make_shared<bool>(false);
  cmd->add_option("--db", *db, "SQLite database file")->capture_default_str();
  cmd->add_flag("--dry-run", *dry, "Only list what would be applied");
  cmd->callback([db, dry, exit_code] {
    auto store = OpenSqliteStore(*db);
    if (!store.ok()) {
      std::fprintf(stderr, "mcpreg migrate: %s\n", store.status().message().c_str());
      *exit_code = ExitCodeFor(store.status().code());
      return;
    }
    auto before = (*store)->Migrate(true);
    auto after = *dry ? before : (*store)->Migrate(false);
    if (!after.ok()) {
      std::fprintf(stderr, "mcpreg migrate: %s\n", after.status().message().c_str());
      *exit_code = ExitCodeFor(after.status().code());
      return;
    }
    size_t changed = 0;
    for (size_t i = 0; i < after->size(); ++i) {
      const auto& m = (*after)[i];
      bool was = before.ok() && i < before->size() && (*before)[i].applied;
      const char* state = m.applied ? (was ? "applied" : "applied now") : (*dry ? "pending" : "pending");
      if (m.applied && !was) ++changed;
      std::printf("%04d %-32s %s\n", m.version, m.name.c_str(), *dry && !m.applied ? "would apply" : state);
    }
    std::printf("%s: %zu migration(s) %s\n", db->c_str(),
                *dry ? static_cast<size_t>(std::count_if(after->begin(), after->end(), [](auto& m) { return !m.applied; })) : changed,
                *dry ? "pending" : "applied");
    *exit_code = 0;
  });
}

}  // namespace mcpreg::cli
