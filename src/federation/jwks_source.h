// Where a verifier's trusted keys and the snapshot it checks come from: a local file or a URL
// (the command line's `--jwks FILE|URL`, a snapshot FILE). Both are attacker-controlled bytes:
// they are capped in size before they are parsed (snapshot.h: kMaxJwksBytes, kMaxSnapshotBytes).
//
// URLs are fetched with the outbound fetcher (auth/fetcher.h: connect and total deadlines, no
// redirects). The URL is the operator's choice (like a configured jwks_url), so it follows the
// same rule: https://, or http:// on a loopback host only (auth::IsHttpsOrLoopbackHttp).
//
// Thread-safety: pure functions (the fetcher must be safe for concurrent use).
#pragma once

#include <string>

#include "auth/fetcher.h"
#include "auth/jwks.h"
#include "mcpreg/status.h"

namespace mcpreg::federation {

// The bytes of `path`, at most `max_bytes`. `what` names the file in messages.
// Errors: InvalidArgument ("cannot read <what> <path>: <errno text>"), ResourceExhausted
// ("<what> <path> is larger than N bytes").
Result<std::string> ReadCappedFile(const std::string& path, size_t max_bytes,
                                   std::string_view what);

// The bytes at `url` (status 200 only), at most `max_bytes`.
// Errors: InvalidArgument (not https:// nor loopback http://), Unavailable (network, deadline,
// larger than max_bytes, non-200 answer).
Result<std::string> FetchCapped(auth::HttpFetcher& fetcher, const std::string& url,
                                size_t max_bytes, std::string_view what);

// A JWKS from a file or URL ("http://" / "https://" prefix) that holds at least one usable
// Ed25519 key with a kid. `fetcher` is used for URLs only (may be null for files).
// Errors: those above; InvalidArgument ("<source> is not a JWKS: ..." / "... has no Ed25519
// key with a kid").
Result<auth::JwkSet> LoadJwks(const std::string& source, auth::HttpFetcher* fetcher);

}  // namespace mcpreg::federation
