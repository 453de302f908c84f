// Issue 9 item 1 (validator side) and item 14 ("publish skips JSON Schema"): the validator
// measures every string before matching it, answers a megabyte field with an issue in bounded
// time, and publish runs the JSON Schema. Before the fix, a ~30 KB string in any of these
// fields overflowed the stack in the backtracking regex engine (the test process died).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>

#include "model/validate.h"

namespace mcpreg::model {
namespace {
namespace bj = boost::json;

constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

bj::object Minimal() {
  return {{"$schema", kSchema},
          {"name", "io.github.example/server"},
          {"description", "d"},
          {"version", "1.0.0"}};
}

struct Field {
  const char* what;
  std::function<void(bj::object&, const std::string&)> put;
  const char* path;  // where the issue must be reported
};

// The six fields issue 9 names, each given the string `big`.
std::vector<Field> Fields() {
  return {
      {"name", [](bj::object& d, const std::string& big) { d["name"] = "com.example/" + big; },
       "name"},
      {"version", [](bj::object& d, const std::string& big) { d["version"] = "1.0.0-" + big; },
       "version"},
      {"remote url",
       [](bj::object& d, const std::string& big) {
         d["remotes"] = bj::array{
             bj::object{{"type", "streamable-http"}, {"url", "https://example.com/" + big}}};
       },
       "remotes[0].url"},
      {"repository url",
       [](bj::object& d, const std::string& big) {
         d["repository"] =
             bj::object{{"url", "https://github.com/example/" + big}, {"source", "github"}};
       },
       "repository.url"},
      {"subfolder",
       [](bj::object& d, const std::string& big) {
         d["repository"] = bj::object{{"url", "https://github.com/example/server"},
                                      {"source", "github"},
                                      {"subfolder", big}};
       },
       "repository.subfolder"},
      {"icon sizes",
       [](bj::object& d, const std::string& big) {
         d["icons"] = bj::array{bj::object{{"src", "https://example.com/icon.png"},
                                           {"sizes", bj::array{"48x" + big}}}};
       },
       "icons[0].sizes[0]"},
  };
}

bool HasErrorAt(const ValidationReport& r, std::string_view path) {
  for (const Issue& i : r.issues)
    if (i.path == path && i.severity == "error") return true;
  return false;
}

TEST(ValidateLimitsTest, MegabyteStringInEachFieldIsAnIssueInBoundedTime) {
  const std::string big(1 << 20, '1');  // digits: matches every character class involved
  for (const Field& f : Fields()) {
    bj::object doc = Minimal();
    f.put(doc, big);
    std::string text = bj::serialize(doc);
    auto start = std::chrono::steady_clock::now();
    ValidationReport full = ValidateServerJson(text);
    ValidationReport publish = ValidateForPublish(text);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    EXPECT_LT(ms, 2000) << f.what;
    EXPECT_FALSE(full.valid) << f.what;
    EXPECT_TRUE(HasErrorAt(full, f.path)) << f.what << "\n" << full.ToJson().substr(0, 2000);
    EXPECT_FALSE(publish.valid) << f.what;
    EXPECT_TRUE(HasErrorAt(publish, f.path)) << f.what;
    // Issues describe the value; they never echo a megabyte of it back.
    EXPECT_LT(full.ToJson().size(), 64u * 1024) << f.what;
  }
}

TEST(ValidateLimitsTest, ValuesOverASemanticCapGetOneValueTooLongIssue) {
  bj::object doc = Minimal();
  doc["repository"] = bj::object{{"url", "https://github.com/a/" + std::string(kMaxUrlBytes, 'b')},
                                 {"source", "github"}};
  doc["websiteUrl"] = "https://example.com/" + std::string(kMaxUrlBytes, 'c');
  ValidationReport r = ValidateServerJson(doc);
  EXPECT_TRUE(HasErrorAt(r, "repository.url"));
  EXPECT_TRUE(HasErrorAt(r, "websiteUrl"));
  EXPECT_TRUE(r.HasReference("value-too-long"));
  EXPECT_FALSE(r.HasReference("invalid-repository-url"));
  // A name over the schema's maxLength is reported once, by the schema.
  doc = Minimal();
  doc["name"] = "com.example/" + std::string(297, 'a');  // 309 characters
  r = ValidateServerJson(doc);
  EXPECT_TRUE(r.HasReference("#/definitions/ServerDetail/properties/name/maxLength"));
  EXPECT_FALSE(r.HasReference("value-too-long"));
}

TEST(ValidateLimitsTest, PublishRejectsA309CharacterNameWithTheSchemaIssue) {
  bj::object doc = Minimal();
  doc["name"] = "com.example/" + std::string(297, 'a');
  ValidationReport r = ValidateForPublish(bj::serialize(doc));
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(r.HasReference("#/definitions/ServerDetail/properties/name/maxLength")) << r.ToJson();
}

TEST(ValidateLimitsTest, OversizedOrTooDeepDocumentsAreOneJsonIssue) {
  std::string huge = bj::serialize(Minimal());
  huge.insert(huge.size() - 1, ",\"x\":\"" + std::string(kMaxServerJsonBytes, 'x') + "\"");
  ValidationReport r = ValidateServerJson(huge);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].reference, "document-too-large");
  std::string deep =
      std::string(kMaxServerJsonDepth + 1, '[') + std::string(kMaxServerJsonDepth + 1, ']');
  r = ValidateForPublish(deep);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].reference, "json-parse-error");
}

}  // namespace
}  // namespace mcpreg::model
