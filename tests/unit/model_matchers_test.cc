// The hand-written matchers that replaced the semantic rules' regular expressions: the same
// accept/reject table the regexes gave (checked against the old engine on 7 M generated inputs
// before it was removed), and linear time on long inputs.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "model/matchers.h"

namespace mcpreg::model {
namespace {

struct Case {
  std::string input;
  bool expected;
};

void ExpectAll(bool (*fn)(std::string_view), const std::vector<Case>& cases, const char* what) {
  for (const Case& c : cases)
    EXPECT_EQ(fn(c.input), c.expected) << what << " \"" << c.input << "\"";
}

TEST(ModelMatchersTest, NamespaceAndNamePartFollowUpstreamRegexes) {
  ExpectAll(IsServerNamespace,
            {{"io.github.user", true},
             {"ab", true},
             {"a-b.c", true},
             {"a", false},
             {"", false},
             {"-ab", false},
             {"ab-", false},
             {"a.", false},
             {"a_b", false},
             {"a b", false},
             {"a/b", false},
             {"ab\n", false}},
            "namespace");
  ExpectAll(IsServerNamePart,
            {{"weather", true},
             {"a_b", true},
             {"a.b-c", true},
             {"ab", true},
             {"a", false},
             {"_ab", false},
             {"ab_", false},
             {"a b", false},
             {"a/b", false},
             {"", false}},
            "name part");
}

TEST(ModelMatchersTest, VersionRangesAreRecognisedAndVersionsAreNot) {
  ExpectAll(LooksLikeVersionRange,
            {{"^1.2", true},
             {"~1.2.3", true},
             {">=1.0", true},
             {"<= 2", true},
             {">1", true},
             {"<1", true},
             {"=1.0", true},
             {" ^1 ", true},
             {"^v1.2.3.4-rc.1", true},
             {"1.0 - 2.0", true},
             {"1.0 -2.0", true},
             {"1.0-beta - 2", true},
             {"1 || 2", true},
             {"1||2", true},
             {"1 || 2 || v3.0.0-beta", true},
             {"1.x", true},
             {"2.*", true},
             {"1.2.x", true},
             {"x.x", true},
             {"v1.X-beta", true},
             {"1.0.0", false},
             {"v1", false},
             {"1.0.0-beta.1", false},
             {"latest", false},
             {"", false},
             {"   ", false},
             {"*", false},
             {"1.2.3.4.5", false},
             {"^1.2.3.4.5", false},
             {"1.0  - 2.0", false},
             {"1 ||", false},
             {"1.2-beta", false},
             {"1.2-x", true},  // upstream's quirk, kept: the x of the suffix counts
             {"x.1.2.3", false},
             {">=", false},
             {"1.0 - 2.0 - 3.0", false}},
            "range");
}

TEST(ModelMatchersTest, RepositoryUrlsAndSubfoldersFollowUpstreamRegexes) {
  ExpectAll(IsGithubRepoUrl,
            {{"https://github.com/a/b", true},
             {"http://github.com/a/b/", true},
             {"https://www.github.com/a_b.c-d/e", true},
             {"https://github.com/a", false},
             {"https://github.com/a/b/c", false},
             {"https://github.com/a/b//", false},
             {"HTTPS://github.com/a/b", false},
             {"https://github.com/a/b\n", false},
             {"https://gitlab.com/a/b", false},
             {"https://github.com//b", false},
             {"https://github.com/a b/c", false}},
            "github");
  ExpectAll(IsGitlabRepoUrl,
            {{"https://gitlab.com/a/b", true},
             {"https://gitlab.com/g/s/p/", true},
             {"http://www.gitlab.com/g/s/p", true},
             {"https://gitlab.com/a", false},
             {"https://gitlab.com/a//b", false},
             {"https://gitlab.com/a/b//", false},
             {"https://github.com/a/b", false}},
            "gitlab");
  ExpectAll(HasOnlySubfolderChars,
            {{"src", true},
             {"src/x-y_z.v2", true},
             {"/src", true},
             {"", false},
             {"a b", false},
             {"a\\b", false},
             {"a:b", false}},
            "subfolder");
}

TEST(ModelMatchersTest, NamespacePatternsFollowTheGrantSyntax) {
  ExpectAll(IsNamespacePatternSyntax,
            {{"com.contoso/*", true},
             {"com.contoso/weather", true},
             {"com.contoso.*", true},
             {"ab/a_b", true},
             {"com.contoso", false},
             {"com/*/x", false},
             {"c/.*", false},
             {"a.*", false},
             {"ab/.*", false},
             {"ab/_a", false},
             {"*", false},
             {"", false}},
            "namespace pattern");
}

TEST(ModelMatchersTest, MegabyteInputsAreMatchedInLinearTime) {
  const std::string big(1 << 20, '1');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(IsServerNamespace(big + "-"));
  EXPECT_TRUE(IsServerNamePart(big));
  EXPECT_TRUE(LooksLikeVersionRange("^" + big));
  EXPECT_FALSE(LooksLikeVersionRange(big + "." + big + " - "));
  EXPECT_TRUE(IsGithubRepoUrl("https://github.com/a/" + big));
  EXPECT_TRUE(IsGitlabRepoUrl("https://gitlab.com/a/" + big));
  EXPECT_TRUE(HasOnlySubfolderChars(big));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_LT(ms, 1000);
}

}  // namespace
}  // namespace mcpreg::model
