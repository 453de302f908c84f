#include "app/registry.h"

#include <cstdlib>
#include <filesystem>

#include "app/import_source.h"
#include "auth/registry_token.h"
#include "core/assets.h"
#include "core/log.h"
#include "feed/artifact_store.h"
#include "feed/store_blob_store.h"
#include "mcpreg/clock.h"
#include "service/auth_service.h"

namespace mcpreg::app {
namespace {

// The setting under which a shared database keeps the registry signing key (64 hex).
constexpr std::string_view kRegistryKeySetting = "registry_key";

// The directory of a SQLite database file ("." for a bare file name): its key file and feed
// directory live there unless configured.
std::string DbDir(const std::string& location) {
  std::string dir = std::filesystem::path(location).parent_path().string();
  return dir.empty() ? "." : dir;
}

void SeedDemo(service::RegistryService& service) {
  auto items = ParseImportDocument(assets::DemoCatalog());
  if (!items.ok()) return;
  std::vector<std::string> docs;
  std::vector<service::PublishOptions> opts;
  for (auto& it : *items) {
    docs.push_back(std::move(it.document));
    opts.push_back(std::move(it.options));
  }
  auto sum = service.Import(service::LocalOperator(), docs, opts);
  log::Info("seeded demo catalog: " + std::to_string(sum.imported) + " versions");
}

}  // namespace

std::string ResolveDbLocation(std::string_view db_flag, const char* env_db,
                              const config::Config& cfg) {
  if (!db_flag.empty()) return std::string(db_flag);
  if (env_db != nullptr && *env_db != '\0') return env_db;
  if (!cfg.db.path.empty()) return cfg.db.path;
  return std::string(config::kDefaultDbLocation);
}

Result<RegistryOptions> RegistryOptionsFrom(const config::Config& cfg, std::string_view db_flag) {
  RegistryOptions o;
  o.location = ResolveDbLocation(db_flag, std::getenv(config::kDbEnvVar), cfg);
  o.postgres = cfg.db.postgres;
  o.feed_dir = cfg.feed.dir;
  o.registry_key_file = cfg.auth.registry_key_file;
  for (const auto& i : cfg.auth.issuers) o.trusted_issuers.push_back(i.issuer);
  o.quotas = cfg.quotas;
  if (!cfg.policy.empty()) {
    auto p = policy::Policy::FromJson(cfg.policy);
    if (!p.ok()) return Status(p.status().code(), cfg.source + ": " + p.status().message());
    o.policy = std::move(*p);
  }
  return o;
}

Result<std::unique_ptr<Store>> OpenDatabase(const RegistryOptions& options) {
  return OpenStore(options.location, options.postgres);
}

Result<Registry> OpenRegistry(RegistryOptions options) {
  const std::string shown = RedactLocation(options.location);
  // Checked before opening: opening a SQLite file creates it.
  if (options.migrate == MigratePolicy::kMustExist && !IsPostgresLocation(options.location) &&
      !std::filesystem::exists(options.location))
    return Status::NotFound("no database at " + shown);
  auto store = OpenDatabase(options);
  if (!store.ok()) return store.status();
  auto plan = (*store)->Migrate(/*dry_run=*/true);
  if (!plan.ok()) return plan.status();
  size_t applied = 0, pending = 0;
  for (const auto& m : *plan) (m.applied ? applied : pending)++;
  // Backend-neutral: a database no migration was ever applied to is brand-new.
  const bool fresh = applied == 0;
  if (fresh && options.migrate == MigratePolicy::kMustExist)
    return Status::NotFound("no database at " + shown);
  if (pending > 0) {
    if (options.migrate != MigratePolicy::kApplyIfNew || !fresh)
      return Status::FailedPrecondition(std::to_string(pending) +
                                        " database migration(s) pending on " + shown +
                                        ": run `mcpreg migrate --db " + shown + "`");
    auto done = (*store)->Migrate(/*dry_run=*/false);
    if (!done.ok()) return done.status();
  }
  Registry r;
  r.created = fresh;
  r.store = std::move(*store);
  r.catalog = std::make_unique<catalog::Catalog>();
  r.service = std::make_unique<service::RegistryService>(*r.store, *r.catalog,
                                                         SystemClock::Instance());
  MCPREG_RETURN_IF_ERROR(r.service->Refresh());
  if (r.created && options.seed_demo) SeedDemo(*r.service);
  if (options.policy) {
    r.policy = std::make_unique<policy::Policy>(std::move(*options.policy));
    options.policy.reset();
    r.service->SetPolicy(r.policy.get());
  }
  r.options = std::move(options);
  return r;
}

Result<Registry> OpenRegistryAt(std::string_view db_flag, MigratePolicy migrate) {
  auto options = RegistryOptionsFrom(config::Config(), db_flag);
  if (!options.ok()) return options.status();
  options->migrate = migrate;
  return OpenRegistry(std::move(*options));
}

Result<auth::Key> LoadRegistryKey(Registry& reg) {
  const RegistryOptions& o = reg.options;
  if (!o.registry_key_file.empty()) return auth::LoadOrCreateRegistryKey(o.registry_key_file);
  if (!IsPostgresLocation(o.location))
    return auth::LoadOrCreateRegistryKey(DbDir(o.location) + "/registry.key");
  return LoadSharedRegistryKey(*reg.store);
}

Result<auth::Key> LoadSharedRegistryKey(Store& store) {
  // Every replica must sign and verify with the same key: the first to start stores its fresh
  // seed, the others (and later starts) get that one back.
  auto fresh = auth::NewRegistryKeyHex();
  if (!fresh.ok()) return fresh.status();
  auto stored = store.GetOrPutSetting(kRegistryKeySetting, *fresh);
  if (!stored.ok()) return stored.status();
  return auth::RegistryKeyFromHex(*stored, "the registry key stored in the database");
}

Result<std::unique_ptr<feed::BlobStore>> OpenFeedBlobs(Registry& reg) {
  if (reg.store->HoldsBlobs())
    return std::unique_ptr<feed::BlobStore>(new feed::StoreBlobStore(*reg.store));
  const RegistryOptions& o = reg.options;
  auto disk = feed::ArtifactStore::Open(o.feed_dir.empty() ? DbDir(o.location) + "/feed"
                                                           : o.feed_dir);
  if (!disk.ok()) return disk.status();
  return std::unique_ptr<feed::BlobStore>(new feed::ArtifactStore(std::move(*disk)));
}

Result<std::unique_ptr<service::GovernanceService>> StartGovernance(Registry& reg) {
  auto gov = std::make_unique<service::GovernanceService>(
      *reg.store, *reg.service, SystemClock::Instance(), reg.options.trusted_issuers);
  gov->SetQuotas(reg.options.quotas);
  MCPREG_RETURN_IF_ERROR(gov->Start());
  return gov;
}

}  // namespace mcpreg::app
