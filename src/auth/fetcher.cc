#include "auth/fetcher.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cstring>

#include "transport/http_client.h"

namespace mcpreg::auth {
namespace {

class RealHttpFetcher final : public HttpFetcher {
 public:
  explicit RealHttpFetcher(const OutboundOptions& o) : options_(o) {}

  Result<FetchResponse> Get(const std::string& url, const FetchOptions& options) override {
    return Call("GET", url, "", "", options);
  }

  Result<FetchResponse> Post(const std::string& url, std::string_view content_type,
                             std::string_view body, const FetchOptions& options) override {
    return Call("POST", url, content_type, body, options);
  }

 private:
  Result<FetchResponse> Call(const char* method, const std::string& url,
                             std::string_view content_type, std::string_view body,
                             const FetchOptions& options) {
    http::ClientRequest req;
    req.method = method;
    req.url = url;
    req.timeout = std::min<std::chrono::milliseconds>(options.timeout, options_.total_timeout);
    req.connect_timeout = options_.connect_timeout;
    if (options.untrusted_destination)
      req.guard = http::SsrfGuard(options_.allow_private_addresses);
    req.max_body_bytes = options.max_body_bytes;
    req.headers = {{"Accept", options.accept}, {"User-Agent", "mcp-registry/1.0"}};
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", std::string(content_type));
    req.body = std::string(body);
    Result<http::ClientResponse> resp = http::Fetch(req);
    if (!resp.ok()) return resp.status();
    FetchResponse out;
    out.status = resp->status;
    out.body = std::move(resp->body);
    for (const auto& [name, value] : resp->headers) {
      if (strcasecmp(name.c_str(), "Cache-Control") == 0) out.cache_control = value;
    }
    return out;
  }

  const OutboundOptions options_;
};

// res_nquery on a private resolver state: thread-safe, unlike res_query on the global one.
class LibcTxtResolver final : public TxtResolver {
 public:
  Result<std::vector<std::string>> LookupTxt(const std::string& name) override {
    struct __res_state state;
    std::memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) return Status::Unavailable("DNS resolver initialisation failed");
    state.retrans = 2;  // seconds per try; 2 tries keeps the lookup near upstream's 5 s budget
    state.retry = 2;
    unsigned char answer[8192];
    int len = res_nquery(&state, name.c_str(), ns_c_in, ns_t_txt, answer, sizeof answer);
    int herr = state.res_h_errno;
    res_nclose(&state);
    if (len < 0) {
      if (herr == HOST_NOT_FOUND || herr == NO_DATA) {
        return Status::NotFound("no TXT records for " + name);
      }
      return Status::Unavailable("DNS TXT lookup for " + name + " failed");
    }
    ns_msg msg;
    if (ns_initparse(answer, len, &msg) != 0) {
      return Status::Unavailable("malformed DNS answer for " + name);
    }
    std::vector<std::string> records;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) continue;
      if (ns_rr_type(rr) != ns_t_txt) continue;
      const unsigned char* p = ns_rr_rdata(rr);
      const unsigned char* end = p + ns_rr_rdlen(rr);
      std::string record;
      while (p < end) {  // a TXT RR is a sequence of <length><bytes> strings
        size_t n = *p++;
        if (n > size_t(end - p)) break;
        record.append(reinterpret_cast<const char*>(p), n);
        p += n;
      }
      records.push_back(std::move(record));
    }
    if (records.empty()) return Status::NotFound("no TXT records for " + name);
    return records;
  }
};

}  // namespace

Result<FetchResponse> HttpFetcher::Post(const std::string& url, std::string_view, std::string_view,
                                        const FetchOptions&) {
  return Status::Unavailable("this fetcher cannot POST to " + url);
}

OutboundOptions OutboundOptionsFrom(const config::OutboundConfig& c) {
  OutboundOptions o;
  o.connect_timeout = std::chrono::seconds(c.connect_timeout_seconds);
  o.total_timeout = std::chrono::seconds(c.total_timeout_seconds);
  o.allow_private_addresses = c.allow_private_addresses;
  o.negative_cache_ttl = Micros(c.negative_cache_seconds) * 1000000;
  o.negative_cache_entries = c.negative_cache_entries;
  return o;
}

std::shared_ptr<HttpFetcher> NewHttpFetcher(const OutboundOptions& options, const Clock& clock) {
  return std::make_shared<OutboundFetcher>(std::make_shared<RealHttpFetcher>(options), options,
                                           clock);
}

OutboundFetcher::OutboundFetcher(std::shared_ptr<HttpFetcher> inner, const OutboundOptions& options,
                                 const Clock& clock)
    : inner_(std::move(inner)), options_(options), clock_(clock) {}

size_t OutboundFetcher::negative_entries() const {
  std::lock_guard lock(mu_);
  return failures_.size();
}

void OutboundFetcher::RememberLocked(const std::string& key, const Status& failure, Micros now) {
  if (options_.negative_cache_ttl <= 0 || options_.negative_cache_entries == 0) return;
  if (auto it = failure_index_.find(key); it != failure_index_.end()) {
    failures_.erase(it->second);
    failure_index_.erase(it);
  }
  while (failures_.size() >= options_.negative_cache_entries) {
    failure_index_.erase(failures_.front().key);
    failures_.pop_front();
  }
  failures_.push_back({key, now + options_.negative_cache_ttl, failure.message().substr(0, 300)});
  failure_index_[key] = std::prev(failures_.end());
}

Result<FetchResponse> OutboundFetcher::Get(const std::string& url, const FetchOptions& options) {
  const std::string key = (options.untrusted_destination ? "u " : "t ") + url;
  std::unique_lock lock(mu_);
  const Micros now = clock_.Now();
  if (auto it = failure_index_.find(key); it != failure_index_.end()) {
    if (now < it->second->until) {
      int64_t left = (it->second->until - now + 999999) / 1000000;
      return Status::Unavailable(it->second->message + " (failed recently; not retried for " +
                                 std::to_string(left) + " s)");
    }
    failures_.erase(it->second);
    failure_index_.erase(it);
  }
  if (auto it = flights_.find(key); it != flights_.end()) {
    // Someone is fetching this URL now: share their result. Their fetch is bounded by the
    // deadlines, so this wait is too; the extra bound only guards against a broken inner.
    std::shared_ptr<Flight> flight = it->second;
    bool done = done_.wait_for(lock, options_.total_timeout + std::chrono::seconds(1),
                               [&] { return flight->done; });
    if (!done) return Status::Unavailable("fetching " + url + " timed out");
    return *flight->result;
  }
  auto flight = std::make_shared<Flight>();
  flights_.emplace(key, flight);
  lock.unlock();
  Result<FetchResponse> result = inner_->Get(url, options);
  lock.lock();
  flights_.erase(key);
  flight->result = result;
  flight->done = true;
  if (!result.ok() && result.status().code() == Code::kUnavailable) {
    RememberLocked(key, result.status(), clock_.Now());
  }
  lock.unlock();
  done_.notify_all();
  return result;
}
Result<FetchResponse> OutboundFetcher::Post(const std::string& url, std::string_view content_type,
                                            std::string_view body, const FetchOptions& options) {
  return inner_->Post(url, content_type, body, options);
}

std::shared_ptr<TxtResolver> NewTxtResolver() { return std::make_shared<LibcTxtResolver>(); }

void FakeHttpFetcher::Set(const std::string& url, int status, std::string body,
                          std::string cache_control) {
  std::lock_guard lock(mu_);
  responses_[url] = FetchResponse{status, std::move(body), std::move(cache_control)};
}

void FakeHttpFetcher::Remove(const std::string& url) {
  std::lock_guard lock(mu_);
  responses_.erase(url);
}

int FakeHttpFetcher::requests(const std::string& url) const {
  std::lock_guard lock(mu_);
  auto it = requests_.find(url);
  return it == requests_.end() ? 0 : it->second;
}

Result<FetchResponse> FakeHttpFetcher::Get(const std::string& url, const FetchOptions& options) {
  std::lock_guard lock(mu_);
  ++requests_[url];
  auto it = responses_.find(url);
  if (it == responses_.end()) return Status::Unavailable("cannot connect to " + url);
  if (it->second.body.size() > options.max_body_bytes) {
    return Status::Unavailable("response from " + url + " exceeds the size limit");
  }
  return it->second;
}

std::string FakeHttpFetcher::last_post(const std::string& url) const {
  std::lock_guard lock(mu_);
  auto it = posts_.find(url);
  return it == posts_.end() ? "" : it->second;
}

Result<FetchResponse> FakeHttpFetcher::Post(const std::string& url, std::string_view,
                                            std::string_view body, const FetchOptions& options) {
  {
    std::lock_guard lock(mu_);
    posts_[url] = std::string(body);
  }
  return Get(url, options);
}

void FakeTxtResolver::Set(const std::string& name, std::vector<std::string> records) {
  std::lock_guard lock(mu_);
  records_[name] = std::move(records);
}

Result<std::vector<std::string>> FakeTxtResolver::LookupTxt(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = records_.find(name);
  if (it == records_.end()) return Status::NotFound("no TXT records for " + name);
  return it->second;
}

}  // namespace mcpreg::auth
