// Store: durable persistence of server versions, behind one interface every backend implements
// (SQLite now, PostgreSQL next). Every backend must pass tests/conformance/store_conformance.h.
//
// Design:
// - One row per (name, version). Rows are never hard-deleted; status "deleted" hides them.
// - Every write stamps the row with a new store-wide `seq` (monotonic). Readers keep an
//   in-memory catalog and catch up with LoadChangesSince(last_seq), which is how several
//   replicas sharing one database see each other's writes.
// - Rules (isLatest, duplicate versions, caps) live in the service. The store offers one
//   atomic read-modify-write primitive per server name, UpdateServer, so the service can apply
//   its rules inside a transaction without the store knowing them.
//
// Thread-safety: all methods may be called concurrently from any thread. UpdateServer calls on
// the same name are serialized (the second sees the first's result).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/records.h"
#include "mcpreg/status.h"

namespace mcpreg {

// The versions of one server name as seen inside an UpdateServer transaction.
struct ServerRows {
  struct Row {
    VersionMeta meta;
    // The document: set for rows the mutator adds or replaces; nullopt for unchanged rows
    // (the store does not load documents for the mutator, to keep wide names cheap).
    std::optional<std::string> server_json;
    bool dirty = false;  // set by the mutator on every row it adds or changes
  };
  std::string name;
  std::vector<Row> rows;  // existing rows in unspecified order; the mutator may append
  // Audit entries the mutator adds; written in the same transaction as the rows, so a change
  // and its record are durable together or not at all.
  std::vector<AuditEvent> audit;

  Row* Find(std::string_view version);
};

struct ChangeBatch {
  std::vector<VersionRecord> records;  // ordered by seq ascending
  int64_t last_seq = 0;                // highest seq in `records`, or the input when empty
};

struct MigrationInfo {
  int version;
  std::string name;
  bool applied;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending numbered migrations (each in its own transaction). With dry_run, only
  // reports. Returns every known migration with its applied state after the call.
  virtual Result<std::vector<MigrationInfo>> Migrate(bool dry_run) = 0;

  // Rows with seq > after_seq, ascending, at most `max` of them (0 = no limit). Documents
  // included. Used to build and refresh the in-memory catalog.
  virtual Result<ChangeBatch> LoadChangesSince(int64_t after_seq, size_t max) = 0;

  // Atomically: loads every version row of `name` (documents omitted), calls `mutate`, and
  // writes the rows it marked dirty (insert or update), each with a fresh seq. If `mutate`
  // returns non-OK nothing is written and that status is returned. Returns the written rows as
  // full records (documents of rows that were dirty but carried no new document are reloaded).
  // Errors: Unavailable/Internal from the database; whatever `mutate` returns.
  using Mutator = std::function<Status(ServerRows&)>;
  virtual Result<std::vector<VersionRecord>> UpdateServer(std::string_view name,
                                                          const Mutator& mutate) = 0;

  // Import fast path: applies several updates, in order, inside ONE transaction with one
  // durable commit (UpdateServer pays a commit per call unless calls overlap). Each update
  // behaves like UpdateServer (a later update of the same name sees the earlier one's rows).
  // All or nothing: the first error (from a mutator or the database) aborts the batch, nothing
  // is written and that status is returned. Returns all written rows in seq order.
  // REQUIRES: mutators do not call back into this store's write methods.
  struct Update {
    std::string name;
    Mutator mutate;
  };
  virtual Result<std::vector<VersionRecord>> UpdateServers(const std::vector<Update>& updates) = 0;

  // Highest seq in the store (0 when empty).
  virtual Result<int64_t> MaxSeq() = 0;

  // --- governance: audit log, grants, feed artifacts ---------------------------------------
  // Appends one entry to the hash-chained audit log.
  virtual Result<AuditRecord> AppendAudit(const AuditEvent& event) = 0;
  // Entries with seq > after_seq in order, at most `limit` (0 = all); `resource` filters by
  // exact resource when non-empty.
  virtual Result<std::vector<AuditRecord>> ListAudit(std::string_view resource, int64_t after_seq,
                                                     size_t limit) = 0;
  // Adds a grant (and its audit entry) atomically. Errors: AlreadyExists for the same
  // (issuer, subject, namespace, role).
  virtual Result<Grant> AddGrant(const Grant& grant, const AuditEvent& event) = 0;
  // Removes the grant matching (issuer, subject, namespace_pattern, role). Errors: NotFound.
  virtual Status RevokeGrant(const Grant& grant, const AuditEvent& event) = 0;
  // Grants of one identity, or all when both are empty.
  virtual Result<std::vector<Grant>> ListGrants(std::string_view issuer,
                                                std::string_view subject) = 0;
  // Records an uploaded artifact (and its audit entry). Errors: AlreadyExists when the same
  // (server_name, version, filename) is bound to different content.
  virtual Status PutArtifact(const Artifact& artifact, const AuditEvent& event) = 0;
  // Artifacts filtered by any non-empty argument.
  virtual Result<std::vector<Artifact>> FindArtifacts(std::string_view server_name,
                                                      std::string_view version,
                                                      std::string_view sha256) = 0;

  // --- governance: server requests and evidence ---------------------------------------------
  // Writes `req` (insert when expected_revision == 0, else replace the row whose revision is
  // expected_revision) with revision = expected_revision + 1, adds `grants` (an identical
  // existing grant is kept) and appends `audit`, all in one transaction. Errors: AlreadyExists
  // (insert of an existing name, or the stored revision differs: someone else wrote it; both
  // are HTTP 409 conflicts), NotFound (replace of a missing name).
  struct RequestWrite {
    ServerRequest request;
    int64_t expected_revision = 0;
    std::vector<Grant> grants;          // added (an identical existing grant is kept)
    std::vector<Grant> revoke_grants;   // removed when present
    std::vector<AuditEvent> audit;
  };
  virtual Result<ServerRequest> PutRequest(const RequestWrite& write) = 0;
  // Errors: NotFound.
  virtual Result<ServerRequest> GetRequest(std::string_view name) = 0;
  // All requests (state "" ) or those in `state`, ordered by name.
  virtual Result<std::vector<ServerRequest>> ListRequests(std::string_view state) = 0;
  // Appends evidence (id assigned) and its audit entry atomically.
  virtual Result<Evidence> AddEvidence(const Evidence& evidence, const AuditEvent& event) = 0;
  // Evidence with id > after_id, filtered by any non-empty argument, ordered by id.
  virtual Result<std::vector<Evidence>> ListEvidence(std::string_view server_name,
                                                     std::string_view version,
                                                     int64_t after_id = 0) = 0;

  // --- health and change notification ------------------------------------------------------
  // Whether the database currently accepts work. Cheap and non-blocking (a backend with a
  // network connection reports the state its background watcher last saw). Errors: Unavailable
  // with a message containing "database unavailable".
  virtual Status Health() { return Status::OK(); }
  // Blocks until another process (or this one) may have committed a change, or `timeout`
  // passes. Returns a mask of ChangeKind bits (0 on timeout or when the backend cannot tell,
  // in which case callers refresh on their timer). SQLite just sleeps.
  enum ChangeKind : unsigned { kVersionsChanged = 1, kGovernanceChanged = 2 };
  virtual unsigned WaitForChange(std::chrono::milliseconds timeout);

  // --- shared settings and package bytes -----------------------------------------------------
  // True when feed package bytes live in the database (PostgreSQL: every replica serves every
  // upload). False for SQLite, whose packages stay in the feed directory next to the file.
  virtual bool HoldsBlobs() const { return false; }
  // Stores `data` as the blob named `sha256` (64 lowercase hex, already verified by the
  // caller); storing the same blob again is a no-op. REQUIRES: HoldsBlobs().
  virtual Status PutBlob(std::string_view sha256, std::string_view data);
  // Size of a stored blob. Errors: NotFound.
  virtual Result<uint64_t> BlobSize(std::string_view sha256);
  // Bytes [offset, offset + length) of a blob. Errors: NotFound, OutOfRange.
  virtual Result<std::string> ReadBlob(std::string_view sha256, uint64_t offset, uint64_t length);
  // A value shared by every process on the database (the registry signing key): returns the
  // stored value of `key`, or stores `value` when there is none and returns it (the first
  // writer wins, so concurrent first starts agree). FailedPrecondition where not supported.
  virtual Result<std::string> GetOrPutSetting(std::string_view key, std::string_view value);

  // --- federation mirrors (federation/mirror.h) ---------------------------------------------
  // Per upstream: the incremental-sync watermark and the filter the mirrored set was built
  // with. Written only when a sync finished (see 0006_mirror.sql).
  struct MirrorState {
    std::string upstream;
    std::string filter_key;
    Micros watermark = 0;   // highest upstream updatedAt applied
    Micros synced_at = 0;   // local time the last sync finished
    int64_t requests = 0;   // upstream requests that sync made
    int64_t mirrored = 0;   // versions mirrored (not removed) once it finished
  };
  // Errors: NotFound when `upstream` never finished a sync.
  virtual Result<MirrorState> GetMirrorState(std::string_view upstream) = 0;
  // Inserts or replaces the state of state.upstream.
  virtual Status PutMirrorState(const MirrorState& state) = 0;
  // Meta (with the mirror fields, without documents) of every row mirrored from `upstream`,
  // removed ones included, ordered by (name, version).
  virtual Result<std::vector<VersionMeta>> ListMirrored(std::string_view upstream) = 0;

  // --- whole-registry copy (mcpreg copy) --------------------------------------------------------
  // Every piece of registry data, as stored: seqs, ids, revisions, timestamps and audit hashes
  // are kept, so a copy serves the same bytes and its audit chain still verifies.
  struct Snapshot {
    std::vector<VersionRecord> versions;  // ascending seq
    std::vector<Grant> grants;            // ascending id
    std::vector<ServerRequest> requests;  // by name
    std::vector<Evidence> evidence;       // ascending id
    std::vector<AuditRecord> audit;       // ascending seq
    std::vector<Artifact> artifacts;      // index rows (bytes travel separately as blobs)
  };
  // Reads all registry data in one consistent snapshot.
  virtual Result<Snapshot> Export() = 0;
  // True when the registry tables hold no rows (migrations and settings do not count).
  virtual Result<bool> IsEmpty() = 0;
  // In one transaction: removes all registry data (the audit log included) and writes `snap`
  // as is, then moves every counter (seq, ids) past the highest value written. The append-only
  // guards of audit_log/evidence stay in force for every other writer. Writes no audit entry.
  virtual Status Restore(const Snapshot& snap) = 0;

  // --- change feed webhooks (issue 13 part 4; federation/webhooks.h) ----------------------------
  // The delivery state of one configured webhook, keyed by its URL. Local operational state of
  // this registry's deliveries: not part of Export/Restore (a copy starts its own deliveries).
  struct WebhookDelivery {
    std::string url;              // the webhook's URL as configured (the key)
    int64_t cursor = 0;           // every change with seq <= cursor was delivered or given up
    int64_t attempts = 0;         // failed attempts at the change after the cursor
    int last_status = 0;          // HTTP status of the last attempt (0 = no answer)
    std::string last_error;       // "" after a success; else why the last attempt failed
    Micros next_attempt_at = 0;   // when the change after the cursor is tried again
    Micros first_failure_at = 0;  // first failed attempt at that change (0 = none yet)
    int64_t abandoned = 0;        // changes given up on (undeliverable for too long), ever
    Micros updated_at = 0;
  };
  // Every stored delivery state, ordered by url. Backends without webhook support (test
  // doubles) return FailedPrecondition; SQLite and PostgreSQL implement both methods.
  virtual Result<std::vector<WebhookDelivery>> ListWebhookDeliveries();
  // Inserts or replaces the state of `d.url`. Errors: Unavailable/Internal from the database.
  virtual Status PutWebhookDelivery(const WebhookDelivery& d);
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode. Does not migrate;
// REQUIRES Migrate() before other calls on a fresh file. Errors: Unavailable when the file
// cannot be opened or is not a database.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// True when `location` names a PostgreSQL database ("postgresql://..." or "postgres://...",
// libpq URI syntax); anything else is a SQLite file path.
bool IsPostgresLocation(std::string_view location);
// `location` safe to show or log: a password in a PostgreSQL URI (user:secret@ or
// ?password=secret) is replaced by "***". SQLite paths are returned unchanged.
std::string RedactLocation(std::string_view location);

// Connection settings of the PostgreSQL backend (config `db:` section; see README).
struct PostgresOptions {
  size_t pool_size = 8;                    // connections per process for reads and writes
  std::chrono::seconds connect_timeout{3};  // per connection attempt
  std::chrono::seconds statement_timeout{5};  // server-side cap on one statement (the client waits 1 s more)
};
// Opens a PostgreSQL store on `uri` (libpq syntax). Does not migrate. Connections are made
// lazily and re-made after an outage; a database that cannot be reached at open is
// Unavailable ("database unavailable: ...", password redacted).
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri,
                                                 const PostgresOptions& options = {});
// Opens the backend `location` names (see IsPostgresLocation). Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location,
                                         const PostgresOptions& options = {});

}  // namespace mcpreg
