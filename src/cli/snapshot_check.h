// Checking a signed snapshot on the command line, shared by `mcpreg snapshot verify` and
// `mcpreg import --jwks`: read the JWKS (file or URL), verify the envelope against it now.
#pragma once

#include <string>
#include <string_view>

#include "federation/snapshot.h"

namespace mcpreg::cli {

// Verifies `envelope` (the snapshot's bytes) with the keys at `jwks` (a file or an https:// /
// loopback http:// URL, fetched with the outbound fetcher's deadlines). On success fills `out`
// and returns 0. Otherwise prints "mcpreg <cmd>: <reason>" on stderr and returns the exit code:
// 1 when the snapshot is refused (tampered, expired, signed by another key, wrong payloadType,
// malformed), else the JWKS problem's code (2 unreadable or not a JWKS, 3 network).
int CheckSnapshot(const std::string& cmd, std::string_view envelope, const std::string& jwks,
                  federation::VerifiedSnapshot* out);

// The summary line: "verified: N servers, generation G, signed by KID, expires RFC3339".
std::string VerifiedLine(const federation::VerifiedSnapshot& s);

}  // namespace mcpreg::cli
