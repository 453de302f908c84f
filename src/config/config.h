// The server configuration file (`mcpreg serve --config FILE`), YAML 1.2 (so JSON works too).
//
//   listen: "0.0.0.0:8080"            # or {host: 0.0.0.0, port: 8080}
//   db: /var/lib/mcpreg/registry.db   # or {path: ...}
//   limits: {max_body_bytes: 4194304, max_header_bytes: 16384, read_timeout_seconds: 30,
//            max_evidence_bytes: 33554432}   # evidence uploads (SARIF logs) may be larger
//   auth:
//     registry_key_file: /var/lib/mcpreg/registry.key   # optional; default next to the db
//     token_ttl_seconds: 300
//     dns_proofs: true
//     http_proofs: true
//     issuers:
//       - name: github-actions
//         issuer: https://token.actions.githubusercontent.com
//         audience: mcp-registry                 # string or list
//         discovery: true                        # or jwks_url: URL, or jwks_file: PATH
//         algorithms: [RS256]                    # optional; default RS256, ES256, EdDSA
//         rules:
//           - match: {repository_owner_id: "1234567"}      # all pairs must match
//             grant: {actions: [publish, edit], resource: "io.github.{repository_owner}/*"}
//   feed: {dir: /var/lib/mcpreg/feed, max_bytes: 104857600}
//   policy: {...}   # kept as JSON for later consumers
//   mcp: {...}      # kept as JSON for later consumers
//
// Unknown keys at any level are errors. Every error is InvalidArgument with the message
// "<file>:<line>:<column>: <key path>: <problem>", e.g.
// "mcpreg.yaml:12:7: auth.issuers[0].audience: expected a string or a list of strings".
// Relative paths (db, jwks_file, registry_key_file, feed.dir) are resolved against the
// directory of the config file.
//
// Thread-safety: plain values.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::config {

struct ListenConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
};

struct DbConfig {
  std::string path = "mcpreg.db";
};

struct LimitsConfig {
  uint64_t max_body_bytes = 4 * 1024 * 1024;
  uint64_t max_evidence_bytes = 32 * 1024 * 1024;  // POST .../evidence (SARIF logs)
  uint64_t max_header_bytes = 16 * 1024;
  uint32_t read_timeout_seconds = 30;
};

// One claim-to-grant rule. It applies when every `match` pair holds: the token claim named
// `first` equals one of `second` (a string claim equal to the value, a number or boolean claim
// whose JSON text equals it, or an array claim containing it).
struct ClaimRule {
  std::vector<std::pair<std::string, std::vector<std::string>>> match;
  std::vector<std::string> actions;  // each "publish" | "edit" | "feed"
  // Pattern granted, may contain "{claim}" placeholders (validated at load: closed braces,
  // non-empty names).
  std::string resource;
  int line = 0;  // for diagnostics
};

struct IssuerConfig {
  enum class Keys { kFile, kUrl, kDiscovery };
  std::string name;                    // unique label, used in logs and audit
  std::string issuer;                  // exact "iss"
  std::vector<std::string> audiences;  // at least one
  Keys keys = Keys::kDiscovery;
  std::string jwks_file;  // kFile (absolute after load)
  std::string jwks_url;   // kUrl
  std::vector<std::string> algorithms = {"RS256", "ES256", "EdDSA"};
  int64_t jwks_ttl_seconds = 3600;
  // Registry-token auth_method for principals from this issuer. Default: "github-oidc" for
  // GitHub Actions' issuer, "oidc" otherwise.
  std::string auth_method;
  std::vector<ClaimRule> rules;
};

struct AuthConfig {
  std::string registry_key_file;  // "" = the lead's default (next to the database)
  int64_t token_ttl_seconds = 300;
  int64_t leeway_seconds = 60;
  bool dns_proofs = false;
  bool http_proofs = false;
  std::vector<IssuerConfig> issuers;
};

struct FeedConfig {
  std::string dir;  // "" = feed disabled
  uint64_t max_bytes = 100 * 1024 * 1024;
};

struct Config {
  std::string source;  // the file path (or the name given to ParseConfig)
  ListenConfig listen;
  DbConfig db;
  LimitsConfig limits;
  AuthConfig auth;
  FeedConfig feed;
  boost::json::object policy;  // raw, for the policy module
  boost::json::object mcp;     // raw, for the MCP module
};

// Reads and parses `path`. Errors: InvalidArgument (unreadable file or any problem above).
Result<Config> LoadConfig(const std::string& path);
// Parses `text`; `source` names it in messages and its directory anchors relative paths.
Result<Config> ParseConfig(std::string_view text, const std::string& source);

}  // namespace mcpreg::config
