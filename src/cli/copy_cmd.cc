// `mcpreg copy --from SRC --to DST [--force] [--from-feed-dir DIR] [--to-feed-dir DIR]`: copies
// a whole registry between any two databases (app/copy.h has the steps and the contract).
// Progress on a terminal: one updating line per phase on stderr. At the end one summary line on
// stdout, e.g. "copied: 123 versions, 4 grants, 2 requests, 7 evidence, 40 audit entries,
// 3 artifacts". Locations are shown redacted (no password), errors included.
//
// Errors: one line "mcpreg copy: <problem>" on stderr, exit code ExitCodeFor(code) (1 refused,
// e.g. a destination that is not empty without --force; 2 usage; 3 environment).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "app/copy.h"
#include "cli/commands.h"
#include "mcpreg/store.h"

namespace mcpreg::cli {
namespace {

// The text of a progress report; "" when there is nothing to show (no package files).
std::string ProgressText(const app::CopyOptions& o, const app::CopyProgress& p) {
  auto of = [&p] { return std::to_string(p.done) + "/" + std::to_string(p.total); };
  switch (p.phase) {
    case app::CopyPhase::kExport:
      return "reading " + RedactLocation(o.from) +
             (p.finished ? ": " + std::to_string(p.total) + " rows" : "");
    case app::CopyPhase::kCheckFiles:
      return p.total == 0 ? "" : "checking package files " + of();
    case app::CopyPhase::kRestore:
      return "writing " + RedactLocation(o.to) + ": " + std::to_string(p.total) + " rows" +
             (p.finished ? ", done" : "");
    case app::CopyPhase::kCopyFiles:
      return p.total == 0 ? "" : "copying package files " + of();
  }
  return "";
}

}  // namespace

void RegisterCopy(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "copy", "Copy a whole registry (versions, governance, audit log, package files) to another "
              "database");
  auto o = std::make_shared<app::CopyOptions>();
  cmd->add_option("--from", o->from, "Source: SQLite file or postgresql:// URI")->required();
  cmd->add_option("--to", o->to, "Destination: SQLite file or postgresql:// URI")->required();
  cmd->add_flag("--force", o->force, "Replace the registry data of a destination that has some");
  cmd->add_option("--from-feed-dir", o->from_feed_dir,
                  "Package files of a SQLite source (default: feed/ next to the file)");
  cmd->add_option("--to-feed-dir", o->to_feed_dir,
                  "Package files of a SQLite destination (default: feed/ next to the file)");
  cmd->callback([o, exit_code] {
    bool tty = isatty(2) != 0;
    auto progress = [&o, tty](const app::CopyProgress& p) {
      if (!tty) return;
      std::string text = ProgressText(*o, p);
      if (text.empty()) return;
      std::fprintf(stderr, "\r%s\033[K%s", text.c_str(), p.finished ? "\n" : "");
      std::fflush(stderr);
    };
    auto counts = app::CopyRegistry(*o, progress);
    if (!counts.ok()) {
      // Start a fresh line when a progress line was left open.
      std::fprintf(stderr, "%smcpreg copy: %s\n", tty ? "\r\033[K" : "",
                   counts.status().message().c_str());
      *exit_code = ExitCodeFor(counts.status().code());
      return;
    }
    std::printf("%s\n", app::CopySummary(*counts).c_str());
    *exit_code = 0;
  });
}

}  // namespace mcpreg::cli
