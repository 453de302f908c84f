// PostgreSQL implementation of mcpreg::Store: several `mcpreg serve` replicas (and CLI
// commands) share one database.
//
// Ordering: every write transaction locks the single store_head row first and keeps the lock
// until COMMIT (see migrations/0001_init.sql). Version seqs and audit entries are numbered
// from that row, so seqs are gapless and become visible in commit order: PostgreSQL makes a
// transaction visible before it releases its locks, so the next writer's seq can only commit
// after every lower seq is visible. That keeps `WHERE seq > last_seen` a complete catch-up
// query (Store's in-order visibility contract) even though PostgreSQL sequences would commit
// out of order, and keeps the audit log one hash chain across replicas.
//
// Group commit: concurrent UpdateServer calls of this process queue up; one leader runs the
// queued updates in one transaction, each under a SAVEPOINT (a failing mutator rolls back only
// its own rows), so one commit (one WAL flush, one store_head lock hold) serves many writers.
//
// Failures: a statement that fails because the connection broke, before COMMIT was sent, is
// retried once on a fresh connection (nothing can have been committed). Anything else from the
// database surfaces as Unavailable ("database unavailable: ...") or Internal. Mutators may
// therefore run more than once; they only fill ServerRows.
//
// Notification: every commit that changes versions or governance data sends
// NOTIFY mcpreg_changes with payload "v" (versions), "g" (requests, evidence) or "vg". A watcher thread per store LISTENs on
// its own connection, wakes WaitForChange, and tells Health() whether the database answers.
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/assets.h"
#include "core/log.h"
#include "mcpreg/store.h"
#include "store/mutation.h"
#include "store/postgres/pg_conn.h"

namespace mcpreg {
namespace {

using store::pg::Param;
using store::pg::PgConn;
using store::pg::PgPool;
using store::pg::PgResult;

const std::string kZeroHash(64, '0');
constexpr int64_t kMigrationLockKey = 0x6d6370726567;  // "mcpreg"
constexpr size_t kBlobChunkBytes = 1 << 20;

struct PgMigration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::vector<PgMigration> PgMigrations() {
  return {
      {1, "init",
       {reinterpret_cast<const char*>(kAssetPgMigration0001), kAssetPgMigration0001_size}},
      {2, "shared_state",
       {reinterpret_cast<const char*>(kAssetPgMigration0002), kAssetPgMigration0002_size}},
      {3, "mirror",
       {reinterpret_cast<const char*>(kAssetPgMigration0003), kAssetPgMigration0003_size}},
      {4, "webhook_deliveries",
       {reinterpret_cast<const char*>(kAssetPgMigration0004), kAssetPgMigration0004_size}},
  };
}

// The store_head row as a write transaction sees and advances it.
struct Head {
  int64_t seq = 0;
  int64_t audit_seq = 0;
  std::string audit_hash;
  bool versions = false;    // this transaction wrote version rows (replicas refresh the catalog)
  bool governance = false;  // ... requests or evidence (replicas refresh governance state)
  bool changed = false;     // ... anything else (audit, grants, artifacts: read live)
};

constexpr std::string_view kVersionColumns =
    "server_name, version, status, status_changed_at, status_message, published_at, "
    "updated_at, is_latest, value, seq, mirror_upstream, mirror_meta, mirror_digest";
constexpr std::string_view kRequestColumns =
    "name, state, document, issuer, subject, revision, created_at, updated_at, created_by, "
    "decided_by, decided_at, reason";
constexpr std::string_view kEvidenceColumns =
    "id, server_name, version, digest, kind, verdict, summary, document, at, actor";
constexpr std::string_view kArtifactColumns =
    "server_name, version, filename, sha256, size, content_type, uploaded_at, uploaded_by";
constexpr std::string_view kAuditColumns =
    "seq, at, actor, action, resource, details, prev_hash, hash";
constexpr std::string_view kGrantColumns =
    "id, issuer, subject, namespace, role, created_at, created_by";

Status ReadMeta(const PgResult& r, int row, int col, VersionMeta& m) {
  auto status = ParseVersionStatus(r.Text(row, col));
  if (!status) return Status::Internal("stored row has unknown status '" + r.Str(row, col) + "'");
  m.status = *status;
  m.status_changed_at = r.Int(row, col + 1);
  if (r.IsNull(row, col + 2))
    m.status_message.reset();
  else
    m.status_message = r.Str(row, col + 2);
  m.published_at = r.Int(row, col + 3);
  m.updated_at = r.Int(row, col + 4);
  m.is_latest = r.Bool(row, col + 5);
  return Status::OK();
}

// The mirror columns from `col`: mirror_upstream, mirror_meta, mirror_digest (NULL = local).
void ReadMirror(const PgResult& r, int row, int col, VersionMeta& m) {
  m.mirror_upstream = r.IsNull(row, col) ? "" : r.Str(row, col);
  m.mirror_meta = r.IsNull(row, col + 1) ? "" : r.Str(row, col + 1);
  m.mirror_digest = r.IsNull(row, col + 2) ? "" : r.Str(row, col + 2);
}

// A mirror column's value: NULL for local rows and empty values.
std::optional<std::string> MirrorValue(const VersionMeta& m, const std::string& v) {
  if (m.mirror_upstream.empty() || v.empty()) return std::nullopt;
  return v;
}

Result<VersionRecord> ReadVersion(const PgResult& r, int row) {
  VersionRecord rec;
  rec.meta.name = r.Str(row, 0);
  rec.meta.version = r.Str(row, 1);
  MCPREG_RETURN_IF_ERROR(ReadMeta(r, row, 2, rec.meta));
  rec.server_json = r.Str(row, 8);
  rec.seq = r.Int(row, 9);
  ReadMirror(r, row, 10, rec.meta);
  return rec;
}

std::vector<Param> VersionParams(const VersionMeta& m, const std::optional<std::string>& json,
                                 int64_t seq) {
  return {m.name,
          m.version,
          std::string(ToString(m.status)),
          m.status_changed_at,
          Param::Optional(m.status_message),
          m.published_at,
          m.updated_at,
          m.is_latest,
          Param::Optional(json),
          seq,
          Param::Optional(MirrorValue(m, m.mirror_upstream)),
          Param::Optional(MirrorValue(m, m.mirror_meta)),
          Param::Optional(MirrorValue(m, m.mirror_digest))};
}

ServerRequest ReadRequestRow(const PgResult& r, int i) {
  ServerRequest q;
  q.name = r.Str(i, 0);
  q.state = r.Str(i, 1);
  q.document = r.Str(i, 2);
  q.issuer = r.Str(i, 3);
  q.subject = r.Str(i, 4);
  q.revision = r.Int(i, 5);
  q.created_at = r.Int(i, 6);
  q.updated_at = r.Int(i, 7);
  q.created_by = r.Str(i, 8);
  q.decided_by = r.Str(i, 9);
  q.decided_at = r.Int(i, 10);
  q.reason = r.Str(i, 11);
  return q;
}

Evidence ReadEvidenceRow(const PgResult& r, int i) {
  Evidence e;
  e.id = r.Int(i, 0);
  e.server_name = r.Str(i, 1);
  e.version = r.Str(i, 2);
  e.digest = r.Str(i, 3);
  e.kind = r.Str(i, 4);
  e.verdict = r.Str(i, 5);
  e.summary = r.Str(i, 6);
  e.document = r.Str(i, 7);
  e.at = r.Int(i, 8);
  e.actor = r.Str(i, 9);
  return e;
}

Artifact ReadArtifactRow(const PgResult& r, int i) {
  Artifact a;
  a.server_name = r.Str(i, 0);
  a.version = r.Str(i, 1);
  a.filename = r.Str(i, 2);
  a.sha256 = r.Str(i, 3);
  a.size = static_cast<uint64_t>(r.Int(i, 4));
  a.content_type = r.Str(i, 5);
  a.uploaded_at = r.Int(i, 6);
  a.uploaded_by = r.Str(i, 7);
  return a;
}

AuditRecord ReadAuditRow(const PgResult& r, int i) {
  AuditRecord a;
  a.seq = r.Int(i, 0);
  a.event.at = r.Int(i, 1);
  a.event.actor = r.Str(i, 2);
  a.event.action = r.Str(i, 3);
  a.event.resource = r.Str(i, 4);
  a.event.details = r.Str(i, 5);
  a.prev_hash = r.Str(i, 6);
  a.hash = r.Str(i, 7);
  return a;
}

Grant ReadGrantRow(const PgResult& r, int i) {
  Grant g;
  g.id = r.Int(i, 0);
  g.issuer = r.Str(i, 1);
  g.subject = r.Str(i, 2);
  g.namespace_pattern = r.Str(i, 3);
  g.role = r.Str(i, 4);
  g.created_at = r.Int(i, 5);
  g.created_by = r.Str(i, 6);
  return g;
}

// --- statements used inside write transactions (REQUIRE: store_head locked) -----------------

Result<AuditRecord> InsertAudit(PgConn& c, Head& head, const AuditEvent& e) {
  AuditRecord rec;
  rec.event = e;
  rec.seq = head.audit_seq + 1;
  rec.prev_hash = head.audit_hash;
  rec.hash = AuditHash(rec.prev_hash, rec.seq, e);
  auto r = c.Exec("INSERT INTO audit_log (" + std::string(kAuditColumns) +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                  {rec.seq, e.at, e.actor, e.action, e.resource, e.details, rec.prev_hash,
                   rec.hash});
  if (!r.ok()) return r.status();
  head.audit_seq = rec.seq;
  head.audit_hash = rec.hash;
  head.changed = true;
  return rec;
}

Status InsertGrant(PgConn& c, Head& head, const Grant& g, bool if_absent, int64_t* id) {
  std::string sql =
      "INSERT INTO grants (issuer, subject, namespace, role, created_at, created_by) "
      "VALUES ($1, $2, $3, $4, $5, $6)";
  if (if_absent) sql += " ON CONFLICT (issuer, subject, namespace, role) DO NOTHING";
  sql += " RETURNING id";
  auto r = c.Exec(sql, {g.issuer, g.subject, g.namespace_pattern, g.role, g.created_at,
                        g.created_by});
  if (!r.ok()) {
    if (r.status().IsAlreadyExists()) return Status::AlreadyExists("this grant already exists");
    return r.status();
  }
  if (id && r->rows() == 1) *id = r->Int(0, 0);
  head.changed = true;
  return Status::OK();
}

Status DeleteGrant(PgConn& c, Head& head, const Grant& g) {
  auto r = c.Exec(
      "DELETE FROM grants WHERE issuer = $1 AND subject = $2 AND namespace = $3 AND role = $4 "
      "RETURNING id",
      {g.issuer, g.subject, g.namespace_pattern, g.role});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Status::NotFound("no such grant");
  head.changed = true;
  return Status::OK();
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string uri, const PostgresOptions& o)
      : pool_(uri, o.pool_size, o.connect_timeout, o.statement_timeout), uri_(std::move(uri)) {}
  ~PostgresStore() override {
    {
      std::lock_guard lock(change_mu_);
      stop_ = true;
    }
    change_cv_.notify_all();
    if (watcher_.joinable()) watcher_.join();
  }

  // Verifies the database answers, then starts the watcher.
  Status Start() {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    auto r = (*lease)->Exec("SELECT 1");
    if (!r.ok()) return r.status();
    healthy_ = true;
    watcher_ = std::thread([this] { Watch(); });
    return Status::OK();
  }

  Result<std::vector<MigrationInfo>> Migrate(bool dry_run) override;
  Result<ChangeBatch> LoadChangesSince(int64_t after_seq, size_t max) override;
  Result<std::vector<VersionRecord>> UpdateServer(std::string_view name,
                                                  const Mutator& mutate) override;
  Result<std::vector<VersionRecord>> UpdateServers(const std::vector<Update>& updates) override;
  Result<int64_t> MaxSeq() override {
    return Read<int64_t>([](PgConn& c) -> Result<int64_t> {
      auto r = c.Exec("SELECT COALESCE(MAX(seq), 0) FROM server_versions");
      if (!r.ok()) return r.status();
      return r->Int(0, 0);
    });
  }

  Result<AuditRecord> AppendAudit(const AuditEvent& event) override {
    return Write<AuditRecord>([&](PgConn& c, Head& h) { return InsertAudit(c, h, event); });
  }
  Result<std::vector<AuditRecord>> ListAudit(std::string_view resource, int64_t after_seq,
                                             size_t limit) override {
    return Read<std::vector<AuditRecord>>([&](PgConn& c) -> Result<std::vector<AuditRecord>> {
      auto r = c.Exec("SELECT " + std::string(kAuditColumns) +
                          " FROM audit_log WHERE seq > $1 AND ($2 = '' OR resource = $2) "
                          "ORDER BY seq LIMIT $3",
                      {after_seq, resource,
                       limit == 0 ? Param::Null() : Param(static_cast<uint64_t>(limit))});
      if (!r.ok()) return r.status();
      std::vector<AuditRecord> out;
      for (int i = 0; i < r->rows(); ++i) out.push_back(ReadAuditRow(*r, i));
      return out;
    });
  }
  Result<Grant> AddGrant(const Grant& grant, const AuditEvent& event) override {
    return Write<Grant>([&](PgConn& c, Head& h) -> Result<Grant> {
      Grant out = grant;
      MCPREG_RETURN_IF_ERROR(InsertGrant(c, h, grant, false, &out.id));
      auto a = InsertAudit(c, h, event);
      if (!a.ok()) return a.status();
      return out;
    });
  }
  Status RevokeGrant(const Grant& grant, const AuditEvent& event) override {
    return Write<bool>([&](PgConn& c, Head& h) -> Result<bool> {
             MCPREG_RETURN_IF_ERROR(DeleteGrant(c, h, grant));
             auto a = InsertAudit(c, h, event);
             if (!a.ok()) return a.status();
             return true;
           })
        .status();
  }
  Result<std::vector<Grant>> ListGrants(std::string_view issuer,
                                        std::string_view subject) override {
    return Read<std::vector<Grant>>([&](PgConn& c) -> Result<std::vector<Grant>> {
      auto r = c.Exec("SELECT " + std::string(kGrantColumns) +
                          " FROM grants WHERE ($1 = '' OR issuer = $1) AND "
                          "($2 = '' OR subject = $2) ORDER BY id",
                      {issuer, subject});
      if (!r.ok()) return r.status();
      std::vector<Grant> out;
      for (int i = 0; i < r->rows(); ++i) out.push_back(ReadGrantRow(*r, i));
      return out;
    });
  }
  Status PutArtifact(const Artifact& a, const AuditEvent& event) override {
    return Write<bool>([&](PgConn& c, Head& h) -> Result<bool> {
             auto cur = c.Exec(
                 "SELECT sha256 FROM feed_artifacts WHERE server_name = $1 AND version = $2 AND "
                 "filename = $3",
                 {a.server_name, a.version, a.filename});
             if (!cur.ok()) return cur.status();
             if (cur->rows() == 1) {
               if (cur->Str(0, 0) == a.sha256) return true;
               return Status::AlreadyExists("artifact " + a.filename + " of " + a.server_name +
                                            " " + a.version + " already exists with digest " +
                                            cur->Str(0, 0));
             }
             auto ins = c.Exec("INSERT INTO feed_artifacts (" + std::string(kArtifactColumns) +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                               {a.server_name, a.version, a.filename, a.sha256, a.size,
                                a.content_type, a.uploaded_at, a.uploaded_by});
             if (!ins.ok()) return ins.status();
             h.changed = true;
             auto au = InsertAudit(c, h, event);
             if (!au.ok()) return au.status();
             return true;
           })
        .status();
  }
  Result<std::vector<Artifact>> FindArtifacts(std::string_view server_name,
                                              std::string_view version,
                                              std::string_view sha256) override {
    return Read<std::vector<Artifact>>([&](PgConn& c) -> Result<std::vector<Artifact>> {
      auto r = c.Exec("SELECT " + std::string(kArtifactColumns) +
                          " FROM feed_artifacts WHERE ($1 = '' OR server_name = $1) AND "
                          "($2 = '' OR version = $2) AND ($3 = '' OR sha256 = $3) "
                          "ORDER BY server_name, version, filename",
                      {server_name, version, sha256});
      if (!r.ok()) return r.status();
      std::vector<Artifact> out;
      for (int i = 0; i < r->rows(); ++i) out.push_back(ReadArtifactRow(*r, i));
      return out;
    });
  }

  Result<ServerRequest> PutRequest(const RequestWrite& w) override {
    return Write<ServerRequest>([&](PgConn& c, Head& h) -> Result<ServerRequest> {
      const ServerRequest& req = w.request;
      auto cur = c.Exec("SELECT revision FROM server_requests WHERE name = $1", {req.name});
      if (!cur.ok()) return cur.status();
      if (cur->rows() == 1) {
        if (w.expected_revision == 0)
          return Status::AlreadyExists("a request for " + req.name + " already exists");
        if (cur->Int(0, 0) != w.expected_revision)
          return Status::AlreadyExists("the request for " + req.name +
                                       " was changed by someone else (now revision " +
                                       cur->Str(0, 0) + "); reload and retry");
      } else if (w.expected_revision != 0) {
        return Status::NotFound("no request for " + req.name);
      }
      ServerRequest out = req;
      out.revision = w.expected_revision + 1;
      auto r = c.Exec(
          "INSERT INTO server_requests (" + std::string(kRequestColumns) +
              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
              "ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, document = "
              "EXCLUDED.document, issuer = EXCLUDED.issuer, subject = EXCLUDED.subject, "
              "revision = EXCLUDED.revision, created_at = EXCLUDED.created_at, updated_at = "
              "EXCLUDED.updated_at, created_by = EXCLUDED.created_by, decided_by = "
              "EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at, reason = EXCLUDED.reason",
          {out.name, out.state, out.document, out.issuer, out.subject, out.revision,
           out.created_at, out.updated_at, out.created_by, out.decided_by, out.decided_at,
           out.reason});
      if (!r.ok()) return r.status();
      h.governance = true;
      for (const auto& g : w.grants) MCPREG_RETURN_IF_ERROR(InsertGrant(c, h, g, true, nullptr));
      for (const auto& g : w.revoke_grants) {
        Status s = DeleteGrant(c, h, g);
        if (!s.ok() && !s.IsNotFound()) return s;
      }
      for (const auto& e : w.audit) {
        auto a = InsertAudit(c, h, e);
        if (!a.ok()) return a.status();
      }
      return out;
    });
  }
  Result<ServerRequest> GetRequest(std::string_view name) override {
    return Read<ServerRequest>([&](PgConn& c) -> Result<ServerRequest> {
      auto r = c.Exec("SELECT " + std::string(kRequestColumns) +
                          " FROM server_requests WHERE name = $1",
                      {name});
      if (!r.ok()) return r.status();
      if (r->rows() == 0) return Status::NotFound("no request for " + std::string(name));
      return ReadRequestRow(*r, 0);
    });
  }
  Result<std::vector<ServerRequest>> ListRequests(std::string_view state) override {
    return Read<std::vector<ServerRequest>>(
        [&](PgConn& c) -> Result<std::vector<ServerRequest>> {
          auto r = c.Exec("SELECT " + std::string(kRequestColumns) +
                              " FROM server_requests WHERE ($1 = '' OR state = $1) ORDER BY name",
                          {state});
          if (!r.ok()) return r.status();
          std::vector<ServerRequest> out;
          for (int i = 0; i < r->rows(); ++i) out.push_back(ReadRequestRow(*r, i));
          return out;
        });
  }
  Result<Evidence> AddEvidence(const Evidence& e, const AuditEvent& event) override {
    return Write<Evidence>([&](PgConn& c, Head& h) -> Result<Evidence> {
      auto r = c.Exec(
          "INSERT INTO evidence (server_name, version, digest, kind, verdict, summary, document, "
          "at, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
          {e.server_name, e.version, e.digest, e.kind, e.verdict, e.summary, e.document, e.at,
           e.actor});
      if (!r.ok()) return r.status();
      Evidence out = e;
      out.id = r->Int(0, 0);
      h.governance = true;
      auto a = InsertAudit(c, h, event);
      if (!a.ok()) return a.status();
      return out;
    });
  }
  Result<std::vector<Evidence>> ListEvidence(std::string_view server_name,
                                             std::string_view version,
                                             int64_t after_id) override {
    return Read<std::vector<Evidence>>([&](PgConn& c) -> Result<std::vector<Evidence>> {
      auto r = c.Exec("SELECT " + std::string(kEvidenceColumns) +
                          " FROM evidence WHERE id > $3 AND ($1 = '' OR server_name = $1) AND "
                          "($2 = '' OR version = $2) ORDER BY id",
                      {server_name, version, after_id});
      if (!r.ok()) return r.status();
      std::vector<Evidence> out;
      for (int i = 0; i < r->rows(); ++i) out.push_back(ReadEvidenceRow(*r, i));
      return out;
    });
  }

  Status Health() override {
    if (healthy_.load(std::memory_order_acquire)) return Status::OK();
    return Status::Unavailable("database unavailable: " + RedactLocation(uri_) +
                               " does not answer");
  }
  unsigned WaitForChange(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(change_mu_);
    change_cv_.wait_for(lock, timeout, [&] { return changes_ != 0 || stop_; });
    return std::exchange(changes_, 0u);
  }

  bool HoldsBlobs() const override { return true; }
  Status PutBlob(std::string_view sha256, std::string_view data) override;
  Result<uint64_t> BlobSize(std::string_view sha256) override {
    return Read<uint64_t>([&](PgConn& c) -> Result<uint64_t> {
      auto r = c.Exec("SELECT size FROM feed_blobs WHERE sha256 = $1", {sha256});
      if (!r.ok()) return r.status();
      if (r->rows() == 0) return Status::NotFound("no blob " + std::string(sha256));
      return static_cast<uint64_t>(r->Int(0, 0));
    });
  }
  Result<std::string> ReadBlob(std::string_view sha256, uint64_t offset,
                               uint64_t length) override;
  Result<std::string> GetOrPutSetting(std::string_view key, std::string_view value) override {
    return WithRetry<std::string>([&](PgConn& c) -> Result<std::string> {
      auto ins = c.Exec(
          "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
          {key, value});
      if (!ins.ok()) return ins.status();
      auto r = c.Exec("SELECT value FROM settings WHERE key = $1", {key});
      if (!r.ok()) return r.status();
      if (r->rows() == 0) return Status::Internal("setting " + std::string(key) + " vanished");
      return r->Str(0, 0);
    });
  }

  Result<MirrorState> GetMirrorState(std::string_view upstream) override {
    return Read<MirrorState>([&](PgConn& c) -> Result<MirrorState> {
      auto r = c.Exec(
          "SELECT filter_key, watermark, synced_at, requests, mirrored FROM mirror_state "
          "WHERE upstream = $1",
          {upstream});
      if (!r.ok()) return r.status();
      if (r->rows() == 0)
        return Status::NotFound("upstream " + std::string(upstream) + " never synced");
      MirrorState m;
      m.upstream = std::string(upstream);
      m.filter_key = r->Str(0, 0);
      m.watermark = r->Int(0, 1);
      m.synced_at = r->Int(0, 2);
      m.requests = r->Int(0, 3);
      m.mirrored = r->Int(0, 4);
      return m;
    });
  }
  Status PutMirrorState(const MirrorState& m) override {
    return WithRetry<bool>([&](PgConn& c) -> Result<bool> {
             auto r = c.Exec(
                 "INSERT INTO mirror_state (upstream, filter_key, watermark, synced_at, requests, "
                 "mirrored) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (upstream) DO UPDATE SET "
                 "filter_key = EXCLUDED.filter_key, watermark = EXCLUDED.watermark, "
                 "synced_at = EXCLUDED.synced_at, requests = EXCLUDED.requests, "
                 "mirrored = EXCLUDED.mirrored",
                 {m.upstream, m.filter_key, m.watermark, m.synced_at, m.requests, m.mirrored});
             if (!r.ok()) return r.status();
             return true;
           })
        .status();
  }
  Result<std::vector<VersionMeta>> ListMirrored(std::string_view upstream) override {
    return Read<std::vector<VersionMeta>>([&](PgConn& c) -> Result<std::vector<VersionMeta>> {
      auto r = c.Exec(
          "SELECT server_name, version, status, status_changed_at, status_message, published_at, "
          "updated_at, is_latest, mirror_upstream, mirror_meta, mirror_digest FROM server_versions "
          "WHERE mirror_upstream = $1 ORDER BY server_name COLLATE \"C\", version COLLATE \"C\"",
          {upstream});
      if (!r.ok()) return r.status();
      std::vector<VersionMeta> out;
      for (int i = 0; i < r->rows(); ++i) {
        VersionMeta m;
        m.name = r->Str(i, 0);
        m.version = r->Str(i, 1);
        MCPREG_RETURN_IF_ERROR(ReadMeta(*r, i, 2, m));
        ReadMirror(*r, i, 8, m);
        out.push_back(std::move(m));
      }
      return out;
    });
  }

  Result<Snapshot> Export() override;
  Result<bool> IsEmpty() override {
    return Read<bool>([](PgConn& c) -> Result<bool> {
      auto r = c.Exec(
          "SELECT NOT (EXISTS (SELECT 1 FROM server_versions) OR EXISTS (SELECT 1 FROM grants) "
          "OR EXISTS (SELECT 1 FROM server_requests) OR EXISTS (SELECT 1 FROM evidence) OR "
          "EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM feed_artifacts))");
      if (!r.ok()) return r.status();
      return r->Bool(0, 0);
    });
  }
  Status Restore(const Snapshot& snap) override;

  // --- change feed webhooks -------------------------------------------------------------------
  // Plain statements outside store_head: delivery state is not part of the commit order.
  Result<std::vector<WebhookDelivery>> ListWebhookDeliveries() override {
    return Read<std::vector<WebhookDelivery>>(
        [](PgConn& c) -> Result<std::vector<WebhookDelivery>> {
          auto r = c.Exec(
              "SELECT url, cursor, attempts, last_status, last_error, next_attempt_at, "
              "first_failure_at, abandoned, updated_at FROM webhook_deliveries ORDER BY url");
          if (!r.ok()) return r.status();
          std::vector<WebhookDelivery> out;
          for (int i = 0; i < r->rows(); ++i) {
            WebhookDelivery d;
            d.url = r->Str(i, 0);
            d.cursor = r->Int(i, 1);
            d.attempts = r->Int(i, 2);
            d.last_status = static_cast<int>(r->Int(i, 3));
            d.last_error = r->Str(i, 4);
            d.next_attempt_at = r->Int(i, 5);
            d.first_failure_at = r->Int(i, 6);
            d.abandoned = r->Int(i, 7);
            d.updated_at = r->Int(i, 8);
            out.push_back(std::move(d));
          }
          return out;
        });
  }
  Status PutWebhookDelivery(const WebhookDelivery& d) override {
    // An upsert: idempotent, so WithRetry may run it twice.
    return WithRetry<bool>([&](PgConn& c) -> Result<bool> {
             auto r = c.Exec(
                 "INSERT INTO webhook_deliveries (url, cursor, attempts, last_status, last_error, "
                 "next_attempt_at, first_failure_at, abandoned, updated_at) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (url) DO UPDATE SET "
                 "cursor = EXCLUDED.cursor, attempts = EXCLUDED.attempts, "
                 "last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error, "
                 "next_attempt_at = EXCLUDED.next_attempt_at, "
                 "first_failure_at = EXCLUDED.first_failure_at, abandoned = EXCLUDED.abandoned, "
                 "updated_at = EXCLUDED.updated_at",
                 {d.url, d.cursor, d.attempts, d.last_status, d.last_error, d.next_attempt_at,
                  d.first_failure_at, d.abandoned, d.updated_at});
             if (!r.ok()) return r.status();
             return true;
           })
        .status();
  }

 private:
  // Runs `fn` on a pooled connection; once more on a fresh connection when the first attempt
  // failed because the connection broke (REQUIRES: fn commits nothing or is idempotent).
  template <typename T, typename Fn>
  Result<T> WithRetry(Fn&& fn) {
    Status last;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto lease = pool_.Acquire();
      if (!lease.ok()) return lease.status();
      Result<T> r = fn(**lease);
      if (r.ok() || !store::pg::IsConnectionError(r.status()) || (*lease)->healthy() ||
          (*lease)->abandoned())
        return r;
      last = r.status();
    }
    return last;
  }
  template <typename T, typename Fn>
  Result<T> Read(Fn&& fn) {
    return WithRetry<T>(std::forward<Fn>(fn));
  }

  // BEGIN; lock and read store_head (one round trip).
  static Result<Head> BeginWrite(PgConn& c) {
    auto r = c.Query(
        "BEGIN; SELECT seq, audit_seq, audit_hash FROM store_head WHERE id = 1 FOR UPDATE");
    if (!r.ok()) return r.status();
    if (r->rows() != 1) return Status::Internal("store_head row is missing");
    Head h;
    h.seq = r->Int(0, 0);
    h.audit_seq = r->Int(0, 1);
    h.audit_hash = r->Str(0, 2);
    return h;
  }
  // Stores the advanced head, queues the notification and commits, in one round trip. Reports
  // whether COMMIT was sent (after which a broken connection leaves the outcome unknown: no
  // retry). The values are this store's own integers and a hex digest, never client input.
  static Status FinishWrite(PgConn& c, const Head& h, bool* commit_sent) {
    std::string payload = std::string(h.versions ? "v" : "") + (h.governance ? "g" : "");
    std::string sql;
    if (h.versions || h.governance || h.changed) {
      if (h.audit_hash.size() != 64 ||
          h.audit_hash.find_first_not_of("0123456789abcdef") != std::string::npos)
        return Status::Internal("audit chain head is not a hex digest");
      sql = "UPDATE store_head SET seq = " + std::to_string(h.seq) +
            ", audit_seq = " + std::to_string(h.audit_seq) + ", audit_hash = '" + h.audit_hash +
            "' WHERE id = 1; ";
      if (!payload.empty()) sql += "NOTIFY mcpreg_changes, '" + payload + "'; ";
    }
    *commit_sent = true;
    return c.ExecScript(sql + "COMMIT");
  }
  // One write transaction around `fn(conn, head)`; retried once when the connection broke
  // before COMMIT.
  template <typename T, typename Fn>
  Result<T> Write(Fn&& fn) {
    Status last;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto lease = pool_.Acquire();
      if (!lease.ok()) return lease.status();
      PgConn& c = **lease;
      bool commit_sent = false;
      Result<T> r = [&]() -> Result<T> {
        auto head = BeginWrite(c);
        if (!head.ok()) return head.status();
        Result<T> out = fn(c, *head);
        if (!out.ok()) return out;
        MCPREG_RETURN_IF_ERROR(FinishWrite(c, *head, &commit_sent));
        return out;
      }();
      if (!r.ok() && c.healthy() && c.in_transaction()) (void)c.ExecScript("ROLLBACK");
      // Retried only when the connection broke before COMMIT (nothing can have been
      // committed); never after a timeout (the database may be frozen: fail within bounds).
      if (r.ok() || commit_sent || c.healthy() || c.abandoned() ||
          !store::pg::IsConnectionError(r.status()))
        return r;
      last = r.status();
    }
    return last;
  }

  struct Pending {
    std::string_view name;
    const Mutator* mutate;
    Result<std::vector<VersionRecord>> result = Status::Internal("not run");
    bool done = false;
  };
  Status ApplyOne(PgConn& c, Head& head, std::string_view name, const Mutator& mutate,
                  std::vector<VersionRecord>& written);
  void RunGroup(const std::vector<Pending*>& batch);
  // The fast path of RunGroup: every name's rows loaded in one query, mutators run in memory,
  // then all rows and audit entries written with a few bulk statements. Sets every result.
  // Non-OK only for a database error, after which the transaction must be rolled back and the
  // group re-run one update at a time (RunGroup's savepoint path).
  Status ApplyBatch(PgConn& c, Head& head, const std::vector<Pending*>& batch);
  void Watch();
  void Signal(unsigned bits) {
    {
      std::lock_guard lock(change_mu_);
      changes_ |= bits;
    }
    change_cv_.notify_all();
  }
  // Sleeps up to `d` unless the store is being destroyed; returns false when it is.
  bool Nap(std::chrono::milliseconds d) {
    std::unique_lock lock(change_mu_);
    return !change_cv_.wait_for(lock, d, [&] { return stop_; });
  }

  PgPool pool_;
  const std::string uri_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending*> queue_;
  bool leader_active_ = false;

  std::atomic<bool> healthy_{false};
  std::mutex change_mu_;
  std::condition_variable change_cv_;
  unsigned changes_ = 0;
  bool stop_ = false;
  std::thread watcher_;
};

Result<std::vector<MigrationInfo>> PostgresStore::Migrate(bool dry_run) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  PgConn& c = **lease;
  auto applied_set = [&]() -> Result<std::unordered_set<int>> {
    std::unordered_set<int> applied;
    auto exists = c.Exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!exists.ok()) return exists.status();
    if (!exists->Bool(0, 0)) return applied;
    auto r = c.Exec("SELECT version FROM schema_migrations");
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) applied.insert(static_cast<int>(r->Int(i, 0)));
    return applied;
  };
  std::vector<MigrationInfo> out;
  if (dry_run) {
    auto applied = applied_set();
    if (!applied.ok()) return applied.status();
    for (const auto& m : PgMigrations())
      out.push_back({m.version, std::string(m.name), applied->count(m.version) > 0});
    return out;
  }
  // Replicas starting together on a fresh database: one migrates, the others wait.
  auto lock = c.Exec("SELECT pg_advisory_lock($1)", {kMigrationLockKey});
  if (!lock.ok()) return lock.status();
  Status st = [&]() -> Status {
    MCPREG_RETURN_IF_ERROR(
        c.ExecScript("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    auto applied = applied_set();
    if (!applied.ok()) return applied.status();
    for (const auto& m : PgMigrations()) {
      if (!applied->count(m.version)) {
        MCPREG_RETURN_IF_ERROR(c.ExecScript("BEGIN"));
        Status s = c.ExecScript(m.sql);
        if (s.ok()) {
          auto ins = c.Exec(
              "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {m.version, m.name, SystemClock::Instance().Now()});
          s = ins.status();
        }
        if (s.ok()) s = c.ExecScript("COMMIT");
        if (!s.ok()) {
          if (c.healthy()) (void)c.ExecScript("ROLLBACK");
          return Status(s.code(), "migration " + std::to_string(m.version) + "_" +
                                      std::string(m.name) + " failed: " + s.message());
        }
      }
      out.push_back({m.version, std::string(m.name), true});
    }
    return Status::OK();
  }();
  if (c.healthy()) (void)c.Exec("SELECT pg_advisory_unlock($1)", {kMigrationLockKey});
  if (!st.ok()) return st;
  return out;
}

Result<ChangeBatch> PostgresStore::LoadChangesSince(int64_t after_seq, size_t max) {
  return Read<ChangeBatch>([&](PgConn& c) -> Result<ChangeBatch> {
    auto r = c.Exec("SELECT " + std::string(kVersionColumns) +
                        " FROM server_versions WHERE seq > $1 ORDER BY seq LIMIT $2",
                    {after_seq, max == 0 ? Param::Null() : Param(static_cast<uint64_t>(max))});
    if (!r.ok()) return r.status();
    ChangeBatch batch;
    batch.last_seq = after_seq;
    batch.records.reserve(r->rows());
    for (int i = 0; i < r->rows(); ++i) {
      auto rec = ReadVersion(*r, i);
      if (!rec.ok()) return rec.status();
      batch.last_seq = rec->seq;
      batch.records.push_back(std::move(*rec));
    }
    return batch;
  });
}

Status PostgresStore::ApplyOne(PgConn& c, Head& head, std::string_view name,
                               const Mutator& mutate, std::vector<VersionRecord>& written) {
  ServerRows rows;
  rows.name = std::string(name);
  auto load = c.Exec(
      "SELECT version, status, status_changed_at, status_message, published_at, updated_at, "
      "is_latest, mirror_upstream, mirror_meta, mirror_digest FROM server_versions "
      "WHERE server_name = $1",
      {name});
  if (!load.ok()) return load.status();
  for (int i = 0; i < load->rows(); ++i) {
    ServerRows::Row row;
    row.meta.name = rows.name;
    row.meta.version = load->Str(i, 0);
    MCPREG_RETURN_IF_ERROR(ReadMeta(*load, i, 1, row.meta));
    ReadMirror(*load, i, 7, row.meta);
    rows.rows.push_back(std::move(row));
  }
  std::unordered_set<std::string> existing;
  for (const auto& r : rows.rows) existing.insert(r.meta.version);
  MCPREG_RETURN_IF_ERROR(store::RunMutator(mutate, rows));
  auto dirty = store::RowsToWrite(rows, existing);
  if (!dirty.ok()) return dirty.status();
  for (const auto& event : rows.audit) {
    auto a = InsertAudit(c, head, event);
    if (!a.ok()) return a.status();
  }
  for (auto* row : *dirty) {
    bool is_new = !existing.count(row->meta.version);
    int64_t seq = head.seq + 1;
    VersionRecord rec{row->meta, {}, seq};
    if (is_new) {
      auto r = c.Exec("INSERT INTO server_versions (" + std::string(kVersionColumns) +
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                      VersionParams(row->meta, row->server_json, seq));
      if (!r.ok()) return r.status();
      rec.server_json = std::move(*row->server_json);
    } else {
      auto r = c.Exec(
          "UPDATE server_versions SET status = $3, status_changed_at = $4, status_message = $5, "
          "published_at = $6, updated_at = $7, is_latest = $8, value = COALESCE($9, value), "
          "seq = $10, mirror_upstream = $11, mirror_meta = $12, mirror_digest = $13 "
          "WHERE server_name = $1 AND version = $2 RETURNING value",
          VersionParams(row->meta, row->server_json, seq));
      if (!r.ok()) return r.status();
      rec.server_json = row->server_json ? std::move(*row->server_json) : r->Str(0, 0);
    }
    head.seq = seq;
    head.versions = true;
    written.push_back(std::move(rec));
  }
  return Status::OK();
}

Result<std::vector<VersionRecord>> PostgresStore::UpdateServer(std::string_view name,
                                                               const Mutator& mutate) {
  Pending me{name, &mutate};
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&me);
  while (!me.done) {
    if (leader_active_) {
      queue_cv_.wait(lock);
      continue;
    }
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

void PostgresStore::RunGroup(const std::vector<Pending*>& batch) {
  // Fast path first; the whole group is retried once if the connection broke before COMMIT.
  auto r = Write<bool>([&](PgConn& c, Head& head) -> Result<bool> {
    MCPREG_RETURN_IF_ERROR(ApplyBatch(c, head, batch));
    return true;
  });
  if (r.ok() || store::pg::IsConnectionError(r.status())) {
    if (!r.ok())
      for (Pending* p : batch) p->result = r.status();
    return;
  }
  // The database refused a bulk write (a mutator broke an invariant the schema guards, such
  // as one latest per name): run each update under its own savepoint so only its own rows
  // are refused.
  r = Write<bool>([&](PgConn& c, Head& head) -> Result<bool> {
    for (Pending* p : batch) {
      std::vector<VersionRecord> written;
      Head before = head;
      MCPREG_RETURN_IF_ERROR(c.ExecScript("SAVEPOINT one_update"));
      Status st = ApplyOne(c, head, p->name, *p->mutate, written);
      if (!st.ok() && !c.healthy()) return st;
      MCPREG_RETURN_IF_ERROR(c.ExecScript(
          st.ok() ? "RELEASE one_update" : "ROLLBACK TO one_update; RELEASE one_update"));
      if (st.ok()) {
        p->result = std::move(written);
      } else {
        head = before;
        p->result = st;
      }
    }
    return true;
  });
  // Nothing of the group was committed: everyone gets the database's answer.
  if (!r.ok())
    for (Pending* p : batch) p->result = r.status();
}

Status PostgresStore::ApplyBatch(PgConn& c, Head& head, const std::vector<Pending*>& batch) {
  using store::pg::BoolArray;
  using store::pg::IntArray;
  using store::pg::TextArray;
  // 1. Every name's rows, documents omitted.
  std::vector<std::optional<std::string>> names;
  std::unordered_map<std::string, std::vector<ServerRows::Row>> rows_of;
  for (Pending* p : batch) {
    if (rows_of.emplace(std::string(p->name), std::vector<ServerRows::Row>{}).second)
      names.emplace_back(std::string(p->name));
  }
  auto load = c.Exec(
      "SELECT server_name, version, status, status_changed_at, status_message, published_at, "
      "updated_at, is_latest, mirror_upstream, mirror_meta, mirror_digest FROM server_versions "
      "WHERE server_name = ANY($1::text[])",
      {TextArray(names)});
  if (!load.ok()) return load.status();
  for (int i = 0; i < load->rows(); ++i) {
    ServerRows::Row row;
    row.meta.name = load->Str(i, 0);
    row.meta.version = load->Str(i, 1);
    MCPREG_RETURN_IF_ERROR(ReadMeta(*load, i, 2, row.meta));
    ReadMirror(*load, i, 8, row.meta);
    rows_of[row.meta.name].push_back(std::move(row));
  }
  // In-database state of each version: known to exist before the batch or not.
  std::set<std::pair<std::string, std::string>> stored;
  for (const auto& [name, rows] : rows_of)
    for (const auto& r : rows) stored.emplace(name, r.meta.version);

  // 2. Mutators in memory, in order; a later update of a name sees the earlier one's rows.
  struct Final {
    VersionMeta meta;
    std::optional<std::string> doc;  // newest document written in this batch, if any
    int64_t seq = 0;
  };
  std::map<std::pair<std::string, std::string>, Final> finals;
  std::vector<AuditRecord> audit;
  // Records handed back whose document is the stored one (filled after the writes).
  std::vector<std::pair<VersionRecord*, std::pair<std::string, std::string>>> need_doc;
  std::vector<std::vector<VersionRecord>> results(batch.size());
  for (size_t k = 0; k < batch.size(); ++k) {
    Pending* p = batch[k];
    ServerRows rows;
    rows.name = std::string(p->name);
    rows.rows = rows_of[rows.name];
    std::unordered_set<std::string> existing;
    for (const auto& r : rows.rows) existing.insert(r.meta.version);
    Status st = store::RunMutator(*p->mutate, rows);
    Result<std::vector<ServerRows::Row*>> dirty = st.ok() ? store::RowsToWrite(rows, existing)
                                                            : Result<std::vector<ServerRows::Row*>>(st);
    if (dirty.ok()) {  // one row per version: a second row for a key is a duplicate key
      std::set<std::string_view> seen;
      for (auto* row : *dirty)
        if (!seen.insert(row->meta.version).second)
          dirty = Status::AlreadyExists("UpdateServer(" + rows.name + "): version '" +
                                        row->meta.version + "' written twice");
    }
    if (!dirty.ok()) {
      p->result = dirty.status();
      continue;
    }
    for (const auto& e : rows.audit) {
      AuditRecord rec;
      rec.event = e;
      rec.seq = head.audit_seq + 1;
      rec.prev_hash = head.audit_hash;
      rec.hash = AuditHash(rec.prev_hash, rec.seq, e);
      head.audit_seq = rec.seq;
      head.audit_hash = rec.hash;
      head.changed = true;
      audit.push_back(std::move(rec));
    }
    for (auto* row : *dirty) {
      auto key = std::make_pair(row->meta.name, row->meta.version);
      Final& f = finals[key];
      f.meta = row->meta;
      f.seq = ++head.seq;
      if (row->server_json) f.doc = *row->server_json;
      head.versions = true;
      // The document as of this update: its own, an earlier update's in this batch, or (empty
      // here, filled after the writes) the stored one.
      results[k].push_back(VersionRecord{row->meta, f.doc.value_or(""), f.seq});
    }
    for (auto& r : rows.rows) {  // what the next update of this name sees
      r.server_json.reset();
      r.dirty = false;
    }
    rows_of[rows.name] = std::move(rows.rows);
    p->result = std::vector<VersionRecord>{};  // filled below
  }

  // 3. Bulk writes, ordered so the one-latest index never sees two latest rows: rows that end
  //    up not latest first, then latest ones; updates of stored rows before inserts.
  std::map<std::pair<std::string, std::string>, std::string> stored_docs;
  for (int pass = 0; pass < 4; ++pass) {
    bool want_latest = pass >= 2, want_insert = pass % 2 == 1;
    std::vector<std::optional<std::string>> n, v, st, sm, d, mu, mm, md;
    std::vector<int64_t> sc, pa, ua, q;
    std::vector<bool> il;
    for (const auto& [key, f] : finals) {
      if (f.meta.is_latest != want_latest || (stored.count(key) == 0) != want_insert) continue;
      n.emplace_back(key.first);
      v.emplace_back(key.second);
      st.emplace_back(std::string(ToString(f.meta.status)));
      sc.push_back(f.meta.status_changed_at);
      sm.push_back(f.meta.status_message);
      pa.push_back(f.meta.published_at);
      ua.push_back(f.meta.updated_at);
      il.push_back(f.meta.is_latest);
      d.push_back(f.doc);
      q.push_back(f.seq);
      mu.push_back(MirrorValue(f.meta, f.meta.mirror_upstream));
      mm.push_back(MirrorValue(f.meta, f.meta.mirror_meta));
      md.push_back(MirrorValue(f.meta, f.meta.mirror_digest));
    }
    if (n.empty()) continue;
    std::vector<Param> params = {TextArray(n),  TextArray(v),  TextArray(st), IntArray(sc),
                                 TextArray(sm), IntArray(pa),  IntArray(ua),  BoolArray(il),
                                 TextArray(d),  IntArray(q),   TextArray(mu), TextArray(mm),
                                 TextArray(md)};
    constexpr std::string_view kRows =
        "unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], "
        "$7::bigint[], $8::boolean[], $9::text[], $10::bigint[], $11::text[], $12::text[], "
        "$13::text[]) AS t(n, v, s, sc, sm, pa, ua, il, d, q, mu, mm, md)";
    if (want_insert) {
      auto r = c.Exec("INSERT INTO server_versions (" + std::string(kVersionColumns) +
                          ") SELECT n, v, s, sc, sm, pa, ua, il, d, q, mu, mm, md FROM " +
                          std::string(kRows),
                      params);
      if (!r.ok()) return r.status();
    } else {
      auto r = c.Exec(
          "UPDATE server_versions AS sv SET status = t.s, status_changed_at = t.sc, "
          "status_message = t.sm, published_at = t.pa, updated_at = t.ua, is_latest = t.il, "
          "value = COALESCE(t.d, sv.value), seq = t.q, mirror_upstream = t.mu, "
          "mirror_meta = t.mm, mirror_digest = t.md FROM " + std::string(kRows) +
              " WHERE sv.server_name = t.n AND sv.version = t.v "
              "RETURNING sv.server_name, sv.version, sv.value",
          params);
      if (!r.ok()) return r.status();
      if (r->rows() != static_cast<int>(n.size()))
        return Status::Internal("bulk update matched " + std::to_string(r->rows()) + " of " +
                                std::to_string(n.size()) + " rows");
      for (int i = 0; i < r->rows(); ++i)
        stored_docs[{r->Str(i, 0), r->Str(i, 1)}] = r->Str(i, 2);
    }
  }
  if (!audit.empty()) {
    std::vector<int64_t> seq, at;
    std::vector<std::optional<std::string>> actor, action, resource, details, prev, hash;
    for (const auto& a : audit) {
      seq.push_back(a.seq);
      at.push_back(a.event.at);
      actor.emplace_back(a.event.actor);
      action.emplace_back(a.event.action);
      resource.emplace_back(a.event.resource);
      details.emplace_back(a.event.details);
      prev.emplace_back(a.prev_hash);
      hash.emplace_back(a.hash);
    }
    auto r = c.Exec("INSERT INTO audit_log (" + std::string(kAuditColumns) +
                        ") SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
                        "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[])",
                    {IntArray(seq), IntArray(at), TextArray(actor), TextArray(action),
                     TextArray(resource), TextArray(details), TextArray(prev), TextArray(hash)});
    if (!r.ok()) return r.status();
  }

  // 4. Hand every caller its own rows, documents filled in (the batch's own documents, or the
  //    stored one for a row whose status alone changed).
  for (size_t k = 0; k < batch.size(); ++k) {
    Pending* p = batch[k];
    if (!p->result.ok()) continue;
    for (auto& rec : results[k]) {
      if (rec.server_json.empty()) {
        auto key = std::make_pair(rec.meta.name, rec.meta.version);
        auto sd = stored_docs.find(key);
        if (sd != stored_docs.end()) rec.server_json = sd->second;
      }
    }
    p->result = std::move(results[k]);
  }
  return Status::OK();
}

Result<std::vector<VersionRecord>> PostgresStore::UpdateServers(
    const std::vector<Update>& updates) {
  // The bulk path of group commit, all or nothing: the first failing update aborts the lot.
  return Write<std::vector<VersionRecord>>(
      [&](PgConn& c, Head& head) -> Result<std::vector<VersionRecord>> {
        std::vector<Pending> pending;
        pending.reserve(updates.size());
        for (const auto& u : updates) pending.push_back(Pending{u.name, &u.mutate});
        std::vector<Pending*> batch;
        for (auto& p : pending) batch.push_back(&p);
        MCPREG_RETURN_IF_ERROR(ApplyBatch(c, head, batch));
        std::vector<VersionRecord> written;
        for (auto& p : pending) {
          if (!p.result.ok()) return p.result.status();
          for (auto& r : *p.result) written.push_back(std::move(r));
        }
        std::sort(written.begin(), written.end(),
                  [](const VersionRecord& a, const VersionRecord& b) { return a.seq < b.seq; });
        return written;
      });
}

Status PostgresStore::PutBlob(std::string_view sha256, std::string_view data) {
  return WithRetry<bool>([&](PgConn& c) -> Result<bool> {
           MCPREG_RETURN_IF_ERROR(c.ExecScript("BEGIN"));
           Status st = [&]() -> Status {
             auto r = c.Exec(
                 "INSERT INTO feed_blobs (sha256, size, chunk_size) VALUES ($1, $2, $3) "
                 "ON CONFLICT (sha256) DO NOTHING RETURNING 1",
                 {sha256, static_cast<uint64_t>(data.size()),
                  static_cast<uint64_t>(kBlobChunkBytes)});
             if (!r.ok()) return r.status();
             if (r->rows() == 0) return Status::OK();  // stored before
             for (size_t off = 0, n = 0; off < data.size() || n == 0; off += kBlobChunkBytes, ++n) {
               auto chunk = data.substr(off, kBlobChunkBytes);
               auto ins = c.Exec(
                   "INSERT INTO feed_blob_chunks (sha256, n, data) VALUES ($1, $2, $3)",
                   {sha256, static_cast<uint64_t>(n), Param::Binary(chunk)});
               if (!ins.ok()) return ins.status();
               if (data.empty()) break;
             }
             return Status::OK();
           }();
           if (st.ok()) st = c.ExecScript("COMMIT");
           if (!st.ok() && c.healthy() && c.in_transaction()) (void)c.ExecScript("ROLLBACK");
           if (!st.ok()) return st;
           return true;
         })
      .status();
}

Result<std::string> PostgresStore::ReadBlob(std::string_view sha256, uint64_t offset,
                                            uint64_t length) {
  return Read<std::string>([&](PgConn& c) -> Result<std::string> {
    auto meta = c.Exec("SELECT size, chunk_size FROM feed_blobs WHERE sha256 = $1", {sha256});
    if (!meta.ok()) return meta.status();
    if (meta->rows() == 0) return Status::NotFound("no blob " + std::string(sha256));
    uint64_t size = static_cast<uint64_t>(meta->Int(0, 0));
    uint64_t chunk = static_cast<uint64_t>(meta->Int(0, 1));
    if (offset > size || length > size - offset)
      return Status::OutOfRange("range outside the blob");
    std::string out;
    if (length == 0) return out;
    out.reserve(length);
    uint64_t first = offset / chunk, last = (offset + length - 1) / chunk;
    auto r = c.Exec(
        "SELECT data FROM feed_blob_chunks WHERE sha256 = $1 AND n BETWEEN $2 AND $3 ORDER BY n",
        {sha256, first, last}, /*binary_result=*/true);
    if (!r.ok()) return r.status();
    if (static_cast<uint64_t>(r->rows()) != last - first + 1)
      return Status::Internal("blob " + std::string(sha256) + " is missing chunks");
    for (int i = 0; i < r->rows(); ++i) {
      std::string_view bytes = r->Text(i, 0);
      uint64_t base = (first + i) * chunk;
      uint64_t from = offset > base ? offset - base : 0;
      uint64_t to = std::min<uint64_t>(bytes.size(), offset + length - base);
      if (from < to) out.append(bytes.substr(from, to - from));
    }
    if (out.size() != length) return Status::Internal("blob " + std::string(sha256) + " is short");
    return out;
  });
}

Result<Store::Snapshot> PostgresStore::Export() {
  return Read<Snapshot>([&](PgConn& c) -> Result<Snapshot> {
    MCPREG_RETURN_IF_ERROR(c.ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    Snapshot s;
    Status st = [&]() -> Status {
      auto v = c.Exec("SELECT " + std::string(kVersionColumns) + " FROM server_versions ORDER BY seq");
      if (!v.ok()) return v.status();
      for (int i = 0; i < v->rows(); ++i) {
        auto rec = ReadVersion(*v, i);
        if (!rec.ok()) return rec.status();
        s.versions.push_back(std::move(*rec));
      }
      auto g = c.Exec("SELECT " + std::string(kGrantColumns) + " FROM grants ORDER BY id");
      if (!g.ok()) return g.status();
      for (int i = 0; i < g->rows(); ++i) s.grants.push_back(ReadGrantRow(*g, i));
      auto q = c.Exec("SELECT " + std::string(kRequestColumns) + " FROM server_requests ORDER BY name");
      if (!q.ok()) return q.status();
      for (int i = 0; i < q->rows(); ++i) s.requests.push_back(ReadRequestRow(*q, i));
      auto e = c.Exec("SELECT " + std::string(kEvidenceColumns) + " FROM evidence ORDER BY id");
      if (!e.ok()) return e.status();
      for (int i = 0; i < e->rows(); ++i) s.evidence.push_back(ReadEvidenceRow(*e, i));
      auto a = c.Exec("SELECT " + std::string(kAuditColumns) + " FROM audit_log ORDER BY seq");
      if (!a.ok()) return a.status();
      for (int i = 0; i < a->rows(); ++i) s.audit.push_back(ReadAuditRow(*a, i));
      auto f = c.Exec("SELECT " + std::string(kArtifactColumns) +
                      " FROM feed_artifacts ORDER BY server_name, version, filename");
      if (!f.ok()) return f.status();
      for (int i = 0; i < f->rows(); ++i) s.artifacts.push_back(ReadArtifactRow(*f, i));
      return c.ExecScript("COMMIT");
    }();
    if (!st.ok()) {
      if (c.healthy() && c.in_transaction()) (void)c.ExecScript("ROLLBACK");
      return st;
    }
    return s;
  });
}

Status PostgresStore::Restore(const Snapshot& s) {
  return Write<bool>([&](PgConn& c, Head& h) -> Result<bool> {
           MCPREG_RETURN_IF_ERROR(c.ExecScript(
               "ALTER TABLE audit_log DISABLE TRIGGER USER; "
               "ALTER TABLE evidence DISABLE TRIGGER USER; "
               "DELETE FROM audit_log; DELETE FROM evidence; DELETE FROM server_versions; "
               "DELETE FROM mirror_state; "
               "DELETE FROM grants; DELETE FROM server_requests; DELETE FROM feed_artifacts; "
               "ALTER TABLE audit_log ENABLE TRIGGER USER; "
               "ALTER TABLE evidence ENABLE TRIGGER USER"));
           for (const auto& v : s.versions) {
             auto r = c.Exec("INSERT INTO server_versions (" + std::string(kVersionColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                             VersionParams(v.meta, v.server_json, v.seq));
             if (!r.ok()) return r.status();
           }
           for (const auto& g : s.grants) {
             auto r = c.Exec("INSERT INTO grants (" + std::string(kGrantColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                             {g.id, g.issuer, g.subject, g.namespace_pattern, g.role,
                              g.created_at, g.created_by});
             if (!r.ok()) return r.status();
           }
           for (const auto& q : s.requests) {
             auto r = c.Exec("INSERT INTO server_requests (" + std::string(kRequestColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                             {q.name, q.state, q.document, q.issuer, q.subject, q.revision,
                              q.created_at, q.updated_at, q.created_by, q.decided_by,
                              q.decided_at, q.reason});
             if (!r.ok()) return r.status();
           }
           for (const auto& e : s.evidence) {
             auto r = c.Exec("INSERT INTO evidence (" + std::string(kEvidenceColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                             {e.id, e.server_name, e.version, e.digest, e.kind, e.verdict,
                              e.summary, e.document, e.at, e.actor});
             if (!r.ok()) return r.status();
           }
           for (const auto& a : s.audit) {
             auto r = c.Exec("INSERT INTO audit_log (" + std::string(kAuditColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                             {a.seq, a.event.at, a.event.actor, a.event.action,
                              a.event.resource, a.event.details, a.prev_hash, a.hash});
             if (!r.ok()) return r.status();
           }
           for (const auto& a : s.artifacts) {
             auto r = c.Exec("INSERT INTO feed_artifacts (" + std::string(kArtifactColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                             {a.server_name, a.version, a.filename, a.sha256, a.size,
                              a.content_type, a.uploaded_at, a.uploaded_by});
             if (!r.ok()) return r.status();
           }
           MCPREG_RETURN_IF_ERROR(c.ExecScript(
               "SELECT setval(pg_get_serial_sequence('grants', 'id'), "
               "GREATEST((SELECT MAX(id) FROM grants), 1), (SELECT MAX(id) FROM grants) IS NOT NULL); "
               "SELECT setval(pg_get_serial_sequence('evidence', 'id'), "
               "GREATEST((SELECT MAX(id) FROM evidence), 1), (SELECT MAX(id) FROM evidence) IS NOT NULL)"));
           h.seq = 0;
           for (const auto& v : s.versions) h.seq = std::max(h.seq, v.seq);
           h.audit_seq = s.audit.empty() ? 0 : s.audit.back().seq;
           h.audit_hash = s.audit.empty() ? kZeroHash : s.audit.back().hash;
           h.versions = h.governance = true;
           return true;
         })
      .status();
}

void PostgresStore::Watch() {
  std::unique_ptr<PgConn> conn;
  auto last_ping = std::chrono::steady_clock::now();
  bool was_down = false;
  for (;;) {
    {
      std::lock_guard lock(change_mu_);
      if (stop_) return;
    }
    if (!conn) {
      auto c = PgConn::Connect(uri_, pool_.connect_timeout(), pool_.statement_timeout());
      if (c.ok()) {
        // The watcher's ping must notice a server that stopped answering well within the
        // 10 s in which /health has to turn 503.
        (*c)->set_answer_timeout(std::chrono::milliseconds(3000));
        Status st = (*c)->ExecScript("LISTEN mcpreg_changes");
        if (st.ok()) {
          conn = std::move(*c);
          if (was_down) log::Info("database reachable again: " + RedactLocation(uri_));
          // Connections made before the outage are dead: make new ones. Notifications may
          // have been missed: everyone refreshes.
          pool_.DropIdle();
          healthy_.store(true, std::memory_order_release);
          was_down = false;
          Signal(kVersionsChanged | kGovernanceChanged);
          last_ping = std::chrono::steady_clock::now();
          continue;
        }
      }
      if (!was_down) {
        log::Warn("database unavailable: " + RedactLocation(uri_) + ": " +
                  (c.ok() ? std::string("LISTEN failed") : c.status().message()));
      }
      healthy_.store(false, std::memory_order_release);
      was_down = true;
      if (!Nap(std::chrono::milliseconds(1000))) return;
      continue;
    }
    pollfd pfd{PQsocket(conn->raw()), POLLIN, 0};
    int n = poll(&pfd, 1, 250);
    bool lost = false;
    if (n > 0) {
      if (!PQconsumeInput(conn->raw())) lost = true;
      last_ping = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_ping > std::chrono::seconds(2)) {
      // Quiet connection: make sure the server is still there.
      lost = !conn->ExecScript("SELECT 1").ok();
      last_ping = std::chrono::steady_clock::now();
    }
    unsigned bits = 0;  // notifications read by PQconsumeInput or during the ping
    while (PGnotify* note = PQnotifies(conn->raw())) {
      std::string_view payload = note->extra ? note->extra : "";
      if (payload.find('v') != std::string_view::npos) bits |= kVersionsChanged;
      if (payload.find('g') != std::string_view::npos) bits |= kGovernanceChanged;
      PQfreemem(note);
    }
    if (bits) Signal(bits);
    if (lost || !conn->healthy()) {
      log::Warn("database unavailable: lost the connection to " + RedactLocation(uri_));
      conn.reset();
      healthy_.store(false, std::memory_order_release);
      pool_.DropIdle();
      was_down = true;
    }
  }
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri,
                                                 const PostgresOptions& options) {
  auto store = std::make_unique<PostgresStore>(uri, options);
  Status st = store->Start();
  if (!st.ok()) return st;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace mcpreg
