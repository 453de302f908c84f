// Target percent: the bytes are one path segment or query value as it arrives on the wire.
// Runs Go-compatible percent-decoding (core/percent.h) and checks its contracts:
//   - PercentEncode output decodes back to the input, with PathUnescape and QueryUnescape alike;
//   - PathUnescapeTwice(s) == PathUnescape(PathUnescape(s)) when both steps decode;
//   - decoding never grows the text, and fails exactly when the input has a bad %-escape.
#include "core/percent.h"
#include "fuzz/fuzz_common.h"

using namespace mcpreg;

namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool EscapesWellFormed(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
    }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s = fuzz::AsView(data, size);

  auto path = PathUnescape(s);
  auto query = QueryUnescape(s);
  fuzz::Check(path.has_value() == EscapesWellFormed(s), "PathUnescape fails iff a bad escape");
  fuzz::Check(query.has_value() == path.has_value(), "QueryUnescape fails like PathUnescape");
  if (path) fuzz::Check(path->size() <= s.size(), "decoding never grows");

  auto twice = PathUnescapeTwice(s);
  if (path) {
    auto second = PathUnescape(*path);
    fuzz::Check(twice == second, "PathUnescapeTwice == PathUnescape twice");
  } else {
    fuzz::Check(!twice, "PathUnescapeTwice fails when the first step does");
  }

  std::string enc = PercentEncode(s);
  for (char c : enc)
    fuzz::Check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '%',
                "PercentEncode emits unreserved characters and escapes only");
  auto back = PathUnescape(enc);
  fuzz::Check(back && *back == s, "PathUnescape(PercentEncode(s)) == s");
  auto qback = QueryUnescape(enc);
  fuzz::Check(qback && *qback == s, "QueryUnescape(PercentEncode(s)) == s");
  return 0;
}
