#include "auth/fetcher.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>

#include "transport/http_client.h"

namespace mcpreg::auth {
namespace {

class RealHttpFetcher final : public HttpFetcher {
 public:
  Result<FetchResponse> Get(const std::string& url, const FetchOptions& options) override {
    http::ClientRequest req;
    req.url = url;
    req.timeout = options.timeout;
    req.max_body_bytes = options.max_body_bytes;
    req.headers = {{"Accept", options.accept}, {"User-Agent", "mcp-registry/1.0"}};
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

std::shared_ptr<HttpFetcher> NewHttpFetcher() { return std::make_shared<RealHttpFetcher>(); }
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
