// ECMA-262 -> RE2 translation: one left-to-right pass that rewrites the constructs whose
// meaning differs between the two dialects and copies everything else.
#include "schema/ecma_regex.h"

#include <re2/re2.h>

#include <cstdio>

namespace mcpreg::schema {
namespace {

// ECMAScript's WhiteSpace and LineTerminator code points (what \s matches), as class ranges.
constexpr std::string_view kSpaceRanges =
    R"(\x{9}-\x{d}\x{20}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f})"
    R"(\x{3000}\x{feff})";
// Every other code point (what \S matches), so that \S can appear inside a class too.
constexpr std::string_view kNonSpaceRanges =
    R"(\x{0}-\x{8}\x{e}-\x{1f}\x{21}-\x{9f}\x{a1}-\x{167f}\x{1681}-\x{1fff}\x{200b}-\x{2027})"
    R"(\x{202a}-\x{202e}\x{2030}-\x{205e}\x{2060}-\x{2fff}\x{3001}-\x{fefe}\x{ff00}-\x{10ffff})";
constexpr std::string_view kAnyRange = R"(\x{0}-\x{10ffff})";

// The value of hex digit `c`, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool IsHex(char c) { return HexValue(c) >= 0; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string CodePoint(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%x}", cp);
  return buf;
}

Status Unsupported(std::string_view what) {
  return Status::InvalidArgument(std::string(what) +
                                 " are not supported (they need a backtracking matcher)");
}

class Translator {
 public:
  explicit Translator(std::string_view s) : s_(s) {}

  Result<std::string> Run() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\\') {
        MCPREG_RETURN_IF_ERROR(Escape(/*in_class=*/false));
      } else if (c == '[') {
        MCPREG_RETURN_IF_ERROR(Class());
      } else if (c == '.') {
        out_ += R"([^\n\r\x{2028}\x{2029}])";
        ++i_;
      } else if (c == '(') {
        MCPREG_RETURN_IF_ERROR(Group());
      } else {
        out_ += c;
        ++i_;
      }
    }
    return std::move(out_);
  }

 private:
  Status Group() {
    std::string_view rest = s_.substr(i_);
    if (rest.starts_with("(?=") || rest.starts_with("(?!") || rest.starts_with("(?<=") ||
        rest.starts_with("(?<!"))
      return Unsupported("lookaround assertions");
    if (rest.starts_with("(?<")) {
      out_ += "(?P<";
      i_ += 3;
      return Status::OK();
    }
    out_ += '(';
    ++i_;
    return Status::OK();
  }

  Status Class() {
    ++i_;  // '['
    bool negated = i_ < s_.size() && s_[i_] == '^';
    if (negated) ++i_;
    if (i_ < s_.size() && s_[i_] == ']') {  // ECMAScript: [] matches nothing, [^] anything
      ++i_;
      out_ += negated ? "[" : "[^";
      out_ += kAnyRange;
      out_ += ']';
      return Status::OK();
    }
    out_ += negated ? "[^" : "[";
    while (i_ < s_.size() && s_[i_] != ']') {
      char c = s_[i_];
      if (c == '\\') {
        MCPREG_RETURN_IF_ERROR(Escape(/*in_class=*/true));
      } else if (c == '[') {  // literal in ECMAScript; RE2 would read "[:" as a POSIX class
        out_ += "\\[";
        ++i_;
      } else {
        out_ += c;
        ++i_;
      }
    }
    if (i_ >= s_.size()) return Status::InvalidArgument("missing ] at the end of a class");
    out_ += ']';
    ++i_;
    return Status::OK();
  }

  // Reads the four hex digits of a \uXXXX escape at `at`; false when they are not there.
  bool Hex4(size_t at, uint32_t& cp) const {
    if (at + 4 > s_.size()) return false;
    cp = 0;
    for (size_t k = at; k < at + 4; ++k) {
      int v = HexValue(s_[k]);
      if (v < 0) return false;
      cp = cp * 16 + static_cast<uint32_t>(v);
    }
    return true;
  }

  Status Escape(bool in_class) {
    if (i_ + 1 >= s_.size()) return Status::InvalidArgument("\\ at the end of the pattern");
    char c = s_[i_ + 1];
    i_ += 2;
    switch (c) {
      case 's':
        out_ += in_class ? std::string(kSpaceRanges) : "[" + std::string(kSpaceRanges) + "]";
        return Status::OK();
      case 'S':
        out_ += in_class ? std::string(kNonSpaceRanges) : "[" + std::string(kNonSpaceRanges) + "]";
        return Status::OK();
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
        out_ += '\\';
        out_ += c;
        return Status::OK();
      case 'b':
      case 'B':
        if (in_class && c == 'b') {
          out_ += CodePoint(8);  // [\b] is a backspace
        } else {
          out_ += '\\';
          out_ += c;
        }
        return Status::OK();
      case 'u': {
        uint32_t cp;
        if (!Hex4(i_, cp)) {
          out_ += 'u';  // identity escape
          return Status::OK();
        }
        i_ += 4;
        uint32_t low;
        if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_, 2) == "\\u" && Hex4(i_ + 2, low) &&
            low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i_ += 6;
        }
        out_ += CodePoint(cp);
        return Status::OK();
      }
      case 'x':
        if (i_ + 2 <= s_.size() && IsHex(s_[i_]) && IsHex(s_[i_ + 1])) {
          out_ += "\\x";
          out_ += s_.substr(i_, 2);
          i_ += 2;
        } else {
          out_ += 'x';
        }
        return Status::OK();
      case 'c':
        if (i_ < s_.size() && IsAsciiLetter(s_[i_])) {
          out_ += CodePoint(static_cast<uint32_t>(s_[i_]) % 32);
          ++i_;
        } else {
          out_ += "\\\\c";  // Annex B: a literal backslash followed by 'c'
        }
        return Status::OK();
      case '0':
        if (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') return Unsupported("octal escapes");
        out_ += CodePoint(0);
        return Status::OK();
      case 'k':
        if (i_ < s_.size() && s_[i_] == '<') return Unsupported("named backreferences");
        out_ += 'k';
        return Status::OK();
      default:
        break;
    }
    if (c >= '1' && c <= '9') return Unsupported("backreferences");
    if (IsAsciiLetter(c)) {
      out_ += c;  // identity escape: \q is q
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out_ += '\\';  // escaped punctuation keeps its literal meaning in RE2
      out_ += c;
    } else {
      out_ += c;  // first byte of an escaped non-ASCII character: copy it as is
    }
    return Status::OK();
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string out_;
};

}  // namespace

Result<std::string> EcmaToRe2(std::string_view ecma) { return Translator(ecma).Run(); }

Result<Pattern> Pattern::Compile(std::string_view ecma) {
  auto translated = EcmaToRe2(ecma);
  if (!translated.ok()) return translated.status();
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_max_mem(kPatternMaxMem);
  options.set_never_capture(true);
  options.set_dot_nl(false);
  auto re = std::make_shared<const RE2>(*translated, options);
  if (!re->ok()) return Status::InvalidArgument(re->error());
  Pattern p;
  p.source_ = std::string(ecma);
  p.re_ = std::move(re);
  return p;
}

bool Pattern::Matches(std::string_view s) const {
  return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re_);
}

}  // namespace mcpreg::schema
