#include "cli/db_option.h"

#include <CLI/CLI.hpp>

#include "config/config.h"

namespace mcpreg::cli {

CLI::Option* AddDbOption(CLI::App* cmd, std::string& db) {
  return cmd->add_option("--db", db,
                         "SQLite file or PostgreSQL URI (default " +
                             std::string(config::kDefaultDbLocation) + "; env " +
                             config::kDbEnvVar + ")");
}

}  // namespace mcpreg::cli
