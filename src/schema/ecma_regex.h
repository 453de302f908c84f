// JSON Schema `pattern` / `patternProperties` regular expressions, written in ECMA-262 syntax,
// compiled to RE2 (linear time in the input, no recursion, bounded memory) once at schema
// compile time. Internal to src/schema.
//
// What is translated so the meaning stays ECMAScript's (no flags, as JSON Schema specifies):
//   \s \S     -> ECMAScript's white space + line terminators (Unicode: U+00A0, U+1680,
//                U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF and \t\n\v\f\r)
//   .         -> any code point but \n \r U+2028 U+2029
//   \uXXXX    -> \x{XXXX} (a surrogate pair becomes one code point)
//   \cX \0    -> the control character
//   [^] []    -> any code point / nothing;  \b in a class -> backspace
//   (?<name>  -> (?P<name>
//   identity escapes of letters (\a, \e, \q ... meaning the letter itself) -> the letter
// \d \D \w \W \b \B are ASCII in both dialects and kept as they are. Lookaround and
// backreferences have no linear-time implementation: such a pattern does not compile
// (InvalidArgument), and neither does one RE2 rejects (e.g. a repeat count above 1000).
//
// Thread-safety: a compiled Pattern is immutable; Matches() may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace re2 {
class RE2;
}

namespace mcpreg::schema {

// Memory RE2 may use per compiled pattern (program + DFA cache). A pattern whose program does
// not fit does not compile; a DFA that runs out falls back to RE2's NFA, still linear.
inline constexpr int64_t kPatternMaxMem = 1 << 20;

// ECMA-262 source -> RE2 source, or InvalidArgument naming the unsupported construct.
Result<std::string> EcmaToRe2(std::string_view ecma);

class Pattern {
 public:
  // Translates and compiles `ecma`. InvalidArgument when unsupported or invalid.
  static Result<Pattern> Compile(std::string_view ecma);

  // True when the pattern matches somewhere in UTF-8 `s` (JSON Schema patterns are unanchored).
  bool Matches(std::string_view s) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;  // as written in the schema
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace mcpreg::schema
