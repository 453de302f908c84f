// Namespace proofs, as the official registry's /auth/dns and /auth/http endpoints do them
// (internal/api/handlers/v0/auth/{common,dns,http}.go).
//
// The publisher owns a private key whose public half is published as a proof record
//     v=MCPv1; k=ed25519; p=<base64 32-byte key>
//     v=MCPv1; k=ecdsap384; p=<base64 49-byte compressed P-384 point>
// either as a DNS TXT record on the apex domain, or as the body of
// https://<domain>/.well-known/mcp-registry-auth. It signs the exact bytes of an RFC 3339
// timestamp (within ±15 s of our clock) and sends {domain, timestamp, signed_timestamp (hex)}.
// Any published key that verifies the signature is accepted (several records allow rotation).
//
// Grants (upstream's BuildPermissions): DNS -> publish on "<reversed>/*" and "<reversed>.*"
// (subdomains, as ACME DNS-01); HTTP -> publish on "<reversed>/*" only.
//
// Every failure is Unauthenticated with upstream's wording (the handler answers 401).
// Thread-safety: pure functions; the seams must be thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/fetcher.h"
#include "auth/principal.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

struct ProofRequest {
  std::string domain;            // "example.com"
  std::string timestamp;         // RFC 3339, the signed message
  std::string signed_timestamp;  // hex signature
};

// Looks up TXT records of request.domain (and, when none holds a proof record, probes
// _mcp-auth.<domain> and _mcp-registry.<domain> only to explain a misplaced record).
Result<Principal> VerifyDnsProof(const ProofRequest& request, TxtResolver& resolver,
                                 const Clock& clock);

// GETs https://<domain>/.well-known/mcp-registry-auth (10 s at most, capped by the fetcher's
// deadlines; no redirects; <= 4096 bytes; must answer 200). The URL is the caller's, so it is
// fetched as untrusted_destination: an address the SSRF guard refuses (loopback, private,
// link-local, unspecified...) fails with Unauthenticated("... refused by the outbound address
// policy") before any connection is made.
Result<Principal> VerifyHttpProof(const ProofRequest& request, HttpFetcher& fetcher,
                                  const Clock& clock);

// Building blocks, exposed for tests and for the CLI.
// Upstream's IsValidDomain: <= 253 chars, dot-separated alphanumeric labels with inner '-'.
bool IsValidProofDomain(std::string_view domain);
// "v=MCPv1; k=ed25519; p=" + base64(public_key).
std::string MakeProofRecord(std::string_view ed25519_public_key);
// Verifies `signature` over `message` against the proof records in `records` (text that does
// not contain a proof record is ignored). `source` is "DNS TXT records" or "HTTP response"
// for the "no MCP public key found in ..." message.
Status VerifyAgainstRecords(const std::vector<std::string>& records, std::string_view message,
                            std::string_view signature, std::string_view source);

}  // namespace mcpreg::auth
