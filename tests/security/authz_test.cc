// Issue 9, identity and authorization (items 2, 8, 12) over HTTP against the real binary:
// identity = issuer + subject, the README's rule for who reads and rewrites a request, and
// writes that check the grants as they are now.
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "integration/server_process.h"
#include "security/security_server.h"

namespace mcpreg::security {
namespace {

namespace bj = boost::json;

class AuthzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SecurityServer("");
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::string RequestPath(const std::string& name) {
    return kApi + "/requests/" + PercentEncode(name);
  }
  static int Cli(const std::vector<std::string>& args) {
    std::string out, err;
    int rc = testing::RunCli(args, &out, &err);
    EXPECT_EQ(rc, 0) << out << err;
    return rc;
  }
  static SecurityServer* server_;
};
SecurityServer* AuthzTest::server_ = nullptr;

// Item 2: issuer B's `sub=pub` is not issuer A's `pub`.
TEST_F(AuthzTest, IssuerBSameSubjectCannotReadOrUpdateIssuerARequest) {
  const std::string name = "com.contoso/item2";
  const std::string a_pub = server_->Token('A', "pub");
  const std::string b_pub = server_->Token('B', "pub");
  auto filed =
      server_->Call("POST", kApi + "/requests", SecurityServer::Request(name, 'A', "pub"), a_pub);
  ASSERT_EQ(filed.status, 201) << filed.body;
  EXPECT_EQ(server_->Call("GET", RequestPath(name), "", a_pub).status, 200);

  auto read = server_->Call("GET", RequestPath(name), "", b_pub);
  EXPECT_EQ(read.status, 404) << read.body;
  auto rewrite =
      server_->Call("PUT", RequestPath(name), SecurityServer::Request(name, 'B', "pub"), b_pub);
  EXPECT_EQ(rewrite.status, 404) << rewrite.body;
  auto list = server_->Call("GET", kApi + "/requests", "", b_pub);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(name), std::string::npos) << list.body;
  // The publisher identity is still issuer A's.
  auto after = server_->Call("GET", RequestPath(name), "", a_pub);
  ASSERT_EQ(after.status, 200);
  EXPECT_NE(after.body.find(kIssuerA), std::string::npos) << after.body;
  EXPECT_EQ(after.body.find(kIssuerB), std::string::npos) << after.body;
}

// Item 8: "publish" on com.contoso/* does not open other filers' requests (README: the filer
// or a reviewer).
TEST_F(AuthzTest, WildcardPublisherCannotReadOrRewriteAnotherFilersRequest) {
  const std::string name = "com.contoso/item8";
  const std::string filer = server_->Token('A', "filer8");
  const std::string wild = server_->Token('A', "wild8", "wild");
  ASSERT_EQ(
      server_
          ->Call("POST", kApi + "/requests", SecurityServer::Request(name, 'A', "pipeline8"), filer)
          .status,
      201);
  EXPECT_EQ(server_->Call("GET", RequestPath(name), "", wild).status, 404);
  EXPECT_EQ(
      server_->Call("PUT", RequestPath(name), SecurityServer::Request(name, 'A', "wild8"), wild)
          .status,
      404);
  auto list = server_->Call("GET", kApi + "/requests", "", wild);
  EXPECT_EQ(list.body.find(name), std::string::npos) << list.body;
  // The filer and a reviewer still can.
  EXPECT_EQ(server_->Call("GET", RequestPath(name), "", filer).status, 200);
  EXPECT_EQ(
      server_->Call("GET", RequestPath(name), "", server_->Token('A', "rev", "platform")).status,
      200);
}

// Item 12: `mcpreg admin revoke` takes effect on the next write of a still-valid token.
TEST_F(AuthzTest, RevokedGrantStopsStillValidTokensNextWrite) {
  const std::string name = "com.acme/live12";
  const std::vector<std::string> grant = {"--db",      server_->db(),     "--issuer",    kIssuerA,
                                          "--subject", "pub12",           "--namespace", name,
                                          "--role",    "feed-contributor"};
  std::vector<std::string> args = {"admin", "grant"};
  args.insert(args.end(), grant.begin(), grant.end());
  ASSERT_EQ(Cli(args), 0);
  const std::string token = server_->Token('A', "pub12");
  ASSERT_EQ(server_->Upload(token, name, "1.0.0", "one.mcpb", "one", Sha256Hex("one")), 201);
  args[1] = "revoke";
  ASSERT_EQ(Cli(args), 0);
  EXPECT_EQ(server_->Upload(token, name, "1.0.0", "two.mcpb", "two", Sha256Hex("two")), 403);
}

// Item 12: retiring a request revokes its grants for tokens already issued.
TEST_F(AuthzTest, RetiredRequestStopsPublisherTokensNextWrite) {
  const std::string name = "com.contoso/retire12";
  const std::string admin = server_->Token('A', "admin12", "platform");
  ASSERT_EQ(server_
                ->Call("POST", kApi + "/requests", SecurityServer::Request(name, 'A', "pipeline12"),
                       server_->Token('A', "filer12"))
                .status,
            201);
  auto approved = server_->Call("POST", RequestPath(name) + "/approve", "{}", admin);
  ASSERT_EQ(approved.status, 200) << approved.body;
  const std::string publisher = server_->Token('A', "pipeline12");
  ASSERT_EQ(server_->Upload(publisher, name, "1.0.0", "a.mcpb", "a12", Sha256Hex("a12")), 201);
  auto retired =
      server_->Call("POST", RequestPath(name) + "/retire", R"({"message":"replaced"})", admin);
  ASSERT_EQ(retired.status, 200) << retired.body;
  EXPECT_EQ(server_->Upload(publisher, name, "1.0.0", "b.mcpb", "b12", Sha256Hex("b12")), 403);
}

// Item 13: per-identity quotas (small numbers from the config) and a bounded request listing.
class QuotaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SecurityServer(
        "quotas:\n  requests_per_hour: 4\n  open_requests: 2\n  max_request_bytes: 4096\n"
        "  evidence_per_hour: 2\n");
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static SecurityServer* server_;
};
SecurityServer* QuotaTest::server_ = nullptr;

TEST_F(QuotaTest, OverQuotaIs429WithRetryAfterAndListingIsPaged) {
  const std::string me = server_->Token('A', "busy13");
  auto file = [&](const std::string& name) {
    return server_->Call("POST", kApi + "/requests", SecurityServer::Request(name, 'A', "p13"), me);
  };
  ASSERT_EQ(file("com.contoso/q1").status, 201);
  ASSERT_EQ(file("com.contoso/q2").status, 201);
  // open_requests: 2 pending requests already.
  auto open = file("com.contoso/q3");
  EXPECT_EQ(open.status, 429) << open.body;
  EXPECT_FALSE(HeaderOf(open, "Retry-After").empty());
  EXPECT_EQ(HeaderOf(open, "Content-Type"), "application/problem+json");
  // requests_per_hour: 2 counted so far (the refused file is not); two updates fit, then 429.
  const std::string path = kApi + "/requests/" + PercentEncode("com.contoso/q1");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(server_->Call("PUT", path, SecurityServer::Request("com.contoso/q1", 'A', "p13"), me)
                  .status,
              200);
  auto rate = server_->Call("PUT", path, SecurityServer::Request("com.contoso/q1", 'A', "p13"), me);
  EXPECT_EQ(rate.status, 429) << rate.body;
  const std::string retry = HeaderOf(rate, "Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GT(std::stol(retry), 0);
  EXPECT_LE(std::stol(retry), 3600);
  // Another identity is not affected; a document over max_request_bytes is 413.
  const std::string other = server_->Token('A', "calm13");
  std::string big = SecurityServer::Request("com.contoso/q4", 'A', "p13");
  big.insert(big.size() - 1, R"(,"description":")" + std::string(5000, 'x') + "\"");
  EXPECT_EQ(server_->Call("POST", kApi + "/requests", big, other).status, 413);
  ASSERT_EQ(server_
                ->Call("POST", kApi + "/requests",
                       SecurityServer::Request("com.contoso/q4", 'A', "p13"), other)
                .status,
            201);

  // Listing is paged: limit + nextCursor, bounded at 100.
  const std::string reviewer = server_->Token('A', "rev13", "platform");
  auto page = server_->Call("GET", kApi + "/requests?limit=1", "", reviewer);
  ASSERT_EQ(page.status, 200) << page.body;
  bj::value v = bj::parse(page.body);
  EXPECT_EQ(v.at("requests").as_array().size(), 1u);
  const std::string cursor(v.at("metadata").at("nextCursor").as_string());
  EXPECT_EQ(cursor, "com.contoso/q1");
  auto next = server_->Call("GET", kApi + "/requests?limit=1&cursor=" + PercentEncode(cursor), "",
                            reviewer);
  EXPECT_EQ(bj::parse(next.body).at("requests").at(0).at("name"), "com.contoso/q2");
  EXPECT_EQ(server_->Call("GET", kApi + "/requests?limit=1000", "", reviewer).status, 422);
}

TEST_F(QuotaTest, EvidencePerHourIs429WithRetryAfter) {
  const std::string me = server_->Token('A', "scanner13");
  ASSERT_EQ(server_
                ->Call("POST", kApi + "/requests",
                       SecurityServer::Request("com.contoso/ev13", 'A', "p13"), me)
                .status,
            201);
  const std::string ev =
      kApi + "/servers/" + PercentEncode("com.contoso/ev13") + "/versions/1.0.0/evidence";
  const std::string scan =
      R"({"kind":"sarif","sarif":{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"S"}},"results":[]}]}})";
  EXPECT_EQ(server_->Call("POST", ev, scan, me).status, 201);
  EXPECT_EQ(server_->Call("POST", ev, scan, me).status, 201);
  auto over = server_->Call("POST", ev, scan, me);
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_FALSE(HeaderOf(over, "Retry-After").empty());
}

}  // namespace
}  // namespace mcpreg::security
