// OpenID Connect Discovery 1.0 (§4): {issuer}/.well-known/openid-configuration, and the rule
// for which issuer URLs may be plain http.
//
// FetchDiscovery GETs the document with the fetcher's deadlines, as a destination fixed by
// the operator's config (the issuer URL is configured), and checks that its `issuer` equals
// the configured issuer exactly (§4.3) and that `jwks_uri` is an http(s) URL. The endpoints
// used by sign-in (authorization_endpoint, token_endpoint) are returned when present and
// well-formed ("" otherwise); callers that need them check.
//
// Thread-safety: pure functions over a thread-safe fetcher.
#pragma once

#include <string>
#include <string_view>

#include "auth/fetcher.h"
#include "mcpreg/status.h"

namespace mcpreg::auth {

struct OidcDiscovery {
  std::string url;     // where the document was fetched
  std::string issuer;  // == the configured issuer
  std::string jwks_uri;
  std::string authorization_endpoint;  // "" when absent or not an http(s) URL
  std::string token_endpoint;          // "" when absent or not an http(s) URL
};

// Errors: Unavailable (unreachable, HTTP status other than 200, not JSON, missing or
// mismatched `issuer`, missing or non-http(s) `jwks_uri`), each message naming the URL.
Result<OidcDiscovery> FetchDiscovery(HttpFetcher& fetcher, const std::string& issuer);

// Lower-cased host[:port] of an absolute http(s) URL, "" when `url` is not one.
std::string UrlAuthority(std::string_view url);

// The one rule for URLs the registry fetches keys or tokens from (issuer URLs used for
// discovery, jwks_url, discovered token endpoints): https, or http only when the host is a
// loopback name or address (localhost, 127.0.0.0/8, [::1]) — for tests and local providers.
// False for anything else (including non-URLs).
bool IsHttpsOrLoopbackHttp(std::string_view url);

}  // namespace mcpreg::auth
