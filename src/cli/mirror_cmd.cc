// `mcpreg mirror [--config FILE] [--db PATH|URI] [--upstream NAME] [--once]`
//   syncs the config's `upstreams:` into the database (federation/mirror.h). With --once every
//   selected upstream is synced one time; without it the command keeps syncing each upstream on
//   its interval_seconds until interrupted. After every sync a summary line goes to standard
//   output: "mirror: official: 12 applied, 0 removed, 1 skipped, 340 mirrored (3 requests)",
//   plus "skipped <name> <version>: <reason>" lines on standard error. On a terminal a progress
//   line counts the versions read.
// Exit codes (--once): 0 every upstream synced; 1 an upstream failed (its line says FAILED and
// why; the others still synced); 2 usage errors (no config, no upstreams, unknown --upstream).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "app/registry.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "config/config.h"
#include "federation/mirror.h"

namespace mcpreg::cli {
namespace {

struct MirrorArgs {
  std::string db, config, upstream;
  bool once = false;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "mcpreg mirror: %s\n", s.message().c_str());
  return ExitCodeFor(s.code());
}

int Usage(const std::string& problem) {
  std::fprintf(stderr, "mcpreg mirror: %s\n", problem.c_str());
  return 2;
}

int Run(const MirrorArgs& a) {
  if (a.config.empty()) return Usage("--config FILE is required (it lists the upstreams)");
  auto cfg = config::LoadConfig(a.config);
  if (!cfg.ok()) return Usage(cfg.status().message());
  std::vector<const config::UpstreamConfig*> selected;
  for (const auto& u : cfg->upstreams)
    if (a.upstream.empty() || u.name == a.upstream) selected.push_back(&u);
  if (cfg->upstreams.empty()) return Usage(a.config + " has no upstreams");
  if (selected.empty()) return Usage("no upstream named \"" + a.upstream + "\" in " + a.config);
  auto options = app::RegistryOptionsFrom(*cfg, a.db);
  if (!options.ok()) return Fail(options.status());
  options->seed_demo = false;
  auto store = app::OpenDatabase(*options);
  if (!store.ok()) return Fail(store.status());
  {
    auto migrations = (*store)->Migrate(/*dry_run=*/true);
    if (!migrations.ok()) return Fail(migrations.status());
    bool fresh = true, pending = false;
    for (const auto& m : *migrations) {
      fresh = fresh && !m.applied;
      pending = pending || !m.applied;
    }
    if (fresh) {
      auto applied = (*store)->Migrate(false);
      if (!applied.ok()) return Fail(applied.status());
    } else if (pending) {
      return Fail(Status::FailedPrecondition(
          "the database needs migrations: run `mcpreg migrate` first"));
    }
  }
  federation::Mirror mirror(**store, /*catalog=*/nullptr, SystemClock::Instance(),
                            federation::MirrorOptionsFrom(cfg->outbound));
  const bool tty = isatty(2);
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> due(selected.size(), Clock::now());
  for (;;) {
    bool failed = false;
    for (size_t i = 0; i < selected.size(); ++i) {
      if (Clock::now() < due[i]) continue;
      const auto& u = *selected[i];
      auto report = mirror.Sync(u, [&](size_t seen) {
        if (tty) std::fprintf(stderr, "\r%s: %zu versions read", u.name.c_str(), seen);
      });
      if (tty) std::fprintf(stderr, "\r\033[K");
      for (const auto& s : report.skipped_entries) std::fprintf(stderr, "skipped %s\n", s.c_str());
      if (report.skipped > report.skipped_entries.size())
        std::fprintf(stderr, "skipped %zu more\n", report.skipped - report.skipped_entries.size());
      std::printf("mirror: %s (%zu requests%s)\n", report.Summary().c_str(), report.requests,
                  report.full ? ", full" : "");
      std::fflush(stdout);
      failed = failed || !report.status.ok();
      due[i] = Clock::now() + std::chrono::seconds(u.interval_seconds);
    }
    if (a.once) return failed ? 1 : 0;
    auto next = *std::min_element(due.begin(), due.end());
    std::this_thread::sleep_until(next);
  }
}

}  // namespace

void RegisterMirror(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("mirror", "Sync the config's upstream registries into the database");
  auto a = std::make_shared<MirrorArgs>();
  AddDbOption(cmd, a->db);
  cmd->add_option("--config", a->config, "Config file whose upstreams: are synced");
  cmd->add_option("--upstream", a->upstream, "Sync only the upstream with this name");
  cmd->add_flag("--once", a->once, "Sync each upstream once and exit (else repeat on intervals)");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace mcpreg::cli
