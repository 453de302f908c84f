// Network seams of the auth module, so that every check can run offline in tests:
//   HttpFetcher  - HTTP GET (JWKS URLs, OIDC discovery, /.well-known/mcp-registry-auth) and
//                  form POST (the OpenID provider's token endpoint, for sign-in);
//   TxtResolver  - DNS TXT lookups (namespace proofs).
// Production implementations: NewHttpFetcher() (mcpreg::http::Fetch, no redirects, deadlines,
// SSRF guard, single flight and a negative cache) and NewTxtResolver() (libc res_nquery).
// Tests use the Fake* classes below.
//
// Outbound rules (config section `outbound:`, see OutboundOptions):
//   - every GET and POST is bounded by connect_timeout (resolve + connect) and total_timeout (the whole
//     call), whatever FetchOptions::timeout asks for beyond that;
//   - a URL marked untrusted_destination (not fixed by the operator's config) connects only to
//     addresses the SSRF guard allows (transport/ssrf_guard.h);
//   - concurrent GETs of one URL share one network fetch (single flight); POSTs are never
//     shared nor remembered (they are not idempotent);
//   - a URL whose fetch failed at the network level (Unavailable) is not fetched again for
//     negative_cache_seconds: callers get the remembered failure at once. At most
//     negative_cache_entries URLs are remembered (the oldest is forgotten first).
// No lock is held across a network call.
//
// Thread-safety: implementations must be safe to call from several threads at once; the
// fakes are (they only read their tables after set-up, guarded by a mutex).
#pragma once

#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

struct FetchOptions {
  std::chrono::seconds timeout{10};  // capped by OutboundOptions::total_timeout
  size_t max_body_bytes = 1 << 20;
  std::string accept = "application/json";
  // True when the URL is not fixed by the operator's config (namespace proofs, a discovered
  // jwks_uri on another host): its addresses must pass the SSRF guard.
  bool untrusted_destination = false;
};

// Limits of every outbound GET; OutboundOptionsFrom() maps config section `outbound:`.
struct OutboundOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  bool allow_private_addresses = false;
  Micros negative_cache_ttl = 60LL * 1000000;  // 0 disables the negative cache
  size_t negative_cache_entries = 1024;
};
OutboundOptions OutboundOptionsFrom(const config::OutboundConfig& config);

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
  // POSTs `body` with this Content-Type to `url`, without following redirects, under the same
  // deadlines and SSRF rule as Get. Any HTTP status is a successful call. Errors as Get. The
  // default implementation refuses with Unavailable (fetchers that only serve GETs).
  virtual Result<FetchResponse> Post(const std::string& url, std::string_view content_type,
                                     std::string_view body, const FetchOptions& options);
};

class TxtResolver {
 public:
  virtual ~TxtResolver() = default;
  // The TXT records of `name`, each record's character-strings concatenated (as Go's
  // net.LookupTXT does). Errors: NotFound (NXDOMAIN or no TXT records), Unavailable (timeout,
  // SERVFAIL, no resolver).
  virtual Result<std::vector<std::string>> LookupTxt(const std::string& name) = 0;
};

// Sends "User-Agent: mcp-registry/1.0". http::Fetch with the options' deadlines and guard,
// wrapped in an OutboundFetcher (single flight + negative cache). `clock` must outlive it.
std::shared_ptr<HttpFetcher> NewHttpFetcher(const OutboundOptions& options = {},
                                            const Clock& clock = SystemClock::Instance());

// Single flight and a bounded negative cache around any fetcher (see the rules above). The
// cache key is the URL plus untrusted_destination. Only Unavailable results are remembered;
// HTTP statuses (404, 500...) are answers, not failures, and are never cached here.
class OutboundFetcher final : public HttpFetcher {
 public:
  // `clock` must outlive the fetcher.
  OutboundFetcher(std::shared_ptr<HttpFetcher> inner, const OutboundOptions& options,
                  const Clock& clock);
  // Errors: the inner fetcher's; Unavailable("... failed recently ...") from the negative
  // cache; Unavailable when waiting for another caller's fetch of the same URL outlasts
  // total_timeout plus a second (the inner fetcher should have ended it).
  Result<FetchResponse> Get(const std::string& url, const FetchOptions& options) override;
  // Straight to the inner fetcher: no single flight, no negative cache.
  Result<FetchResponse> Post(const std::string& url, std::string_view content_type,
                             std::string_view body, const FetchOptions& options) override;
  size_t negative_entries() const;  // URLs remembered as failed (tests)

 private:
  struct Flight {
    bool done = false;
    std::optional<Result<FetchResponse>> result;
  };
  struct Failure {
    std::string key;
    Micros until;
    std::string message;
  };
  void RememberLocked(const std::string& key, const Status& failure, Micros now);

  const std::shared_ptr<HttpFetcher> inner_;
  const OutboundOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  std::list<Failure> failures_;  // oldest first
  std::unordered_map<std::string, std::list<Failure>::iterator> failure_index_;
};
// Uses the system resolver configuration with about a 5 s overall timeout.
std::shared_ptr<TxtResolver> NewTxtResolver();

// Serves canned responses by exact URL; unknown URLs give Unavailable. Counts requests.
// POSTs get the same canned response as a GET of the URL; the last POST body is kept.
class FakeHttpFetcher final : public HttpFetcher {
 public:
  void Set(const std::string& url, int status, std::string body, std::string cache_control = "");
  void Remove(const std::string& url);
  int requests(const std::string& url) const;
  // The body of the last POST to `url`, "" when none.
  std::string last_post(const std::string& url) const;
  Result<FetchResponse> Get(const std::string& url, const FetchOptions& options) override;
  Result<FetchResponse> Post(const std::string& url, std::string_view content_type,
                             std::string_view body, const FetchOptions& options) override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> posts_;
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
