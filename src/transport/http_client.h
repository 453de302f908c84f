// A small blocking HTTP/1.1 client (http and https, certificate-verified) for outbound calls:
// JWKS and OIDC discovery, namespace proofs, importing from another registry, the CLI.
// One request per call; no redirects followed (a caller that follows one must call Fetch again
// for the new URL, so each hop passes the deadline and the SSRF guard).
//
// Deadlines: every call is bounded in wall-clock time. `connect_timeout` bounds name
// resolution plus TCP connect; `timeout` bounds the whole call (resolution, connect, TLS
// handshake, writing the request, reading the response). A peer that accepts and never
// answers, or dribbles a byte at a time, is cut at `timeout`. Name resolution runs on a helper
// thread that is abandoned at the deadline (getaddrinfo cannot be cancelled); at most
// kMaxPendingLookups such lookups exist at once, beyond that Fetch fails at once.
//
// SSRF: when `guard` is set, every resolved address is checked (transport/ssrf_guard.h) and the
// connection goes only to an address that passed: the name is resolved once, so the address
// connected to is the address vetted (no DNS rebinding).
//
// Thread-safety: free function, safe to call concurrently; each call has its own io_context.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "mcpreg/status.h"
#include "transport/http_server.h"
#include "transport/ssrf_guard.h"

namespace mcpreg::http {

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path?query or https://...
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};          // the whole call
  std::chrono::milliseconds connect_timeout{10000};  // resolve + connect (capped by timeout)
  size_t max_body_bytes = 64 * 1024 * 1024;
  // Set for URLs not fixed by the operator's config: resolved addresses must pass the guard.
  std::optional<SsrfGuard> guard;
};

// Name lookups that may be running (or abandoned past their deadline) at one time.
inline constexpr int kMaxPendingLookups = 32;

// Errors: InvalidArgument (bad URL, unsupported scheme); PermissionDenied (guard set and no
// resolved address is allowed; nothing was connected); Unavailable (resolution, connect, TLS,
// write or read failures, a deadline passed ("... timed out after N ms"), body larger than
// max_body_bytes, too many lookups pending).
Result<ClientResponse> Fetch(const ClientRequest& req);

}  // namespace mcpreg::http
