// The registry calls the publishing client makes, with the request shapes of upstream's
// `mcp-publisher` (under /v0.1) plus mcpreg's package-feed upload:
//   POST  {registry}/v0.1/auth/oidc | /v0.1/auth/github-oidc   {"oidc_token": T}
//   PUT   {registry}/v0.1/x/dev.mcpreg/feed/{name}/{version}/{filename}   (file bytes)
//   POST  {registry}/v0.1/publish                               (server.json)
//   PATCH {registry}/v0.1/servers/{name}[/versions/{version}]/status
//   GET|POST|PUT {registry}/v0.1/x/dev.mcpreg/{requests,review,servers/.../evidence}  (governance)
// Path segments are percent-encoded. Registry tokens go only into Authorization headers.
//
// Errors, shared by every call (so the CLI's exit code follows from the code through
// ExitCodeFor: 1 refused, 3 environment):
//   - the server answered 4xx: 400 and other 4xx FailedPrecondition, 401 Unauthenticated,
//     403 PermissionDenied, 404 NotFound, 409 AlreadyExists, 413 PayloadTooLarge,
//     422 Unprocessable, 429 ResourceExhausted; message "<status> <title>: <detail>: <errors[0]>"
//     from the problem+json body (InvalidArgument is kept for local usage mistakes);
//   - 5xx or no answer: Unavailable; a 2xx body that is not what the contract says: Internal.
//
// Thread-safety: free functions (blocking HTTP), safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpreg/status.h"
#include "transport/http_client.h"

namespace mcpreg::client {

// Describes a response for an error message: "<status> <title>[: <detail>][: <errors[0].message>
// [(and N more)]]", using the problem+json body when there is one, else the first line of the
// body (at most 200 bytes).
std::string DescribeResponse(const http::ClientResponse& response);

// The Status for a non-2xx registry response (see the file comment), message as DescribeResponse.
Status StatusFromResponse(const http::ClientResponse& response);

struct RegistryToken {
  std::string token;       // secret
  int64_t expires_at = 0;  // unix seconds
};

// Exchanges a workload OIDC token for a registry token at /v0.1/auth/github-oidc when the
// token's issuer is GitHub Actions, else at /v0.1/auth/oidc.
Result<RegistryToken> ExchangeOidcToken(const std::string& registry, const std::string& oidc_token);

struct UploadedArtifact {
  std::string url;     // absolute download URL
  std::string sha256;  // lowercase hex, equal to the uploaded bytes' digest
  uint64_t size = 0;
  std::string filename;
};

// Uploads `bytes` to the package feed as `filename` for server `name` at `version`, declaring
// their SHA-256 in X-Content-SHA256. Internal when the registry reports a different digest.
Result<UploadedArtifact> UploadArtifact(const std::string& registry, const std::string& token,
                                        std::string_view name, std::string_view version,
                                        std::string_view filename, std::string_view bytes);

struct PublishedServer {
  std::string name;
  std::string version;
};

// POSTs `server_json` (sent verbatim) to /v0.1/publish.
Result<PublishedServer> PublishServer(const std::string& registry, const std::string& token,
                                      const std::string& server_json);

// POSTs `server_json` to /v0.1/validate (no token) and returns a one-line summary of its
// error-severity issues ("<path>: <message> (and N more)"), or "" when it reports none. Used to
// explain a 422 from publish, which upstream leaves without details.
Result<std::string> ValidationSummary(const std::string& registry, const std::string& server_json);

// A status change as `mcpreg status` flags express it.
struct StatusChange {
  std::string status;                  // "active" | "deprecated" | "deleted"
  std::optional<std::string> message;  // statusMessage; never with "active"
};

// From the flags: exactly one of the three actions; --message not with --restore.
// Errors: InvalidArgument (usage).
Result<StatusChange> MakeStatusChange(bool deprecate, bool remove, bool restore,
                                      std::optional<std::string> message);

// The JSON request body: {"status":"...","statusMessage":"..."} (statusMessage only when set).
std::string StatusChangeBody(const StatusChange& change);

struct VersionStatus {
  std::string version;
  std::string status;
};
struct StatusChangeResult {
  int updated_count = 0;
  std::vector<VersionStatus> versions;  // as the registry reports them after the change
};

// PATCHes one version's status, or every version's when `version` is empty.
Result<StatusChangeResult> UpdateStatus(const std::string& registry, const std::string& token,
                                        std::string_view name, std::string_view version,
                                        const StatusChange& change);

// One governance call under {registry}/v0.1/x/dev.mcpreg/ (service/governance_service.h):
// `segments` are the path segments after that prefix, each percent-encoded here (a server name's
// "/" travels as %2F); `query` is appended verbatim after "?" when not empty ("state=pending");
// `body`, when not empty, is sent as application/json. Returns the 2xx response body verbatim
// (the registry's JSON rendering: RequestViewJson, EvidenceListJson, ...). Errors as in the file
// comment; Internal when a 2xx body is not a JSON object.
Result<std::string> CallGovernance(const std::string& registry, const std::string& token,
                                   std::string method, const std::vector<std::string>& segments,
                                   std::string_view query = {}, std::string body = {});

}  // namespace mcpreg::client
