// Opening the registry: the one place that turns "which database, which policy, which issuers"
// into a store, a catalog and the services over them. `serve`, `mcp` and every database-mode
// command (import, migrate, admin, audit, request, evidence, review, export) go through here,
// so the choice of backend — a SQLite file or a PostgreSQL URI — is made once.
//
// Where the database is, by precedence: the --db flag > $MCPREG_DB > the config's `db:` >
// config::kDefaultDbLocation. A location may hold a password (PostgreSQL): it is shown and
// logged only through RedactLocation, error messages included.
//
// Thread-safety: the functions are for start-up, one thread; the Registry's services are safe
// for concurrent use (see their headers).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/keys.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "feed/blob_store.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"
#include "policy/policy.h"
#include "service/governance_service.h"
#include "service/registry_service.h"

namespace mcpreg::app {

// What to do about schema migrations when opening. A database is brand-new when no migration
// has been applied to it (a SQLite file that did not exist, an empty PostgreSQL database).
enum class MigratePolicy {
  kRequireCurrent,  // pending migrations are FailedPrecondition, on a new database too
  kApplyIfNew,      // a brand-new database is migrated; an existing one must be current
  kMustExist,       // a brand-new database is NotFound (a SQLite file is not even created);
                    // an existing one must be current
};

struct RegistryOptions {
  std::string location = std::string(config::kDefaultDbLocation);  // SQLite path or URI
  PostgresOptions postgres;
  MigratePolicy migrate = MigratePolicy::kApplyIfNew;
  bool seed_demo = false;  // load the shipped demo catalog into a brand-new database
  // Package bytes of the feed, for a store that does not hold them (SQLite).
  // "" = <directory of the database file>/feed.
  std::string feed_dir;
  // The registry signing key. "" = PostgreSQL: the key shared through the database (created by
  // the first process to start); SQLite: <directory of the database file>/registry.key.
  std::string registry_key_file;
  std::optional<policy::Policy> policy;      // governed mode; nullopt = open mode
  std::vector<std::string> trusted_issuers;  // config auth.issuers[].issuer
  config::QuotaConfig quotas;
};

// The database location: `db_flag` when non-empty, else `env_db` when non-null and non-empty,
// else the config's `db:`, else config::kDefaultDbLocation.
std::string ResolveDbLocation(std::string_view db_flag, const char* env_db,
                              const config::Config& cfg);

// Options from a loaded config (a default-constructed Config when there is no file) and the
// --db flag ("" = not given); reads $MCPREG_DB. The config's `policy:` section is parsed here.
// Errors: those of policy::Policy::FromJson, the message prefixed with "<config file>: ".
Result<RegistryOptions> RegistryOptionsFrom(const config::Config& cfg, std::string_view db_flag);

// A store, the catalog over it, and the registry service, ready for use. Members are
// destroyed in reverse order: the service before what it points at.
struct Registry {
  RegistryOptions options;  // as opened (policy moved to `policy`)
  bool created = false;     // the database was brand-new and migrated by this open
  std::unique_ptr<Store> store;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<policy::Policy> policy;  // set on `service` when non-null
  std::unique_ptr<service::RegistryService> service;
};

// Opens the backend `options.location` names, without migrating (`mcpreg migrate`).
// Errors: those of OpenStore (Unavailable "database unavailable: ..." for PostgreSQL).
Result<std::unique_ptr<Store>> OpenDatabase(const RegistryOptions& options);

// Opens the database, checks or applies migrations per `options.migrate`, seeds the demo
// catalog into a brand-new database when asked, loads the catalog and installs the policy.
// Errors: NotFound ("no database at <location>", kMustExist), FailedPrecondition ("N database
// migration(s) pending on <location>: run `mcpreg migrate --db <location>`"), those of the
// store (Unavailable/Internal). Locations in messages are redacted.
Result<Registry> OpenRegistry(RegistryOptions options);

// OpenRegistry for a command without a config file: the database `db_flag` names ("" = not
// given: $MCPREG_DB, else the default), opened with `migrate`.
Result<Registry> OpenRegistryAt(std::string_view db_flag, MigratePolicy migrate);

// The registry signing key (see RegistryOptions::registry_key_file): the key file when one is
// configured or the store is SQLite (created 0600 when missing), else the 64-hex seed the
// database keeps under the setting "registry_key" (stored by the first process to start).
// Errors: those of auth::LoadOrCreateRegistryKey, Store::GetOrPutSetting, RegistryKeyFromHex.
Result<auth::Key> LoadRegistryKey(Registry& reg);

// The registry signing key a shared database keeps: the stored 64-hex seed under the setting
// "registry_key", or a fresh one stored now (Store::GetOrPutSetting: concurrent first starts
// agree on one). Errors: those of GetOrPutSetting; FailedPrecondition (stored value malformed).
Result<auth::Key> LoadSharedRegistryKey(Store& store);

// Where the feed keeps package bytes: in the database when the store holds blobs
// (Store::HoldsBlobs), else in the feed directory (created when missing).
// Errors: Unavailable (the directory cannot be created).
Result<std::unique_ptr<feed::BlobStore>> OpenFeedBlobs(Registry& reg);

// The governance service (requests, evidence, review, the governed listing rule) over `reg`,
// with the options' trusted issuers and quotas, started (Start() loaded its state).
// Errors: those of GovernanceService::Start.
Result<std::unique_ptr<service::GovernanceService>> StartGovernance(Registry& reg);

}  // namespace mcpreg::app
