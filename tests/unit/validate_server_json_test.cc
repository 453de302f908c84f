// ValidateServerJson / ValidateForPublish over the fixture corpus and hand-written cases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/validate.h"

namespace mcpreg::model {
namespace {

std::filesystem::path Fixtures() {
  return std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/validate";
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Describe(const ValidationReport& r) {
  std::string out;
  for (const Issue& i : r.issues)
    out += i.severity + " " + i.path + " [" + i.reference + "] " + i.message + "\n";
  return out;
}

constexpr std::string_view kMinimal =
    R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
    R"("name":"io.github.example/server","description":"d","version":"1.0.0"})";

TEST(ValidateServerJsonTest, EveryValidFixturePassesWithoutIssues) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(Fixtures() / "valid")) {
    ValidationReport r = ValidateServerJson(ReadAll(e.path()));
    EXPECT_TRUE(r.valid) << e.path() << "\n" << Describe(r);
    EXPECT_TRUE(r.issues.empty()) << e.path() << "\n" << Describe(r);
    ++n;
  }
  EXPECT_EQ(n, 34);
}

TEST(ValidateServerJsonTest, EveryInvalidFixtureReportsItsDefect) {
  std::istringstream manifest(ReadAll(Fixtures() / "invalid/EXPECTED.tsv"));
  std::string line;
  int n = 0;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file, path, reference;
    std::getline(fields, file, '\t');
    std::getline(fields, path, '\t');
    std::getline(fields, reference, '\t');
    ValidationReport r = ValidateServerJson(ReadAll(Fixtures() / "invalid" / file));
    EXPECT_FALSE(r.valid) << file;
    bool found = false;
    for (const Issue& i : r.issues)
      found = found || (i.severity == "error" && i.path == path && i.reference == reference);
    EXPECT_TRUE(found) << file << " lacks error " << path << " [" << reference << "]\n"
                       << Describe(r);
    // semantic-* fixtures are schema-valid: only registry rules may fire.
    if (file.rfind("semantic-", 0) == 0) {
      for (const Issue& i : r.issues)
        EXPECT_NE(i.reference.rfind("#", 0), 0u) << file << "\n" << Describe(r);
    }
    ++n;
  }
  EXPECT_GE(n, 40);
}

TEST(ValidateServerJsonTest, BrokenJsonIsOneJsonIssue) {
  ValidationReport r = ValidateServerJson("{\"name\": ");
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].type, "json");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(ValidateServerJson("[]").issues.at(0).reference, "json-not-object");
}

TEST(ValidateServerJsonTest, OlderSchemaGivesOneWarningAndValidatesAgainstIt) {
  std::string doc(kMinimal);
  doc.replace(doc.find("2025-12-11"), 10, "2025-07-09");
  ValidationReport r = ValidateServerJson(doc);
  EXPECT_TRUE(r.valid) << Describe(r);
  ASSERT_EQ(r.issues.size(), 1u) << Describe(r);
  EXPECT_EQ(r.issues[0].severity, "warning");
  EXPECT_EQ(r.issues[0].reference, "schema-version-deprecated");
  // 2025-07-09 had no "title" limits but did have them on description: the old file is used.
  std::string old_doc = doc;
  old_doc.insert(old_doc.size() - 1, R"(,"packages":[{"registryType":"npm"}])");
  EXPECT_TRUE(ValidateServerJson(old_doc).HasReference(
      "#/definitions/Package/required")) << Describe(ValidateServerJson(old_doc));
}

TEST(ValidateServerJsonTest, CollectsEveryIssueInsteadOfStopping) {
  std::string doc(kMinimal);
  doc.replace(doc.find("\"1.0.0\""), 7, "\"latest\"");
  doc.insert(doc.size() - 1, R"(,"title":" ","websiteUrl":"http://a.example",)"
                             R"("remotes":[{"type":"sse","url":"https://localhost/x"}])");
  ValidationReport r = ValidateServerJson(doc);
  EXPECT_FALSE(r.valid);
  for (const char* rule : {"reserved-version-string", "title-whitespace-only",
                           "website-url-invalid-scheme", "invalid-remote-url"}) {
    EXPECT_TRUE(r.HasReference(rule)) << rule << "\n" << Describe(r);
  }
}

TEST(ValidateServerJsonTest, ToJsonHasUpstreamShape) {
  ValidationReport ok = ValidateServerJson(kMinimal);
  EXPECT_EQ(ok.ToJson(), R"({"valid":true,"issues":[]})");
  ValidationReport r;
  r.Add({"semantic", "version", "m", "error", "reserved-version-string"});
  EXPECT_EQ(r.ToJson(), R"({"valid":false,"issues":[{"type":"semantic","path":"version",)"
                        R"("message":"m","severity":"error","reference":"reserved-version-string"}]})");
}

TEST(ValidateForPublishTest, RunsFullSchemaVersionAndSemanticRules) {
  // description too long is a schema-only defect: publish sees it too (upstream does not)...
  std::string doc(kMinimal);
  doc.replace(doc.find("\"d\""), 3, "\"" + std::string(150, 'x') + "\"");
  EXPECT_FALSE(ValidateForPublish(doc).valid);
  EXPECT_TRUE(ValidateForPublish(doc).HasReference(
      "#/definitions/ServerDetail/properties/description/maxLength"));
  EXPECT_FALSE(ValidateServerJson(doc).valid);
  // ...semantic rules and the $schema policy apply, and draft is not accepted.
  std::string latest(kMinimal);
  latest.replace(latest.find("\"1.0.0\""), 7, "\"latest\"");
  EXPECT_TRUE(ValidateForPublish(latest).HasReference("reserved-version-string"));
  std::string draft(kMinimal);
  draft.replace(draft.find("2025-12-11"), 10, "draft");
  EXPECT_TRUE(ValidateForPublish(draft).HasReference("schema-version-not-available"));
  EXPECT_TRUE(ValidateServerJson(draft).valid);
  EXPECT_TRUE(ValidateServerJson(draft).HasReference("schema-version-unreleased"));
}

}  // namespace
}  // namespace mcpreg::model
