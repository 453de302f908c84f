// `mcpreg snapshot export [--db PATH|URI] [--config FILE] [--out FILE]`
//   writes the signed snapshot of the public catalog (federation/snapshot.h) from the database,
//   signed with the registry key `mcpreg serve` would use (app::LoadRegistryKey), with the
//   config's policy (governed mode: withheld versions are left out) and
//   federation.snapshot_ttl_seconds. Without --out the envelope goes to standard output.
// `mcpreg snapshot verify FILE|URL --jwks FILE|URL`
//   checks a snapshot: exit 0 and "verified: N servers, generation G, signed by KID, expires T";
//   exit 1 and the reason when it is tampered, expired, signed by another key or malformed;
//   exit 2 on usage errors (missing arguments, unreadable files).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/registry.h"
#include "auth/fetcher.h"
#include "cli/commands.h"
#include "cli/db_option.h"
#include "cli/file_output.h"
#include "cli/snapshot_check.h"
#include "config/config.h"
#include "federation/jwks_source.h"
#include "federation/snapshot.h"

namespace mcpreg::cli {
namespace {

int Fail(const char* cmd, const Status& s) {
  std::fprintf(stderr, "mcpreg %s: %s\n", cmd, s.message().c_str());
  return ExitCodeFor(s.code());
}

struct ExportArgs {
  std::string db, config, out;
};

int RunExport(const ExportArgs& a) {
  const char* cmd = "snapshot export";
  config::Config cfg;
  if (!a.config.empty()) {
    auto c = config::LoadConfig(a.config);
    if (!c.ok()) return Fail(cmd, c.status());
    cfg = std::move(*c);
  }
  auto options = app::RegistryOptionsFrom(cfg, a.db);
  if (!options.ok()) return Fail(cmd, options.status());
  options->migrate = app::MigratePolicy::kMustExist;
  auto reg = app::OpenRegistry(std::move(*options));
  if (!reg.ok()) return Fail(cmd, reg.status());
  // Installs the governed listing rule, so "public" means what public reads show.
  auto gov = app::StartGovernance(*reg);
  if (!gov.ok()) return Fail(cmd, gov.status());
  auto key = app::LoadRegistryKey(*reg);
  if (!key.ok()) return Fail(cmd, key.status());
  auto signer = federation::SnapshotSigner::FromRegistryKey(*key);
  if (!signer.ok()) return Fail(cmd, signer.status());
  federation::PublicSet set = federation::CollectPublic(*reg->catalog);
  auto envelope = federation::SignSnapshot(
      set, *signer, SystemClock::Instance().Now(),
      Micros(cfg.federation.snapshot_ttl_seconds) * 1000000);
  if (!envelope.ok()) return Fail(cmd, envelope.status());
  if (a.out.empty()) {
    std::fwrite(envelope->data(), 1, envelope->size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  Status st = WriteFileAtomically(a.out, *envelope);
  if (!st.ok()) return Fail(cmd, st);
  std::fprintf(stderr, "exported %zu server version(s), generation %lld, signed by %s, to %s\n",
               set.entries.size(), static_cast<long long>(set.generation),
               signer->kid().c_str(), a.out.c_str());
  return 0;
}

int RunVerify(const std::string& file, const std::string& jwks) {
  const char* cmd = "snapshot verify";
  Result<std::string> text = Status::Internal("");
  if (file.rfind("http://", 0) == 0 || file.rfind("https://", 0) == 0) {
    auto fetcher = auth::NewHttpFetcher();
    text = federation::FetchCapped(*fetcher, file, federation::kMaxSnapshotBytes, "snapshot");
  } else {
    text = federation::ReadCappedFile(file, federation::kMaxSnapshotBytes, "snapshot");
  }
  if (!text.ok()) return Fail(cmd, text.status());
  federation::VerifiedSnapshot verified;
  if (int rc = CheckSnapshot(cmd, *text, jwks, &verified); rc != 0) return rc;
  std::printf("%s\n", VerifiedLine(verified).c_str());
  return 0;
}

}  // namespace

void RegisterSnapshot(CLI::App& app, int* exit_code) {
  auto* snapshot = app.add_subcommand("snapshot", "Signed snapshots of the public catalog");
  snapshot->require_subcommand(1);

  auto ea = std::make_shared<ExportArgs>();
  auto* exp = snapshot->add_subcommand(
      "export", "Write the signed snapshot (DSSE envelope) of the public catalog");
  AddDbOption(exp, ea->db);
  exp->add_option("--config", ea->config,
                  "Server config (policy, registry key, federation.snapshot_ttl_seconds)")
      ->check(CLI::ExistingFile);
  exp->add_option("--out", ea->out, "Write the envelope to this file (default: stdout)");
  exp->callback([ea, exit_code] { *exit_code = RunExport(*ea); });

  auto file = std::make_shared<std::string>();
  auto jwks = std::make_shared<std::string>();
  auto* ver = snapshot->add_subcommand("verify", "Check a signed snapshot against a JWKS");
  ver->add_option("FILE", *file, "The snapshot: a file or an https:// URL")->required();
  ver->add_option("--jwks", *jwks, "The signer's JWKS: a file or an https:// URL")->required();
  ver->callback([file, jwks, exit_code] { *exit_code = RunVerify(*file, *jwks); });
}

}  // namespace mcpreg::cli
