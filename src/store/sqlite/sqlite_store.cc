// SQLite implementation of mcpreg::Store.
//
// Connections: one writer connection (all writes and migrations) behind writer_mu_, one reader
// connection (LoadChangesSince, MaxSeq, the listings, Export) behind reader_mu_. In WAL mode
// readers see the last committed snapshot and never wait for the writer, so catalog refreshes
// do not stall behind a publish. Writes use BEGIN IMMEDIATE so the write lock is taken before the rows are read:
// concurrent UpdateServer calls (also from other processes) are serialized and the second
// one sees the first one's rows.
//
// seq: store_seq holds the last seq handed out; each write transaction reads it once, numbers
// its rows, and stores the new value before COMMIT. Because the write lock is held for the
// whole transaction, seqs become visible in commit order with no gaps, which is what makes
// `WHERE seq > last_seen` a complete catch-up query (Store's in-order visibility contract) —
// provided last_seen only moves across seqs the reader has actually loaded: a process's own
// write can carry a seq above rows another process committed before it (see Catalog::Apply).
//
// Group commit: synchronous=FULL costs one fsync per COMMIT (~6 ms on the dev VM, i.e. at
// most ~150 sequential commits/s). Concurrent UpdateServer calls therefore queue up; one of
// them (the leader) runs every queued update inside a single transaction, each under its own
// SAVEPOINT so a failing mutator rolls back only its own writes, then commits once and hands
// every caller its own result. A caller alone still gets a transaction of its own.
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <unordered_set>

#include "mcpreg/store.h"
#include "store/migrations/sqlite_migrations.h"
#include "store/mutation.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_governance.h"

namespace mcpreg {
namespace {

using store::Db;
using store::SqliteStatus;
using store::Stmt;
using store::Txn;

constexpr int kBusyTimeoutMs = 5000;

// Column lists shared by the statements below (order matters: see ReadMeta).
constexpr std::string_view kLoadRowsSql =
    "SELECT version, status, status_changed_at, status_message, published_at, updated_at, "
    "is_latest, mirror_upstream, mirror_meta, mirror_digest FROM server_versions "
    "WHERE server_name = ?1";
constexpr std::string_view kInsertSql =
    "INSERT INTO server_versions (server_name, version, status, status_changed_at, "
    "status_message, published_at, updated_at, is_latest, value, seq, mirror_upstream, "
    "mirror_meta, mirror_digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
constexpr std::string_view kUpdateSql =
    "UPDATE server_versions SET status = ?3, status_changed_at = ?4, status_message = ?5, "
    "published_at = ?6, updated_at = ?7, is_latest = ?8, value = COALESCE(?9, value), seq = ?10, "
    "mirror_upstream = ?11, mirror_meta = ?12, mirror_digest = ?13 "
    "WHERE server_name = ?1 AND version = ?2 RETURNING value";
constexpr std::string_view kGetSeqSql = "SELECT value FROM store_seq WHERE id = 1";
constexpr std::string_view kSetSeqSql = "UPDATE store_seq SET value = ?1 WHERE id = 1";
constexpr std::string_view kChangesSql =
    "SELECT server_name, version, status, status_changed_at, status_message, published_at, "
    "updated_at, is_latest, value, seq, mirror_upstream, mirror_meta, mirror_digest "
    "FROM server_versions WHERE seq > ?1 ORDER BY seq LIMIT ?2";
constexpr std::string_view kMaxSeqSql = "SELECT COALESCE(MAX(seq), 0) FROM server_versions";
// Export / IsEmpty: every row, and whether any registry table holds one.
constexpr std::string_view kAllRowsSql =
    "SELECT server_name, version, status, status_changed_at, status_message, published_at, "
    "updated_at, is_latest, value, seq, mirror_upstream, mirror_meta, mirror_digest "
    "FROM server_versions ORDER BY seq";
constexpr std::string_view kIsEmptySql =
    "SELECT NOT (EXISTS (SELECT 1 FROM server_versions) OR EXISTS (SELECT 1 FROM grants) OR "
    "EXISTS (SELECT 1 FROM server_requests) OR EXISTS (SELECT 1 FROM evidence) OR "
    "EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM feed_artifacts))";

// Reads the meta columns starting at `col` in the order status, status_changed_at,
// status_message, published_at, updated_at, is_latest.
Status ReadMeta(const Stmt& s, int col, VersionMeta& m) {
  auto status = ParseVersionStatus(s.Text(col));
  if (!status)
    return Status::Internal("stored row has unknown status '" + std::string(s.Text(col)) + "'");
  m.status = *status;
  m.status_changed_at = s.Int(col + 1);
  if (s.IsNull(col + 2)) {
    m.status_message.reset();
  } else {
    m.status_message = std::string(s.Text(col + 2));
  }
  m.published_at = s.Int(col + 3);
  m.updated_at = s.Int(col + 4);
  m.is_latest = s.Int(col + 5) != 0;
  return Status::OK();
}

// Reads the mirror columns starting at `col`: mirror_upstream, mirror_meta, mirror_digest
// (NULL for local rows).
void ReadMirror(const Stmt& s, int col, VersionMeta& m) {
  m.mirror_upstream = s.IsNull(col) ? "" : std::string(s.Text(col));
  m.mirror_meta = s.IsNull(col + 1) ? "" : std::string(s.Text(col + 1));
  m.mirror_digest = s.IsNull(col + 2) ? "" : std::string(s.Text(col + 2));
}

// Reads a whole row of kChangesSql (or kAllRowsSql) into `rec`.
Status ReadRecord(const Stmt& s, VersionRecord& rec) {
  rec.meta.name = std::string(s.Text(0));
  rec.meta.version = std::string(s.Text(1));
  MCPREG_RETURN_IF_ERROR(ReadMeta(s, 2, rec.meta));
  rec.server_json = std::string(s.Text(8));
  rec.seq = s.Int(9);
  ReadMirror(s, 10, rec.meta);
  return Status::OK();
}

void BindRow(Stmt& s, const VersionMeta& m, const std::optional<std::string>& json, int64_t seq) {
  s.BindText(1, m.name);
  s.BindText(2, m.version);
  s.BindText(3, ToString(m.status));
  s.BindInt(4, m.status_changed_at);
  if (m.status_message)
    s.BindText(5, *m.status_message);
  else
    s.BindNull(5);
  s.BindInt(6, m.published_at);
  s.BindInt(7, m.updated_at);
  s.BindInt(8, m.is_latest ? 1 : 0);
  if (json)
    s.BindText(9, *json);
  else
    s.BindNull(9);
  s.BindInt(10, seq);
  auto text_or_null = [&](int i, const std::string& v) {
    if (v.empty() || m.mirror_upstream.empty())
      s.BindNull(i);
    else
      s.BindText(i, v);
  };
  text_or_null(11, m.mirror_upstream);
  text_or_null(12, m.mirror_meta);
  text_or_null(13, m.mirror_digest);
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Db> writer, std::unique_ptr<Db> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  Result<std::vector<MigrationInfo>> Migrate(bool dry_run) override;
  Result<ChangeBatch> LoadChangesSince(int64_t after_seq, size_t max) override;
  Result<std::vector<VersionRecord>> UpdateServer(std::string_view name,
                                                  const Mutator& mutate) override;
  Result<std::vector<VersionRecord>> UpdateServers(const std::vector<Update>& updates) override;
  Result<int64_t> MaxSeq() override;

  Result<AuditRecord> AppendAudit(const AuditEvent& event) override {
    return WriteTxn<AuditRecord>([&](Db& db) { return store::InsertAudit(db, event); });
  }
  Result<std::vector<AuditRecord>> ListAudit(std::string_view resource, int64_t after_seq,
                                             size_t limit) override {
    std::lock_guard lock(reader_mu_);
    return store::SelectAudit(*reader_, resource, after_seq, limit);
  }
  Result<Grant> AddGrant(const Grant& grant, const AuditEvent& event) override {
    return WriteTxn<Grant>([&](Db& db) -> Result<Grant> {
      auto g = store::InsertGrant(db, grant);
      if (!g.ok()) return g.status();
      auto a = store::InsertAudit(db, event);
      if (!a.ok()) return a.status();
      return g;
    });
  }
  Status RevokeGrant(const Grant& grant, const AuditEvent& event) override {
    return WriteTxn<bool>([&](Db& db) -> Result<bool> {
             MCPREG_RETURN_IF_ERROR(store::DeleteGrant(db, grant));
             auto a = store::InsertAudit(db, event);
             if (!a.ok()) return a.status();
             return true;
           }).status();
  }
  Result<std::vector<Grant>> ListGrants(std::string_view issuer, std::string_view subject) override {
    std::lock_guard lock(reader_mu_);
    return store::SelectGrants(*reader_, issuer, subject);
  }
  Status PutArtifact(const Artifact& artifact, const AuditEvent& event) override {
    return WriteTxn<bool>([&](Db& db) -> Result<bool> {
             MCPREG_RETURN_IF_ERROR(store::UpsertArtifact(db, artifact));
             auto a = store::InsertAudit(db, event);
             if (!a.ok()) return a.status();
             return true;
           }).status();
  }
  Result<std::vector<Artifact>> FindArtifacts(std::string_view server_name,
                                              std::string_view version,
                                              std::string_view sha256) override {
    std::lock_guard lock(reader_mu_);
    return store::SelectArtifacts(*reader_, server_name, version, sha256);
  }

  Result<ServerRequest> PutRequest(const RequestWrite& w) override {
    return WriteTxn<ServerRequest>([&](Db& db) -> Result<ServerRequest> {
      auto r = store::WriteRequest(db, w.request, w.expected_revision);
      if (!r.ok()) return r.status();
      for (const auto& g : w.grants) MCPREG_RETURN_IF_ERROR(store::EnsureGrant(db, g));
      for (const auto& g : w.revoke_grants) {
        Status s = store::DeleteGrant(db, g);
        if (!s.ok() && !s.IsNotFound()) return s;
      }
      for (const auto& e : w.audit) {
        auto a = store::InsertAudit(db, e);
        if (!a.ok()) return a.status();
      }
      return r;
    });
  }
  Result<ServerRequest> GetRequest(std::string_view name) override {
    std::lock_guard lock(reader_mu_);
    return store::SelectRequest(*reader_, name);
  }
  Result<std::vector<ServerRequest>> ListRequests(std::string_view state) override {
    std::lock_guard lock(reader_mu_);
    return store::SelectRequests(*reader_, state);
  }
  Result<Evidence> AddEvidence(const Evidence& evidence, const AuditEvent& event) override {
    return WriteTxn<Evidence>([&](Db& db) -> Result<Evidence> {
      auto e = store::InsertEvidence(db, evidence);
      if (!e.ok()) return e.status();
      auto a = store::InsertAudit(db, event);
      if (!a.ok()) return a.status();
      return e;
    });
  }
  Result<std::vector<Evidence>> ListEvidence(std::string_view server_name,
                                             std::string_view version,
                                             int64_t after_id) override {
    std::lock_guard lock(reader_mu_);
    return store::SelectEvidence(*reader_, server_name, version, after_id);
  }

  Result<MirrorState> GetMirrorState(std::string_view upstream) override;
  Status PutMirrorState(const MirrorState& state) override;
  Result<std::vector<VersionMeta>> ListMirrored(std::string_view upstream) override;

  Result<Snapshot> Export() override;
  Result<bool> IsEmpty() override;
  Status Restore(const Snapshot& snap) override;

  // --- change feed webhooks -------------------------------------------------------------------
  Result<std::vector<WebhookDelivery>> ListWebhookDeliveries() override {
    std::lock_guard lock(reader_mu_);
    auto st = reader_->Prepare(
        "SELECT url, cursor, attempts, last_status, last_error, next_attempt_at, "
        "first_failure_at, abandoned, updated_at FROM webhook_deliveries ORDER BY url");
    if (!st.ok()) return st.status();
    std::vector<WebhookDelivery> out;
    int rc;
    while ((rc = st->Step()) == SQLITE_ROW) {
      WebhookDelivery d;
      d.url = std::string(st->Text(0));
      d.cursor = st->Int(1);
      d.attempts = st->Int(2);
      d.last_status = static_cast<int>(st->Int(3));
      d.last_error = std::string(st->Text(4));
      d.next_attempt_at = st->Int(5);
      d.first_failure_at = st->Int(6);
      d.abandoned = st->Int(7);
      d.updated_at = st->Int(8);
      out.push_back(std::move(d));
    }
    if (rc != SQLITE_DONE) return SqliteStatus(rc, reader_->raw(), "reading webhook deliveries");
    return out;
  }
  Status PutWebhookDelivery(const WebhookDelivery& d) override {
    return WriteTxn<bool>([&](Db& db) -> Result<bool> {
             auto st = db.Prepare(
                 "INSERT OR REPLACE INTO webhook_deliveries (url, cursor, attempts, last_status, "
                 "last_error, next_attempt_at, first_failure_at, abandoned, updated_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
             if (!st.ok()) return st.status();
             st->BindText(1, d.url);
             st->BindInt(2, d.cursor);
             st->BindInt(3, d.attempts);
             st->BindInt(4, d.last_status);
             st->BindText(5, d.last_error);
             st->BindInt(6, d.next_attempt_at);
             st->BindInt(7, d.first_failure_at);
             st->BindInt(8, d.abandoned);
             st->BindInt(9, d.updated_at);
             int rc = st->Step();
             if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "writing a webhook delivery");
             return true;
           })
        .status();
  }

 private:
  // Runs `fn` in its own write transaction on the writer connection; commits when it succeeds.
  template <typename T, typename Fn>
  Result<T> WriteTxn(Fn&& fn) {
    std::lock_guard lock(writer_mu_);
    auto txn = Txn::Begin(*writer_);
    if (!txn.ok()) return txn.status();
    Result<T> r = fn(*writer_);
    if (!r.ok()) return r;
    MCPREG_RETURN_IF_ERROR(txn->Commit());
    return r;
  }

  // Returns the cached prepared statement for `sql` on `db`, preparing it on first use.
  // Statements are prepared lazily so a fresh (unmigrated) file can still be opened.
  Result<Stmt*> Cached(Db& db, Stmt& slot, std::string_view sql) {
    if (!slot) {
      auto st = db.Prepare(sql);
      if (!st.ok()) return st.status();
      slot = std::move(st.value());
    }
    slot.Reset();
    return &slot;
  }
  // One queued UpdateServer call (lives on its caller's stack until `done`).
  struct Pending {
    std::string_view name;
    const Mutator* mutate;
    Result<std::vector<VersionRecord>> result = Status::Internal("not run");
    bool done = false;
  };
  // Runs one update inside the open write transaction, appending the rows it wrote to
  // `written`. On error the caller must roll back (to a savepoint or the whole transaction).
  Status ApplyOne(std::string_view name, const Mutator& mutate,
                  std::vector<VersionRecord>& written);
  // Runs `batch` as one transaction (see group commit above) and fills every result.
  void RunGroup(const std::vector<Pending*>& batch);
  Result<std::unordered_set<int>> AppliedMigrations(Db& db);

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending*> queue_;
  bool leader_active_ = false;

  std::mutex writer_mu_;
  std::unique_ptr<Db> writer_;
  Stmt load_rows_, insert_, update_, get_seq_, set_seq_;

  std::mutex reader_mu_;
  std::unique_ptr<Db> reader_;
  Stmt changes_, max_seq_;
};

Result<std::unordered_set<int>> SqliteStore::AppliedMigrations(Db& db) {
  std::unordered_set<int> applied;
  auto exists = db.QueryString(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists.ok()) return exists.status();
  if (*exists == "0") return applied;
  auto st = db.Prepare("SELECT version FROM schema_migrations");
  if (!st.ok()) return st.status();
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) applied.insert(static_cast<int>(st->Int(0)));
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "reading schema_migrations");
  return applied;
}

Result<std::vector<MigrationInfo>> SqliteStore::Migrate(bool dry_run) {
  std::lock_guard lock(writer_mu_);
  Db& db = *writer_;
  if (!dry_run) {
    MCPREG_RETURN_IF_ERROR(
        db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
  }
  auto applied = AppliedMigrations(db);
  if (!applied.ok()) return applied.status();
  std::vector<MigrationInfo> out;
  for (const auto& m : store::SqliteMigrations()) {
    bool done = applied->count(m.version) > 0;
    if (!done && !dry_run) {
      auto txn = Txn::Begin(db);
      if (!txn.ok()) return txn.status();
      // Another process may have applied it between our read and taking the write lock.
      auto again = AppliedMigrations(db);
      if (!again.ok()) return again.status();
      if (again->count(m.version) == 0) {
        Status st = db.Exec(m.sql);
        if (!st.ok()) {
          return Status(st.code(), "migration " + std::to_string(m.version) + "_" +
                                       std::string(m.name) + " failed: " + st.message());
        }
        auto ins = db.Prepare(
            "INSERT INTO schema_migrations (version, name, applied_at) "
            "VALUES (?1, ?2, ?3)");
        if (!ins.ok()) return ins.status();
        ins->BindInt(1, m.version);
        ins->BindText(2, m.name);
        ins->BindInt(3, SystemClock::Instance().Now());
        int rc = ins->Step();
        if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "recording migration");
      }
      MCPREG_RETURN_IF_ERROR(txn->Commit());
      done = true;
    }
    out.push_back({m.version, std::string(m.name), done});
  }
  return out;
}

Result<std::vector<VersionRecord>> SqliteStore::UpdateServer(std::string_view name,
                                                             const Mutator& mutate) {
  Pending me{name, &mutate};
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&me);
  while (!me.done) {
    if (leader_active_) {
      queue_cv_.wait(lock);
      continue;
    }
    // Become the leader: take everything queued so far (our own update included).
    leader_active_ = true;
    std::vector<Pending*> batch;
    batch.swap(queue_);
    lock.unlock();
    RunGroup(batch);
    lock.lock();
    for (Pending* p : batch) p->done = true;
    leader_active_ = false;
    queue_cv_.notify_all();
  }
  return std::move(me.result);
}

void SqliteStore::RunGroup(const std::vector<Pending*>& batch) {
  std::lock_guard lock(writer_mu_);
  Db& db = *writer_;
  auto fail_all = [&](const Status& st) {
    for (Pending* p : batch) p->result = st;
  };
  auto txn = Txn::Begin(db);
  if (!txn.ok()) return fail_all(txn.status());
  bool single = batch.size() == 1;
  for (Pending* p : batch) {
    std::vector<VersionRecord> written;
    if (!single) {
      Status sp = db.Exec("SAVEPOINT one_update");
      if (!sp.ok()) return fail_all(sp);
    }
    Status st = ApplyOne(p->name, *p->mutate, written);
    if (single) {
      if (!st.ok()) {
        p->result = st;  // the transaction rolls back when txn goes out of scope
        return;
      }
    } else if (!st.ok()) {
      Status rb = db.Exec("ROLLBACK TO one_update; RELEASE one_update");
      if (!rb.ok()) return fail_all(rb);
    } else {
      Status rel = db.Exec("RELEASE one_update");
      if (!rel.ok()) return fail_all(rel);
    }
    if (st.ok()) {
      p->result = std::move(written);
    } else {
      p->result = st;
    }
  }
  Status commit = txn->Commit();
  if (!commit.ok()) {
    for (Pending* p : batch) {
      if (p->result.ok()) p->result = commit;  // nothing of theirs was written
    }
  }
}

Result<std::vector<VersionRecord>> SqliteStore::UpdateServers(const std::vector<Update>& updates) {
  std::lock_guard lock(writer_mu_);
  auto txn = Txn::Begin(*writer_);
  if (!txn.ok()) return txn.status();
  std::vector<VersionRecord> written;
  for (const auto& u : updates) MCPREG_RETURN_IF_ERROR(ApplyOne(u.name, u.mutate, written));
  MCPREG_RETURN_IF_ERROR(txn->Commit());
  return written;
}

Status SqliteStore::ApplyOne(std::string_view name, const Mutator& mutate,
                             std::vector<VersionRecord>& written) {
  Db& db = *writer_;
  // 1. Load the name's rows, without documents.
  ServerRows rows;
  rows.name = std::string(name);
  auto load = Cached(db, load_rows_, kLoadRowsSql);
  if (!load.ok()) return load.status();
  Stmt& ls = **load;
  ls.BindText(1, name);
  int rc;
  while ((rc = ls.Step()) == SQLITE_ROW) {
    ServerRows::Row row;
    row.meta.name = rows.name;
    row.meta.version = std::string(ls.Text(0));
    MCPREG_RETURN_IF_ERROR(ReadMeta(ls, 1, row.meta));
    ReadMirror(ls, 7, row.meta);
    rows.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "loading rows of " + rows.name);
  std::unordered_set<std::string> existing;
  for (const auto& r : rows.rows) existing.insert(r.meta.version);

  // 2. Let the caller apply its rules; 3. check what it did (rows losing latest first).
  MCPREG_RETURN_IF_ERROR(store::RunMutator(mutate, rows));
  auto to_write = store::RowsToWrite(rows, existing);
  if (!to_write.ok()) return to_write.status();
  std::vector<ServerRows::Row*>& dirty = *to_write;
  for (const auto& event : rows.audit) {
    auto a = store::InsertAudit(db, event);
    if (!a.ok()) return a.status();
  }
  if (dirty.empty()) return Status::OK();

  auto gs = Cached(db, get_seq_, kGetSeqSql);
  if (!gs.ok()) return gs.status();
  if ((rc = (*gs)->Step()) != SQLITE_ROW) return SqliteStatus(rc, db.raw(), "reading store_seq");
  int64_t seq = (*gs)->Int(0);
  // Finish the statement now: a cached statement left on a row keeps a read snapshot open on
  // the writer connection after COMMIT, and the next BEGIN IMMEDIATE fails with SQLITE_BUSY
  // once another process has written.
  (*gs)->Reset();

  for (auto* r : dirty) {
    bool is_new = !existing.count(r->meta.version);
    auto ws = Cached(db, is_new ? insert_ : update_, is_new ? kInsertSql : kUpdateSql);
    if (!ws.ok()) return ws.status();
    Stmt& s = **ws;
    BindRow(s, r->meta, r->server_json, ++seq);
    rc = s.Step();
    VersionRecord rec{r->meta, {}, seq};
    if (is_new ? rc != SQLITE_DONE : rc != SQLITE_ROW) {
      return SqliteStatus(rc, db.raw(), "writing " + rows.name + " version " + r->meta.version);
    }
    rec.server_json = r->server_json ? std::move(*r->server_json) : std::string(s.Text(0));
    s.Reset();  // finish the RETURNING statement before the next write
    written.push_back(std::move(rec));
  }
  auto ss = Cached(db, set_seq_, kSetSeqSql);
  if (!ss.ok()) return ss.status();
  (*ss)->BindInt(1, seq);
  if ((rc = (*ss)->Step()) != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "bumping store_seq");
  return Status::OK();
}

Result<ChangeBatch> SqliteStore::LoadChangesSince(int64_t after_seq, size_t max) {
  std::lock_guard lock(reader_mu_);
  auto cs = Cached(*reader_, changes_, kChangesSql);
  if (!cs.ok()) return cs.status();
  Stmt& s = **cs;
  s.BindInt(1, after_seq);
  s.BindInt(2, max == 0 ? -1 : static_cast<int64_t>(max));
  ChangeBatch batch;
  batch.last_seq = after_seq;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    VersionRecord rec;
    Status read = ReadRecord(s, rec);
    if (!read.ok()) {
      s.Reset();
      return read;
    }
    batch.last_seq = rec.seq;
    batch.records.push_back(std::move(rec));
  }
  Status st =
      rc == SQLITE_DONE ? Status::OK() : SqliteStatus(rc, reader_->raw(), "loading changes");
  s.Reset();  // end the read snapshot
  if (!st.ok()) return st;
  return batch;
}

Result<int64_t> SqliteStore::MaxSeq() {
  std::lock_guard lock(reader_mu_);
  auto ms = Cached(*reader_, max_seq_, kMaxSeqSql);
  if (!ms.ok()) return ms.status();
  int rc = (*ms)->Step();
  if (rc != SQLITE_ROW) return SqliteStatus(rc, reader_->raw(), "reading max seq");
  int64_t v = (*ms)->Int(0);
  (*ms)->Reset();
  return v;
}

// Export reads on the reader connection inside one read transaction: in WAL mode every SELECT
// of it sees the same committed snapshot, however many writers commit meanwhile.
Result<Store::Snapshot> SqliteStore::Export() {
  std::lock_guard lock(reader_mu_);
  Db& db = *reader_;
  MCPREG_RETURN_IF_ERROR(db.Exec("BEGIN"));
  Snapshot snap;
  Status st = [&]() -> Status {
    auto rows = db.Prepare(kAllRowsSql);
    if (!rows.ok()) return rows.status();
    int rc;
    while ((rc = rows->Step()) == SQLITE_ROW) {
      VersionRecord rec;
      MCPREG_RETURN_IF_ERROR(ReadRecord(*rows, rec));
      snap.versions.push_back(std::move(rec));
    }
    if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "exporting server versions");
    rows->Reset();
    return store::SelectGovernance(db, snap);
  }();
  // Ending a read-only transaction cannot lose anything; ROLLBACK also ends it after an error.
  Status end = db.Exec(st.ok() ? "COMMIT" : "ROLLBACK");
  if (!st.ok()) return st;
  if (!end.ok()) return end;
  return snap;
}

Result<bool> SqliteStore::IsEmpty() {
  std::lock_guard lock(reader_mu_);
  auto empty = reader_->QueryString(kIsEmptySql);
  if (!empty.ok()) return empty.status();
  return *empty == "1";
}

Result<Store::MirrorState> SqliteStore::GetMirrorState(std::string_view upstream) {
  std::lock_guard lock(reader_mu_);
  auto st = reader_->Prepare(
      "SELECT filter_key, watermark, synced_at, requests, mirrored FROM mirror_state "
      "WHERE upstream = ?1");
  if (!st.ok()) return st.status();
  st->BindText(1, upstream);
  int rc = st->Step();
  if (rc == SQLITE_DONE) return Status::NotFound("upstream " + std::string(upstream) + " never synced");
  if (rc != SQLITE_ROW) return SqliteStatus(rc, reader_->raw(), "reading mirror state");
  MirrorState m;
  m.upstream = std::string(upstream);
  m.filter_key = std::string(st->Text(0));
  m.watermark = st->Int(1);
  m.synced_at = st->Int(2);
  m.requests = st->Int(3);
  m.mirrored = st->Int(4);
  st->Reset();
  return m;
}

Status SqliteStore::PutMirrorState(const MirrorState& m) {
  return WriteTxn<bool>([&](Db& db) -> Result<bool> {
           auto st = db.Prepare(
               "INSERT INTO mirror_state (upstream, filter_key, watermark, synced_at, requests, "
               "mirrored) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (upstream) DO UPDATE SET "
               "filter_key = excluded.filter_key, watermark = excluded.watermark, "
               "synced_at = excluded.synced_at, requests = excluded.requests, "
               "mirrored = excluded.mirrored");
           if (!st.ok()) return st.status();
           st->BindText(1, m.upstream);
           st->BindText(2, m.filter_key);
           st->BindInt(3, m.watermark);
           st->BindInt(4, m.synced_at);
           st->BindInt(5, m.requests);
           st->BindInt(6, m.mirrored);
           int rc = st->Step();
           if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "writing mirror state");
           return true;
         })
      .status();
}

Result<std::vector<VersionMeta>> SqliteStore::ListMirrored(std::string_view upstream) {
  std::lock_guard lock(reader_mu_);
  auto st = reader_->Prepare(
      "SELECT server_name, version, status, status_changed_at, status_message, published_at, "
      "updated_at, is_latest, mirror_upstream, mirror_meta, mirror_digest FROM server_versions "
      "WHERE mirror_upstream = ?1 ORDER BY server_name, version");
  if (!st.ok()) return st.status();
  st->BindText(1, upstream);
  std::vector<VersionMeta> out;
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) {
    VersionMeta m;
    m.name = std::string(st->Text(0));
    m.version = std::string(st->Text(1));
    Status read = ReadMeta(*st, 2, m);
    if (!read.ok()) return read;
    ReadMirror(*st, 8, m);
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return SqliteStatus(rc, reader_->raw(), "listing mirrored rows");
  return out;
}

// Restore replaces everything in one write transaction: readers (of this and other processes)
// see either the old registry or the restored one, never a mix, and a failure leaves the old one.
Status SqliteStore::Restore(const Snapshot& snap) {
  std::lock_guard lock(writer_mu_);
  Db& db = *writer_;
  auto txn = Txn::Begin(db);
  if (!txn.ok()) return txn.status();
  MCPREG_RETURN_IF_ERROR(db.Exec("DELETE FROM server_versions"));
  // Mirror watermarks are not copied: the next sync of each upstream is a full one, which
  // re-reads what the copied rows hold (their mirror columns travel with them).
  MCPREG_RETURN_IF_ERROR(db.Exec("DELETE FROM mirror_state"));
  MCPREG_RETURN_IF_ERROR(store::ClearGovernance(db));
  auto ins = db.Prepare(kInsertSql);
  if (!ins.ok()) return ins.status();
  int64_t max_seq = 0;
  for (const auto& rec : snap.versions) {
    BindRow(*ins, rec.meta, rec.server_json, rec.seq);
    int rc = ins->Step();
    Status st = rc == SQLITE_DONE ? Status::OK()
                                  : SqliteStatus(rc, db.raw(), "restoring " + rec.meta.name +
                                                                   " version " + rec.meta.version);
    ins->Reset();
    MCPREG_RETURN_IF_ERROR(st);
    max_seq = std::max(max_seq, rec.seq);
  }
  MCPREG_RETURN_IF_ERROR(store::InsertGovernance(db, snap));
  // grants.id, evidence.id and audit_log.seq continue from the highest row by themselves
  // (INTEGER PRIMARY KEY / max + 1); the version counter is kept in store_seq.
  auto set = db.Prepare(kSetSeqSql);
  if (!set.ok()) return set.status();
  set->BindInt(1, max_seq);
  int rc = set->Step();
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "setting store_seq");
  set->Reset();
  return txn->Commit();
}

// Applies the connection settings every connection needs; `writer` also switches to WAL.
Status Configure(Db& db, bool writer) {
  MCPREG_RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs)));
  if (writer) {
    // Fails with SQLITE_NOTADB (-> Unavailable) when the file is not a database.
    auto mode = db.QueryString("PRAGMA journal_mode = WAL");
    if (!mode.ok()) return mode.status();
    if (*mode != "wal")
      return Status::Unavailable("cannot switch database to WAL mode (got '" + *mode + "')");
  }
  // FULL: every commit is fsynced; a publish that returned OK survives power loss.
  MCPREG_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  MCPREG_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  if (path.empty() || path == ":memory:") {
    return Status::Unavailable("SQLite store needs a file path (got '" + path + "')");
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      return Status::Unavailable("cannot create directory " + parent.string() + ": " +
                                 ec.message());
  }
  auto writer = store::Db::Open(path);
  if (!writer.ok()) return writer.status();
  Status st = Configure(**writer, true);
  if (!st.ok()) return Status(st.code(), path + ": " + st.message());
  auto reader = store::Db::Open(path);
  if (!reader.ok()) return reader.status();
  MCPREG_RETURN_IF_ERROR(Configure(**reader, false));
  return std::unique_ptr<Store>(
      new SqliteStore(std::move(writer.value()), std::move(reader.value())));
}

}  // namespace mcpreg
