// SQL for the governance tables (grants, audit_log, feed_artifacts, server_requests, evidence)
// of the SQLite backend, as free functions over an open connection. The caller (SqliteStore)
// owns locking and transactions: every write function REQUIRES an open write transaction on
// `db`.
#pragma once

#include <string_view>
#include <vector>

#include "mcpreg/records.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"
#include "store/sqlite/sqlite_db.h"

namespace mcpreg::store {

// Appends `event` to the hash chain (reads the last hash inside the same transaction).
Result<AuditRecord> InsertAudit(Db& db, const AuditEvent& event);
Result<std::vector<AuditRecord>> SelectAudit(Db& db, std::string_view resource, int64_t after_seq,
                                             size_t limit);

Result<Grant> InsertGrant(Db& db, const Grant& grant);
// NotFound when no row matched.
Status DeleteGrant(Db& db, const Grant& grant);
Result<std::vector<Grant>> SelectGrants(Db& db, std::string_view issuer, std::string_view subject);

// Inserts, or accepts an identical existing binding; AlreadyExists for a different digest.
Status UpsertArtifact(Db& db, const Artifact& a);
Result<std::vector<Artifact>> SelectArtifacts(Db& db, std::string_view server_name,
                                              std::string_view version, std::string_view sha256);

// Inserts (expected_revision 0) or replaces by revision; see Store::PutRequest.
Result<ServerRequest> WriteRequest(Db& db, const ServerRequest& req, int64_t expected_revision);
// NotFound when absent.
Result<ServerRequest> SelectRequest(Db& db, std::string_view name);
Result<std::vector<ServerRequest>> SelectRequests(Db& db, std::string_view state);
// Inserts a grant unless an identical one exists.
Status EnsureGrant(Db& db, const Grant& grant);

Result<Evidence> InsertEvidence(Db& db, const Evidence& e);
Result<std::vector<Evidence>> SelectEvidence(Db& db, std::string_view server_name,
                                             std::string_view version, int64_t after_id);

// --- whole-registry snapshot (Store::Export / Restore) ---------------------------------------
// Reads every governance row into `snap` (grants, requests, evidence, audit, artifacts; the
// orders Store::Snapshot documents). Consistent only inside one read transaction on `db`.
Status SelectGovernance(Db& db, Store::Snapshot& snap);
// Deletes every governance row, the append-only audit_log and evidence included: their guard
// triggers are dropped and then recreated from the text they were created with (sqlite_master
// keeps the migrations' CREATE TRIGGER statements verbatim), all in the caller's transaction,
// so no other connection ever sees the tables unguarded.
Status ClearGovernance(Db& db);
// Inserts the governance rows of `snap` exactly as they are (ids, seqs, revisions, hashes).
// Errors: AlreadyExists/FailedPrecondition when the rows break a key or constraint.
Status InsertGovernance(Db& db, const Store::Snapshot& snap);

}  // namespace mcpreg::store
