#include "auth/jwks.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

#include "auth/discovery.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

constexpr size_t kMaxJwksBytes = 512 * 1024;
constexpr Micros kMinTtl = 300LL * 1000000;
constexpr Micros kMaxTtl = 86400LL * 1000000;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot read JWKS file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<FetchResponse> FetchOk(HttpFetcher& fetcher, const std::string& url,
                              bool untrusted = false) {
  FetchOptions opts;
  opts.max_body_bytes = kMaxJwksBytes;
  opts.untrusted_destination = untrusted;
  Result<FetchResponse> r = fetcher.Get(url, opts);
  if (!r.ok()) return Status::Unavailable("fetching " + url + ": " + r.status().message());
  if (r->status != 200) {
    return Status::Unavailable("fetching " + url + ": HTTP " + std::to_string(r->status));
  }
  return r;
}

// Cache-Control max-age in seconds, or -1.
int64_t MaxAge(std::string_view cc) {
  size_t at = cc.find("max-age=");
  if (at == std::string_view::npos) return -1;
  int64_t v = 0;
  bool digits = false;
  for (size_t i = at + 8; i < cc.size() && cc[i] >= '0' && cc[i] <= '9' && v < 1000000000; ++i) {
    v = v * 10 + (cc[i] - '0');
    digits = true;
  }
  return digits ? v : -1;
}

}  // namespace

Result<JwkSet> JwkSet::Parse(std::string_view json) {
  boost::system::error_code ec;
  bj::value v = bj::parse(json, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("JWKS is not a JSON object");
  const bj::value* keys = v.get_object().if_contains("keys");
  if (!keys || !keys->is_array()) return Status::InvalidArgument("JWKS has no \"keys\" array");
  JwkSet set;
  for (const bj::value& k : keys->get_array()) {
    Result<Key> key = Key::FromJwk(bj::serialize(k));
    if (key.ok()) {
      set.keys_.push_back(std::move(key).value());
    } else {
      ++set.skipped_;
    }
  }
  return set;
}

const Key* JwkSet::Find(std::string_view kid) const {
  for (const Key& k : keys_) {
    if (k.kid() == kid) return &k;
  }
  return nullptr;
}

std::string JwkSet::ToJson() const {
  std::string out = "{\"keys\":[";
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (i) out += ',';
    out += keys_[i].PublicJwk();
  }
  out += "]}";
  return out;
}

JwksCache::JwksCache(KeySource source, std::shared_ptr<HttpFetcher> fetcher, const Clock& clock,
                     JwksCacheOptions options)
    : source_(std::move(source)),
      fetcher_(std::move(fetcher)),
      clock_(clock),
      options_(options),
      ttl_(options.ttl) {}

int JwksCache::loads() const {
  std::lock_guard lock(mu_);
  return loads_;
}

Result<JwksCache::Loaded> JwksCache::Load() const {
  Loaded out;
  out.ttl = options_.ttl;
  std::string body;
  if (source_.kind == KeySource::Kind::kFile) {
    Result<std::string> r = ReadFile(source_.location);
    if (!r.ok()) return r.status();
    body = std::move(r).value();
  } else {
    if (!fetcher_) return Status::Internal("no HTTP fetcher for " + source_.location);
    std::string url = source_.location;
    bool untrusted = false;
    if (source_.kind == KeySource::Kind::kDiscovery) {
      Result<OidcDiscovery> doc = FetchDiscovery(*fetcher_, source_.location);
      if (!doc.ok()) return doc.status();
      url = doc->jwks_uri;
      // The issuer's own host is as trusted as the configured issuer; any other host is not.
      untrusted = UrlAuthority(url) != UrlAuthority(source_.location);
      out.jwks_uri = url;
    }
    Result<FetchResponse> r = FetchOk(*fetcher_, url, untrusted);
    if (!r.ok()) return r.status();
    body = std::move(r->body);
    // Honour the issuer's Cache-Control within [5 min, 24 h]; otherwise the configured TTL.
    int64_t max_age = MaxAge(r->cache_control);
    out.ttl = max_age < 0 ? options_.ttl : std::clamp<Micros>(max_age * 1000000, kMinTtl, kMaxTtl);
  }
  Result<JwkSet> set = JwkSet::Parse(body);
  if (!set.ok()) {
    return Status::Unavailable("keys from " + source_.location + ": " + set.status().message());
  }
  out.set = std::move(set).value();
  return out;
}

Status JwksCache::LoadShared(std::unique_lock<std::mutex>& lock, Micros now) {
  if (loading_) {
    const uint64_t round = load_round_;
    loaded_.wait(lock, [&] { return load_round_ != round; });  // bounded by the fetch deadline
    return last_load_;
  }
  loading_ = true;
  attempted_ = true;
  last_attempt_ = now;
  ++loads_;
  lock.unlock();
  Result<Loaded> loaded = Load();  // network I/O: never under mu_
  lock.lock();
  loading_ = false;
  ++load_round_;
  if (loaded.ok()) {
    set_ = std::make_shared<const JwkSet>(std::move(loaded->set));
    ttl_ = loaded->ttl;
    jwks_uri_ = std::move(loaded->jwks_uri);
    loaded_at_ = now;
    last_load_ = Status::OK();
  } else {
    last_load_ = loaded.status();  // keep the previous set, if any
  }
  loaded_.notify_all();
  return last_load_;
}

Status JwksCache::Refresh() {
  std::unique_lock lock(mu_);
  return LoadShared(lock, clock_.Now());
}

Result<Key> JwksCache::KeyFor(std::string_view kid) {
  std::unique_lock lock(mu_);
  const Micros now = clock_.Now();
  const bool may_load = !attempted_ || now - last_attempt_ >= options_.min_refresh_interval;
  Status load_error;
  if (!set_ || now - loaded_at_ >= ttl_) {
    // With no keys yet, join a load in flight; with stale keys, use them while it runs.
    if ((loading_ && !set_) || (!loading_ && may_load)) load_error = LoadShared(lock, now);
  }
  if (!set_) {
    return Status::Unavailable("cannot load signing keys: " + (load_error.ok()
                                                                   ? std::string("retry later")
                                                                   : load_error.message()));
  }
  std::shared_ptr<const JwkSet> set = set_;
  if (const Key* k = set->Find(kid)) return *k;
  // Unknown kid: the issuer may have rotated. Refetch, but only if the set is not fresh from
  // a load we just did, no load is in flight, and the rate limit allows it.
  if (!loading_ && last_attempt_ != now && now - last_attempt_ >= options_.min_refresh_interval) {
    if (LoadShared(lock, now).ok()) {
      set = set_;
      if (const Key* k = set->Find(kid)) return *k;
    }
  }
  std::string shown(kid.substr(0, 64));
  return Status::Unauthenticated("unknown kid \"" + shown + "\": no such signing key");
}

}  // namespace mcpreg::auth
