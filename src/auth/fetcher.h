// Network seams of the auth module, so that every check can run offline in tests:
//   HttpFetcher  - HTTP GET (JWKS URLs, OIDC discovery, /.well-known/mcp-registry-auth);
//   TxtResolver  - DNS TXT lookups (namespace proofs).
// Production implementations: NewHttpFetcher() (mcpreg::http::Fetch, no redirects) and
// NewTxtResolver() (libc res_nquery). Tests use the Fake* classes below.
//
// Thread-safety: implementations must be safe to call from several threads at once; the
// fakes are (they only read their tables after set-up, guarded by a mutex).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mcpreg/status.h"

namespace mcpreg::auth {

struct FetchOptions {
  std::chrono::seconds timeout{10};
  size_t max_body_bytes = 1 << 20;
  std::string accept = "application/json";
};

struct FetchResponse {
  int status = 0;
  std::string body;
  std::string cache_control;  // the Cache-Control header, "" when absent
};

class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  // GETs `url` without following redirects. Any HTTP status is a successful fetch (callers
  // check it). Errors: InvalidArgument (bad URL), Unavailable (network, timeout, body larger
  // than options.max_body_bytes).
  virtual Result<FetchResponse> Get(const std::string& url, const FetchOptions& options) = 0;
};

class TxtResolver {
 public:
  virtual ~TxtResolver() = default;
  // The TXT records of `name`, each record's character-strings concatenated (as Go's
  // net.LookupTXT does). Errors: NotFound (NXDOMAIN or no TXT records), Unavailable (timeout,
  // SERVFAIL, no resolver).
  virtual Result<std::vector<std::string>> LookupTxt(const std::string& name) = 0;
};

// Sends "User-Agent: mcp-registry/1.0".
std::shared_ptr<HttpFetcher> NewHttpFetcher();
// Uses the system resolver configuration with about a 5 s overall timeout.
std::shared_ptr<TxtResolver> NewTxtResolver();

// Serves canned responses by exact URL; unknown URLs give Unavailable. Counts requests.
class FakeHttpFetcher final : public HttpFetcher {
 public:
  void Set(const std::string& url, int status, std::string body, std::string cache_control = "");
  void Remove(const std::string& url);
  int requests(const std::string& url) const;
  Result<FetchResponse> Get(const std::string& url, const FetchOptions& options) override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, FetchResponse> responses_;
  std::map<std::string, int> requests_;
};

// Serves canned TXT records by name; unknown names give NotFound.
class FakeTxtResolver final : public TxtResolver {
 public:
  void Set(const std::string& name, std::vector<std::string> records);
  Result<std::vector<std::string>> LookupTxt(const std::string& name) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> records_;
};

}  // namespace mcpreg::auth
