// The only place that wires configuration → store → catalog → services → router → transport.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"
#include "service/registry_service.h"

namespace mcpreg::app {

struct ServeOptions {
  // Empty = from the config file, else the defaults 127.0.0.1:8080 and ./var/registry.db.
  std::string listen;
  std::string db;
  std::string config_file;  // optional YAML/JSON config (see README and config/config.h)
  bool seed_demo = true;    // load the shipped demo catalog into a brand-new database
  int threads = 0;          // 0 = hardware concurrency
};

// A store + catalog + registry service over one database, ready for use.
struct Registry {
  std::unique_ptr<Store> store;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<service::RegistryService> service;
};

enum class MigratePolicy {
  kRequireCurrent,  // fail with FailedPrecondition when migrations are pending on an existing db
  kApplyIfNew,      // a brand-new database is migrated; an existing one must be current
};

// Opens the database, checks/applies migrations per policy, and loads the catalog.
// `*created` tells whether the database was new.
Result<Registry> OpenRegistry(const std::string& db_path, MigratePolicy policy, bool* created);

// Runs `mcpreg serve` until SIGINT/SIGTERM. Returns the process exit code.
int Serve(const ServeOptions& options);

// Splits "host:port" ("[::1]:8080" for IPv6). Errors: InvalidArgument.
Status ParseListen(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace mcpreg::app
