// The "uri" and "uri-reference" formats, hand-written after RFC 3986 and matching what
// ajv-formats (full mode) accepts, so that our schema verdicts agree with ajv's: ASCII only,
// letters case-insensitive, percent-escapes must be complete, IPv4 octets may carry leading
// zeros, and (an ajv quirk kept on purpose) the authority may follow a single slash.
#include <cctype>
#include <string_view>

#include "schema/json_schema.h"

namespace mcpreg::schema {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}

// Consumes one character of a set that also admits %XX escapes. Returns false (and leaves pos)
// when the next character is not in the set or is a broken escape.
template <typename Pred>
bool EatChar(std::string_view s, size_t& pos, Pred in_set) {
  if (pos >= s.size()) return false;
  if (s[pos] == '%') {
    if (pos + 2 < s.size() && IsHex(s[pos + 1]) && IsHex(s[pos + 2])) {
      pos += 3;
      return true;
    }
    return false;
  }
  if (in_set(s[pos])) {
    ++pos;
    return true;
  }
  return false;
}

bool IsPchar(char c) { return IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@'; }
bool IsQueryChar(char c) { return IsPchar(c) || c == '/' || c == '?'; }
bool IsUserinfoChar(char c) { return IsUnreserved(c) || IsSubDelim(c) || c == ':'; }
bool IsRegNameChar(char c) { return IsUnreserved(c) || IsSubDelim(c); }

size_t EatAll(std::string_view s, size_t pos, bool (*in_set)(char)) {
  while (EatChar(s, pos, in_set)) {
  }
  return pos;
}

// [ "?" query ] [ "#" fragment ] up to the end of the string.
bool MatchQueryFragmentEnd(std::string_view s, size_t pos) {
  if (pos < s.size() && s[pos] == '?') pos = EatAll(s, pos + 1, IsQueryChar);
  if (pos < s.size() && s[pos] == '#') pos = EatAll(s, pos + 1, IsQueryChar);
  return pos == s.size();
}

// *( "/" segment ) followed by query/fragment/end.
bool MatchPathAbemptyEnd(std::string_view s, size_t pos) {
  while (pos < s.size() && s[pos] == '/') pos = EatAll(s, pos + 1, IsPchar);
  return MatchQueryFragmentEnd(s, pos);
}

// dec-octet as ajv writes it: 25[0-5] | 2[0-4]\d | [01]?\d\d?
bool IsDecOctet(std::string_view p) {
  if (p.empty() || p.size() > 3) return false;
  for (char c : p)
    if (!IsDigit(c)) return false;
  if (p.size() < 3) return true;
  if (p[0] == '0' || p[0] == '1') return true;
  if (p[0] == '2') return p[1] < '5' || (p[1] == '5' && p[2] <= '5');
  return false;
}

bool IsIpv4(std::string_view s) {
  for (int i = 0; i < 3; ++i) {
    size_t dot = s.find('.');
    if (dot == std::string_view::npos || !IsDecOctet(s.substr(0, dot))) return false;
    s.remove_prefix(dot + 1);
  }
  return IsDecOctet(s);
}

bool IsH16(std::string_view g) {
  if (g.empty() || g.size() > 4) return false;
  for (char c : g)
    if (!IsHex(c)) return false;
  return true;
}

// Counts the 16-bit pieces of a colon-separated run ("a:b:1.2.3.4"); -1 when malformed. An
// IPv4 tail counts two pieces and is only allowed when `allow_ipv4_tail`.
int CountPieces(std::string_view run, bool allow_ipv4_tail) {
  if (run.empty()) return 0;
  int n = 0;
  while (true) {
    size_t colon = run.find(':');
    std::string_view g = run.substr(0, colon);
    if (colon == std::string_view::npos) {
      if (IsH16(g)) return n + 1;
      if (allow_ipv4_tail && IsIpv4(g)) return n + 2;
      return -1;
    }
    if (!IsH16(g)) return -1;
    ++n;
    run.remove_prefix(colon + 1);
  }
}

bool IsIpv6(std::string_view s) {
  size_t dc = s.find("::");
  if (dc == std::string_view::npos) return CountPieces(s, true) == 8;
  std::string_view head = s.substr(0, dc), tail = s.substr(dc + 2);
  if (tail.find("::") != std::string_view::npos) return false;
  int h = CountPieces(head, false), t = CountPieces(tail, true);
  return h >= 0 && t >= 0 && h + t <= 7;
}

bool IsIpFuture(std::string_view s) {
  if (s.size() < 4 || (s[0] != 'v' && s[0] != 'V')) return false;
  size_t i = 1;
  while (i < s.size() && IsHex(s[i])) ++i;
  if (i == 1 || i >= s.size() || s[i] != '.') return false;
  ++i;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!IsUserinfoChar(s[i])) return false;
  return true;
}

// host [ ":" port ] path-abempty, query, fragment, end; `pos` is just past [userinfo "@"].
bool MatchHostPortEnd(std::string_view s, size_t pos) {
  if (pos < s.size() && s[pos] == '[') {
    size_t close = s.find(']', pos);
    if (close == std::string_view::npos) return false;
    std::string_view lit = s.substr(pos + 1, close - pos - 1);
    if (!IsIpv6(lit) && !IsIpFuture(lit)) return false;
    pos = close + 1;
  } else {
    pos = EatAll(s, pos, IsRegNameChar);  // IPv4 addresses are reg-names too
  }
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
  }
  return MatchPathAbemptyEnd(s, pos);
}

// The part after "//" (or, per ajv, after a single "/"): [ userinfo "@" ] host...
bool MatchAuthorityEnd(std::string_view s, size_t pos) {
  size_t after_userinfo = EatAll(s, pos, IsUserinfoChar);
  if (after_userinfo < s.size() && s[after_userinfo] == '@' &&
      MatchHostPortEnd(s, after_userinfo + 1)) {
    return true;
  }
  return MatchHostPortEnd(s, pos);
}

// hier-part (or relative-part) then query/fragment/end, starting at `pos`. `allow_empty`
// admits an empty path (relative references only).
bool MatchHierEnd(std::string_view s, size_t pos, bool allow_empty) {
  if (pos < s.size() && s[pos] == '/') {
    size_t p = pos + 1;
    if (p < s.size() && s[p] == '/' && MatchAuthorityEnd(s, p + 1)) return true;
    if (MatchAuthorityEnd(s, p)) return true;
    // path-absolute: "/" [ segment-nz *( "/" segment ) ]
    size_t q = EatAll(s, p, IsPchar);
    if (q == p) return MatchQueryFragmentEnd(s, p);
    return MatchPathAbemptyEnd(s, q);
  }
  size_t q = EatAll(s, pos, IsPchar);  // path-rootless: segment-nz *( "/" segment )
  if (q == pos) return allow_empty && MatchQueryFragmentEnd(s, pos);
  return MatchPathAbemptyEnd(s, q);
}

// Length of a "scheme:" prefix, or 0 when there is none.
size_t SchemePrefix(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && (IsAlpha(s[i]) || IsDigit(s[i]) || s[i] == '+' || s[i] == '-' ||
                          s[i] == '.')) {
    ++i;
  }
  return i < s.size() && s[i] == ':' ? i + 1 : 0;
}

}  // namespace

bool IsUri(std::string_view s) {
  if (s.find_first_of("/:") == std::string_view::npos) return false;
  size_t scheme = SchemePrefix(s);
  return scheme != 0 && MatchHierEnd(s, scheme, /*allow_empty=*/false);
}

bool IsUriReference(std::string_view s) {
  size_t scheme = SchemePrefix(s);
  if (scheme != 0 && MatchHierEnd(s, scheme, true)) return true;
  return MatchHierEnd(s, 0, true);
}

size_t CodePointLength(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace mcpreg::schema
