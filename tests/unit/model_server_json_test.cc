// server.json model: parse errors, Go-order serialization, round trips over every fixture.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>

#include "model/server_json.h"

namespace mcpreg::model {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path FixtureDir(std::string_view sub) {
  return std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/validate" / sub;
}

TEST(ServerJsonTest, SerializeUsesGoFieldOrderAndOmitempty) {
  // Keys deliberately out of order, empty optional fields, unknown fields, extra _meta keys.
  const char* in = R"({
    "version": "1.0.0", "name": "io.github.a/b", "unknown": 1, "title": "",
    "_meta": {"com.example/x": true, "io.modelcontextprotocol.registry/publisher-provided":
              {"z": 1.50, "a": {"y": [1, "x"], "b": null}}},
    "remotes": [{"url": "https://a.example/mcp", "type": "sse",
                 "variables": {"zeta": {"isRequired": false}, "alpha": {"default": "d"}}}],
    "packages": [{"transport": {"type": "stdio"}, "identifier": "pkg", "registryType": "npm",
                  "version": "1.0.0", "environmentVariables": [{"name": "K", "isSecret": true,
                  "description": "key"}], "packageArguments": [{"name": "--p", "type": "named",
                  "value": "v", "isRepeated": false}]}],
    "icons": [{"theme": "", "src": "https://a.example/i.png"}],
    "repository": {"source": "github", "url": "https://github.com/a/b"},
    "description": "d", "$schema": "S"})";
  auto parsed = ParseServerJson(std::string_view(in));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(SerializeServerJson(*parsed),
            R"({"$schema":"S","name":"io.github.a/b","description":"d",)"
            R"("repository":{"url":"https://github.com/a/b","source":"github"},"version":"1.0.0",)"
            R"("icons":[{"src":"https://a.example/i.png","theme":""}],)"
            R"("packages":[{"registryType":"npm","identifier":"pkg","version":"1.0.0",)"
            R"("transport":{"type":"stdio"},"packageArguments":[{"value":"v","type":"named",)"
            R"("name":"--p"}],"environmentVariables":[{"description":"key","isSecret":true,)"
            R"("name":"K"}]}],"remotes":[{"type":"sse","url":"https://a.example/mcp",)"
            R"("variables":{"alpha":{"default":"d"},"zeta":{}}}],)"
            R"("_meta":{"io.modelcontextprotocol.registry/publisher-provided":)"
            R"({"a":{"b":null,"y":[1,"x"]},"z":1.5}},"unknown":1})");
}

// Issue 12: fields of newer documents are kept, in document order, after the known ones.
TEST(ServerJsonTest, UnknownFieldsAreKeptInOrderAfterTheKnownOnes) {
  const char* in = R"({"zNew":{"b":2,"a":[1.5,"x",null]},"$schema":"S","name":"n",)"
                   R"("description":"d","version":"1","aNew":"\u00e9\t",)"
                   R"("repository":{"url":"u","source":"github","extraRepo":true},)"
                   R"("icons":[{"src":"https://i","iconExtra":1}],)"
                   R"("packages":[{"postInstallInstructions":[{"text":"run x"}],)"
                   R"("registryType":"npm","identifier":"p","version":"1",)"
                   R"("transport":{"type":"stdio","tExtra":-3},)"
                   R"("packageArguments":[{"type":"positional","valueHint":"v","argExtra":0}],)"
                   R"("environmentVariables":[{"name":"K","envExtra":"e"}]}],)"
                   R"("remotes":[{"type":"streamable-http","url":"https://r",)"
                   R"("supportedProtocolVersions":["2025-11-25","2026-07-28"]}]})";
  auto parsed = ParseServerJson(std::string_view(in));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->unknown.size(), 2u);
  EXPECT_EQ(parsed->unknown.begin()->key(), "zNew");  // document order, not sorted
  const std::string canonical =
      R"({"$schema":"S","name":"n","description":"d",)"
      R"("repository":{"url":"u","source":"github","extraRepo":true},"version":"1",)"
      R"("icons":[{"src":"https://i","iconExtra":1}],)"
      R"("packages":[{"registryType":"npm","identifier":"p","version":"1",)"
      R"("transport":{"type":"stdio","tExtra":-3},)"
      R"("packageArguments":[{"type":"positional","valueHint":"v","argExtra":0}],)"
      R"("environmentVariables":[{"name":"K","envExtra":"e"}],)"
      R"("postInstallInstructions":[{"text":"run x"}]}],)"
      R"("remotes":[{"type":"streamable-http","url":"https://r",)"
      R"("supportedProtocolVersions":["2025-11-25","2026-07-28"]}],)"
      R"("zNew":{"b":2,"a":[1.5,"x",null]},"aNew":"\u00e9\t"})";
  // Values re-encoded: key order kept, strings in the canonical escaping.
  std::string expected = canonical;
  const std::string escaped = R"("\u00e9\t")";
  expected.replace(expected.find(escaped), escaped.size(), "\"\xC3\xA9\\t\"");
  EXPECT_EQ(SerializeServerJson(*parsed), expected);
  // A document in canonical form comes back byte for byte, and parse/serialize is stable.
  auto again = ParseServerJson(std::string_view(expected));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == *parsed);
  EXPECT_EQ(SerializeServerJson(*again), expected);
}

TEST(ServerJsonTest, EmptyRepositoryAndMetaAreKeptAsEmptyObjects) {
  auto parsed = ParseServerJson(std::string_view(
      R"({"$schema":"S","name":"n","description":"d","version":"1","repository":{},)"
      R"("_meta":{"other":1}})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(SerializeServerJson(*parsed),
            R"({"$schema":"S","name":"n","description":"d","repository":{},"version":"1",)"
            R"("_meta":{}})");
}

// Found by the server_json fuzz target (fuzz/regressions/server_json/).
TEST(ServerJsonTest, EmptyPublisherProvidedRoundTripsAsAbsent) {
  auto parsed = ParseServerJson(std::string_view(
      R"({"_meta":{"io.modelcontextprotocol.registry/publisher-provided":{}}})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->publisher_provided.has_value());
  auto again = ParseServerJson(std::string_view(SerializeServerJson(*parsed)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SerializeServerJson(*again), SerializeServerJson(*parsed));
}

TEST(ServerJsonTest, NullFieldsCountAsAbsent) {
  auto parsed = ParseServerJson(std::string_view(
      R"({"name":"n","repository":null,"_meta":null,"packages":null,"title":null})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->repository.has_value());
  EXPECT_FALSE(parsed->has_meta);
  EXPECT_EQ(SerializeServerJson(*parsed),
            R"({"$schema":"","name":"n","description":"","version":""})");
}

TEST(ServerJsonTest, WrongTypeNamesTheJsonPath) {
  auto bad = ParseServerJson(std::string_view(R"({"packages":[{"transport":"stdio"}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(bad.status().message(), "packages[0].transport: expected object");

  bad = ParseServerJson(std::string_view(
      R"({"remotes":[{"type":"sse","headers":[{"name":"A","choices":["x",3]}]}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "remotes[0].headers[0].choices[1]: expected string");

  bad = ParseServerJson(std::string_view(R"({"_meta":{"io.modelcontextprotocol.registry/)"
                                         R"(publisher-provided":[1]}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "_meta.io.modelcontextprotocol.registry/publisher-provided: expected object");

  EXPECT_FALSE(ParseServerJson(std::string_view("[1]")).ok());
  EXPECT_FALSE(ParseServerJson(std::string_view("{")).ok());
}

TEST(ServerJsonTest, HelpersReportRemotesAndRegistryTypes) {
  auto parsed = ParseServerJson(std::string_view(
      R"({"packages":[{"registryType":"npm"},{"registryType":"oci"},{"registryType":"npm"}]})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->HasRemotes());
  EXPECT_TRUE(parsed->HasPackages());
  EXPECT_EQ(parsed->PackageRegistryTypes(), (std::set<std::string>{"npm", "oci"}));
}

TEST(ServerJsonTest, EveryFixtureRoundTripsAndSerializationIsIdempotent) {
  int count = 0;
  for (const char* sub : {"valid", "invalid"}) {
    for (const auto& entry : std::filesystem::directory_iterator(FixtureDir(sub))) {
      if (entry.path().extension() != ".json") continue;
      auto first = ParseServerJson(std::string_view(ReadAll(entry.path())));
      if (!first.ok()) continue;  // a few invalid fixtures have wrong JSON types on purpose
      std::string bytes = SerializeServerJson(*first);
      auto second = ParseServerJson(std::string_view(bytes));
      ASSERT_TRUE(second.ok()) << entry.path();
      EXPECT_TRUE(*first == *second) << entry.path();
      EXPECT_EQ(SerializeServerJson(*second), bytes) << entry.path();
      ++count;
    }
  }
  EXPECT_GE(count, 90);
}

TEST(ServerJsonTest, ValidExamplesKeepEveryKnownField) {
  // Serializing a valid example drops nothing it contained: each upstream example only uses
  // schema fields, so the re-encoded object has exactly the same (recursive) key set.
  std::function<void(const boost::json::value&, const boost::json::value&, std::string)> same;
  same = [&](const boost::json::value& a, const boost::json::value& b, std::string path) {
    if (a.is_object()) {
      ASSERT_TRUE(b.is_object()) << path;
      for (const auto& [k, v] : a.get_object()) {
        const boost::json::value* w = b.get_object().if_contains(k);
        bool dropped_empty = !w && ((v.is_string() && v.get_string().empty()) ||
                                    (v.is_bool() && !v.get_bool()) ||
                                    (v.is_array() && v.get_array().empty()));
        if (dropped_empty) continue;  // omitempty
        if (path.ends_with("._meta") && k != kPublisherProvidedKey) continue;  // dropped by design
        ASSERT_TRUE(w) << path << "." << k;
        same(v, *w, path + "." + std::string(k));
      }
    } else if (a.is_array()) {
      ASSERT_TRUE(b.is_array()) << path;
      ASSERT_EQ(a.get_array().size(), b.get_array().size()) << path;
      for (size_t i = 0; i < a.get_array().size(); ++i)
        same(a.get_array()[i], b.get_array()[i], path + "[" + std::to_string(i) + "]");
    } else if (a.is_string()) {
      EXPECT_EQ(a, b) << path;
    }
  };
  for (const auto& entry : std::filesystem::directory_iterator(FixtureDir("valid"))) {
    std::string text = ReadAll(entry.path());
    auto parsed = ParseServerJson(std::string_view(text));
    ASSERT_TRUE(parsed.ok()) << entry.path();
    same(boost::json::parse(text), boost::json::parse(SerializeServerJson(*parsed)),
         entry.path().filename().string());
  }
}

}  // namespace
}  // namespace mcpreg::model
