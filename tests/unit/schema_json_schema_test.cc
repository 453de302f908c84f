// The draft-07 validator: one test per keyword family, plus formats and the official schemas.
// The uri verdicts below were checked against ajv 8 + ajv-formats (full mode).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "schema/json_schema.h"
#include "schema/official_schemas.h"

namespace mcpreg::schema {
namespace {

std::vector<SchemaError> Check(std::string_view schema, std::string_view instance) {
  auto compiled = JsonSchema::Compile(schema);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  if (!compiled.ok()) return {};
  return (*compiled)->Validate(boost::json::parse(instance));
}

std::string Where(const std::vector<SchemaError>& errors) {
  std::string out;
  for (const SchemaError& e : errors) out += e.instance_path + " @" + e.keyword_location + "; ";
  return out;
}

TEST(JsonSchemaTest, TypeAndIntegerFollowJsonValues) {
  EXPECT_TRUE(Check(R"({"type":"integer"})", "3.0").empty());
  EXPECT_EQ(Where(Check(R"({"type":"integer"})", "3.5")), " @#/type; ");
  EXPECT_TRUE(Check(R"({"type":["string","null"]})", "null").empty());
  auto e = Check(R"({"type":"string"})", "1");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].message, "expected string, got integer");
}

TEST(JsonSchemaTest, ObjectKeywordsReportEveryViolationWithPaths) {
  const char* schema = R"({"type":"object","required":["a","b"],
    "properties":{"a":{"type":"string","minLength":2},"b":{}},
    "patternProperties":{"^x-":{"type":"number"}}, "additionalProperties":false})";
  auto e = Check(schema, R"({"a":"é","x-1":"s","zz":1})");
  EXPECT_EQ(Where(e),
            "b @#/required; a @#/properties/a/minLength; x-1 @#/patternProperties/%5Ex-/type; "
            "zz @#/additionalProperties; ");
  EXPECT_TRUE(Check(schema, R"({"a":"ab","b":0,"x-2":1})").empty());
}

TEST(JsonSchemaTest, StringLengthsCountCodePoints) {
  EXPECT_TRUE(Check(R"({"maxLength":2})", R"("éü")").empty());  // 4 bytes, 2 code points
  EXPECT_FALSE(Check(R"({"maxLength":2})", R"("abc")").empty());
  EXPECT_TRUE(Check(R"({"minLength":1})", R"("😀")").empty());
}

TEST(JsonSchemaTest, PatternIsUnanchoredEcmaScriptOnCodePoints) {
  EXPECT_TRUE(Check(R"({"pattern":"b+"})", R"("abbc")").empty());
  EXPECT_FALSE(Check(R"({"pattern":"^b+$"})", R"("abbc")").empty());
  EXPECT_TRUE(Check(R"({"pattern":"^.$"})", R"("é")").empty());  // one code point, two bytes
  EXPECT_FALSE(JsonSchema::Compile(std::string_view(R"({"pattern":"(["})")).ok());
}

TEST(JsonSchemaTest, NumericAndArrayKeywords) {
  const char* schema = R"({"type":"array","minItems":2,"maxItems":3,"uniqueItems":true,
    "items":{"type":"number","minimum":0,"exclusiveMaximum":10,"multipleOf":0.5}})";
  EXPECT_TRUE(Check(schema, "[0, 9.5]").empty());
  EXPECT_EQ(Where(Check(schema, "[-1, 10, 0.3]")),
            "[0] @#/items/minimum; [1] @#/items/exclusiveMaximum; [2] @#/items/multipleOf; ");
  EXPECT_EQ(Where(Check(schema, "[1, 1.0]")), " @#/uniqueItems; ");
  EXPECT_EQ(Where(Check(schema, "[1]")), " @#/minItems; ");
  EXPECT_EQ(Where(Check(R"({"items":[{"type":"string"}],"additionalItems":false})", R"(["a",1])")),
            "[1] @#/additionalItems; ");
  EXPECT_FALSE(Check(R"({"contains":{"const":3}})", "[1,2]").empty());
}

TEST(JsonSchemaTest, EnumConstAndNotCompareJsonValues) {
  EXPECT_TRUE(Check(R"({"enum":[1,"a",{"k":[true]}]})", R"({"k":[true]})").empty());
  EXPECT_TRUE(Check(R"({"const":1})", "1.0").empty());
  auto e = Check(R"({"not":{"const":"latest"}})", R"("latest")");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].message, R"(must not be "latest")");
}

TEST(JsonSchemaTest, RefsResolveLocallyAndMayRecurse) {
  const char* schema = R"({"$ref":"#/definitions/node","definitions":{"node":{"type":"object",
    "properties":{"kids":{"type":"array","items":{"$ref":"#/definitions/node"}},
                  "v":{"type":"string"}}}}})";
  EXPECT_EQ(Where(Check(schema, R"({"kids":[{"kids":[{"v":1}]}]})")),
            "kids[0].kids[0].v @#/definitions/node/properties/v/type; ");
  EXPECT_FALSE(JsonSchema::Compile(std::string_view(R"({"$ref":"#/definitions/none"})")).ok());
  EXPECT_FALSE(JsonSchema::Compile(std::string_view(R"({"$ref":"http://x/y.json"})")).ok());
}

TEST(JsonSchemaTest, AnyOfReportsTheClosestAlternative) {
  const char* schema = R"({"anyOf":[
    {"properties":{"type":{"enum":["a"]}},"required":["type"]},
    {"properties":{"type":{"enum":["b"]},"url":{"type":"string"}},"required":["type","url"]}]})";
  EXPECT_TRUE(Check(schema, R"({"type":"a"})").empty());
  EXPECT_EQ(Where(Check(schema, R"({"type":"b"})")), " @#/anyOf; url @#/anyOf/1/required; ");
}

TEST(JsonSchemaTest, OneOfAllOfAndConditionals) {
  const char* one = R"({"oneOf":[{"type":"number"},{"minimum":0}]})";
  EXPECT_TRUE(Check(one, "-1").empty());
  EXPECT_EQ(Where(Check(one, "1")), " @#/oneOf; ");
  EXPECT_EQ(Where(Check(R"({"allOf":[{"type":"string"},{"minLength":3}]})", R"("ab")")),
            " @#/allOf/1/minLength; ");
  const char* cond = R"({"if":{"properties":{"t":{"const":"x"}}},"then":{"required":["u"]},
                         "else":{"required":["v"]}})";
  EXPECT_EQ(Where(Check(cond, R"({"t":"x"})")), "u @#/then/required; ");
  EXPECT_EQ(Where(Check(cond, R"({"t":"y"})")), "v @#/else/required; ");
  EXPECT_EQ(Where(Check("false", "1")), " @#; ");
}

TEST(JsonSchemaTest, UriFormatMatchesAjvFormats) {
  for (const char* ok : {"https://example.com", "https://example.com:8443/a/b?c=d#e",
                         "http://[::1]:80/", "urn:isbn:0451450523", "mailto:a@b.example",
                         "https://user:pw@host/p%20q", "file:///etc/hosts", "HTTPS://EX.COM", "a:b",
                         "s:/[::1]",
                         // ajv accepts this one too: "/" + empty host + path "/host:80a/".
                         "https://host:80a/"}) {
    EXPECT_TRUE(IsUri(ok)) << ok;
  }
  for (const char* bad : {"", "example.com", "/relative/path", "https://exa mple.com",
                          "https://example.com/%zz", "https://ex.com/é", "1http://x",
                          "http://[::1::2]/", "http://h:8/x%2"}) {
    EXPECT_FALSE(IsUri(bad)) << bad;
  }
  EXPECT_TRUE(IsUriReference("/relative/path"));
  EXPECT_TRUE(Check(R"({"format":"uri"})", R"("x")").size() == 1);
  EXPECT_TRUE(Check(R"({"format":"email"})", R"("x")").empty());  // unknown formats ignored
}

TEST(OfficialSchemasTest, EveryEmbeddedSchemaCompiles) {
  for (std::string_view v : ReleasedSchemaVersions()) EXPECT_NE(OfficialSchema(v), nullptr) << v;
  EXPECT_NE(OfficialSchema("draft"), nullptr);
  EXPECT_EQ(OfficialSchema("2024-01-01"), nullptr);
  EXPECT_FALSE(OfficialSchemaText("2025-12-11").empty());
}

TEST(OfficialSchemasTest, VersionComesFromTheSchemaUrl) {
  EXPECT_EQ(SchemaVersionFromUrl(std::string(kCurrentSchemaUrl)), "2025-12-11");
  EXPECT_EQ(SchemaVersionFromUrl("https://x/schemas/2025-07-09/server.schema.json"),
            "2025-07-09");
  EXPECT_EQ(SchemaVersionFromUrl("https://raw.githubusercontent.com/modelcontextprotocol/"
                                 "registry/main/docs/reference/server-json/draft/"
                                 "server.schema.json"),
            "draft");
  EXPECT_EQ(SchemaVersionFromUrl("https://example.com/server.json"), "");
}

}  // namespace
}  // namespace mcpreg::schema
