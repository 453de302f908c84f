#include "federation/jwks_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "auth/discovery.h"
#include "federation/snapshot.h"

namespace mcpreg::federation {
namespace {

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

}  // namespace

Result<std::string> ReadCappedFile(const std::string& path, size_t max_bytes,
                                   std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::InvalidArgument("cannot read " + std::string(what) + " " + path + ": " +
                                   std::strerror(errno));
  std::string out;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    out.append(buf, size_t(in.gcount()));
    if (out.size() > max_bytes)
      return Status::ResourceExhausted(std::string(what) + " " + path + " is larger than " +
                                       std::to_string(max_bytes) + " bytes");
  }
  if (in.bad()) return Status::InvalidArgument("cannot read " + std::string(what) + " " + path);
  return out;
}

Result<std::string> FetchCapped(auth::HttpFetcher& fetcher, const std::string& url,
                                size_t max_bytes, std::string_view what) {
  if (!auth::IsHttpsOrLoopbackHttp(url))
    return Status::InvalidArgument(std::string(what) + " URL " + url +
                                   " must be https://, or http:// on a loopback host");
  auth::FetchOptions opts;
  opts.max_body_bytes = max_bytes;
  auto r = fetcher.Get(url, opts);
  if (!r.ok()) return Status::Unavailable("fetching " + url + ": " + r.status().message());
  if (r->status != 200)
    return Status::Unavailable("fetching " + url + ": HTTP " + std::to_string(r->status));
  return std::move(r->body);
}

Result<auth::JwkSet> LoadJwks(const std::string& source, auth::HttpFetcher* fetcher) {
  Result<std::string> text = Status::Internal("no fetcher");
  if (IsUrl(source)) {
    if (fetcher) text = FetchCapped(*fetcher, source, kMaxJwksBytes, "JWKS");
  } else {
    text = ReadCappedFile(source, kMaxJwksBytes, "JWKS file");
  }
  if (!text.ok()) return text.status();
  auto set = auth::JwkSet::Parse(*text);
  if (!set.ok()) return Status::InvalidArgument(source + " is not a JWKS: " + set.status().message());
  for (const auth::Key& k : set->keys())
    if (k.type() == auth::KeyType::kEd25519 && !k.kid().empty()) return set;
  return Status::InvalidArgument(source + " has no Ed25519 key with a kid");
}

}  // namespace mcpreg::federation
