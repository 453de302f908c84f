// The server configuration file (`mcpreg serve --config FILE`), YAML 1.2 (so JSON works too).
//
//   listen: "0.0.0.0:8080"            # or {host: 0.0.0.0, port: 8080}
//   db: /var/lib/mcpreg/registry.db   # a SQLite file, or a PostgreSQL URI, or {path: ...}
//   db: {url: "postgresql://mcpreg@db.internal:5432/mcpreg?sslmode=verify-full",
//        pool_size: 8, connect_timeout_seconds: 3, statement_timeout_seconds: 5}
//   public_url: https://registry.example.com   # base of every absolute URL emitted
//   limits: {max_body_bytes: 4194304, max_header_bytes: 16384, read_timeout_seconds: 30,
//            max_evidence_bytes: 33554432,   # evidence uploads (SARIF logs) may be larger
//            header_timeout_seconds: 10, idle_timeout_seconds: 75, max_connections: 4096,
//            max_connections_per_client: 256, max_sse_inbound_bytes: 65536,
//            write_workers: 32}
//   quotas: {requests_per_hour: 60, evidence_per_hour: 600, open_requests: 25,
//            max_request_bytes: 262144}
//   outbound: {connect_timeout_seconds: 5, total_timeout_seconds: 10, workers: 4,
//              negative_cache_seconds: 60, negative_cache_entries: 1024,
//              allow_private_addresses: false}
//   auth:
//     registry_key_file: /var/lib/mcpreg/registry.key   # optional; default next to the db
//     token_ttl_seconds: 300
//     dns_proofs: true
//     http_proofs: true
//     github_oidc_audience: https://registry.example.com  # default: public_url (else the
//                                            # base the registry emits, http://<listen>)
//     github_oidc_legacy_audience: false     # also accept upstream's old "mcp-registry"
//     issuers:
//       - name: github-actions
//         issuer: https://token.actions.githubusercontent.com
//         # audience: omitted = the deployment's (above); string or list; REQUIRED for
//         # issuers other than GitHub Actions (auth method github-oidc)
//         discovery: true                        # or jwks_url: URL, or jwks_file: PATH
//         algorithms: [RS256]                    # optional; default RS256, ES256, EdDSA
//         rules:
//           - match: {repository_owner_id: "1234567"}      # all pairs must match
//             grant: {actions: [publish, edit], resource: "io.github.{repository_owner}/*"}
//   feed: {dir: /var/lib/mcpreg/feed, max_bytes: 104857600}
//   ui:                      # the browser interface
//     login:                 # sign-in for people (OpenID Connect, authorization code + PKCE)
//       issuer: contoso-entra            # the name of an auth.issuers entry (REQUIRED)
//       client_id: mcpreg-web            # REQUIRED; the id_token's aud must contain it
//       private_key_file: keys/web.pem   # optional: private_key_jwt client auth (RFC 7523)
//       private_key_id: "kid-1"          # optional: the kid of that key
//       session_ttl_seconds: 28800       # absolute session lifetime (default 8 h)
//       session_idle_seconds: 3600       # idle lifetime (default 1 h)
//       max_sessions: 10000              # least recently used dropped beyond this
//   upstreams:               # registries to mirror (federation/mirror.h)
//     - name: official
//       url: https://registry.modelcontextprotocol.io
//       interval_seconds: 3600
//       include: ["io.github.microsoft/*"]   # whole-name globs, `*` = any run incl. "/"
//       exclude: ["*/experimental-*"]
//       transports: [remote]                 # remote | local
//       registry_types: [npm, oci]
//       require_signature: false             # true: sync from the signed snapshot only,
//       public_key: keys/upstream.jwks       #   verified with this JWKS (required then)
//       allow_private: false                 # private/link-local upstream addresses
//   policy: {...}   # kept as JSON for later consumers
//   mcp: {...}      # kept as JSON for later consumers
//
// URLs the registry fetches keys from (a discovery issuer, jwks_url, the sign-in issuer) must
// be https, or http on a loopback host (localhost, 127.0.0.0/8, [::1]; for tests).
//
// Unknown keys at any level are errors. Every error is InvalidArgument with the message
// "<file>:<line>:<column>: <key path>: <problem>", e.g.
// "mcpreg.yaml:12:7: auth.issuers[0].audience: expected a string or a list of strings".
// Relative paths (db, jwks_file, registry_key_file, feed.dir) are resolved against the
// directory of the config file; a PostgreSQL URI in `db` (or `db.path`) is kept as written.
// `db.url` must be a PostgreSQL URI ("postgresql://..." or "postgres://...").
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
#include "mcpreg/store.h"

namespace mcpreg::config {

// The database used when neither `--db`, $MCPREG_DB nor the config's `db:` names one.
inline constexpr std::string_view kDefaultDbLocation = "./var/registry.db";
// The environment variable that names the database when `--db` is not given.
inline constexpr const char* kDbEnvVar = "MCPREG_DB";

struct ListenConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
};

// Where the registry's data lives (`db:`).
struct DbConfig {
  // A SQLite file (absolute after load) or a PostgreSQL URI (as written; it may hold a
  // password: show it only through RedactLocation). "" = not set in the config.
  std::string path;
  PostgresOptions postgres;  // `db: {pool_size, connect_timeout_seconds, ...}`
};

// Resource limits of the HTTP listener (README "Security and limits" states each one, its
// default and what a client sees when it is hit).
struct LimitsConfig {
  uint64_t max_body_bytes = 4 * 1024 * 1024;
  uint64_t max_evidence_bytes = 32 * 1024 * 1024;  // POST .../evidence (SARIF logs)
  uint64_t max_header_bytes = 16 * 1024;
  uint32_t read_timeout_seconds = 30;    // whole request once its first byte arrived
  uint32_t header_timeout_seconds = 10;  // request line + header once the first byte arrived
  uint32_t idle_timeout_seconds = 75;    // keep-alive wait for the next request's first byte
  uint32_t max_connections = 4096;       // open connections in all; more are closed at accept
  uint32_t max_connections_per_client = 256;  // per remote address
  uint64_t max_sse_inbound_bytes = 64 * 1024;  // bytes a client may send on an open SSE stream
  // Threads that run writes (every non-GET route) off the I/O threads: writes wait for the
  // database, and concurrent ones share a commit. At most 64 per worker wait in line; beyond
  // that a write is answered 503 with Retry-After.
  uint32_t write_workers = 32;
};

// Per-identity write quotas (issuer + subject), each over a sliding hour; 429 + Retry-After.
struct QuotaConfig {
  uint32_t requests_per_hour = 60;   // request files + updates
  uint32_t evidence_per_hour = 600;  // evidence uploads
  uint32_t open_requests = 25;       // pending/rejected requests one identity may hold
  uint64_t max_request_bytes = 256 * 1024;  // one request document
};

// Outbound HTTP (JWKS, OIDC discovery, namespace proofs, import, federation).
struct OutboundConfig {
  uint32_t connect_timeout_seconds = 5;
  uint32_t total_timeout_seconds = 10;  // resolve + connect + TLS + request + body
  uint32_t workers = 4;                 // threads that run outbound calls, never the I/O threads
  uint32_t negative_cache_seconds = 60;  // a failed issuer/URL is not fetched again sooner
  uint32_t negative_cache_entries = 1024;
  // URLs not fixed by the operator's config (namespace proofs, import URLs) may resolve to
  // private, loopback, link-local or unspecified addresses only when this is true.
  bool allow_private_addresses = false;
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
  // At least one, except for a github-oidc issuer (GitHub Actions), where an empty list means
  // the deployment's audience (AuthConfig::github_oidc_audience) and, when allowed, the
  // legacy "mcp-registry".
  std::vector<std::string> audiences;
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
  // The audience a GitHub Actions OIDC token must carry when its issuer's `audience` is
  // omitted (upstream PR #1229: one audience per deployment, the publisher derives it from the
  // registry URL). "" = the public base URL (public_url, else http://<listen address>).
  std::string github_oidc_audience;
  // Also accept upstream's pre-2026 fixed audience "mcp-registry" (old mcp-publisher binaries).
  bool github_oidc_legacy_audience = false;
  std::vector<IssuerConfig> issuers;
};
inline constexpr char kLegacyGitHubOidcAudience[] = "mcp-registry";

// Sign-in for people in the web interface (`ui.login`). The redirect URI registered with the
// provider is <public_url>/ui/callback.
struct UiLoginConfig {
  std::string issuer;     // the `name` of an auth.issuers entry; "" = sign-in disabled
  std::string client_id;  // REQUIRED when issuer is set
  std::string private_key_file;  // absolute after load; "" = public client (PKCE only)
  std::string private_key_id;    // JWT "kid" of the client assertion; "" = none
  int64_t session_ttl_seconds = 8 * 3600;
  int64_t session_idle_seconds = 3600;
  uint64_t max_sessions = 10000;
};

struct UiConfig {
  UiLoginConfig login;
};

struct FeedConfig {
  std::string dir;  // "" = feed disabled
  uint64_t max_bytes = 100 * 1024 * 1024;
};

// Federation (issue 13). Signed snapshots (federation/snapshot.h) are valid for
// snapshot_ttl_seconds after they are made: expiresAt = createdAt + this.
struct FederationConfig {
  uint32_t snapshot_ttl_seconds = 7 * 24 * 3600;  // 60 s .. 365 days
};

// One upstream registry this registry mirrors (`upstreams:`, issue 13; federation/mirror.h).
struct UpstreamConfig {
  std::string name;  // unique label: [a-z0-9][a-z0-9._-]{0,63}; kept in the store with each row
  std::string url;   // base URL of a registry speaking /v0.1/servers (http(s), no query/fragment)
  uint32_t interval_seconds = 3600;   // background sync period of `serve` (10 s .. 7 days)
  std::vector<std::string> include;   // name globs; empty = every name
  std::vector<std::string> exclude;   // name globs removed from what include selects
  std::vector<std::string> transports;      // "remote" | "local"; empty = any
  std::vector<std::string> registry_types;  // package registryType values; empty = any
  bool require_signature = false;  // sync only from a signed snapshot verified by public_key
  std::string public_key;          // JWKS file (absolute after load); REQUIRED with signatures
  // Let the upstream URL (and its redirects) resolve to private or link-local addresses.
  // Loopback is always allowed for a configured upstream; unspecified never is.
  bool allow_private = false;
  int line = 0;  // for diagnostics
};
// Webhooks of the change feed (issue 13 part 4; federation/webhooks.h), top-level `webhooks:`:
//   webhooks:
//     - url: https://hooks.example.com/mcpreg   # http(s); loopback and private per `outbound:`
//       events: [publish, status]               # of publish, status, edit, listing; omitted = all
//       secret_file: secrets/hook.key           # optional: Standard Webhooks signing secret
//       retry_max_seconds: 300                  # backoff cap, 1..300 (1 s doubling up to this)
//       give_up_seconds: 86400                  # a change undeliverable this long is given up
// At most kMaxWebhooks entries; a URL may appear once.
struct WebhookConfig {
  std::string url;
  std::vector<std::string> events;  // empty = every event
  std::string secret_file;          // absolute after load; "" = unsigned
  uint32_t retry_max_seconds = 300;
  uint32_t give_up_seconds = 24 * 3600;  // 1 .. 7 days
};
inline constexpr size_t kMaxWebhooks = 32;

struct Config {
  std::string source;  // the file path (or the name given to ParseConfig)
  // The registry's external base URL ("https://registry.example.com", no trailing slash): every
  // absolute URL the registry emits starts with it; the Host header is never reflected.
  // "" = "http://" + the listen address.
  std::string public_url;
  ListenConfig listen;
  DbConfig db;
  LimitsConfig limits;
  AuthConfig auth;
  FeedConfig feed;
  QuotaConfig quotas;
  OutboundConfig outbound;
  UiConfig ui;
  FederationConfig federation;
  std::vector<UpstreamConfig> upstreams;
  std::vector<WebhookConfig> webhooks;  // `webhooks:` (change feed deliveries)
  boost::json::object policy;  // raw, for the policy module
  boost::json::object mcp;     // raw, for the MCP module
};

// Reads and parses `path`. Errors: InvalidArgument (unreadable file or any problem above).
Result<Config> LoadConfig(const std::string& path);
// Parses `text`; `source` names it in messages and its directory anchors relative paths.
Result<Config> ParseConfig(std::string_view text, const std::string& source);

}  // namespace mcpreg::config
