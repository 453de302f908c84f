#include "transport/ssrf_guard.h"

#include <array>
#include <cstdint>

namespace mcpreg::http {
namespace {

bool In4(uint32_t a, uint32_t net, int prefix) {
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix);
  return (a & mask) == (net & mask);
}

constexpr uint32_t V4(int a, int b, int c, int d) {
  return uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(c) << 8 | uint32_t(d);
}

AddressClass Classify4(uint32_t a) {
  if (In4(a, V4(0, 0, 0, 0), 8)) return AddressClass::kUnspecified;  // "this network"
  if (In4(a, V4(127, 0, 0, 0), 8)) return AddressClass::kLoopback;
  if (In4(a, V4(10, 0, 0, 0), 8) || In4(a, V4(172, 16, 0, 0), 12) ||
      In4(a, V4(192, 168, 0, 0), 16) || In4(a, V4(100, 64, 0, 0), 10)) {
    return AddressClass::kPrivate;
  }
  if (In4(a, V4(169, 254, 0, 0), 16)) return AddressClass::kLinkLocal;
  if (In4(a, V4(224, 0, 0, 0), 4)) return AddressClass::kMulticast;
  if (In4(a, V4(192, 0, 0, 0), 24) || In4(a, V4(192, 0, 2, 0), 24) ||
      In4(a, V4(198, 18, 0, 0), 15) || In4(a, V4(198, 51, 100, 0), 24) ||
      In4(a, V4(203, 0, 113, 0), 24) || In4(a, V4(240, 0, 0, 0), 4)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

uint32_t Embedded4(const std::array<unsigned char, 16>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 |
         uint32_t(b[at + 3]);
}

bool AllZero(const std::array<unsigned char, 16>& b, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

AddressClass Classify6(const std::array<unsigned char, 16>& b) {
  if (AllZero(b, 0, 16)) return AddressClass::kUnspecified;
  if (AllZero(b, 0, 15) && b[15] == 1) return AddressClass::kLoopback;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): the IPv4 address decides.
  if (AllZero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) return Classify4(Embedded4(b, 12));
  if (AllZero(b, 0, 12)) return Classify4(Embedded4(b, 12));
  // 64:ff9b::/96, the NAT64 well-known prefix: a gateway forwards to the IPv4 inside.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && AllZero(b, 4, 12)) {
    return Classify4(Embedded4(b, 12));
  }
  // 64:ff9b:1::/48, local-use NAT64 prefixes.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1) {
    return AddressClass::kPrivate;
  }
  // 2002::/16, 6to4: the relay forwards to the IPv4 address in bits 16..47.
  if (b[0] == 0x20 && b[1] == 0x02) return Classify4(Embedded4(b, 2));
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::kPrivate;                    // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::kPrivate;    // fec0::/10
  if (b[0] == 0xff) return AddressClass::kMulticast;                           // ff00::/8
  // 2001::/23 (IETF assignments: Teredo, benchmarking, ORCHID) and 2001:db8::/32 (docs).
  if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0x00) return AddressClass::kReserved;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressClass::kReserved;
  if ((b[0] & 0xe0) != 0x20) return AddressClass::kReserved;  // outside 2000::/3 (incl. 100::/64)
  return AddressClass::kPublic;
}

}  // namespace

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

AddressClass ClassifyAddress(const boost::asio::ip::address& address) {
  if (address.is_v4()) return Classify4(address.to_v4().to_uint());
  return Classify6(address.to_v6().to_bytes());
}

Status SsrfGuard::Check(const boost::asio::ip::address& address) const {
  AddressClass c = ClassifyAddress(address);
  if (c == AddressClass::kPublic) return Status::OK();
  bool openable =
      c == AddressClass::kLoopback || c == AddressClass::kPrivate || c == AddressClass::kLinkLocal;
  if (openable && allow_private_) return Status::OK();
  if (c == AddressClass::kLoopback && allow_loopback_) return Status::OK();
  return Status::PermissionDenied("destination " + address.to_string() + " is a " +
                                  std::string(AddressClassName(c)) +
                                  " address: refused by the outbound address policy");
}

Status SsrfGuard::CheckLiteral(std::string_view literal) const {
  if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  boost::system::error_code ec;
  boost::asio::ip::address a = boost::asio::ip::make_address(std::string(literal), ec);
  if (ec)
    return Status::InvalidArgument("\"" + std::string(literal.substr(0, 64)) +
                                   "\" is not an IP address");
  return Check(a);
}

}  // namespace mcpreg::http
