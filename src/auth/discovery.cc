#include "auth/discovery.h"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

#include "transport/ssrf_guard.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

constexpr size_t kMaxDiscoveryBytes = 512 * 1024;
constexpr size_t kMaxUrlChars = 2048;

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// The member as an http(s) URL, "" when absent, not a string, too long or not such a URL.
std::string UrlMember(const bj::object& o, std::string_view name) {
  const bj::value* v = o.if_contains(name);
  if (!v || !v->is_string() || v->get_string().size() > kMaxUrlChars) return "";
  std::string url(v->get_string());
  return UrlAuthority(url).empty() ? "" : url;
}

}  // namespace

std::string UrlAuthority(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "https" && u->scheme() != "http") || !u->has_authority()) return "";
  if (u->encoded_host().empty()) return "";
  std::string a(u->encoded_host_and_port());
  for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return a;
}

bool IsHttpsOrLoopbackHttp(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || !u->has_authority() || u->encoded_host().empty()) return false;
  if (u->scheme() == "https") return true;
  if (u->scheme() != "http") return false;
  std::string host(u->encoded_host());
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && http::ClassifyAddress(address) == http::AddressClass::kLoopback;
}

Result<OidcDiscovery> FetchDiscovery(HttpFetcher& fetcher, const std::string& issuer) {
  OidcDiscovery out;
  out.url = TrimSlash(issuer) + "/.well-known/openid-configuration";
  FetchOptions opts;
  opts.max_body_bytes = kMaxDiscoveryBytes;
  Result<FetchResponse> r = fetcher.Get(out.url, opts);
  if (!r.ok()) return Status::Unavailable("fetching " + out.url + ": " + r.status().message());
  if (r->status != 200) {
    return Status::Unavailable("fetching " + out.url + ": HTTP " + std::to_string(r->status));
  }
  boost::system::error_code ec;
  bj::value v = bj::parse(r->body, ec);
  const bj::object* o = ec ? nullptr : v.if_object();
  const bj::value* iss = o ? o->if_contains("issuer") : nullptr;
  const bj::value* uri = o ? o->if_contains("jwks_uri") : nullptr;
  if (!iss || !iss->is_string() || !uri || !uri->is_string()) {
    return Status::Unavailable(out.url + " lacks string members issuer and jwks_uri");
  }
  // OIDC Discovery §4.3: the document's issuer must be the one we asked about.
  if (iss->get_string() != issuer) {
    return Status::Unavailable(out.url + " names issuer \"" +
                               std::string(iss->get_string()).substr(0, 200) + "\", expected \"" +
                               issuer + "\"");
  }
  out.issuer = issuer;
  out.jwks_uri = UrlMember(*o, "jwks_uri");
  if (out.jwks_uri.empty()) {
    return Status::Unavailable(out.url + " names a jwks_uri that is not an http(s) URL");
  }
  out.authorization_endpoint = UrlMember(*o, "authorization_endpoint");
  out.token_endpoint = UrlMember(*o, "token_endpoint");
  return out;
}

}  // namespace mcpreg::auth
