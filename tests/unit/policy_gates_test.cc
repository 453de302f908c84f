// Policy loading and the local/remote/content/licence gates, on fixtures in
// tests/fixtures/policy and hand-written documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <sstream>

#include "policy/license.h"
#include "policy/policy.h"
#include "policy/remote_probe.h"

namespace mcpreg::policy {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/policy" / name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FixturePath(const std::string& name) {
  return (std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/policy" / name).string();
}

std::string Describe(const std::vector<model::Issue>& issues) {
  std::string out;
  for (const model::Issue& i : issues)
    out += i.severity + " " + i.path + " [" + i.reference + "] " + i.message + "\n";
  return out;
}

// "rule@path" -> severity, for exact comparisons.
std::map<std::string, std::string> ByRule(const std::vector<model::Issue>& issues) {
  std::map<std::string, std::string> m;
  for (const model::Issue& i : issues) {
    EXPECT_EQ(i.type, "policy");
    m[i.reference + "@" + i.path] = i.severity;
  }
  return m;
}

TEST(PolicyConfigTest, DefaultEnablesEveryRuleStrictly) {
  Policy p = Policy::Default();
  EXPECT_TRUE(p.strict);
  for (std::string_view id : RuleIds()) EXPECT_TRUE(p.Enabled(id)) << id;
  EXPECT_EQ(p.SeverityOf("local.runtime-required"), "error");
  EXPECT_EQ(p.SeverityOf("secrets.secret-input"), "warning");
}

TEST(PolicyConfigTest, YamlFileOverridesRulesAndLists) {
  Result<Policy> p = Policy::LoadFile(FixturePath("custom-policy.yaml"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->strict);
  EXPECT_EQ(p->SeverityOf("local.runtime-required"), "warning");
  EXPECT_FALSE(p->Enabled("local.package-digest"));
  EXPECT_EQ(p->SeverityOf("remote.auth-declared"), "warning");
  EXPECT_EQ(p->internal_hosts, (std::vector<std::string>{"corp.contoso.com", "build01"}));
  EXPECT_EQ(p->allowed_email_domains, std::vector<std::string>{"contoso.com"});
  EXPECT_EQ(p->license_allow, std::vector<std::string>{"MIT"});
  // Lists the file does not name keep their defaults.
  EXPECT_FALSE(p->runtime_hints.empty());
}

TEST(PolicyConfigTest, UnknownKeysAndBadValuesAreErrorsNamingTheKey) {
  Result<Policy> a = Policy::LoadFile(FixturePath("bad-unknown-key.yaml"));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("policy.rulez: unknown key"), std::string::npos)
      << a.status().message();
  Result<Policy> b = Policy::LoadFile(FixturePath("bad-unknown-setting.yaml"));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("policy.rules.secrets.email.allowDomain: unknown key"),
            std::string::npos)
      << b.status().message();
  Result<Policy> c = Policy::LoadFile(FixturePath("bad-severity.json"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("remote.https.severity"), std::string::npos);
  Result<Policy> d = Policy::FromYaml("rules: {no.such-rule: {enabled: false}}");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("no.such-rule: unknown rule id"), std::string::npos);
  Result<Policy> e = Policy::FromYaml("rules: {content.denylist: {names: copilot}}");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("expected a list of strings"), std::string::npos);
  EXPECT_TRUE(Policy::FromYaml("strict: [").status().IsInvalidArgument());
  EXPECT_TRUE(Policy::LoadFile(FixturePath("missing.yaml")).status().IsNotFound());
}

TEST(PolicyConfigTest, ServerConfigJsonObjectLoads) {
  boost::json::object o = boost::json::parse(
      R"({"strict":false,"rules":{"secrets.email":{"enabled":false}}})").as_object();
  Result<Policy> p = Policy::FromJson(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->strict);
  EXPECT_FALSE(p->Enabled("secrets.email"));
}

TEST(PolicyLocalTest, SelfContainedBundleWithDigestPasses) {
  std::vector<model::Issue> issues = EvaluateText(Policy::Default(), Fixture("local-good.json"));
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

TEST(PolicyLocalTest, RuntimePackagesWithoutDigestFail) {
  auto got = ByRule(EvaluateText(Policy::Default(), Fixture("local-bad.json")));
  std::map<std::string, std::string> want = {
      {"local.transport-stdio@packages[0].transport.type", "error"},
      {"local.runtime-required@packages[0].runtimeHint", "error"},
      {"local.runtime-required@packages[0].registryType", "error"},
      {"local.package-digest@packages[0].fileSha256", "error"},
      {"local.runtime-required@packages[1].registryType", "error"},
      {"local.package-digest@packages[1].fileSha256", "error"},
  };
  EXPECT_EQ(got, want);
}

TEST(PolicyLocalTest, NonStrictModeDowngradesRuntimeToWarning) {
  Policy p = Policy::Default();
  p.strict = false;
  auto got = ByRule(EvaluateText(p, Fixture("local-bad.json")));
  EXPECT_EQ(got["local.runtime-required@packages[0].runtimeHint"], "warning");
  EXPECT_EQ(got["local.runtime-required@packages[1].registryType"], "warning");
  EXPECT_EQ(got["local.package-digest@packages[1].fileSha256"], "error");
}

TEST(PolicyLocalTest, OciImagePinnedByDigestSatisfiesDigestRule) {
  std::string doc = R"({"name":"io.github.c/x","description":"Tools","version":"1.0.0",
    "packages":[{"registryType":"oci","transport":{"type":"stdio"},
    "identifier":"ghcr.io/c/x@sha256:fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce"}]})";
  auto got = ByRule(EvaluateText(Policy::Default(), doc));
  EXPECT_EQ(got.count("local.package-digest@packages[0].fileSha256"), 0u);
  EXPECT_EQ(got.count("local.runtime-required@packages[0].registryType"), 1u);  // docker
}

TEST(PolicyRemoteTest, StreamableHttpsWithAuthorizationHeaderPasses) {
  std::vector<model::Issue> issues = EvaluateText(Policy::Default(), Fixture("remote-good.json"));
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

TEST(PolicyRemoteTest, OAuthHintInMetaCountsAsDeclaredAuth) {
  std::vector<model::Issue> issues = EvaluateText(Policy::Default(), Fixture("remote-oauth.json"));
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

TEST(PolicyRemoteTest, SseHttpAndMissingAuthFail) {
  auto got = ByRule(EvaluateText(Policy::Default(), Fixture("remote-bad.json")));
  std::map<std::string, std::string> want = {
      {"remote.transport-streamable-http@remotes[0].type", "error"},
      {"remote.https@remotes[0].url", "error"},
      {"remote.auth-declared@remotes[0]", "error"},
      {"remote.auth-declared@remotes[1]", "error"},
  };
  EXPECT_EQ(got, want);
}

TEST(PolicyRemoteTest, DisabledRulesAndSeverityOverridesApply) {
  Result<Policy> p = Policy::FromYaml(
      "rules:\n  remote.https: {enabled: false}\n  remote.auth-declared: {severity: warning}\n");
  ASSERT_TRUE(p.ok());
  auto got = ByRule(EvaluateText(*p, Fixture("remote-bad.json")));
  EXPECT_EQ(got.count("remote.https@remotes[0].url"), 0u);
  EXPECT_EQ(got["remote.auth-declared@remotes[1]"], "warning");
}

// Scripted prober: answers by URL.
class FakeProber : public RemoteProber {
 public:
  std::map<std::string, Result<ProbeResponse>> init, get;
  Result<ProbeResponse> Initialize(const std::string& url) override { return Find(init, url); }
  Result<ProbeResponse> Get(const std::string& url) override { return Find(get, url); }

 private:
  static Result<ProbeResponse> Find(std::map<std::string, Result<ProbeResponse>>& m,
                                    const std::string& url) {
    auto it = m.find(url);
    if (it == m.end()) return Status::Unavailable("connection refused: " + url);
    return it->second;
  }
};

constexpr const char* kMcp = "https://mcp.contoso.com/tickets";
constexpr const char* kPrm = "https://mcp.contoso.com/.well-known/oauth-protected-resource/tickets";

FakeProber GoodServer() {
  FakeProber f;
  f.init.emplace(kMcp, ProbeResponse{401,
                                     "Bearer error=\"invalid_token\", resource_metadata=\"" +
                                         std::string(kPrm) + "\", scope=\"tickets.read\"",
                                     ""});
  f.get.emplace(kPrm, ProbeResponse{200, "",
                                    R"({"resource":"https://mcp.contoso.com/tickets",)"
                                    R"("authorization_servers":["https://login.contoso.com"]})"});
  return f;
}

TEST(PolicyProbeTest, CompliantServerPasses) {
  FakeProber f = GoodServer();
  EXPECT_TRUE(ProbeRemoteAuth(f, kMcp).ok());
  std::vector<model::Issue> issues =
      EvaluateText(Policy::Default(), Fixture("remote-good.json"), &f);
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

TEST(PolicyProbeTest, EachBrokenStepIsReported) {
  struct Case {
    const char* name;
    std::function<void(FakeProber&)> breakit;
    const char* want;
  };
  std::vector<Case> cases = {
      {"open server", [](FakeProber& f) { f.init.at(kMcp) = ProbeResponse{200, "", "{}"}; },
       "got HTTP 200, want 401"},
      {"no challenge", [](FakeProber& f) { f.init.at(kMcp) = ProbeResponse{401, "", ""}; },
       "resource_metadata"},
      {"basic only",
       [](FakeProber& f) {
         f.init.at(kMcp) = ProbeResponse{401, "Basic resource_metadata=\"x\"", ""};
       },
       "resource_metadata"},
      {"metadata 404", [](FakeProber& f) { f.get.at(kPrm) = ProbeResponse{404, "", ""}; },
       "returned HTTP 404"},
      {"metadata not json", [](FakeProber& f) { f.get.at(kPrm) = ProbeResponse{200, "", "<html>"}; },
       "not a JSON object"},
      {"no servers",
       [](FakeProber& f) {
         f.get.at(kPrm) = ProbeResponse{200, "", R"({"resource":"https://mcp.contoso.com/tickets"})"};
       },
       "authorization_servers"},
      {"wrong resource",
       [](FakeProber& f) {
         f.get.at(kPrm) = ProbeResponse{
             200, "", R"({"resource":"https://other.example","authorization_servers":["a"]})"};
       },
       "does not cover"},
      {"unreachable", [](FakeProber& f) { f.init.clear(); }, "connection refused"},
  };
  for (const Case& c : cases) {
    FakeProber f = GoodServer();
    c.breakit(f);
    Status st = ProbeRemoteAuth(f, kMcp);
    ASSERT_FALSE(st.ok()) << c.name;
    EXPECT_NE(st.message().find(c.want), std::string::npos) << c.name << ": " << st.message();
    auto got = ByRule(EvaluateText(Policy::Default(), Fixture("remote-good.json"), &f));
    EXPECT_EQ(got["remote.probe@remotes[0].url"], "error") << c.name;
  }
}

TEST(PolicyProbeTest, ChallengeParsingHandlesSeveralSchemesAndQuoting) {
  EXPECT_EQ(ResourceMetadataUrl(R"(Bearer resource_metadata="https://a/b")"), "https://a/b");
  EXPECT_EQ(ResourceMetadataUrl(R"(Basic realm="x", Bearer realm="y", resource_metadata="u")"),
            "u");
  EXPECT_EQ(ResourceMetadataUrl(R"(bearer RESOURCE_METADATA=tok, scope="a b")"), "tok");
  EXPECT_EQ(ResourceMetadataUrl(R"(Basic resource_metadata="u")"), "");
  EXPECT_EQ(ResourceMetadataUrl(""), "");
}

TEST(PolicyContentTest, SampleWordsPhrasesAndDenylistFail) {
  Result<Policy> p = Policy::LoadFile(FixturePath("custom-policy.yaml"));
  ASSERT_TRUE(p.ok());
  auto got = ByRule(EvaluateText(*p, Fixture("sample-bad.json")));
  EXPECT_EQ(got["content.sample@name"], "error");         // "demo"
  EXPECT_EQ(got["content.sample@description"], "error");  // "hello world"
  EXPECT_EQ(got["content.denylist@title"], "error");      // "Copilot"
  EXPECT_EQ(got.count("content.sample@title"), 0u);
}

TEST(PolicyContentTest, ProseUseOfExampleIsNotASample) {
  std::string doc = R"({"name":"io.github.c/weather","title":"Weather",
    "description":"Forecasts, for example hourly rain","version":"1.0.0"})";
  auto got = ByRule(EvaluateText(Policy::Default(), doc));
  EXPECT_TRUE(got.empty());
}

TEST(PolicyLicenseTest, ExpressionsEvaluateAgainstAllowAndDenyLists) {
  Policy p = Policy::Default();
  auto verdict = [&](std::string_view e) {
    Result<LicenseDecision> d = EvaluateLicense(p, e);
    EXPECT_TRUE(d.ok()) << e << ": " << d.status().message();
    return d.ok() ? d->verdict : LicenseVerdict::kReview;
  };
  EXPECT_EQ(verdict("MIT"), LicenseVerdict::kAllow);
  EXPECT_EQ(verdict("mit"), LicenseVerdict::kAllow);
  EXPECT_EQ(verdict("GPL-3.0-only"), LicenseVerdict::kDeny);
  EXPECT_EQ(verdict("GPL-2.0+"), LicenseVerdict::kDeny);
  EXPECT_EQ(verdict("MIT OR GPL-3.0-only"), LicenseVerdict::kAllow);
  EXPECT_EQ(verdict("MIT AND GPL-3.0-only"), LicenseVerdict::kDeny);
  EXPECT_EQ(verdict("MIT AND MPL-2.0"), LicenseVerdict::kReview);
  EXPECT_EQ(verdict("(MIT OR AGPL-3.0-only) AND Apache-2.0"), LicenseVerdict::kAllow);
  EXPECT_EQ(verdict("MIT OR GPL-3.0-only AND AGPL-3.0-only"), LicenseVerdict::kAllow);
  EXPECT_EQ(verdict("Apache-2.0 WITH LLVM-exception"), LicenseVerdict::kAllow);
  EXPECT_EQ(verdict("GPL-2.0-only WITH Classpath-exception-2.0"), LicenseVerdict::kDeny);
  EXPECT_EQ(verdict("LicenseRef-contoso-eula"), LicenseVerdict::kReview);
  EXPECT_EQ(verdict("NOASSERTION"), LicenseVerdict::kReview);
  EXPECT_EQ(verdict("mit or apache-2.0"), LicenseVerdict::kAllow);
  p.license_allow_exceptions.push_back("Classpath-exception-2.0");
  EXPECT_EQ(verdict("GPL-2.0-only WITH Classpath-exception-2.0"), LicenseVerdict::kAllow);
}

TEST(PolicyLicenseTest, MalformedExpressionsAreRejectedWithPosition) {
  Policy p = Policy::Default();
  for (std::string_view bad : {"", "MIT OR", "(MIT", "MIT)", "MIT And Apache-2.0", "AND MIT",
                               "MIT WITH", "MIT\nOR Apache-2.0", "MIT / Apache-2.0"}) {
    Result<LicenseDecision> d = EvaluateLicense(p, bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.status().message().find("invalid SPDX expression"), std::string::npos) << bad;
  }
}

TEST(PolicyLicenseTest, LicenseInPublisherMetaIsChecked) {
  auto doc = [](std::string_view lic) {
    return std::string(R"({"name":"io.github.c/x","description":"d","version":"1.0.0",
      "_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":")") +
           std::string(lic) + "\"}}}";
  };
  const std::string path = "_meta.io.modelcontextprotocol.registry/publisher-provided.license";
  EXPECT_TRUE(ByRule(EvaluateText(Policy::Default(), doc("Apache-2.0"))).empty());
  EXPECT_EQ(ByRule(EvaluateText(Policy::Default(), doc("AGPL-3.0-only")))["license.spdx@" + path],
            "error");
  EXPECT_EQ(ByRule(EvaluateText(Policy::Default(), doc("MPL-2.0")))["license.spdx@" + path],
            "warning");
  EXPECT_EQ(ByRule(EvaluateText(Policy::Default(), doc("MIT OR")))["license.spdx@" + path],
            "error");
}

TEST(PolicyReportTest, PolicyIssuesMergeIntoValidationReport) {
  model::ValidationReport report = model::ValidateServerJson(Fixture("local-bad.json"));
  const size_t schema_issues = report.issues.size();
  AddPolicyIssues(Policy::Default(), Fixture("local-bad.json"), report);
  EXPECT_FALSE(report.valid);
  EXPECT_GT(report.issues.size(), schema_issues);
  EXPECT_NE(report.ToJson().find(R"("type":"policy")"), std::string::npos);
  model::ValidationReport good = model::ValidateServerJson(Fixture("local-good.json"));
  AddPolicyIssues(Policy::Default(), Fixture("local-good.json"), good);
  EXPECT_TRUE(good.valid) << good.ToJson();
  // Not JSON: only the schema validator reports.
  EXPECT_TRUE(EvaluateText(Policy::Default(), "{not json").empty());
}

}  // namespace
}  // namespace mcpreg::policy
