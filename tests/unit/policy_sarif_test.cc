// SARIF 2.1.0 gate over tests/fixtures/policy/sarif: levels and their defaults, security
// severity on rules and results, fixed/suppressed/closed vs open, several runs, rules in tool
// extensions, and malformed logs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "policy/sarif.h"

namespace mcpreg::policy {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/policy/sarif" / name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "level state blocking" per finding, in order.
std::vector<std::string> Shape(const SarifReport& r) {
  std::vector<std::string> out;
  for (const SarifFinding& f : r.findings)
    out.push_back(f.rule_id + " " + f.level + " " + f.state + (f.blocking ? " blocks" : ""));
  return out;
}

TEST(PolicySarifTest, LevelsDefaultsSuppressionsAndRunsClassify) {
  Result<SarifReport> r = ParseSarif(Fixture("levels.sarif.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> want = {
      "L1 error open blocks",   "L2 warning open",     "L2 error closed",
      "L2 none closed",         "L3 warning open",     "L4 note open blocks",
      "L2 warning open blocks", "S1 error suppressed", "S1 error suppressed",
      "S1 error open blocks",   "S1 error open blocks"};
  EXPECT_EQ(Shape(*r), want);
  EXPECT_EQ(r->open, 7u);
  EXPECT_EQ(r->blocking, 5u);
  EXPECT_EQ(r->critical, 1u);
  EXPECT_EQ(r->high, 1u);
  EXPECT_TRUE(r->Blocks());
  EXPECT_EQ(r->findings[6].security_severity.value_or(0), 9.1);
  EXPECT_EQ(r->findings[7].tool, "Second");
  EXPECT_EQ(r->findings[9].path, "runs[1].results[2]");
  EXPECT_EQ(r->Summary(), "5 blocking of 7 open (1 critical, 1 high), 11 results");
}

TEST(PolicySarifTest, CodeQlRulesInExtensionsResolveSecuritySeverity) {
  Result<SarifReport> r = ParseSarif(Fixture("codeql-extensions.sarif.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> want = {"js/sql-injection warning open blocks",
                                   "js/unused-variable note open", "js/xss warning fixed"};
  EXPECT_EQ(Shape(*r), want);
  EXPECT_EQ(r->findings[0].security_severity.value_or(0), 8.8);
  EXPECT_EQ(r->findings[0].location, "src/db.ts:42");
  EXPECT_EQ(r->findings[0].message, "Query built from user input");
  EXPECT_EQ(r->high, 1u);
  EXPECT_EQ(r->blocking, 1u);
}

TEST(PolicySarifTest, FixedResultsDoNotBlock) {
  Result<SarifReport> r = ParseSarif(Fixture("clean.sarif.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->Blocks());
  EXPECT_EQ(r->open, 0u);
  EXPECT_EQ(r->findings.size(), 1u);
}

TEST(PolicySarifTest, OutOfRangeSecuritySeverityIsIgnored) {
  Result<SarifReport> r = ParseSarif(
      R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"X","rules":[)"
      R"({"id":"A","properties":{"security-severity":"11"}},)"
      R"({"id":"B","properties":{"security-severity":"high"}},)"
      R"({"id":"C","properties":{"security-severity":7.5}}]}},)"
      R"("results":[{"ruleId":"A"},{"ruleId":"B"},{"ruleId":"C"}]}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->findings[0].security_severity.has_value());
  EXPECT_FALSE(r->findings[1].security_severity.has_value());
  EXPECT_EQ(r->blocking, 1u);  // C: numeric 7.5 accepted
}

TEST(PolicySarifTest, MalformedLogsGiveClearErrors) {
  struct Case {
    const char* file;
    const char* want;
  } cases[] = {
      {"truncated.sarif.json", "SARIF: invalid JSON"},
      {"bad-version.sarif.json", "unsupported version \"2.0.0\""},
      {"bad-level.sarif.json", "runs[0].results[0].level: unknown level \"fatal\""},
      {"bad-index.sarif.json", "runs[0].results[0]: rule index 3 is out of range"},
  };
  for (const Case& c : cases) {
    Result<SarifReport> r = ParseSarif(Fixture(c.file));
    ASSERT_FALSE(r.ok()) << c.file;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.file << ": " << r.status().message();
  }
  EXPECT_FALSE(ParseSarif("[]").ok());
  EXPECT_FALSE(ParseSarif(R"({"version":"2.1.0"})").ok());
  EXPECT_FALSE(ParseSarif(R"({"version":"2.1.0","runs":[{"results":[]}]})").ok());
  EXPECT_FALSE(ParseSarif(R"({"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[1]}]})")
                   .ok());
}

}  // namespace
}  // namespace mcpreg::policy
