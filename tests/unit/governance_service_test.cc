// GovernanceService over a real SQLite store: request validation and gates, review, evidence
// bound to version + digest, the governed listing rule, retirement, and catch-up across
// processes sharing one database.
#include "service/governance_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/admin_service.h"

namespace mcpreg::service {
namespace {

constexpr Micros kT0 = 1'750'000'000'000'000;
constexpr char kName[] = "com.contoso/weather";
constexpr char kIssuer[] = "https://idp.contoso.example";
constexpr char kSubject[] = "sp:7f3c2a10-weather-release";
const std::string kDigest(64, 'a');
const std::string kOtherDigest(64, 'b');

std::string Fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures/policy/sarif" / name,
                   std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A self-contained local server (an MCPB bundle with its digest) that passes the default policy.
std::string GoodServer(const std::string& version = "1.0.0", const std::string& digest = kDigest) {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":"com.contoso/weather","description":"Weather forecasts for Contoso field teams",)"
         R"("version":")" + version + R"(","packages":[{"registryType":"mcpb",)"
         R"("identifier":"https://github.com/contoso/weather/releases/download/v)" + version +
         R"(/weather.mcpb","fileSha256":")" + digest + R"(","transport":{"type":"stdio"}}],)"
         R"("_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"license":"MIT"}}})";
}

// Needs Node through npx: fails local.runtime-required.
std::string NpxServer() {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":"com.contoso/weather","description":"Weather forecasts for Contoso field teams",)"
         R"("version":"1.0.0","packages":[{"registryType":"npm","identifier":"@contoso/weather",)"
         R"("version":"1.0.0","runtimeHint":"npx","transport":{"type":"stdio"}}]})";
}

std::string Request(const std::string& draft, const std::string& subject = kSubject,
                    const std::string& extra = "") {
  return R"({"name":"com.contoso/weather","team":"Weather","contacts":["weather@contoso.example"],)"
         R"("consumption":"first-party","hosting":"local",)"
         R"("publisher":{"issuer":")" + std::string(kIssuer) + R"(","subject":")" + subject + R"("},)"
         R"("pipeline":"https://dev.azure.com/contoso/weather/_build?definitionId=7")" + extra +
         (draft.empty() ? "" : ",\"server\":" + draft) + "}";
}

auth::Principal Who(std::string subject, std::vector<auth::Permission> perms) {
  auth::Principal p;
  p.auth_method = "oidc";
  p.issuer = kIssuer;
  p.subject = std::move(subject);
  p.permissions = std::move(perms);
  return p;
}

std::string Attest(const std::string& kind, const std::string& verdict = "approved",
                   const std::string& extra = "") {
  return R"({"kind":")" + kind + R"(","verdict":")" + verdict +
         R"(","reviewer":"alice@contoso.example","link":"https://contoso.example/reviews/1")" + extra + "}";
}

std::string Sarif(const std::string& fixture, const std::string& digest = "") {
  return R"({"kind":"sarif",)" + (digest.empty() ? "" : "\"digest\":\"" + digest + "\",") +
         "\"sarif\":" + Fixture(fixture) + "}";
}

bool HasRule(const RequestView& v, const std::string& rule) {
  for (const auto& i : v.gates)
    if (i.reference == rule && i.severity == "error") return true;
  return false;
}

class GovernanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/gov-" +
           std::to_string(reinterpret_cast<uintptr_t>(this)) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = OpenSqliteStore(dir_ + "/r.db");
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate(false).ok());
    registry_ = std::make_unique<RegistryService>(*store_, catalog_, clock_);
    if (Governed()) registry_->SetPolicy(&policy_);
    gov_ = std::make_unique<GovernanceService>(*store_, *registry_, clock_,
                                               std::vector<std::string>{kIssuer});
    ASSERT_TRUE(gov_->Start().ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  virtual bool Governed() const { return true; }

  bool Listed(const std::string& version) {
    catalog::ListQuery q;
    q.limit = 100;
    for (const auto& e : registry_->List(q).items)
      if (e->meta.name == kName && e->meta.version == version) return true;
    return false;
  }
  // File, fix nothing, approve: the request for kName is approved with a good draft.
  void Approved() {
    ASSERT_TRUE(gov_->File(team_, Request(GoodServer())).ok());
    auto a = gov_->Approve(reviewer_, kName, "ok");
    ASSERT_TRUE(a.ok()) << a.status().message();
  }
  void AllEvidence(const std::string& version) {
    ASSERT_TRUE(gov_->AddEvidence(publisher_, kName, version, Sarif("clean.sarif.json")).ok());
    ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, version, Attest("threat-model")).ok());
    ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, version, Attest("legal")).ok());
    auto l = gov_->AddEvidence(reviewer_, kName, version, Attest("license", "approved", R"(,"expression":"MIT")"));
    ASSERT_TRUE(l.ok()) << l.status().message();
  }

  std::string dir_;
  ManualClock clock_{kT0};
  policy::Policy policy_ = policy::Policy::Default();
  std::unique_ptr<Store> store_;
  catalog::Catalog catalog_;
  std::unique_ptr<RegistryService> registry_;
  std::unique_ptr<GovernanceService> gov_;
  auth::Principal team_ = Who("dev-team-laptop", {});
  auth::Principal reviewer_ = Who("reviewer", {{"review", "*"}});
  auth::Principal publisher_ = Who(kSubject, {{"publish", kName}, {"feed", kName}});
  auth::Principal stranger_ = Who("someone-else", {{"publish", "com.other/*"}});
};

TEST_F(GovernanceTest, MalformedRequestsAreRefusedNamingTheField) {
  struct Case {
    std::string body, needle;
  };
  std::vector<Case> cases = {
      {"not json", "invalid JSON"},
      {"[1]", "expected a JSON object"},
      {R"({"name":"com.contoso/weather"})", "request.team"},
      {Request("").replace(Request("").find("\"local\""), 7, "\"cloud\""), "request.hosting"},
      {Request("").replace(Request("").find("first-party"), 11, "internal"), "request.consumption"},
      {Request("").replace(Request("").find("https://idp"), 11, "http://idp"), "request.publisher.issuer"},
      {Request("", kSubject, R"(,"color":"blue")"), "request.color: unknown field"},
      {Request("", kSubject, R"(,"apis":[{"name":"Graph"}])"), "request.apis[0].owner"},
      {Request("").replace(Request("").find("com.contoso/weather"), 19, "no-slash"), "request.name"},
      {Request("", kSubject, R"(,"server":"text")"), "request.server"},
  };
  for (const auto& c : cases) {
    auto r = gov_->File(team_, c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.body << " -> " << r.status().message();
    EXPECT_TRUE(r.status().code() == Code::kUnprocessable || r.status().IsInvalidArgument());
  }
  EXPECT_TRUE(store_->ListRequests("")->empty());
}

TEST_F(GovernanceTest, GatesFailThenFixThenApproveGrantsPublishRights) {
  // A secret in the request is refused outright, never stored, never echoed.
  const std::string token = "ghp_abcdefghijklmnopqrstuvwxyzABCDEF0123";
  auto secret = gov_->File(team_, Request(GoodServer(), kSubject, R"(,"description":"token )" + token + "\""));
  ASSERT_EQ(secret.status().code(), Code::kUnprocessable);
  EXPECT_NE(secret.status().message().find("description"), std::string::npos) << secret.status().message();
  EXPECT_NE(secret.status().message().find("request.secrets"), std::string::npos);
  EXPECT_EQ(secret.status().message().find(token), std::string::npos);
  EXPECT_TRUE(store_->ListRequests("")->empty());
  // The other gates are recorded for review.
  std::string bad = Request(NpxServer(), "alice@contoso.com",
                            R"(,"apis":[{"name":"Graph","owner":"Identity"}])");
  auto filed = gov_->File(team_, bad);
  ASSERT_TRUE(filed.ok()) << filed.status().message();
  EXPECT_EQ(filed->request.state, "pending");
  EXPECT_FALSE(filed->gates_pass);
  for (const char* rule : {"request.publisher-identity", "request.api-permission",
                           "local.runtime-required"})
    EXPECT_TRUE(HasRule(*filed, rule)) << rule << "\n" << RequestViewJson(*filed);
  EXPECT_EQ(gov_->File(team_, bad).status().code(), Code::kAlreadyExists);

  auto refused = gov_->Approve(reviewer_, kName, "");
  ASSERT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("local.runtime-required"), std::string::npos);

  // Hosting and name must agree with the draft.
  std::string remote_hosting = Request(GoodServer());
  remote_hosting.replace(remote_hosting.find("\"local\""), 7, "\"remote\"");
  auto mismatch = gov_->Update(team_, kName, remote_hosting);
  ASSERT_TRUE(mismatch.ok());
  EXPECT_TRUE(HasRule(*mismatch, "request.hosting"));
  std::string other = GoodServer();
  other.replace(other.find("com.contoso/weather"), 19, "com.contoso/climate");
  EXPECT_TRUE(HasRule(*gov_->Update(team_, kName, Request(other)), "request.name"));
  // An issuer the registry does not trust.
  std::string untrusted = Request(GoodServer());
  untrusted.replace(untrusted.find(kIssuer), std::string(kIssuer).size(), "https://evil.example");
  EXPECT_TRUE(HasRule(*gov_->Update(team_, kName, untrusted), "request.publisher-identity"));

  // The fix: a workload identity, the API's permission recorded, a self-contained bundle.
  auto fixed = gov_->Update(team_, kName, Request(GoodServer(), kSubject,
      R"(,"apis":[{"name":"Graph","owner":"Identity","permission":"https://contoso.example/approvals/42"}])"));
  ASSERT_TRUE(fixed.ok()) << fixed.status().message();
  EXPECT_TRUE(fixed->gates_pass) << RequestViewJson(*fixed);
  EXPECT_EQ(fixed->request.revision, 5);

  EXPECT_EQ(gov_->Approve(team_, kName, "").status().code(), Code::kPermissionDenied);
  auto approved = gov_->Approve(reviewer_, kName, "threat model reviewed in DR-12");
  ASSERT_TRUE(approved.ok()) << approved.status().message();
  EXPECT_EQ(approved->request.state, "approved");
  EXPECT_EQ(approved->request.decided_by, std::string("oidc:") + kIssuer + "#reviewer");
  auto grants = store_->ListGrants(kIssuer, kSubject);
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_EQ((*grants)[0].namespace_pattern, kName);
  EXPECT_EQ((*grants)[0].role, "publisher");
  EXPECT_EQ((*grants)[1].role, "feed-contributor");
  // Decided requests are frozen.
  EXPECT_EQ(gov_->Approve(reviewer_, kName, "").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(gov_->Update(team_, kName, Request(GoodServer())).status().code(), Code::kFailedPrecondition);
}

TEST_F(GovernanceTest, RequestGatesAreConfigurableInThePolicy) {
  auto custom = policy::Policy::FromYaml(
      "rules:\n  request.api-permission: {enabled: false}\n  request.draft: {severity: error}\n");
  ASSERT_TRUE(custom.ok()) << custom.status().message();
  policy_ = *custom;
  auto r = gov_->File(team_, Request("", kSubject, R"(,"apis":[{"name":"Graph","owner":"Identity"}])"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(HasRule(*r, "request.api-permission")) << "disabled";
  EXPECT_TRUE(HasRule(*r, "request.draft")) << "raised to error: a draft is required";
  EXPECT_EQ(gov_->Approve(reviewer_, kName, "").status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(policy::Policy::FromYaml("rules:\n  request.unknown: {enabled: false}\n").ok());
}

TEST_F(GovernanceTest, RejectNeedsAReasonAndAllowsResubmission) {
  ASSERT_TRUE(gov_->File(team_, Request(GoodServer())).ok());
  EXPECT_TRUE(gov_->Reject(reviewer_, kName, "").status().IsInvalidArgument());
  auto r = gov_->Reject(reviewer_, kName, "needs a threat model first");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.state, "rejected");
  EXPECT_EQ(r->request.reason, "needs a threat model first");
  auto again = gov_->Update(team_, kName, Request(GoodServer()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->request.state, "pending");
  EXPECT_TRUE(again->request.reason.empty());
}

TEST_F(GovernanceTest, OnlyTheFilerOrAReviewerReadsARequest) {
  ASSERT_TRUE(gov_->File(team_, Request(GoodServer())).ok());
  EXPECT_TRUE(gov_->Get(team_, kName).ok());
  EXPECT_TRUE(gov_->Get(reviewer_, kName).ok());
  // A request the caller may not read does not exist for it.
  EXPECT_EQ(gov_->Get(stranger_, kName).status().code(), Code::kNotFound);
  EXPECT_EQ(gov_->Update(stranger_, kName, Request(GoodServer())).status().code(), Code::kNotFound);
  EXPECT_TRUE(gov_->List(stranger_, "")->empty());
  EXPECT_EQ(gov_->List(reviewer_, "pending")->size(), 1u);
  EXPECT_TRUE(gov_->List(reviewer_, "approved")->empty());
  EXPECT_TRUE(gov_->List(reviewer_, "bogus").status().IsInvalidArgument());
  EXPECT_TRUE(gov_->Get(reviewer_, "com.contoso/none").status().IsNotFound());
}

TEST_F(GovernanceTest, ListingNeedsApprovalGatesAndEveryEvidence) {
  Approved();
  auto pub = registry_->Publish(publisher_, GoodServer("1.0.0"));
  ASSERT_TRUE(pub.ok()) << pub.status().message();
  EXPECT_FALSE(Listed("1.0.0")) << "no evidence yet";
  EXPECT_TRUE(registry_->GetVersion(kName, "1.0.0", false).status().IsNotFound());
  EXPECT_TRUE(registry_->GetVersion(kName, "latest", true).status().IsNotFound());
  EXPECT_TRUE(gov_->ApprovedSet().empty());

  ASSERT_TRUE(gov_->AddEvidence(publisher_, kName, "1.0.0", Sarif("clean.sarif.json")).ok());
  ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, "1.0.0", Attest("threat-model")).ok());
  ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, "1.0.0", Attest("legal")).ok());
  EXPECT_FALSE(Listed("1.0.0")) << "licence review missing";
  auto view = gov_->Get(reviewer_, kName);
  ASSERT_EQ(view->versions.size(), 1u);
  EXPECT_FALSE(view->versions[0].evidence_pass);
  EXPECT_EQ(view->versions[0].evidence[2].kind, "license");
  EXPECT_EQ(view->versions[0].evidence[2].state, "missing");

  const int64_t before = catalog_.generation();
  ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, "1.0.0",
                                Attest("license", "approved", R"(,"expression":"MIT")")).ok());
  EXPECT_GT(catalog_.generation(), before) << "a listing change invalidates cached pages";
  EXPECT_TRUE(Listed("1.0.0"));
  EXPECT_TRUE(registry_->GetVersion(kName, "latest", false).ok());
  ASSERT_EQ(gov_->ApprovedSet().size(), 1u);

  // A newer scan with a blocking result withholds it until a still newer scan clears it.
  auto blocking = gov_->AddEvidence(publisher_, kName, "1.0.0", Sarif("levels.sarif.json"));
  ASSERT_TRUE(blocking.ok()) << blocking.status().message();
  EXPECT_EQ(blocking->verdict, "fail");
  EXPECT_NE(blocking->document.find("\"blocking\":"), std::string::npos);
  EXPECT_FALSE(Listed("1.0.0"));
  ASSERT_TRUE(gov_->AddEvidence(publisher_, kName, "1.0.0", Sarif("clean.sarif.json")).ok());
  EXPECT_TRUE(Listed("1.0.0"));

  // A new version starts withheld; the listed one stays listed.
  ASSERT_TRUE(registry_->Publish(publisher_, GoodServer("1.1.0", kOtherDigest)).ok());
  EXPECT_FALSE(Listed("1.1.0"));
  EXPECT_TRUE(Listed("1.0.0"));
  ASSERT_EQ(gov_->ApprovedSet().size(), 1u);
  EXPECT_EQ(gov_->ApprovedSet()[0]->meta.version, "1.0.0") << "exports take the newest listed version";
  // `latest` keeps serving the newest listed version while 1.1.0 waits for its evidence, so
  // the server does not drop out of IDE galleries (version=latest) on every release.
  auto latest = registry_->GetVersion(kName, "latest", false);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->meta.version, "1.0.0");
  catalog::ListQuery q;
  q.latest_only = true;
  q.limit = 10;
  auto page = registry_->List(q);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]->meta.version, "1.0.0");
  AllEvidence("1.1.0");
  EXPECT_EQ((*registry_->GetVersion(kName, "latest", false))->meta.version, "1.1.0");
  page = registry_->List(q);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]->meta.version, "1.1.0");
}

TEST_F(GovernanceTest, EvidenceIsBoundToTheVersionDigest) {
  Approved();
  // Before publishing: evidence names the digest it examined.
  ASSERT_TRUE(gov_->AddEvidence(publisher_, kName, "2.0.0", Sarif("clean.sarif.json", kOtherDigest)).ok());
  for (const char* kind : {"threat-model", "legal"})
    ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, "2.0.0",
                                  Attest(kind, "approved", ",\"digest\":\"" + kOtherDigest + "\"")).ok());
  ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, "2.0.0",
      Attest("license", "approved", R"(,"expression":"Apache-2.0","digest":")" + kOtherDigest + "\"")).ok());
  // ... but the build that gets published has a different digest: the evidence does not count.
  ASSERT_TRUE(registry_->Publish(publisher_, GoodServer("2.0.0", kDigest)).ok());
  EXPECT_FALSE(Listed("2.0.0"));
  auto view = gov_->Get(reviewer_, kName);
  EXPECT_EQ(view->versions[0].evidence[0].state, "missing");
  // Evidence for a published version must match one of its digests (or take it by default).
  auto wrong = gov_->AddEvidence(publisher_, kName, "2.0.0", Sarif("clean.sarif.json", kOtherDigest));
  EXPECT_EQ(wrong.status().code(), Code::kUnprocessable);
  EXPECT_NE(wrong.status().message().find("not the digest"), std::string::npos);
  AllEvidence("2.0.0");
  EXPECT_TRUE(Listed("2.0.0"));
  EXPECT_EQ(gov_->ListEvidence(&reviewer_, kName, "2.0.0")->back().digest, kDigest);
}

TEST_F(GovernanceTest, EvidenceInputAndPermissions) {
  Approved();
  ASSERT_TRUE(registry_->Publish(publisher_, GoodServer()).ok());
  struct Case {
    const auth::Principal* who;
    std::string body;
    Code code;
    std::string needle;
  };
  std::vector<Case> cases = {
      {&reviewer_, "{", Code::kInvalidArgument, "invalid JSON"},
      {&reviewer_, R"({"kind":"pentest"})", Code::kUnprocessable, "evidence.kind"},
      {&publisher_, Attest("threat-model"), Code::kPermissionDenied, "reviewer role"},
      {&stranger_, Sarif("clean.sarif.json"), Code::kPermissionDenied, "publish or review"},
      {&reviewer_, Attest("legal", "maybe"), Code::kUnprocessable, "evidence.verdict"},
      {&reviewer_, R"({"kind":"legal","verdict":"approved"})", Code::kUnprocessable, "evidence.reviewer"},
      {&reviewer_, Attest("license"), Code::kUnprocessable, "evidence.expression: required"},
      {&reviewer_, Attest("license", "approved", R"(,"expression":"MIT AND (")"), Code::kUnprocessable, "evidence.expression"},
      {&reviewer_, Attest("legal", "approved", R"(,"expression":"MIT")"), Code::kUnprocessable, "only for licence"},
      {&reviewer_, Attest("legal", "approved", R"(,"digest":"XYZ")"), Code::kUnprocessable, "evidence.digest"},
      {&publisher_, R"({"kind":"sarif","sarif":{"version":"1.0","runs":[]}})", Code::kUnprocessable, "evidence.sarif"},
      {&publisher_, R"({"kind":"sarif"})", Code::kUnprocessable, "evidence.sarif: required"},
      {&reviewer_, R"({"kind":"legal","verdict":"approved","reviewer":"a","link":"ftp://x"})", Code::kUnprocessable, "evidence.link"},
  };
  for (const auto& c : cases) {
    auto r = gov_->AddEvidence(*c.who, kName, "1.0.0", c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), c.code) << c.body << " -> " << r.status().message();
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << r.status().message();
  }
  EXPECT_TRUE(gov_->AddEvidence(reviewer_, "com.contoso/unknown", "1.0.0", Attest("legal")).status().IsNotFound());
  EXPECT_TRUE(gov_->AddEvidence(reviewer_, kName, "latest", Attest("legal")).status().IsInvalidArgument());
  EXPECT_TRUE(gov_->ListEvidence(&reviewer_, kName, "1.0.0")->empty()) << "refused evidence leaves nothing behind";
  // A licence the policy denies never passes, whatever the reviewer said.
  auto gpl = gov_->AddEvidence(reviewer_, kName, "1.0.0",
                               Attest("license", "approved", R"(,"expression":"GPL-3.0-only")"));
  ASSERT_TRUE(gpl.ok());
  EXPECT_EQ(gpl->verdict, "fail");
  EXPECT_NE(gpl->summary.find("GPL-3.0-only"), std::string::npos);
}

TEST_F(GovernanceTest, RetireRemovesEveryVersionAndTheRightsButKeepsHistory) {
  Approved();
  ASSERT_TRUE(registry_->Publish(publisher_, GoodServer("1.0.0")).ok());
  AllEvidence("1.0.0");
  ASSERT_TRUE(Listed("1.0.0"));
  EXPECT_EQ(gov_->Retire(stranger_, kName, "bye").status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(gov_->Retire(publisher_, kName, "").status().IsInvalidArgument());
  auto retired = gov_->Retire(publisher_, kName, "replaced by com.contoso/forecast");
  ASSERT_TRUE(retired.ok()) << retired.status().message();
  EXPECT_EQ(retired->request.state, "retired");
  EXPECT_FALSE(Listed("1.0.0"));
  auto kept = registry_->GetVersion(kName, "1.0.0", /*include_deleted=*/true);
  EXPECT_FALSE(kept.ok()) << "withheld: a retired server is not approved";
  auto row = catalog_.Get(kName, "1.0.0", true, true);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->meta.status, VersionStatus::kDeleted);
  EXPECT_EQ(row->meta.status_message.value_or(""), "replaced by com.contoso/forecast");
  EXPECT_TRUE(store_->ListGrants(kIssuer, kSubject)->empty());
  EXPECT_TRUE(gov_->ApprovedSet().empty());
  EXPECT_EQ(gov_->Retire(publisher_, kName, "again").status().code(), Code::kFailedPrecondition);
  // The name may be requested afresh; it starts over as pending and unlisted.
  auto again = gov_->File(team_, Request(GoodServer()));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->request.state, "pending");
  EXPECT_FALSE(Listed("1.0.0"));
  // The audit trail tells the whole story and its chain verifies.
  auto audit = store_->ListAudit(kName, 0, 0);
  std::vector<std::string> actions;
  for (const auto& a : *audit) actions.push_back(a.event.action);
  for (const char* want : {"request", "approve", "publish", "evidence", "status", "retire"})
    EXPECT_NE(std::find(actions.begin(), actions.end(), want), actions.end()) << want;
  auto verified = VerifyAuditChain(*store_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST_F(GovernanceTest, GateResultsOfPublishesAreAudited) {
  auto refused = registry_->Publish(publisher_, NpxServer());
  ASSERT_EQ(refused.status().code(), Code::kUnprocessable);
  EXPECT_NE(refused.status().message().find("local.runtime-required"), std::string::npos);
  ASSERT_TRUE(registry_->Publish(publisher_, GoodServer()).ok());
  auto audit = store_->ListAudit(kName, 0, 0);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].event.action, "publish-refused");
  EXPECT_NE((*audit)[0].event.details.find("local.runtime-required"), std::string::npos);
  EXPECT_EQ((*audit)[1].event.action, "publish");
  EXPECT_NE((*audit)[1].event.details.find(R"("gates":"pass")"), std::string::npos);
}

TEST_F(GovernanceTest, RetiringAServerWithoutRequestRecordsOne) {
  ASSERT_TRUE(registry_->Publish(Who("op", {{"publish", "*"}}), GoodServer()).ok());
  auto admin = Who("admin", {{"edit", "*"}});
  auto r = gov_->Retire(admin, kName, "legacy server removed");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->request.state, "retired");
  EXPECT_TRUE(gov_->Retire(admin, "com.contoso/none", "x").status().IsNotFound());
}

TEST_F(GovernanceTest, AnotherProcessDecisionsReachThisCatalog) {
  // Second "process": its own catalog and services over the same database.
  auto s2 = OpenSqliteStore(dir_ + "/r.db");
  ASSERT_TRUE(s2.ok());
  catalog::Catalog cat2;
  RegistryService reg2(**s2, cat2, clock_);
  reg2.SetPolicy(&policy_);
  GovernanceService gov2(**s2, reg2, clock_, {kIssuer});
  ASSERT_TRUE(gov2.Start().ok());

  ASSERT_TRUE(gov_->File(team_, Request(GoodServer())).ok());
  ASSERT_TRUE(registry_->Publish(publisher_, GoodServer()).ok());
  AllEvidence("1.0.0");
  EXPECT_FALSE(Listed("1.0.0")) << "not approved yet";
  ASSERT_TRUE(reg2.Refresh().ok());
  ASSERT_TRUE(gov2.Refresh().ok());
  ASSERT_TRUE(gov2.Approve(reviewer_, kName, "").ok());
  EXPECT_FALSE(Listed("1.0.0")) << "not seen yet";
  ASSERT_TRUE(gov_->Refresh().ok());
  EXPECT_TRUE(Listed("1.0.0"));
  // Evidence the other process wrote just before ours (a lower id) is still picked up.
  ASSERT_TRUE(gov2.Refresh().ok());
  ASSERT_TRUE(gov2.AddEvidence(reviewer_, kName, "1.0.0", Attest("legal", "rejected")).ok());
  ASSERT_TRUE(gov_->AddEvidence(reviewer_, kName, "1.0.0", Attest("legal")).ok());
  ASSERT_TRUE(gov_->Refresh().ok());
  auto legal = *gov_->ListEvidence(&reviewer_, kName, "1.0.0");
  EXPECT_EQ(std::count_if(legal.begin(), legal.end(),
                          [](const Evidence& e) { return e.kind == "legal"; }),
            3);
  EXPECT_TRUE(Listed("1.0.0")) << "the newest legal review (ours) approves";
  // A refresh that read an older revision never rolls back a newer in-memory one.
  ASSERT_TRUE(gov_->Refresh().ok());
  EXPECT_EQ(gov_->Get(reviewer_, kName)->request.state, "approved");
  // Concurrent edits of one request: the stale writer gets a conflict.
  Store::RequestWrite w;
  w.request = *store_->GetRequest(kName);
  w.expected_revision = w.request.revision - 1;
  auto stale = store_->PutRequest(w);
  EXPECT_EQ(stale.status().code(), Code::kAlreadyExists) << stale.status().message();
}

class OpenModeTest : public GovernanceTest {
 protected:
  bool Governed() const override { return false; }
};

TEST_F(OpenModeTest, EverythingIsListedAndExportedAsUpstream) {
  ASSERT_TRUE(registry_->Publish(publisher_, NpxServer()).ok()) << "no gates in open mode";
  EXPECT_TRUE(Listed("1.0.0"));
  ASSERT_EQ(gov_->ApprovedSet().size(), 1u);
  // The workflow still works, with the built-in policy informing the review.
  auto r = gov_->File(team_, Request(NpxServer()));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(HasRule(*r, "local.runtime-required"));
}

}  // namespace
}  // namespace mcpreg::service
