// JSON Schema patterns: ECMAScript syntax compiled to RE2 with ECMAScript's meaning kept, every
// pattern of every embedded official schema compiling, and length checks before any matching.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "schema/ecma_regex.h"
#include "schema/json_schema.h"
#include "schema/official_schemas.h"

namespace mcpreg::schema {
namespace {
namespace bj = boost::json;

bool Match(std::string_view pattern, std::string_view s) {
  auto p = Pattern::Compile(pattern);
  EXPECT_TRUE(p.ok()) << pattern << ": " << p.status().ToString();
  return p.ok() && p->Matches(s);
}

// Every "pattern" value and "patternProperties" key under `v`, with its location.
void CollectPatterns(const bj::value& v, const std::string& at,
                     std::vector<std::pair<std::string, std::string>>& out) {
  if (const bj::object* o = v.if_object()) {
    for (const auto& [k, sub] : *o) {
      std::string loc = at + "/" + std::string(k);
      if (k == "pattern" && sub.is_string()) out.emplace_back(loc, std::string(sub.get_string()));
      if (k == "patternProperties" && sub.is_object())
        for (const auto& [pk, unused] : sub.get_object()) out.emplace_back(loc, std::string(pk));
      CollectPatterns(sub, loc, out);
    }
  } else if (const bj::array* a = v.if_array()) {
    for (size_t i = 0; i < a->size(); ++i)
      CollectPatterns((*a)[i], at + "/" + std::to_string(i), out);
  }
}

TEST(EcmaRegexTest, EveryPatternOfEveryEmbeddedSchemaCompilesInRe2) {
  std::vector<std::string_view> versions = ReleasedSchemaVersions();
  versions.push_back(kDraftSchemaVersion);
  size_t total = 0;
  for (std::string_view version : versions) {
    std::vector<std::pair<std::string, std::string>> patterns;
    CollectPatterns(bj::parse(OfficialSchemaText(version)), "#", patterns);
    for (const auto& [where, source] : patterns) {
      auto p = Pattern::Compile(source);
      EXPECT_TRUE(p.ok()) << version << " " << where << " \"" << source
                          << "\": " << p.status().ToString();
      ++total;
    }
  }
  EXPECT_GE(total, 20u);  // 2-5 per schema in the files as shipped
}

TEST(EcmaRegexTest, OfficialPatternsAcceptAndRejectAsInEcmaScript) {
  const char* name = "^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$";
  EXPECT_TRUE(Match(name, "io.github.user/server_1"));
  EXPECT_FALSE(Match(name, "io.github.user/server\n"));  // $ is the end of input, not of a line
  EXPECT_FALSE(Match(name, "a/b/c"));
  const char* sizes = "^(\\d+x\\d+|any)$";
  EXPECT_TRUE(Match(sizes, "48x48"));
  EXPECT_TRUE(Match(sizes, "any"));
  EXPECT_FALSE(Match(sizes, "48x"));
  EXPECT_FALSE(Match(sizes, "\xd9\xa4x1"));  // Arabic-Indic digit: \d is ASCII in ECMAScript
  const char* url = "^(https?://[^\\s]+|\\{[a-zA-Z_][a-zA-Z0-9_]*\\}[^\\s]*)$";
  EXPECT_TRUE(Match(url, "https://example.com/mcp"));
  EXPECT_TRUE(Match(url, "{base}/mcp"));
  EXPECT_FALSE(Match(url, "https://example.com/a b"));
  EXPECT_FALSE(Match(url,
                     "https://example.com/a\xc2\xa0"
                     "b"));  // U+00A0 is \s
  EXPECT_FALSE(Match(url,
                     "https://example.com/a\xe2\x80\xa8"
                     "b"));  // U+2028 is \s
  EXPECT_FALSE(Match(url,
                     "https://example.com/a\xef\xbb\xbf"
                     "b"));                                 // U+FEFF is \s
  EXPECT_TRUE(Match(url, "https://example.com/\xc3\xa9"));  // é is not
  EXPECT_TRUE(Match("^[a-f0-9]{64}$", std::string(64, 'a')));
  EXPECT_FALSE(Match("^[a-f0-9]{64}$", std::string(65, 'a')));
}

TEST(EcmaRegexTest, EcmaScriptOnlySyntaxIsTranslated) {
  EXPECT_TRUE(Match("^\\S+$", "a\xc3\xa9"));
  EXPECT_FALSE(Match("^\\S+$", "a\xe3\x80\x80"));  // U+3000 ideographic space
  EXPECT_TRUE(Match("^[\\s\\d]+$", " 1\xe2\x80\x83"));
  EXPECT_TRUE(Match("^.$", "\xc3\xa9"));  // one code point
  EXPECT_FALSE(Match("^.$", "\n"));
  EXPECT_FALSE(Match("^.$", "\xe2\x80\xa9"));  // U+2029 is a line terminator for .
  EXPECT_TRUE(Match("^\\u00e9$", "\xc3\xa9"));
  EXPECT_TRUE(Match("^\\ud83d\\ude00$", "\xf0\x9f\x98\x80"));  // surrogate pair = one code point
  EXPECT_TRUE(Match("^[^]$", "\n"));
  EXPECT_FALSE(Match("[]", "anything"));
  EXPECT_TRUE(Match("^(?<word>[a-z]+)$", "abc"));
  EXPECT_TRUE(Match("^a\\/b$", "a/b"));
  EXPECT_TRUE(Match("^[\\b]$", "\b"));
  EXPECT_TRUE(Match("^[[]$", "["));
  EXPECT_TRUE(Match("^\\cJ$", "\n"));
  EXPECT_TRUE(Match("^\\q$", "q"));  // identity escape
}

TEST(EcmaRegexTest, BacktrackingOnlyConstructsAreRefused) {
  for (const char* p : {"a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?<x>a)\\k<x>"}) {
    auto r = Pattern::Compile(p);
    EXPECT_FALSE(r.ok()) << p;
  }
  EXPECT_FALSE(Pattern::Compile("a{1001}").ok());  // RE2's repeat limit
  EXPECT_FALSE(Pattern::Compile("(").ok());
  auto schema = JsonSchema::Compile(std::string_view(R"js({"pattern":"^(?=a)"})js"));
  ASSERT_FALSE(schema.ok());
  EXPECT_NE(schema.status().message().find("#/pattern"), std::string::npos);
}

TEST(EcmaRegexTest, MegabyteSubjectsMatchInLinearTime) {
  auto p = Pattern::Compile("^(a+)+$");  // catastrophic for a backtracking engine
  ASSERT_TRUE(p.ok());
  std::string s(1 << 20, 'a');
  s += '!';
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(p->Matches(s));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_LT(ms, 2000);
}

TEST(JsonSchemaLimitsTest, MaxLengthIsCheckedBeforePatternAndFormat) {
  auto schema = JsonSchema::Compile(
      std::string_view(R"({"type":"string","maxLength":5,"pattern":"^x+$","format":"uri"})"));
  ASSERT_TRUE(schema.ok());
  auto errors = (*schema)->Validate(bj::value("yyyyyyyy"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].keyword_location, "#/maxLength");
}

TEST(JsonSchemaLimitsTest, StringsOverTheMatchCapAreReportedNotMatched) {
  auto schema = JsonSchema::Compile(std::string_view(R"({"pattern":"^1+$"})"));
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE((*schema)->Validate(bj::value(std::string(kMaxMatchedStringBytes, '1'))).empty());
  auto errors = (*schema)->Validate(bj::value(std::string(kMaxMatchedStringBytes + 1, '1')));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].keyword_location, "#/pattern");
  EXPECT_NE(errors[0].message.find("too long"), std::string::npos);
}

}  // namespace
}  // namespace mcpreg::schema
