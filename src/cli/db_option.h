// The `--db` option every database command shares: a SQLite file or a PostgreSQL URI. When it
// is not given, $MCPREG_DB, then the config's `db:` (commands that take --config), then
// config::kDefaultDbLocation decide (app/registry.h, ResolveDbLocation). The value may hold a
// password: show it only through RedactLocation.
#pragma once

#include <string>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace mcpreg::cli {

// Adds `--db` bound to `db` (left empty when the flag is absent) with the shared help text.
CLI::Option* AddDbOption(CLI::App* cmd, std::string& db);

}  // namespace mcpreg::cli
