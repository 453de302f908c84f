// The only place that wires configuration → store → catalog → services → router → transport.
#pragma once

#include <cstdint>
#include <string>

#include "app/registry.h"
#include "mcpreg/status.h"

namespace mcpreg::app {

struct ServeOptions {
  // Empty = from $MCPREG_DB / the config file, else the defaults 127.0.0.1:8080 and
  // config::kDefaultDbLocation (see app/registry.h for the database precedence).
  std::string listen;
  std::string db;           // SQLite file or PostgreSQL URI
  std::string config_file;  // optional YAML/JSON config (see README and config/config.h)
  bool seed_demo = true;    // load the shipped demo catalog into a brand-new database
  int threads = 0;          // 0 = hardware concurrency
};

// Runs `mcpreg serve` until SIGINT/SIGTERM. Returns the process exit code.
int Serve(const ServeOptions& options);

// Splits "host:port" ("[::1]:8080" for IPv6). Errors: InvalidArgument.
Status ParseListen(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace mcpreg::app
