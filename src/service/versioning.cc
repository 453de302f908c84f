#include "service/versioning.h"

#include <string>

namespace mcpreg::versioning {
namespace {

// A parsed semver in the shape golang.org/x/mod/semver uses. All views point into the input.
struct Parsed {
  std::string_view major, minor, patch;
  std::string_view prerelease;  // including the leading '-', or empty
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
// A numeric identifier with a leading zero ("01"); semver forbids these in prereleases.
bool IsBadNum(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i == s.size() && i > 1 && s[0] == '0';
}
bool IsNum(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!IsDigit(c)) return false;
  return true;
}

// Consumes a decimal number without leading zeros from the front of `v`.
bool ParseInt(std::string_view& v, std::string_view& out) {
  if (v.empty() || !IsDigit(v[0])) return false;
  size_t i = 1;
  while (i < v.size() && IsDigit(v[i])) ++i;
  if (v[0] == '0' && i != 1) return false;
  out = v.substr(0, i);
  v.remove_prefix(i);
  return true;
}

// Consumes "-ident(.ident)*" (prerelease, leading zeros checked) or "+ident(.ident)*" (build).
bool ParseIdents(std::string_view& v, bool prerelease, std::string_view& out) {
  size_t i = 1, start = 1;
  for (; i < v.size() && !(prerelease && v[i] == '+'); ++i) {
    if (!IsIdentChar(v[i]) && v[i] != '.') return false;
    if (v[i] == '.') {
      if (start == i || (prerelease && IsBadNum(v.substr(start, i - start)))) return false;
      start = i + 1;
    }
  }
  if (start == i || (prerelease && IsBadNum(v.substr(start, i - start)))) return false;
  out = v.substr(0, i);
  v.remove_prefix(i);
  return true;
}

// Full three-part parse of a version without its optional leading 'v'.
bool Parse(std::string_view v, Parsed& p) {
  if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
  if (!ParseInt(v, p.major)) return false;
  if (v.empty() || v[0] != '.') return false;  // "1" is a Go shorthand, not accepted here
  v.remove_prefix(1);
  if (!ParseInt(v, p.minor)) return false;
  if (v.empty() || v[0] != '.') return false;  // "1.2" likewise
  v.remove_prefix(1);
  if (!ParseInt(v, p.patch)) return false;
  if (!v.empty() && v[0] == '-' && !ParseIdents(v, true, p.prerelease)) return false;
  std::string_view build;
  if (!v.empty() && v[0] == '+' && !ParseIdents(v, false, build)) return false;
  return v.empty();
}

int CompareInt(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Splits off the next identifier of a prerelease (x starts after the separator).
std::string_view NextIdent(std::string_view& x) {
  size_t i = 0;
  while (i < x.size() && x[i] != '.') ++i;
  std::string_view id = x.substr(0, i);
  x.remove_prefix(i);
  return id;
}

int ComparePrerelease(std::string_view x, std::string_view y) {
  if (x == y) return 0;
  if (x.empty()) return 1;  // a release ranks above any of its prereleases
  if (y.empty()) return -1;
  while (!x.empty() && !y.empty()) {
    x.remove_prefix(1);  // '-' or '.'
    y.remove_prefix(1);
    std::string_view dx = NextIdent(x), dy = NextIdent(y);
    if (dx != dy) {
      bool nx = IsNum(dx), ny = IsNum(dy);
      if (nx != ny) return nx ? -1 : 1;  // numeric identifiers rank below alphanumeric ones
      if (nx && dx.size() != dy.size()) return dx.size() < dy.size() ? -1 : 1;
      return dx < dy ? -1 : 1;
    }
  }
  return x.empty() ? -1 : 1;  // fewer identifiers ranks lower
}

}  // namespace

bool IsSemver(std::string_view v) {
  Parsed p;
  return Parse(v, p);
}

int CompareSemver(std::string_view a, std::string_view b) {
  Parsed pa, pb;
  bool oka = Parse(a, pa), okb = Parse(b, pb);
  if (!oka || !okb) return oka == okb ? 0 : (oka ? 1 : -1);
  if (int c = CompareInt(pa.major, pb.major)) return c;
  if (int c = CompareInt(pa.minor, pb.minor)) return c;
  if (int c = CompareInt(pa.patch, pb.patch)) return c;
  return ComparePrerelease(pa.prerelease, pb.prerelease);
}

int Compare(std::string_view a_version, Micros a_published, std::string_view b_version,
            Micros b_published) {
  bool sa = IsSemver(a_version), sb = IsSemver(b_version);
  if (sa && sb) return CompareSemver(a_version, b_version);
  if (!sa && !sb) return a_published < b_published ? -1 : (a_published > b_published ? 1 : 0);
  return sa ? 1 : -1;
}

namespace {
// Total order used to pick the latest row: Compare, then publication time, then version bytes.
bool Better(const VersionMeta& a, const VersionMeta& b) {
  int c = Compare(a.version, a.published_at, b.version, b.published_at);
  if (c != 0) return c > 0;
  if (a.published_at != b.published_at) return a.published_at > b.published_at;
  return a.version > b.version;
}
}  // namespace

void RecomputeLatest(ServerRows& rows) {
  const ServerRows::Row* best = nullptr;
  bool best_live = false;
  for (const auto& r : rows.rows) {
    bool live = r.meta.status != VersionStatus::kDeleted;
    if (best == nullptr || (live && !best_live) ||
        (live == best_live && Better(r.meta, best->meta))) {
      best = &r;
      best_live = live;
    }
  }
  for (auto& r : rows.rows) {
    bool want = &r == best;
    if (r.meta.is_latest != want) {
      r.meta.is_latest = want;
      r.dirty = true;
    }
  }
}

bool NewVersionBecomesLatest(const ServerRows& rows, std::string_view new_version, Micros now) {
  for (const auto& r : rows.rows) {
    if (r.meta.is_latest) return Compare(new_version, now, r.meta.version, r.meta.published_at) > 0;
  }
  return true;
}

}  // namespace mcpreg::versioning
