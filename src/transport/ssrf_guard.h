// SSRF guard: which network addresses an outbound call may connect to when its URL is not fixed
// by the operator's config (namespace-proof URLs https://<domain>/.well-known/mcp-registry-auth,
// `mcpreg import URL`, a discovery document's jwks_uri on a foreign host, federation peers).
//
// The guard judges *resolved addresses*, not host names: http::Fetch resolves the name once,
// checks every address with the guard, and connects only to an address that passed (no second
// resolution, so DNS rebinding between check and connect is impossible). The fetcher follows
// no redirects; a caller that does must run each hop through Fetch (and so through the guard).
//
// Classes (IPv4, IPv6, and IPv6 forms that embed an IPv4 address: ::ffff:a.b.c.d mapped,
// ::a.b.c.d compatible, 64:ff9b::/96 NAT64 and 2002::/16 6to4 are judged by the IPv4 inside):
//   kUnspecified  0.0.0.0/8, ::                                   always refused
//   kLoopback     127.0.0.0/8, ::1                                refused unless allow_private
//   kPrivate      10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT),
//                 fc00::/7 (ULA), fec0::/10 (site-local), 64:ff9b:1::/48
//                                                                 refused unless allow_private
//   kLinkLocal    169.254.0.0/16 (cloud metadata!), fe80::/10     refused unless allow_private
//   kMulticast    224.0.0.0/4, ff00::/8                           always refused
//   kReserved     192.0.0/24, 192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24, 240/4
//                 (incl. broadcast), 100::/64, 2001::/23 (incl. Teredo), 2001:db8::/32, every
//                 IPv6 address outside 2000::/3 not named above        always refused
//   kPublic       everything else                                 allowed
//
// allow_private (config outbound.allow_private_addresses) is for registries that import from
// or verify namespaces on an internal network, and for tests on loopback. It also opens the
// cloud metadata address 169.254.169.254: leave it false on cloud hosts.
//
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::http {

enum class AddressClass {
  kPublic,
  kUnspecified,
  kLoopback,
  kPrivate,
  kLinkLocal,
  kMulticast,
  kReserved,
};

// "public", "unspecified", "loopback", "private", "link-local", "multicast", "reserved".
std::string_view AddressClassName(AddressClass c);

// The class of `address` per the table above.
AddressClass ClassifyAddress(const boost::asio::ip::address& address);

class SsrfGuard {
 public:
  // `allow_loopback` opens only the loopback class (an operator-configured federation upstream
  // may be on this host; private and link-local addresses stay refused unless allow_private).
  explicit SsrfGuard(bool allow_private_addresses = false, bool allow_loopback = false)
      : allow_private_(allow_private_addresses), allow_loopback_(allow_loopback) {}

  // OK when an outbound connection to `address` is allowed. PermissionDenied naming the
  // address and its class otherwise ("destination 10.0.0.1 is a private address: refused by
  // the outbound address policy").
  Status Check(const boost::asio::ip::address& address) const;

  // Check() for a textual IP literal ("10.1.2.3", "::ffff:127.0.0.1", "[fe80::1]").
  // InvalidArgument when `literal` is not an IP address.
  Status CheckLiteral(std::string_view literal) const;

  bool allow_private() const { return allow_private_; }

 private:
  bool allow_private_;
  bool allow_loopback_;
};

}  // namespace mcpreg::http
