// A small blocking HTTP/1.1 client (http and https, certificate-verified) for importing from
// another registry and for the CLI. One request per call; no redirects followed.
//
// Thread-safety: free function, safe to call concurrently.
#pragma once

#include <chrono>
#include <string>

#include "mcpreg/status.h"
#include "transport/http_server.h"

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
  std::chrono::seconds timeout{30};
  size_t max_body_bytes = 64 * 1024 * 1024;
};

// Errors: InvalidArgument (bad URL), Unavailable (connect/TLS/timeout/read failures).
Result<ClientResponse> Fetch(const ClientRequest& req);

}  // namespace mcpreg::http
