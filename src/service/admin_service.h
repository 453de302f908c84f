// Operator actions that run against the database directly on the host (no HTTP, no token):
// granting publishing rights to workload identities and inspecting/verifying the audit log.
// Bootstrap without secrets: whoever can run `mcpreg admin` on the host owns the registry.
//
// Thread-safety: free functions; the Store serializes writes.
#pragma once

#include <string>
#include <vector>

#include "auth/principal.h"
#include "mcpreg/clock.h"
#include "mcpreg/records.h"
#include "mcpreg/store.h"

namespace mcpreg::service {

// Errors: InvalidArgument (empty issuer/subject, unknown role, malformed namespace pattern),
// AlreadyExists. Records a "grant" audit entry as `who`.
Result<Grant> AddGrant(Store& store, const Clock& clock, const auth::Principal& who, Grant grant);
// Errors: InvalidArgument, NotFound. Records a "revoke" audit entry.
Status RevokeGrant(Store& store, const Clock& clock, const auth::Principal& who, const Grant& grant);

// A namespace pattern: "com.contoso/*", "com.contoso/weather", or "com.contoso.*" (sub-
// namespaces), like the permission patterns upstream's tokens carry.
bool IsValidNamespacePattern(std::string_view pattern);

struct AuditVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad_seq = 0;  // when !ok
  std::string problem;        // when !ok
};
// Walks the whole chain, recomputing every hash. Errors only for store failures.
Result<AuditVerification> VerifyAuditChain(Store& store);

}  // namespace mcpreg::service
