// Where `mcpreg login oidc` gets the workload's OIDC token from, in this order:
//   1. --token-file F (the whole file, surrounding whitespace trimmed; "-" reads stdin);
//   2. GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<audience> with
//      "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" → {"value": "<JWT>"}
//      (the workflow needs `permissions: id-token: write`);
//   3. Azure Pipelines: POST $SYSTEM_OIDCREQUESTURI?api-version=7.1[&serviceConnectionId=ID] with
//      "Authorization: Bearer $SYSTEM_ACCESSTOKEN" → {"oidcToken": "<JWT>"}.
// Tokens never appear in any returned message.
//
// Thread-safety: free functions (blocking HTTP).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "client/token_file.h"
#include "mcpreg/status.h"

namespace mcpreg::client {

inline constexpr char kDefaultAudience[] = "mcp-registry";
inline constexpr char kGitHubActionsIssuer[] = "https://token.actions.githubusercontent.com";

struct OidcSourceOptions {
  std::string token_file;                   // empty: discover from the CI environment
  std::string audience = kDefaultAudience;  // GitHub Actions only (Azure's is fixed)
  std::string service_connection;           // Azure Pipelines serviceConnectionId, optional
};

struct OidcToken {
  std::string token;
  std::string source;  // "token file F", "GitHub Actions", "Azure Pipelines" (for messages)
};

// Errors: InvalidArgument when no source applies (the message lists the options) or the token
// file is empty; Unavailable when a file cannot be read, the CI endpoint cannot be reached or
// answers 5xx; Unauthenticated when the CI endpoint refuses (4xx) or answers without a token.
Result<OidcToken> FetchOidcToken(const OidcSourceOptions& options, const EnvLookup& env);

// The `iss` claim of a JWT's payload, without verifying anything; nullopt when `jwt` is not a
// three-part JWT with a JSON payload holding a string `iss`.
std::optional<std::string> UnverifiedIssuer(std::string_view jwt);

// True for GitHub Actions' issuer (also GHE.com's "<issuer>/<enterprise>" form): such tokens are
// exchanged at /v0.1/auth/github-oidc, every other one at /v0.1/auth/oidc.
bool IsGitHubActionsIssuer(std::string_view iss);

}  // namespace mcpreg::client
