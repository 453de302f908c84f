// The console pages (WebUi, console_pages.cc) over a real GovernanceService and SQLite store:
// filing with errors placed at their fields, gates on the request page, review with
// attestations, refusals mapped through HttpStatusFor, retirement, history and escaping.
// Handlers are called directly with sessions opened on the session store (the router's session
// and CSRF checks are its own tests).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "api/web/html.h"
#include "api/web/session_store.h"
#include "api/web/web_ui.h"
#include "service/governance_service.h"

namespace mcpreg::web {
namespace {

constexpr Micros kT0 = 1'750'000'000'000'000;
constexpr char kName[] = "io.github.contoso/image-processor";
constexpr char kRaw[] = "io.github.contoso%2Fimage-processor";  // the name as a path segment
const std::string kPath = std::string("/ui/requests/") + kRaw;
constexpr char kIssuer[] = "https://idp.contoso.example";
constexpr char kSubject[] = "sp:7f3c2a10-image-release";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(MCPREG_SOURCE_DIR) / "tests/fixtures" / name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
// kName as a local MCPB bundle with its digest: passes the default policy.
std::string GoodDraft() { return Fixture("policy/local-good.json"); }
// npm through npx (local.runtime-required) and another name: gates fail, nothing refused.
std::string BadDraft() { return Fixture("policy/local-bad.json"); }
std::string Sarif() { return Fixture("policy/sarif/clean.sarif.json"); }

// An application/x-www-form-urlencoded body.
std::string Form(std::initializer_list<std::pair<std::string, std::string>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + k + "=" + UrlComponent(v);
  return out;
}

auth::Principal Who(std::string subject, std::vector<auth::Permission> perms) {
  auth::Principal p;
  p.auth_method = "oidc";
  p.issuer = kIssuer;
  p.subject = std::move(subject);
  p.permissions = std::move(perms);
  p.claims["name"] = "Person " + p.subject;
  return p;
}

std::string Location(const http::HttpResponse& r) {
  for (const auto& [k, v] : r.headers)
    if (k == "Location") return v;
  return "";
}

bool NoStore(const http::HttpResponse& r) {
  for (const auto& [k, v] : r.headers)
    if (k == "Cache-Control" && v == "no-store") return true;
  return false;
}

class WebConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/web-console-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = OpenSqliteStore(dir_ + "/r.db");
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate(false).ok());
    registry_ = std::make_unique<service::RegistryService>(*store_, catalog_, clock_);
    registry_->SetPolicy(&policy_);
    gov_ = std::make_unique<service::GovernanceService>(*store_, *registry_, clock_,
                                                        std::vector<std::string>{kIssuer});
    ASSERT_TRUE(gov_->Start().ok());
    WebDeps deps;
    deps.registry = registry_.get();
    deps.governance = gov_.get();
    deps.policy = &policy_;
    deps.store = store_.get();
    deps.clock = &clock_;
    ui_ = std::make_unique<WebUi>(std::move(deps));
    filer_ = ui_->sessions().Create(Who("dev-team", {}));
    reviewer_ = ui_->sessions().Create(Who("reviewer", {{"review", "*"}}));
    owner_ = ui_->sessions().Create(Who(kSubject, {{"publish", kName}}));
    stranger_ = ui_->sessions().Create(Who("stranger", {{"publish", "com.other/*"}}));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static http::HttpRequest Req(std::string method, std::string path, std::string body = "") {
    http::HttpRequest r;
    r.method = std::move(method);
    auto q = path.find('?');
    r.target = path;
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.body = std::move(body);
    r.local_address = "127.0.0.1:8080";
    return r;
  }

  std::string RequestForm(const WebSession& s, const std::string& draft,
                          const std::string& team = "Weather", const std::string& name = kName) {
    return Form({{"csrf", s.csrf}, {"name", name}, {"team", team},
                 {"contacts", "weather@contoso.example,\n ops@contoso.example"},
                 {"consumption", "first-party"}, {"hosting", "local"}, {"issuer", kIssuer},
                 {"subject", kSubject}, {"pipeline", "https://dev.azure.com/contoso/_build?d=7"},
                 {"description", ""}, {"server", draft}, {"api_name", ""}, {"api_owner", ""},
                 {"api_permission", ""}});
  }

  http::HttpResponse File(const WebSession& s, const std::string& draft,
                          const std::string& team = "Weather", const std::string& name = kName) {
    return ui_->FileRequest(Req("POST", "/ui/requests", RequestForm(s, draft, team, name)), s);
  }
  http::HttpResponse Page(const WebSession& s) {
    return ui_->RequestPage(Req("GET", kPath), s, kRaw);
  }
  http::HttpResponse Decide(const WebSession& s, WebUi::Decision d, const std::string& field,
                            const std::string& text) {
    return ui_->Decide(Req("POST", kPath, Form({{"csrf", s.csrf}, {field, text}})), s,
                       kRaw, d);
  }
  http::HttpResponse Evidence(const WebSession& s, const std::string& version,
                              std::initializer_list<std::pair<std::string, std::string>> f) {
    return ui_->AddEvidence(Req("POST", "/ui/servers/x/versions/v/evidence", Form(f)), s,
                            kRaw, version);
  }

  std::string dir_;
  ManualClock clock_{kT0};
  policy::Policy policy_ = policy::Policy::Default();
  std::unique_ptr<Store> store_;
  catalog::Catalog catalog_;
  std::unique_ptr<service::RegistryService> registry_;
  std::unique_ptr<service::GovernanceService> gov_;
  std::unique_ptr<WebUi> ui_;
  WebSession filer_, reviewer_, owner_, stranger_;
};

TEST_F(WebConsoleTest, NewRequestFormHasTheLabelledFields) {
  auto r = ui_->NewRequestForm(Req("GET", "/ui/requests/new"), filer_);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(NoStore(r));
  for (const char* label :
       {">Team</label>", ">Contacts</label>", ">Consumption</label>", ">Hosting</label>",
        ">Publisher issuer</label>", ">Publisher subject</label>", ">Pipeline</label>",
        ">Draft server.json</label>", ">Upload server.json</label>", ">Server name</label>",
        ">Description</label>", "<legend>APIs</legend>", ">API name</label>", ">Owner</label>",
        ">Permission</label>", ">File request</button>", "<h1>New request</h1>"})
    EXPECT_NE(r.body.find(label), std::string::npos) << label;
  EXPECT_NE(r.body.find("name=\"csrf\" value=\"" + filer_.csrf + "\""), std::string::npos);
  EXPECT_NE(r.body.find("/assets/console.js"), std::string::npos);
}

TEST_F(WebConsoleTest, FilingADraftThatIsNotJsonRerendersTheFormWithTheErrorAtTheDraft) {
  auto r = File(filer_, "{\"name\": ");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(NoStore(r));
  EXPECT_NE(r.body.find("<p class=\"error\" id=\"err-server\">"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("id=\"server\" name=\"server\" rows=\"16\" spellcheck=\"false\" "
                        "class=\"code\" aria-describedby=\"err-server live-server\""),
            std::string::npos);
  // Values are kept.
  EXPECT_NE(r.body.find("value=\"" + std::string(kSubject) + "\""), std::string::npos);
  EXPECT_NE(r.body.find("{&quot;name&quot;: </textarea>"), std::string::npos);
}

TEST_F(WebConsoleTest, AMissingFieldIsShownAtThatField) {
  auto r = File(filer_, GoodDraft(), /*team=*/"", /*name=*/"");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("<p class=\"error\" id=\"err-team\">required, a non-empty string</p>"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("id=\"team\" name=\"team\" type=\"text\" value=\"\" required aria-describedby=\"err-team\""),
            std::string::npos);
  // The server name defaulted from the draft.
  EXPECT_NE(r.body.find("value=\"" + std::string(kName) + "\""), std::string::npos);
}

TEST_F(WebConsoleTest, FilingAFixedRequestRedirectsToItsPage) {
  EXPECT_EQ(File(filer_, "[1]").status, 422);
  auto r = File(filer_, GoodDraft());
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(Location(r), kPath);
  auto v = gov_->Get(filer_.who, kName);
  ASSERT_TRUE(v.ok());
  EXPECT_NE(v->request.document.find("\"contacts\":[\"weather@contoso.example\","
                                     "\"ops@contoso.example\"]"),
            std::string::npos)
      << v->request.document;
  auto again = File(filer_, GoodDraft());
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("role=\"alert\""), std::string::npos);
}

TEST_F(WebConsoleTest, TheRequestPageShowsGateIssuesAtTheirFields) {
  ASSERT_EQ(File(filer_, BadDraft()).status, 303);
  auto r = Page(filer_);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(NoStore(r));
  EXPECT_NE(r.body.find("local.runtime-required"), std::string::npos);
  EXPECT_NE(r.body.find("<span class=\"badge fail\">fail</span>"), std::string::npos);
  // At the draft, with the path, inside the edit form.
  auto err = r.body.find("<p class=\"error\" id=\"err-server\">");
  ASSERT_NE(err, std::string::npos) << r.body;
  EXPECT_NE(r.body.find("server.packages", err), std::string::npos);
  EXPECT_NE(r.body.find(">Resubmit</button>"), std::string::npos);
  // The filer is no reviewer: no decision buttons.
  EXPECT_EQ(r.body.find(">Approve</button>"), std::string::npos);
  // A reviewer cannot approve while gates fail: the reason in an alert.
  auto a = Decide(reviewer_, WebUi::Decision::kApprove, "note", "");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("role=\"alert\"><p>cannot approve"), std::string::npos) << a.body;
}

TEST_F(WebConsoleTest, ResubmittingFixesTheRequest) {
  ASSERT_EQ(File(filer_, BadDraft()).status, 303);
  auto bad = ui_->UpdateRequest(Req("POST", kPath, RequestForm(filer_, GoodDraft(), "")), filer_,
                                kRaw);
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"err-team\""), std::string::npos);
  auto ok = ui_->UpdateRequest(Req("POST", kPath, RequestForm(filer_, GoodDraft())), filer_,
                               kRaw);
  EXPECT_EQ(ok.status, 303) << ok.body;
  auto v = gov_->Get(filer_.who, kName);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->gates_pass);
}

TEST_F(WebConsoleTest, AReviewerAttestsAndApproves) {
  ASSERT_EQ(File(filer_, GoodDraft()).status, 303);
  auto page = Page(reviewer_);
  EXPECT_NE(page.body.find(">Approve</button>"), std::string::npos);
  EXPECT_NE(page.body.find(">Reject</button>"), std::string::npos);
  EXPECT_NE(page.body.find(">Note</label>"), std::string::npos);
  auto a = Decide(reviewer_, WebUi::Decision::kApprove, "note", "looks good");
  EXPECT_EQ(a.status, 303) << a.body;
  EXPECT_EQ(gov_->Get(reviewer_.who, kName)->request.state, "approved");

  // The publisher publishes; evidence is recorded per version.
  ASSERT_TRUE(registry_->Publish(owner_.who, GoodDraft()).ok());
  page = Page(reviewer_);
  for (const char* s : {">SARIF log</label>", ">Upload</button>", ">Verdict</label>",
                        ">Reviewer</label>", ">Link</label>", ">SPDX expression</label>",
                        ">Record</button>", "data-kind=\"sarif\"", "data-kind=\"license\"",
                        "data-kind=\"threat-model\"", "data-kind=\"legal\""})
    EXPECT_NE(page.body.find(s), std::string::npos) << s;
  auto sarif = Evidence(filer_, "1.0.0", {{"csrf", filer_.csrf}, {"kind", "sarif"},
                                          {"sarif", Sarif()}});
  EXPECT_EQ(sarif.status, 303) << sarif.body;
  EXPECT_EQ(Location(sarif), std::string(kPath) + "#v-1.0.0");
  for (const char* kind : {"threat-model", "legal", "license"}) {
    auto e = Evidence(reviewer_, "1.0.0",
                      {{"csrf", reviewer_.csrf}, {"kind", kind}, {"verdict", "approved"},
                       {"reviewer", "alice@contoso.example"},
                       {"link", "https://contoso.example/r/1"}, {"expression", "MIT"}});
    EXPECT_EQ(e.status, 303) << kind << e.body;
  }
  page = Page(filer_);
  EXPECT_NE(page.body.find("<span class=\"badge ok\">listed</span>"), std::string::npos)
      << page.body;
  // The filer may not attest: 403.
  auto forged = Evidence(filer_, "1.0.0", {{"kind", "legal"}, {"verdict", "approved"},
                                           {"reviewer", "me"}});
  EXPECT_EQ(forged.status, 403);
  // A SARIF upload that is not JSON: the page again with the reason.
  auto junk = Evidence(filer_, "1.0.0", {{"kind", "sarif"}, {"sarif", "not json"}});
  EXPECT_EQ(junk.status, 422);
  EXPECT_NE(junk.body.find("role=\"alert\"><p>evidence.sarif"), std::string::npos);
}

TEST_F(WebConsoleTest, ANonReviewerSeesNoApproveButtonAndAForgedApproveIs403) {
  ASSERT_EQ(File(filer_, GoodDraft()).status, 303);
  EXPECT_EQ(Page(filer_).body.find(">Approve</button>"), std::string::npos);
  auto forged = Decide(filer_, WebUi::Decision::kApprove, "note", "");
  EXPECT_EQ(forged.status, 403);
  EXPECT_TRUE(NoStore(forged));
  EXPECT_EQ(gov_->Get(filer_.who, kName)->request.state, "pending");
  // A stranger may not even see it.
  EXPECT_EQ(Page(stranger_).status, 404);
  EXPECT_EQ(Decide(stranger_, WebUi::Decision::kReject, "reason", "no").status, 403);
  auto queue = ui_->ReviewQueue(Req("GET", "/ui/review"), filer_);
  EXPECT_EQ(queue.status, 403);
  EXPECT_NE(queue.body.find("no review rights"), std::string::npos);
}

TEST_F(WebConsoleTest, UpdatingAnApprovedRequestShowsWhyInAnAlert) {
  ASSERT_EQ(File(filer_, GoodDraft()).status, 303);
  ASSERT_EQ(Decide(reviewer_, WebUi::Decision::kApprove, "note", "ok").status, 303);
  auto r = ui_->UpdateRequest(Req("POST", kPath, RequestForm(filer_, GoodDraft())), filer_, kRaw);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("role=\"alert\"><p>the request for " + std::string(kName) +
                        " is approved and can no longer be changed"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find(">Resubmit</button>"), std::string::npos);
}

TEST_F(WebConsoleTest, RejectionReasonIsShownAndTheFilerMayResubmit) {
  ASSERT_EQ(File(filer_, GoodDraft()).status, 303);
  EXPECT_EQ(Decide(reviewer_, WebUi::Decision::kReject, "reason", "").status, 400);
  EXPECT_EQ(Decide(reviewer_, WebUi::Decision::kReject, "reason", "needs a threat model").status,
            303);
  auto page = Page(filer_);
  EXPECT_NE(page.body.find("<dt>Rejection reason</dt><dd>needs a threat model</dd>"),
            std::string::npos);
  EXPECT_NE(page.body.find(">Resubmit</button>"), std::string::npos);
}

TEST_F(WebConsoleTest, ReviewQueueListsPendingRequests) {
  ASSERT_EQ(File(filer_, BadDraft()).status, 303);
  auto r = ui_->ReviewQueue(Req("GET", "/ui/review"), reviewer_);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("href=\"" + std::string(kPath) + "\""), std::string::npos);
  EXPECT_NE(r.body.find("local.runtime-required"), std::string::npos);
  auto mine = ui_->MyRequests(Req("GET", "/ui/requests"), filer_);
  EXPECT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("<h1>My requests</h1>"), std::string::npos);
  EXPECT_NE(mine.body.find("href=\"/ui/requests/new\""), std::string::npos);
  EXPECT_NE(mine.body.find("href=\"" + std::string(kPath) + "\""), std::string::npos);
  EXPECT_EQ(ui_->MyRequests(Req("GET", "/ui/requests"), stranger_).body.find(kPath),
            std::string::npos);
}

TEST_F(WebConsoleTest, RetireAndHistory) {
  ASSERT_EQ(File(filer_, GoodDraft()).status, 303);
  ASSERT_EQ(Decide(reviewer_, WebUi::Decision::kApprove, "note", "ok").status, 303);
  ASSERT_TRUE(registry_->Publish(owner_.who, GoodDraft()).ok());
  EXPECT_NE(Page(owner_).body.find(">Retire</button>"), std::string::npos);
  EXPECT_EQ(Page(filer_).body.find(">Retire</button>"), std::string::npos);
  EXPECT_EQ(Decide(owner_, WebUi::Decision::kRetire, "message", "").status, 400);
  auto r = Decide(owner_, WebUi::Decision::kRetire, "message", "superseded by weather2");
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(gov_->Get(reviewer_.who, kName)->request.state, "retired");

  auto h = ui_->History(Req("GET", std::string("/ui/history/") + kRaw), filer_,
                        kRaw);
  EXPECT_EQ(h.status, 200);
  EXPECT_TRUE(NoStore(h));
  // Newest first.
  auto retire = h.body.find("<td>retire</td>"), approve = h.body.find("<td>approve</td>"),
       filed = h.body.find("<td>request</td>");
  ASSERT_NE(retire, std::string::npos) << h.body;
  ASSERT_NE(approve, std::string::npos);
  ASSERT_NE(filed, std::string::npos);
  EXPECT_LT(retire, approve);
  EXPECT_LT(approve, filed);
  EXPECT_NE(h.body.find("superseded by weather2"), std::string::npos);
  EXPECT_EQ(ui_->History(Req("GET", "/ui/history/x"), stranger_, kRaw).status,
            404);
}

TEST_F(WebConsoleTest, HostileStringsAreEscaped) {
  const std::string hostile = "<script>alert(1)</script>\"'&";
  ASSERT_EQ(File(filer_, GoodDraft(), hostile).status, 303);
  for (const auto& r : {Page(filer_), ui_->MyRequests(Req("GET", "/ui/requests"), filer_)})
    EXPECT_EQ(r.body.find("<script>alert"), std::string::npos);
  auto page = Page(reviewer_);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
            std::string::npos);
  auto bad = File(filer_, "<img src=x onerror=alert(1)>", hostile);
  EXPECT_EQ(bad.body.find("<img src=x"), std::string::npos);
}

TEST_F(WebConsoleTest, UnknownRequestIsTheNotFoundPage) {
  auto r = ui_->RequestPage(Req("GET", "/ui/requests/com.x%2Fnone"), filer_, "com.x%2Fnone");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(NoStore(r));
  EXPECT_EQ(ui_->RequestPage(Req("GET", "/ui/requests/%zz"), filer_, "%zz").status, 404);
}

}  // namespace
}  // namespace mcpreg::web
