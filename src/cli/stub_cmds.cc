// Temporary registrations for subcommands not yet built; each file replaces its stub.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace mcpreg::cli {
}  // namespace mcpreg::cli
