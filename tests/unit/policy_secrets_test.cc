// The secret scan: a corpus of true positives and near-miss negatives
// (tests/fixtures/policy/secrets-corpus.json), paths and redaction on whole documents, the
// secret-input rules, and the cost of the default policy on a typical server.json.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "model/server_json.h"
#include "policy/policy.h"
#include "policy/secret_scan.h"

namespace mcpreg::policy {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/policy" / name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Describe(const std::vector<SecretFinding>& fs) {
  std::string out;
  for (const SecretFinding& f : fs) out += std::string(f.rule) + " " + f.kind + "; ";
  return out;
}

Policy CorpusPolicy() {
  Policy p = Policy::Default();
  p.internal_hosts = {"corp.contoso.com"};
  return p;
}

TEST(PolicySecretsTest, EveryTruePositiveIsFoundWithItsRuleAndKind) {
  boost::json::value corpus = boost::json::parse(Fixture("secrets-corpus.json"));
  const Policy p = CorpusPolicy();
  int n = 0;
  for (const boost::json::value& c : corpus.at("positives").as_array()) {
    std::string text(c.at("text").as_string());
    std::string rule(c.at("rule").as_string()), kind(c.at("kind").as_string());
    std::vector<SecretFinding> found = ScanString(p, text);
    bool hit = std::any_of(found.begin(), found.end(),
                           [&](const SecretFinding& f) { return f.rule == rule && f.kind == kind; });
    EXPECT_TRUE(hit) << "missed " << rule << "/" << kind << " in: " << text.substr(0, 60)
                     << "\nfound: " << Describe(found);
    for (const SecretFinding& f : found) {
      // Never echo the secret: the redacted form is a short prefix.
      if (f.rule != "secrets.classification") {
        EXPECT_LE(f.redacted.size(), 9u) << f.redacted;
      }
    }
    ++n;
  }
  EXPECT_GE(n, 30);
}

TEST(PolicySecretsTest, NearMissNegativesAreNotFlagged) {
  boost::json::value corpus = boost::json::parse(Fixture("secrets-corpus.json"));
  const Policy p = CorpusPolicy();
  int n = 0;
  for (const boost::json::value& c : corpus.at("negatives").as_array()) {
    std::string text(c.as_string());
    std::vector<SecretFinding> found = ScanString(p, text);
    EXPECT_TRUE(found.empty()) << "false positive in: " << text << "\nfound: " << Describe(found);
    ++n;
  }
  EXPECT_GE(n, 25);
}

TEST(PolicySecretsTest, InternalHostsMatchOnLabelBoundaries) {
  Policy p = CorpusPolicy();
  EXPECT_EQ(ScanString(p, "https://api.corp.contoso.com/mcp").size(), 1u);
  EXPECT_EQ(ScanString(p, "CORP.CONTOSO.COM").size(), 1u);
  EXPECT_TRUE(ScanString(p, "https://notcorp.contoso.com/mcp").empty());
  EXPECT_TRUE(ScanString(p, "https://corp.contoso.com.evil.net/").empty());
}

TEST(PolicySecretsTest, EmailAllowListCoversSubdomains) {
  Policy p = Policy::Default();
  p.allowed_email_domains = {"contoso.com"};
  EXPECT_TRUE(ScanString(p, "ops@contoso.com").empty());
  EXPECT_TRUE(ScanString(p, "ops@eu.contoso.com").empty());
  EXPECT_EQ(ScanString(p, "ops@notcontoso.com").size(), 1u);
  EXPECT_EQ(ScanString(p, "ops@example.com").size(), 1u);  // the list replaced the default
}

TEST(PolicySecretsTest, DisabledRulesDoNotScan) {
  Result<Policy> p = Policy::FromYaml("rules: {secrets.token: {enabled: false}}");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(ScanString(*p, "ghp_0123456789abcdefghijklmnopqrstuvwxyz").empty());
  EXPECT_FALSE(ScanString(Policy::Default(), "ghp_0123456789abcdefghijklmnopqrstuvwxyz").empty());
}

TEST(PolicySecretsTest, DocumentScanReportsJsonPathsEverywhereIncludingMeta) {
  std::string doc = R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    "name":"io.github.c/x","description":"Internal Only: reach admin@contoso.com","version":"1.0.0",
    "packages":[{"registryType":"mcpb","identifier":"https://github.com/c/x/releases/x.mcpb",
      "fileSha256":"fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce",
      "transport":{"type":"stdio"},
      "environmentVariables":[{"name":"TOKEN","default":"ghp_0123456789abcdefghijklmnopqrstuvwxyz"}]}],
    "_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"k":["AKIAQWERTYUIOPASDFGH"]}}})";
  std::map<std::string, std::string> got;
  for (const model::Issue& i : EvaluateText(Policy::Default(), doc)) {
    got[i.reference + "@" + i.path] = i.severity;
    EXPECT_EQ(i.message.find("0123456789abcdef"), std::string::npos) << "secret echoed";
  }
  EXPECT_EQ(got["secrets.classification@description"], "error");
  EXPECT_EQ(got["secrets.email@description"], "error");
  EXPECT_EQ(got["secrets.token@packages[0].environmentVariables[0].default"], "error");
  EXPECT_EQ(got["secrets.token@_meta.io.modelcontextprotocol.registry/publisher-provided.k[0]"],
            "error");
  EXPECT_EQ(got.size(), 4u);
}

TEST(PolicySecretsTest, InputsAskingForSharedSecretsWarnAndLiteralSecretsFail) {
  std::map<std::string, std::string> got;
  for (const model::Issue& i : EvaluateText(Policy::Default(), Fixture("secret-inputs.json")))
    got[i.reference + "@" + i.path] = i.severity;
  std::map<std::string, std::string> want = {
      {"secrets.secret-input@packages[0].environmentVariables[0]", "warning"},
      {"secrets.secret-input@packages[0].environmentVariables[1]", "warning"},
      {"secrets.secret-value@packages[0].environmentVariables[1].default", "error"},
      {"secrets.secret-input@packages[0].packageArguments[0]", "warning"},
  };
  EXPECT_EQ(got, want);
}

// Measures Evaluate() with the default policy on a typical document (parse excluded, as a
// publish has already parsed it). Printed for the notes; the bound only catches a blow-up.
TEST(PolicyBenchmarkTest, DefaultPolicyCostPerVersion) {
  std::string body = Fixture("local-good.json");
  boost::json::value doc = boost::json::parse(body);
  Result<model::ServerJson> server = model::ParseServerJson(doc);
  ASSERT_TRUE(server.ok());
  const Policy p = Policy::Default();
  const int kRuns = 2000;
  size_t issues = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) issues += Evaluate(p, doc, *server).size();
  double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                  .count() / kRuns;
  auto start2 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) issues += EvaluateText(p, body).size();
  double us_text =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start2)
          .count() / kRuns;
  std::printf("[ policy   ] default policy: %.1f us/version (Evaluate), %.1f us incl. parse, "
              "%zu bytes\n", us, us_text, body.size());
  EXPECT_EQ(issues, 0u);
  EXPECT_LT(us, 5000.0);
}

}  // namespace
}  // namespace mcpreg::policy
