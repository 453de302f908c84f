// `mcpreg import [--db PATH|URI] [--max-pages N] [--max-items N] [--allow-private-addresses]
//                [--jwks FILE|URL] FILE|URL`
// A FILE that is a DSSE envelope (a signed snapshot, federation/snapshot.h) is verified with
// --jwks before anything is imported: without --jwks that is a usage error (exit 2), and a
// snapshot that does not verify imports nothing (exit 1). --jwks with a source that is not a
// signed snapshot file is a usage error too.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/app.h"
#include "service/auth_service.h"
#include "app/import_source.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "cli/snapshot_check.h"
#include "federation/jwks_source.h"
#include "federation/snapshot.h"

namespace mcpreg::cli {
namespace {

void Bar(size_t done, size_t total) {
  const int width = 40;
  int filled = total ? static_cast<int>(width * done / total) : width;
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################",
               width - filled, "", done, total);
  if (done == total) std::fputc('\n', stderr);
}

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// A signed snapshot FILE, verified with `jwks`: its entries in *items. Returns -1 when `source`
// is not a signed snapshot file (and --jwks was not given), else an exit code (0 = verified).
int SignedSnapshotItems(const std::string& source, const std::string& jwks,
                        std::vector<app::ImportItem>* items) {
  if (IsUrl(source)) {
    if (jwks.empty()) return -1;
    std::fprintf(stderr, "mcpreg import: --jwks checks a signed snapshot file; download %s first\n",
                 source.c_str());
    return 2;
  }
  auto text = federation::ReadCappedFile(source, federation::kMaxSnapshotBytes, "import file");
  bool envelope = text.ok() && federation::LooksLikeEnvelope(*text);
  if (!envelope) {
    if (jwks.empty()) return -1;  // an ordinary import file: the usual path reports problems
    std::fprintf(stderr, "mcpreg import: --jwks given but %s is not a signed snapshot\n",
                 source.c_str());
    return 2;
  }
  if (jwks.empty()) {
    std::fprintf(stderr,
                 "mcpreg import: %s is a signed snapshot: pass --jwks FILE|URL to verify it "
                 "before importing\n",
                 source.c_str());
    return 2;
  }
  federation::VerifiedSnapshot verified;
  if (int rc = CheckSnapshot("import", *text, jwks, &verified); rc != 0) return rc;
  std::fprintf(stderr, "%s\n", VerifiedLine(verified).c_str());
  auto parsed = app::ParseImportDocument(verified.payload);
  if (!parsed.ok()) {
    std::fprintf(stderr, "mcpreg import: snapshot refused: %s\n", parsed.status().message().c_str());
    return 1;
  }
  *items = std::move(*parsed);
  return 0;
}

}  // namespace

void RegisterImport(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("import", "Import server.json documents from a file or registry URL");
  auto db = std::make_shared<std::string>();
  auto source = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  AddDbOption(cmd, *db);
  cmd->add_option("source", *source, "JSON file (array of server.json) or registry base URL")->required();
  cmd->add_flag("-q,--quiet", *quiet, "Print only the summary line");
  auto limits = std::make_shared<app::ImportLimits>();
  auto allow_private = std::make_shared<bool>(false);
  cmd->add_option("--max-pages", limits->max_pages, "Stop paging a registry after this many pages")
      ->capture_default_str()
      ->check(CLI::Range(size_t(1), size_t(1000000)));
  cmd->add_option("--max-items", limits->max_items, "Stop when the source offers more entries")
      ->capture_default_str()
      ->check(CLI::Range(size_t(1), size_t(100000000)));
  cmd->add_flag("--allow-private-addresses", *allow_private,
                "Allow a URL source on a loopback, private or link-local address");
  auto jwks = std::make_shared<std::string>();
  cmd->add_option("--jwks", *jwks,
                  "Verify a signed snapshot FILE with this JWKS (file or https:// URL) first");
  cmd->callback([db, source, quiet, limits, allow_private, jwks, exit_code] {
    // A signed snapshot is checked before the database is even opened.
    std::vector<app::ImportItem> signed_items;
    int signed_rc = SignedSnapshotItems(*source, *jwks, &signed_items);
    if (signed_rc > 0) {
      *exit_code = signed_rc;
      return;
    }
    auto reg = app::OpenRegistryAt(*db, app::MigratePolicy::kApplyIfNew);
    if (!reg.ok()) {
      std::fprintf(stderr, "mcpreg import: %s\n", reg.status().message().c_str());
      *exit_code = ExitCodeFor(reg.status().code());
      return;
    }
    bool tty = isatty(2) && !*quiet;
    if (*allow_private) limits->guard = http::SsrfGuard(true);
    Result<std::vector<app::ImportItem>> items = std::move(signed_items);
    if (signed_rc != 0) {
      items = app::LoadImportSource(
          *source,
          [tty](size_t n) {
            if (tty) std::fprintf(stderr, "\rfetched %zu entries", n);
          },
          *limits);
    }
    if (tty && source->rfind("http", 0) == 0) std::fputc('\n', stderr);
    if (!items.ok()) {
      std::string hint = items.status().IsPermissionDenied()
                             ? " (pass --allow-private-addresses to import from it)"
                             : "";
      std::fprintf(stderr, "mcpreg import: %s%s\n", items.status().message().c_str(), hint.c_str());
      *exit_code = ExitCodeFor(items.status().code());
      return;
    }
    std::vector<std::string> docs;
    std::vector<service::PublishOptions> opts;
    for (auto& it : *items) {
      docs.push_back(std::move(it.document));
      opts.push_back(std::move(it.options));
    }
    size_t last_pct = 101;
    auto sum = reg->service->Import(service::LocalOperator(), docs, opts, [&](size_t done, size_t total) {
      size_t pct = total ? done * 100 / total : 100;
      if (tty && (pct != last_pct || done == total)) { Bar(done, total); last_pct = pct; }
    });
    if (!*quiet)
      for (const auto& p : sum.problems) std::fprintf(stderr, "skipped %s\n", p.c_str());
    std::printf("imported %zu, unchanged %zu, invalid %zu, failed %zu (of %zu) into %s\n",
                sum.imported, sum.unchanged, sum.invalid, sum.failed, sum.total,
                RedactLocation(reg->options.location).c_str());
    *exit_code = (sum.invalid || sum.failed) ? 1 : 0;
  });
}

}  // namespace mcpreg::cli
