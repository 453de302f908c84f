#include "core/json_out.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <boost/json.hpp>

namespace mcpreg::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendU(std::string& out, unsigned c) {
  out += "\\u";
  out += kHex[(c >> 12) & 0xf];
  out += kHex[(c >> 8) & 0xf];
  out += kHex[(c >> 4) & 0xf];
  out += kHex[c & 0xf];
}

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid (Go's utf8.DecodeRuneInString
// rules: no overlongs, no surrogates, max U+10FFFF).
size_t Utf8Len(std::string_view s, size_t i, unsigned* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c0 = b(i);
  size_t n = s.size() - i;
  if (c0 < 0xC2) return 0;
  if (c0 < 0xE0) {
    if (n < 2 || (b(i + 1) & 0xC0) != 0x80) return 0;
    *cp = ((c0 & 0x1F) << 6) | (b(i + 1) & 0x3F);
    return 2;
  }
  if (c0 < 0xF0) {
    if (n < 3 || (b(i + 1) & 0xC0) != 0x80 || (b(i + 2) & 0xC0) != 0x80) return 0;
    unsigned c = ((c0 & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return 3;
  }
  if (c0 < 0xF5) {
    if (n < 4 || (b(i + 1) & 0xC0) != 0x80 || (b(i + 2) & 0xC0) != 0x80 ||
        (b(i + 3) & 0xC0) != 0x80)
      return 0;
    unsigned c = ((c0 & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
                 (b(i + 3) & 0x3F);
    if (c < 0x10000 || c > 0x10FFFF) return 0;
    *cp = c;
    return 4;
  }
  return 0;
}

}  // namespace

void AppendString(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t i = 0, start = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { ++i; continue; }
    if (c < 0x80) {
      out.append(s.data() + start, i - start);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: AppendU(out, c);
      }
      start = ++i;
      continue;
    }
    unsigned cp = 0;
    size_t len = Utf8Len(s, i, &cp);
    if (len == 0) {
      out.append(s.data() + start, i - start);
      out += "\xEF\xBF\xBD";
      start = ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      out.append(s.data() + start, i - start);
      AppendU(out, cp);
      start = i + len;
    }
    i += len;
  }
  out.append(s.data() + start, s.size() - start);
  out += '"';
}

void AppendNumber(std::string& out, double d) {
  if (!std::isfinite(d)) { out += "null"; return; }
  double a = std::fabs(d);
  char buf[64];
  // Go: 'f' format unless exponent is < -6 or >= 21, shortest round-trip digits.
  bool exp_form = a != 0 && (a < 1e-6 || a >= 1e21);
  auto r = std::to_chars(buf, buf + sizeof buf, d,
                         exp_form ? std::chars_format::scientific : std::chars_format::fixed);
  std::string s(buf, r.ptr);
  if (exp_form) {
    // Go writes e-07 as e-07 and e+21 as e+21 (two-digit minimum exponent).
    auto e = s.find('e');
    if (e != std::string::npos) {
      std::string mant = s.substr(0, e), ex = s.substr(e + 1);
      char sign = '+';
      if (!ex.empty() && (ex[0] == '-' || ex[0] == '+')) { sign = ex[0]; ex = ex.substr(1); }
      while (ex.size() > 1 && ex[0] == '0') ex.erase(0, 1);
      if (ex.size() < 2) ex = "0" + ex;
      s = mant + "e" + sign + ex;
    }
  }
  out += s;
}

void AppendGoValue(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const boost::json::key_value_pair*> kv;
      kv.reserve(o.size());
      for (const auto& p : o) kv.push_back(&p);
      std::sort(kv.begin(), kv.end(),
                [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (auto* p : kv) {
        if (!first) out += ',';
        first = false;
        AppendString(out, p->key());
        out += ':';
        AppendGoValue(out, p->value());
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendGoValue(out, e);
      }
      out += ']';
      return;
    }
    case boost::json::kind::int64: AppendNumber(out, static_cast<double>(v.get_int64())); return;
    case boost::json::kind::uint64: AppendNumber(out, static_cast<double>(v.get_uint64())); return;
    case boost::json::kind::double_: AppendNumber(out, v.get_double()); return;
    default: AppendValue(out, v);
  }
}

void AppendValue(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); return;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case boost::json::kind::double_: AppendNumber(out, v.get_double()); return;
    case boost::json::kind::string: AppendString(out, v.get_string()); return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendValue(out, e);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& p : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendString(out, p.key());
        out += ':';
        AppendValue(out, p.value());
      }
      out += '}';
      return;
    }
  }
}

}  // namespace mcpreg::json
