// Issue 12 scope 2: the official registry's 2026 rules in ValidateServerJson/ValidateForPublish.
//   - registryType "cargo" (upstream v1.8.0, PR #1443; internal/validators/registries/cargo.go):
//     base URL https://crates.io, version required, fileSha256 forbidden, upstream's messages;
//     maven and go refused as unsupported;
//   - website-url-invalid-characters (upstream v1.7.7, PR #1249);
//   - unknown fields of newer documents do not weaken the validation of known ones;
//   - the draft schema ({var} at the start of a transport URL) accepted with a warning.
#include <gtest/gtest.h>

#include <string>

#include "model/validate.h"

namespace mcpreg::model {
namespace {

std::string Describe(const ValidationReport& r) {
  std::string out;
  for (const Issue& i : r.issues)
    out += i.severity + " " + i.path + " [" + i.reference + "] " + i.message + "\n";
  return out;
}

std::string Doc(std::string_view extra, std::string_view schema = "2025-12-11") {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/)" + std::string(schema) +
         R"(/server.schema.json","name":"io.github.example/server","description":"d",)"
         R"("version":"1.0.0")" +
         std::string(extra) + "}";
}

std::string CargoDoc(std::string_view fields) {
  return Doc(R"(,"packages":[{"registryType":"cargo","identifier":"example-mcp",)" +
             std::string(fields) + R"("transport":{"type":"stdio"}}])");
}

const Issue* Find(const ValidationReport& r, std::string_view reference) {
  for (const Issue& i : r.issues)
    if (i.reference == reference) return &i;
  return nullptr;
}

TEST(CargoPackageTest, ValidWithVersionAndWithOrWithoutTheCratesIoBaseUrl) {
  for (std::string fields : {R"("version":"0.3.1",)",
                             R"("registryBaseUrl":"https://crates.io","version":"0.3.1",)"}) {
    ValidationReport r = ValidateForPublish(CargoDoc(fields));
    EXPECT_TRUE(r.valid) << fields << "\n" << Describe(r);
    EXPECT_TRUE(r.issues.empty()) << Describe(r);
  }
}

TEST(CargoPackageTest, VersionRequiredWithUpstreamsMessage) {
  ValidationReport r = ValidateServerJson(CargoDoc(""));
  EXPECT_FALSE(r.valid);
  const Issue* i = Find(r, "package-version-required");
  ASSERT_NE(i, nullptr) << Describe(r);
  EXPECT_EQ(i->path, "packages[0].version");
  EXPECT_EQ(i->message, "package version is required for Cargo packages");
}

TEST(CargoPackageTest, FileSha256ForbiddenWithUpstreamsMessage) {
  ValidationReport r = ValidateServerJson(CargoDoc(
      R"("version":"0.3.1","fileSha256":")" + std::string(64, 'a') + R"(",)"));
  EXPECT_FALSE(r.valid);
  const Issue* i = Find(r, "file-sha256-not-allowed");
  ASSERT_NE(i, nullptr) << Describe(r);
  EXPECT_EQ(i->path, "packages[0].fileSha256");
  EXPECT_EQ(i->message,
            "cargo packages must not have 'fileSha256' field - this is only for MCPB packages");
}

TEST(CargoPackageTest, OtherBaseUrlRefusedWithUpstreamsMessage) {
  ValidationReport r = ValidateForPublish(
      CargoDoc(R"("registryBaseUrl":"https://my-crates.example","version":"0.3.1",)"));
  EXPECT_FALSE(r.valid);
  const Issue* i = Find(r, "invalid-registry-base-url");
  ASSERT_NE(i, nullptr) << Describe(r);
  EXPECT_EQ(i->message,
            "registry type and base URL do not match: 'https://my-crates.example' is not valid "
            "for registry type 'cargo'. Expected: https://crates.io");
}

TEST(UnsupportedRegistryTypeTest, MavenAndGoAreRefusedClearly) {
  for (std::string type : {"maven", "go"}) {
    ValidationReport r = ValidateForPublish(Doc(
        R"(,"packages":[{"registryType":")" + type +
        R"(","identifier":"x","version":"1.0.0","transport":{"type":"stdio"}}])"));
    EXPECT_FALSE(r.valid) << type;
    const Issue* i = Find(r, "unsupported-registry-type");
    ASSERT_NE(i, nullptr) << Describe(r);
    EXPECT_EQ(i->path, "packages[0].registryType");
    EXPECT_NE(i->message.find(type + " packages are not supported yet"), std::string::npos)
        << i->message;
  }
}

TEST(WebsiteUrlCharactersTest, QuotesAngleBracketsAndSpaceAreRefusedAtTheirPosition) {
  struct Case {
    std::string url;
    size_t position;
  };
  for (const Case& c : {Case{R"(https://example.com/a\"onmouseover=x)", 21},
                        Case{"https://example.com/it's", 22},
                        Case{"https://example.com/<script>", 20},
                        Case{"https://example.com/a b", 21}}) {
    ValidationReport r = ValidateServerJson(Doc(R"(,"websiteUrl":")" + c.url + "\""));
    EXPECT_FALSE(r.valid) << c.url;
    const Issue* i = Find(r, "website-url-invalid-characters");
    ASSERT_NE(i, nullptr) << c.url << "\n" << Describe(r);
    EXPECT_EQ(i->path, "websiteUrl");
    EXPECT_NE(i->message.find("at position " + std::to_string(c.position)), std::string::npos)
        << i->message;
    EXPECT_TRUE(ValidateForPublish(Doc(R"(,"websiteUrl":")" + c.url + "\""))
                    .HasReference("website-url-invalid-characters"));
  }
  // Percent-encoded forms stay valid.
  ValidationReport ok =
      ValidateServerJson(Doc(R"(,"websiteUrl":"https://example.com/?q=hello%20world%22")"));
  EXPECT_TRUE(ok.valid) << Describe(ok);
  EXPECT_FALSE(ok.HasReference("website-url-invalid-characters"));
}

TEST(UnknownFieldsTest, KnownFieldsAreStillValidatedNextToUnknownOnes) {
  std::string extra =
      R"(,"futureTopLevel":{"x":1},"packages":[{"registryType":"npm","identifier":"p",)"
      R"("version":"1.0.0","transport":{"type":"stdio"},)"
      R"("postInstallInstructions":[{"text":"npx p init"}]}],)"
      R"("remotes":[{"type":"streamable-http","url":"https://mcp.example.com/mcp",)"
      R"("supportedProtocolVersions":["2025-11-25"]}])";
  ValidationReport ok = ValidateForPublish(Doc(extra));
  EXPECT_TRUE(ok.valid) << Describe(ok);
  // The same document with known fields broken still fails exactly as before.
  std::string bad = extra;
  bad.replace(bad.find("https://mcp.example.com/mcp"), 27, "http://mcp.example.com/mcp");
  bad.replace(bad.find("\"1.0.0\""), 7, "\"^1.0.0\"");
  ValidationReport r = ValidateForPublish(Doc(bad));
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(r.HasReference("invalid-remote-url")) << Describe(r);
  EXPECT_TRUE(r.HasReference("version-looks-like-range")) << Describe(r);
}

TEST(DraftSchemaTest, TemplateAtTheStartOfATransportUrlIsAcceptedWithAWarning) {
  std::string remote =
      R"(,"remotes":[{"type":"streamable-http","url":"{baseUrl}/mcp",)"
      R"("variables":{"baseUrl":{"description":"where it runs","isRequired":true}}}])";
  ValidationReport r = ValidateServerJson(
      "{\"$schema\":\"https://raw.githubusercontent.com/modelcontextprotocol/registry/main/docs/"
      "reference/server-json/draft/server.schema.json\"," +
      Doc(remote).substr(Doc(remote).find("\"name\"")));
  EXPECT_TRUE(r.valid) << Describe(r);
  ASSERT_NE(Find(r, "schema-version-unreleased"), nullptr) << Describe(r);
  EXPECT_EQ(Find(r, "schema-version-unreleased")->severity, "warning");
  // The released schema still refuses it.
  EXPECT_FALSE(ValidateServerJson(Doc(remote)).valid);
}

}  // namespace
}  // namespace mcpreg::model
