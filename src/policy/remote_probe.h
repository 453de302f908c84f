// The active remote-authentication probe (rule remote.probe) behind a seam.
//
// Contract checked by ProbeRemoteAuth (MCP authorization spec + RFC 9728):
//   1. an MCP `initialize` POSTed without credentials gets HTTP 401;
//   2. the 401 carries `WWW-Authenticate: Bearer ... resource_metadata="<https URL>"`;
//   3. GET of that URL returns 200 with a JSON object whose `resource` is a non-empty string
//      that the probed URL starts with (after dropping a trailing slash), and whose
//      `authorization_servers` is a non-empty array of strings.
//
// Thread-safety: HttpRemoteProber is stateless and safe to share; fakes decide for themselves.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::policy {

struct ProbeResponse {
  int status = 0;
  std::string www_authenticate;  // the WWW-Authenticate header value ("" when absent)
  std::string body;
};

class RemoteProber {
 public:
  virtual ~RemoteProber() = default;
  // POSTs a JSON-RPC `initialize` request without credentials to `url`.
  // Errors: Unavailable/InvalidArgument when no HTTP response was obtained.
  virtual Result<ProbeResponse> Initialize(const std::string& url) = 0;
  // GETs `url` (the protected resource metadata document).
  virtual Result<ProbeResponse> Get(const std::string& url) = 0;
};

// Production prober over src/transport/http_client.h (no redirects, bounded body and time).
class HttpRemoteProber : public RemoteProber {
 public:
  explicit HttpRemoteProber(std::chrono::seconds timeout = std::chrono::seconds(10))
      : timeout_(timeout) {}
  Result<ProbeResponse> Initialize(const std::string& url) override;
  Result<ProbeResponse> Get(const std::string& url) override;

 private:
  std::chrono::seconds timeout_;
};

// The value of the `resource_metadata` parameter of a Bearer challenge, "" when there is none.
// Handles several challenges in one header, quoted and token values, case-insensitive names.
std::string ResourceMetadataUrl(std::string_view www_authenticate);

// Runs the contract above against `url`. OK when it holds; FailedPrecondition saying which step
// failed otherwise; Unavailable when the server could not be reached.
Status ProbeRemoteAuth(RemoteProber& prober, const std::string& url);

}  // namespace mcpreg::policy
