// SQL for the governance tables (grants, audit_log, feed_artifacts, server_requests, evidence) of the SQLite backend, as
// free functions over an open connection. The caller (SqliteStore) owns locking and
// transactions: every write function REQUIRES an open write transaction on `db`.
#pragma once

#include <string_view>
#include <vector>

#include "mcpreg/records.h"
#include "mcpreg/status.h"
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

}  // namespace mcpreg::store
