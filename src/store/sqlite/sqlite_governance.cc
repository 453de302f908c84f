#include "store/sqlite/sqlite_governance.h"

#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

namespace mcpreg::store {
namespace {

const std::string kZeroHash(64, '0');

}  // namespace

Result<AuditRecord> InsertAudit(Db& db, const AuditEvent& e) {
  auto last = db.Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.status();
  AuditRecord rec;
  rec.event = e;
  rec.prev_hash = kZeroHash;
  rec.seq = 1;
  int rc = last->Step();
  if (rc == SQLITE_ROW) {
    rec.seq = last->Int(0) + 1;
    rec.prev_hash = std::string(last->Text(1));
  } else if (rc != SQLITE_DONE) {
    return SqliteStatus(rc, db.raw(), "reading the audit chain head");
  }
  rec.hash = AuditHash(rec.prev_hash, rec.seq, e);
  auto ins = db.Prepare(
      "INSERT INTO audit_log (seq, at, actor, action, resource, details, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!ins.ok()) return ins.status();
  ins->BindInt(1, rec.seq);
  ins->BindInt(2, e.at);
  ins->BindText(3, e.actor);
  ins->BindText(4, e.action);
  ins->BindText(5, e.resource);
  ins->BindText(6, e.details);
  ins->BindText(7, rec.prev_hash);
  ins->BindText(8, rec.hash);
  rc = ins->Step();
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "appending to the audit log");
  return rec;
}

Result<std::vector<AuditRecord>> SelectAudit(Db& db, std::string_view resource, int64_t after_seq,
                                             size_t limit) {
  auto st = db.Prepare(
      "SELECT seq, at, actor, action, resource, details, prev_hash, hash FROM audit_log "
      "WHERE seq > ?1 AND (?2 = '' OR resource = ?2) ORDER BY seq LIMIT ?3");
  if (!st.ok()) return st.status();
  st->BindInt(1, after_seq);
  st->BindText(2, resource);
  st->BindInt(3, limit == 0 ? -1 : static_cast<int64_t>(limit));
  std::vector<AuditRecord> out;
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) {
    AuditRecord r;
    r.seq = st->Int(0);
    r.event.at = st->Int(1);
    r.event.actor = std::string(st->Text(2));
    r.event.action = std::string(st->Text(3));
    r.event.resource = std::string(st->Text(4));
    r.event.details = std::string(st->Text(5));
    r.prev_hash = std::string(st->Text(6));
    r.hash = std::string(st->Text(7));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "reading the audit log");
  return out;
}

Result<Grant> InsertGrant(Db& db, const Grant& g) {
  auto st = db.Prepare(
      "INSERT INTO grants (issuer, subject, namespace, role, created_at, created_by) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  if (!st.ok()) return st.status();
  st->BindText(1, g.issuer);
  st->BindText(2, g.subject);
  st->BindText(3, g.namespace_pattern);
  st->BindText(4, g.role);
  st->BindInt(5, g.created_at);
  st->BindText(6, g.created_by);
  int rc = st->Step();
  if (rc != SQLITE_ROW) {
    if ((rc & 0xff) == SQLITE_CONSTRAINT &&
        sqlite3_extended_errcode(db.raw()) == SQLITE_CONSTRAINT_UNIQUE)
      return Status::AlreadyExists("this grant already exists");
    return SqliteStatus(rc, db.raw(), "adding a grant");
  }
  Grant out = g;
  out.id = st->Int(0);
  st->Reset();
  return out;
}

Status DeleteGrant(Db& db, const Grant& g) {
  auto st = db.Prepare(
      "DELETE FROM grants WHERE issuer = ?1 AND subject = ?2 AND namespace = ?3 AND role = ?4");
  if (!st.ok()) return st.status();
  st->BindText(1, g.issuer);
  st->BindText(2, g.subject);
  st->BindText(3, g.namespace_pattern);
  st->BindText(4, g.role);
  int rc = st->Step();
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "revoking a grant");
  if (sqlite3_changes(db.raw()) == 0) return Status::NotFound("no such grant");
  return Status::OK();
}

Result<std::vector<Grant>> SelectGrants(Db& db, std::string_view issuer, std::string_view subject) {
  auto st = db.Prepare(
      "SELECT id, issuer, subject, namespace, role, created_at, created_by FROM grants "
      "WHERE (?1 = '' OR issuer = ?1) AND (?2 = '' OR subject = ?2) ORDER BY id");
  if (!st.ok()) return st.status();
  st->BindText(1, issuer);
  st->BindText(2, subject);
  std::vector<Grant> out;
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) {
    Grant g;
    g.id = st->Int(0);
    g.issuer = std::string(st->Text(1));
    g.subject = std::string(st->Text(2));
    g.namespace_pattern = std::string(st->Text(3));
    g.role = std::string(st->Text(4));
    g.created_at = st->Int(5);
    g.created_by = std::string(st->Text(6));
    out.push_back(std::move(g));
  }
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "listing grants");
  return out;
}

Status UpsertArtifact(Db& db, const Artifact& a) {
  auto existing = SelectArtifacts(db, a.server_name, a.version, "");
  if (!existing.ok()) return existing.status();
  for (const auto& e : *existing) {
    if (e.filename != a.filename) continue;
    if (e.sha256 == a.sha256) return Status::OK();
    return Status::AlreadyExists("artifact " + a.filename + " of " + a.server_name + " " +
                                 a.version + " already exists with digest " + e.sha256);
  }
  auto st = db.Prepare(
      "INSERT INTO feed_artifacts (server_name, version, filename, sha256, size, content_type, "
      "uploaded_at, uploaded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st.ok()) return st.status();
  st->BindText(1, a.server_name);
  st->BindText(2, a.version);
  st->BindText(3, a.filename);
  st->BindText(4, a.sha256);
  st->BindInt(5, static_cast<int64_t>(a.size));
  st->BindText(6, a.content_type);
  st->BindInt(7, a.uploaded_at);
  st->BindText(8, a.uploaded_by);
  int rc = st->Step();
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "recording an artifact");
  return Status::OK();
}

Result<std::vector<Artifact>> SelectArtifacts(Db& db, std::string_view server_name,
                                              std::string_view version, std::string_view sha256) {
  auto st = db.Prepare(
      "SELECT server_name, version, filename, sha256, size, content_type, uploaded_at, "
      "uploaded_by FROM feed_artifacts WHERE (?1 = '' OR server_name = ?1) AND "
      "(?2 = '' OR version = ?2) AND (?3 = '' OR sha256 = ?3) ORDER BY server_name, version, "
      "filename");
  if (!st.ok()) return st.status();
  st->BindText(1, server_name);
  st->BindText(2, version);
  st->BindText(3, sha256);
  std::vector<Artifact> out;
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) {
    Artifact a;
    a.server_name = std::string(st->Text(0));
    a.version = std::string(st->Text(1));
    a.filename = std::string(st->Text(2));
    a.sha256 = std::string(st->Text(3));
    a.size = static_cast<uint64_t>(st->Int(4));
    a.content_type = std::string(st->Text(5));
    a.uploaded_at = st->Int(6);
    a.uploaded_by = std::string(st->Text(7));
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "listing artifacts");
  return out;
}

}  // namespace mcpreg::store

namespace mcpreg::store {
namespace {

constexpr std::string_view kRequestColumns =
    "name, state, document, issuer, subject, revision, created_at, updated_at, created_by, "
    "decided_by, decided_at, reason";

ServerRequest ReadRequest(Stmt& st) {
  ServerRequest r;
  r.name = std::string(st.Text(0));
  r.state = std::string(st.Text(1));
  r.document = std::string(st.Text(2));
  r.issuer = std::string(st.Text(3));
  r.subject = std::string(st.Text(4));
  r.revision = st.Int(5);
  r.created_at = st.Int(6);
  r.updated_at = st.Int(7);
  r.created_by = std::string(st.Text(8));
  r.decided_by = std::string(st.Text(9));
  r.decided_at = st.Int(10);
  r.reason = std::string(st.Text(11));
  return r;
}

}  // namespace

Result<ServerRequest> WriteRequest(Db& db, const ServerRequest& req, int64_t expected_revision) {
  auto current = SelectRequest(db, req.name);
  if (current.ok()) {
    if (expected_revision == 0)
      return Status::AlreadyExists("a request for " + req.name + " already exists");
    if (current->revision != expected_revision)
      return Status::AlreadyExists("the request for " + req.name +
                                   " was changed by someone else (now revision " +
                                   std::to_string(current->revision) + "); reload and retry");
  } else if (!current.status().IsNotFound()) {
    return current.status();
  } else if (expected_revision != 0) {
    return Status::NotFound("no request for " + req.name);
  }
  auto st = db.Prepare(
      "INSERT OR REPLACE INTO server_requests (" + std::string(kRequestColumns) +
      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!st.ok()) return st.status();
  ServerRequest out = req;
  out.revision = expected_revision + 1;
  st->BindText(1, out.name);
  st->BindText(2, out.state);
  st->BindText(3, out.document);
  st->BindText(4, out.issuer);
  st->BindText(5, out.subject);
  st->BindInt(6, out.revision);
  st->BindInt(7, out.created_at);
  st->BindInt(8, out.updated_at);
  st->BindText(9, out.created_by);
  st->BindText(10, out.decided_by);
  st->BindInt(11, out.decided_at);
  st->BindText(12, out.reason);
  int rc = st->Step();
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "writing a server request");
  return out;
}

Result<ServerRequest> SelectRequest(Db& db, std::string_view name) {
  auto st = db.Prepare("SELECT " + std::string(kRequestColumns) +
                       " FROM server_requests WHERE name = ?1");
  if (!st.ok()) return st.status();
  st->BindText(1, name);
  int rc = st->Step();
  if (rc == SQLITE_ROW) return ReadRequest(*st);
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "reading a server request");
  return Status::NotFound("no request for " + std::string(name));
}

Result<std::vector<ServerRequest>> SelectRequests(Db& db, std::string_view state) {
  auto st = db.Prepare("SELECT " + std::string(kRequestColumns) +
                       " FROM server_requests WHERE (?1 = '' OR state = ?1) ORDER BY name");
  if (!st.ok()) return st.status();
  st->BindText(1, state);
  std::vector<ServerRequest> out;
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) out.push_back(ReadRequest(*st));
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "listing server requests");
  return out;
}

Status EnsureGrant(Db& db, const Grant& grant) {
  auto g = InsertGrant(db, grant);
  if (g.ok() || g.status().IsAlreadyExists()) return Status::OK();
  return g.status();
}

Result<Evidence> InsertEvidence(Db& db, const Evidence& e) {
  auto st = db.Prepare(
      "INSERT INTO evidence (server_name, version, digest, kind, verdict, summary, document, at, "
      "actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id");
  if (!st.ok()) return st.status();
  st->BindText(1, e.server_name);
  st->BindText(2, e.version);
  st->BindText(3, e.digest);
  st->BindText(4, e.kind);
  st->BindText(5, e.verdict);
  st->BindText(6, e.summary);
  st->BindText(7, e.document);
  st->BindInt(8, e.at);
  st->BindText(9, e.actor);
  int rc = st->Step();
  if (rc != SQLITE_ROW) return SqliteStatus(rc, db.raw(), "recording evidence");
  Evidence out = e;
  out.id = st->Int(0);
  st->Reset();
  return out;
}

Result<std::vector<Evidence>> SelectEvidence(Db& db, std::string_view server_name,
                                             std::string_view version, int64_t after_id) {
  auto st = db.Prepare(
      "SELECT id, server_name, version, digest, kind, verdict, summary, document, at, actor "
      "FROM evidence WHERE id > ?3 AND (?1 = '' OR server_name = ?1) AND (?2 = '' OR version = ?2) "
      "ORDER BY id");
  if (!st.ok()) return st.status();
  st->BindText(1, server_name);
  st->BindText(2, version);
  st->BindInt(3, after_id);
  std::vector<Evidence> out;
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) {
    Evidence e;
    e.id = st->Int(0);
    e.server_name = std::string(st->Text(1));
    e.version = std::string(st->Text(2));
    e.digest = std::string(st->Text(3));
    e.kind = std::string(st->Text(4));
    e.verdict = std::string(st->Text(5));
    e.summary = std::string(st->Text(6));
    e.document = std::string(st->Text(7));
    e.at = st->Int(8);
    e.actor = std::string(st->Text(9));
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "listing evidence");
  return out;
}

}  // namespace mcpreg::store

namespace mcpreg::store {
namespace {

// Runs the prepared `st` once (a write), then resets it for the next row.
Status StepWrite(Db& db, Stmt& st, std::string_view what) {
  int rc = st.Step();
  Status out = rc == SQLITE_DONE ? Status::OK() : SqliteStatus(rc, db.raw(), what);
  st.Reset();
  return out;
}

}  // namespace

Status SelectGovernance(Db& db, Store::Snapshot& snap) {
  auto grants = SelectGrants(db, "", "");
  if (!grants.ok()) return grants.status();
  auto requests = SelectRequests(db, "");
  if (!requests.ok()) return requests.status();
  auto evidence = SelectEvidence(db, "", "", 0);
  if (!evidence.ok()) return evidence.status();
  auto audit = SelectAudit(db, "", 0, 0);
  if (!audit.ok()) return audit.status();
  auto artifacts = SelectArtifacts(db, "", "", "");
  if (!artifacts.ok()) return artifacts.status();
  snap.grants = std::move(*grants);
  snap.requests = std::move(*requests);
  snap.evidence = std::move(*evidence);
  snap.audit = std::move(*audit);
  snap.artifacts = std::move(*artifacts);
  return Status::OK();
}

Status ClearGovernance(Db& db) {
  // The guards as created by the migrations (0002 audit_log, 0003 evidence).
  auto list = db.Prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
      "tbl_name IN ('audit_log', 'evidence') ORDER BY name");
  if (!list.ok()) return list.status();
  std::vector<std::pair<std::string, std::string>> guards;
  int rc;
  while ((rc = list->Step()) == SQLITE_ROW)
    guards.emplace_back(std::string(list->Text(0)), std::string(list->Text(1)));
  list->Reset();
  if (rc != SQLITE_DONE) return SqliteStatus(rc, db.raw(), "reading the append-only guards");
  for (const auto& [name, sql] : guards)
    MCPREG_RETURN_IF_ERROR(db.Exec("DROP TRIGGER \"" + name + "\""));
  MCPREG_RETURN_IF_ERROR(
      db.Exec("DELETE FROM grants; DELETE FROM server_requests; DELETE FROM evidence; "
              "DELETE FROM audit_log; DELETE FROM feed_artifacts"));
  for (const auto& [name, sql] : guards) MCPREG_RETURN_IF_ERROR(db.Exec(sql));
  return Status::OK();
}

Status InsertGovernance(Db& db, const Store::Snapshot& snap) {
  auto grant = db.Prepare(
      "INSERT INTO grants (id, issuer, subject, namespace, role, created_at, created_by) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!grant.ok()) return grant.status();
  for (const auto& g : snap.grants) {
    grant->BindInt(1, g.id);
    grant->BindText(2, g.issuer);
    grant->BindText(3, g.subject);
    grant->BindText(4, g.namespace_pattern);
    grant->BindText(5, g.role);
    grant->BindInt(6, g.created_at);
    grant->BindText(7, g.created_by);
    MCPREG_RETURN_IF_ERROR(StepWrite(db, *grant, "restoring grant " + std::to_string(g.id)));
  }

  auto request = db.Prepare("INSERT INTO server_requests (" + std::string(kRequestColumns) +
                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!request.ok()) return request.status();
  for (const auto& r : snap.requests) {
    request->BindText(1, r.name);
    request->BindText(2, r.state);
    request->BindText(3, r.document);
    request->BindText(4, r.issuer);
    request->BindText(5, r.subject);
    request->BindInt(6, r.revision);
    request->BindInt(7, r.created_at);
    request->BindInt(8, r.updated_at);
    request->BindText(9, r.created_by);
    request->BindText(10, r.decided_by);
    request->BindInt(11, r.decided_at);
    request->BindText(12, r.reason);
    MCPREG_RETURN_IF_ERROR(StepWrite(db, *request, "restoring the request for " + r.name));
  }

  auto evidence = db.Prepare(
      "INSERT INTO evidence (id, server_name, version, digest, kind, verdict, summary, document, "
      "at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!evidence.ok()) return evidence.status();
  for (const auto& e : snap.evidence) {
    evidence->BindInt(1, e.id);
    evidence->BindText(2, e.server_name);
    evidence->BindText(3, e.version);
    evidence->BindText(4, e.digest);
    evidence->BindText(5, e.kind);
    evidence->BindText(6, e.verdict);
    evidence->BindText(7, e.summary);
    evidence->BindText(8, e.document);
    evidence->BindInt(9, e.at);
    evidence->BindText(10, e.actor);
    MCPREG_RETURN_IF_ERROR(StepWrite(db, *evidence, "restoring evidence " + std::to_string(e.id)));
  }

  auto audit = db.Prepare(
      "INSERT INTO audit_log (seq, at, actor, action, resource, details, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!audit.ok()) return audit.status();
  for (const auto& a : snap.audit) {
    audit->BindInt(1, a.seq);
    audit->BindInt(2, a.event.at);
    audit->BindText(3, a.event.actor);
    audit->BindText(4, a.event.action);
    audit->BindText(5, a.event.resource);
    audit->BindText(6, a.event.details);
    audit->BindText(7, a.prev_hash);
    audit->BindText(8, a.hash);
    MCPREG_RETURN_IF_ERROR(
        StepWrite(db, *audit, "restoring audit entry " + std::to_string(a.seq)));
  }

  auto artifact = db.Prepare(
      "INSERT INTO feed_artifacts (server_name, version, filename, sha256, size, content_type, "
      "uploaded_at, uploaded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!artifact.ok()) return artifact.status();
  for (const auto& a : snap.artifacts) {
    artifact->BindText(1, a.server_name);
    artifact->BindText(2, a.version);
    artifact->BindText(3, a.filename);
    artifact->BindText(4, a.sha256);
    artifact->BindInt(5, static_cast<int64_t>(a.size));
    artifact->BindText(6, a.content_type);
    artifact->BindInt(7, a.uploaded_at);
    artifact->BindText(8, a.uploaded_by);
    MCPREG_RETURN_IF_ERROR(StepWrite(db, *artifact, "restoring artifact " + a.filename + " of " +
                                                        a.server_name + " " + a.version));
  }
  return Status::OK();
}

}  // namespace mcpreg::store
