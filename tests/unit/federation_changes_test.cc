// The change feed's pure parts (federation/changes.h, webhooks.h) and the `webhooks:` config:
// tokens, audit → change mapping, the Standard Webhooks signature against the specification's
// published vector, secrets, CloudEvents, retry delays, config errors. The store-backed paging
// runs on both backends in federation_changes_store_test.cc.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "catalog/catalog.h"
#include "config/config.h"
#include "federation/changes.h"
#include "federation/webhooks.h"

namespace mcpreg::federation {
namespace {

namespace bj = boost::json;

AuditRecord Entry(int64_t seq, std::string action, std::string resource, std::string details) {
  AuditRecord r;
  r.seq = seq;
  r.event.at = 1700000000LL * 1000000;
  r.event.actor = "cli:test";
  r.event.action = std::move(action);
  r.event.resource = std::move(resource);
  r.event.details = std::move(details);
  return r;
}

TEST(ChangeTokenTest, RoundTripsEverySeq) {
  for (int64_t seq : {0LL, 1LL, 9LL, 10LL, 12345LL, 9007199254740993LL}) {
    std::string t = EncodeChangeToken(seq);
    EXPECT_LE(t.size(), kMaxTokenBytes);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos) << t;
    auto back = DecodeChangeToken(t);
    ASSERT_TRUE(back.has_value()) << t;
    EXPECT_EQ(*back, seq);
  }
}

TEST(ChangeTokenTest, RejectsAnythingItDidNotMake) {
  const std::string valid = EncodeChangeToken(42);
  std::vector<std::string> bad = {
      "", "42", "c42", "YzQy=",                 // raw numbers, padded base64url
      valid + "A", valid.substr(1),             // truncated / extended
      "YzA0Mg",                                 // "c042": leading zero
      "Yy0x",                                   // "c-1": negative
      "Yw",                                     // "c": no digits
      "eDQy",                                   // "x42": wrong prefix
      "YzQyIA",                                 // "c42 ": trailing byte
      "YzQz",                                   // fine ("c43"), but see below: non-canonical
      std::string(kMaxTokenBytes + 1, 'A'),     // too long
      "YzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAw",       // overflows int64
      "Yz+y", "Yz/y", "Yz Qy",                  // outside the alphabet
  };
  bad.erase(std::remove(bad.begin(), bad.end(), "YzQz"), bad.end());
  for (const auto& t : bad) EXPECT_FALSE(DecodeChangeToken(t).has_value()) << "'" << t << "'";
  // base64url's last character carries spare bits: only the canonical spelling is accepted.
  std::string non_canonical = EncodeChangeToken(7);  // "Yzc"
  non_canonical.back() = 'd';
  EXPECT_FALSE(DecodeChangeToken(non_canonical).has_value()) << non_canonical;
}

TEST(ChangeFromAuditTest, MapsChangeActionsAndSkipsTheRest) {
  auto publish = ChangeFromAudit(Entry(5, "publish", "com.acme/a", R"({"version":"1.0.0","gates":"pass"})"));
  ASSERT_TRUE(publish);
  EXPECT_EQ(publish->seq, 5);
  EXPECT_EQ(publish->type, ChangeType::kPublish);
  EXPECT_EQ(publish->name, "com.acme/a");
  EXPECT_EQ(publish->version, "1.0.0");
  EXPECT_EQ(publish->status, "");

  auto import = ChangeFromAudit(Entry(6, "import", "com.acme/a", R"({"version":"1.1.0"})"));
  ASSERT_TRUE(import);
  EXPECT_EQ(import->type, ChangeType::kPublish);

  auto status = ChangeFromAudit(Entry(7, "status", "com.acme/a", R"({"version":"1.0.0","status":"deprecated","statusMessage":"x"})"));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->type, ChangeType::kStatus);
  EXPECT_EQ(status->status, "deprecated");

  auto all = ChangeFromAudit(Entry(8, "status", "com.acme/a", R"({"status":"deleted"})"));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->version, "") << "a status on every version names none";
  EXPECT_EQ(all->status, "deleted");

  auto edit = ChangeFromAudit(Entry(9, "edit", "com.acme/a", R"({"version":"1.0.0","status":"active"})"));
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->type, ChangeType::kEdit);

  auto approve = ChangeFromAudit(Entry(10, "approve", "com.acme/a", R"({"version":"ignored"})"));
  ASSERT_TRUE(approve);
  EXPECT_EQ(approve->type, ChangeType::kListing);
  EXPECT_EQ(approve->version, "");
  auto evidence = ChangeFromAudit(Entry(11, "evidence", "com.acme/a", R"({"version":"1.0.0","kind":"sarif"})"));
  ASSERT_TRUE(evidence);
  EXPECT_EQ(evidence->type, ChangeType::kListing);
  EXPECT_EQ(evidence->version, "1.0.0");

  auto mirrored = ChangeFromAudit(Entry(12, "mirror", "io.up/x",
      R"({"upstream":"up","version":"2.0.0","change":"status","status":"deleted"})"));
  ASSERT_TRUE(mirrored);
  EXPECT_EQ(mirrored->type, ChangeType::kStatus);
  EXPECT_EQ(mirrored->version, "2.0.0");
  EXPECT_EQ(mirrored->status, "deleted");
  EXPECT_FALSE(ChangeFromAudit(Entry(13, "mirror", "io.up/x", R"({"change":"listing"})")));
  EXPECT_FALSE(ChangeFromAudit(Entry(14, "mirror", "io.up/x", R"({"change":"bogus"})")));
  EXPECT_FALSE(ChangeFromAudit(Entry(15, "mirror", "io.up/x", "not json")));

  for (const char* other : {"grant", "revoke", "request", "request-update", "reject", "retire",
                            "upload", "publish-refused"})
    EXPECT_FALSE(ChangeFromAudit(Entry(20, other, "com.acme/a", "{}"))) << other;

  // Malformed details still give the change, without what they would have said.
  auto odd = ChangeFromAudit(Entry(21, "status", "com.acme/a", R"({"version":7,"status":"weird"})"));
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->version, "");
  EXPECT_EQ(odd->status, "");
}

VersionRecord Version(const std::string& name, const std::string& version, int64_t seq,
                      VersionStatus status = VersionStatus::kActive) {
  VersionRecord r;
  r.meta.name = name;
  r.meta.version = version;
  r.meta.status = status;
  r.meta.published_at = r.meta.updated_at = r.meta.status_changed_at = 1;
  r.server_json = R"({"name":")" + name + R"(","description":"d","version":")" + version + R"("})";
  r.seq = seq;
  return r;
}

// Governed mode: a withheld version's changes are hidden; once the listing rule lists it, they
// (and the listing change of what listed it) are shown.
TEST(ListedInCatalogTest, HidesWithheldVersionsUntilListed) {
  catalog::Catalog cat;
  std::set<std::string> listed;
  cat.SetListingRule([&](const catalog::Entry& e) { return listed.count(e.meta.version) > 0; });
  cat.Apply({Version("com.acme/a", "1.0.0", 1), Version("com.acme/a", "2.0.0", 2),
             Version("com.acme/gone", "1.0.0", 3, VersionStatus::kDeleted)});
  auto visible = ListedInCatalog(cat);
  auto publish1 = *ChangeFromAudit(Entry(1, "publish", "com.acme/a", R"({"version":"1.0.0"})"));
  auto publish2 = *ChangeFromAudit(Entry(2, "publish", "com.acme/a", R"({"version":"2.0.0"})"));
  auto approve = *ChangeFromAudit(Entry(4, "approve", "com.acme/a", "{}"));
  auto unknown = *ChangeFromAudit(Entry(5, "publish", "com.acme/none", R"({"version":"1.0.0"})"));
  EXPECT_FALSE(visible(publish1));
  EXPECT_FALSE(visible(publish2));
  EXPECT_FALSE(visible(approve)) << "no version of the name is listed yet";
  EXPECT_FALSE(visible(unknown));
  listed.insert("1.0.0");
  cat.Relist("com.acme/a");
  EXPECT_TRUE(visible(publish1));
  EXPECT_FALSE(visible(publish2)) << "still withheld";
  EXPECT_TRUE(visible(approve));
}

TEST(ChangeJsonTest, PageHasChangesAndNextToken) {
  ChangePage page;
  page.changes.push_back(*ChangeFromAudit(Entry(3, "status", "com.acme/a", R"({"status":"deleted"})")));
  page.changes.push_back(*ChangeFromAudit(Entry(4, "publish", "com.acme/a", R"({"version":"1.0.0"})")));
  page.next = 9;
  bj::value v = bj::parse(ChangePageJson(page));
  const auto& changes = v.at("changes").as_array();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].at("type"), "status");
  EXPECT_TRUE(changes[0].at("version").is_null());
  EXPECT_EQ(changes[0].at("status"), "deleted");
  EXPECT_EQ(changes[0].at("time"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(changes[1].at("version"), "1.0.0");
  EXPECT_FALSE(changes[1].as_object().contains("status"));
  EXPECT_EQ(DecodeChangeToken(std::string(v.at("metadata").at("next").as_string())), 9);
}

// The Standard Webhooks specification's example (standard-webhooks/standard-webhooks, the
// reference libraries' test vector).
TEST(WebhookSignatureTest, MatchesTheStandardWebhooksVector) {
  auto key = DecodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(WebhookSignature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                             R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSecretTest, DecodesWhsecFormElseRawBytesWithoutTrailingNewline) {
  EXPECT_EQ(*DecodeWebhookSecret("whsec_aGVsbG8=\n"), "hello");
  EXPECT_EQ(*DecodeWebhookSecret("plain secret\n"), "plain secret");
  EXPECT_EQ(*DecodeWebhookSecret("plain secret\r\n"), "plain secret");
  EXPECT_EQ(*DecodeWebhookSecret("two\n\n"), "two\n") << "only one trailing newline goes";
  EXPECT_FALSE(DecodeWebhookSecret("").ok());
  EXPECT_FALSE(DecodeWebhookSecret("\n").ok());
  EXPECT_FALSE(DecodeWebhookSecret("whsec_not base64!").ok());
  EXPECT_FALSE(DecodeWebhookSecret(std::string(kMaxSecretBytes + 1, 'k')).ok());
}

TEST(CloudEventTest, StructuredEventCarriesTheChange) {
  Change c = *ChangeFromAudit(Entry(17, "publish", "com.acme/a", R"({"version":"1.0.0"})"));
  bj::value v = bj::parse(CloudEventJson(c, "https://registry.example"));
  EXPECT_EQ(v.at("specversion"), "1.0");
  EXPECT_EQ(v.at("id"), "17");
  EXPECT_EQ(v.at("source"), "https://registry.example");
  EXPECT_EQ(v.at("type"), "dev.mcpreg.publish");
  EXPECT_EQ(v.at("subject"), "com.acme/a@1.0.0");
  EXPECT_EQ(v.at("time"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(v.at("datacontenttype"), "application/json");
  EXPECT_EQ(v.at("data").at("name"), "com.acme/a");
  EXPECT_EQ(v.at("data").at("type"), "publish");
}

TEST(WebhookRetryTest, BackoffStartsAtOneSecondAndDoublesToTheCap) {
  WebhookTarget t;
  std::vector<int64_t> got;
  for (int a = 1; a <= 12; ++a) got.push_back(RetryDelay(t, a).count());
  EXPECT_EQ(got, (std::vector<int64_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}));
  t.retry_max = std::chrono::seconds(5);
  EXPECT_EQ(RetryDelay(t, 4).count(), 5);
  EXPECT_EQ(RetryDelay(t, 1000000).count(), 5) << "no overflow on long outages";
}

TEST(WebhookConfigTest, ParsesWebhooks) {
  auto c = config::ParseConfig(R"(webhooks:
  - url: http://127.0.0.1:9000/hook
    events: [publish, listing]
    secret_file: keys/hook.key
    retry_max_seconds: 2
  - url: https://hooks.example.com/x
)", "/etc/mcpreg/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->webhooks.size(), 2u);
  EXPECT_EQ(c->webhooks[0].url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(c->webhooks[0].events, (std::vector<std::string>{"publish", "listing"}));
  EXPECT_EQ(c->webhooks[0].secret_file, "/etc/mcpreg/keys/hook.key");
  EXPECT_EQ(c->webhooks[0].retry_max_seconds, 2u);
  EXPECT_EQ(c->webhooks[0].give_up_seconds, 86400u);
  EXPECT_TRUE(c->webhooks[1].events.empty()) << "omitted = every event";
  EXPECT_EQ(c->webhooks[1].retry_max_seconds, 300u);
}

TEST(WebhookConfigTest, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string yaml, expected;
  };
  std::vector<Case> cases = {
      {"webhooks:\n  - url: http://127.0.0.1/x\n    secret: abc\n",
       "x.yaml:3:5: webhooks[0].secret: unknown key"},
      {"webhooks:\n  - events: [publish]\n", "x.yaml:2:5: webhooks[0]: missing key \"url\""},
      {"webhooks:\n  - url: http://127.0.0.1/x\n    events: [publish, deleted]\n",
       "x.yaml:3:13: webhooks[0].events: unknown event \"deleted\""},
      {"webhooks:\n  - url: ftp://example.com/x\n", "x.yaml:2:10: webhooks[0].url: expected an absolute http(s) URL"},
      {"webhooks:\n  - url: http://a/x\n  - url: http://a/x\n", "x.yaml:3:10: webhooks[1].url: listed twice"},
      {"webhooks:\n  - url: http://a/x\n    retry_max_seconds: 0\n",
       "x.yaml:3:24: webhooks[0].retry_max_seconds: must be between 1 and 300"},
      {"webhooks:\n  url: http://a/x\n", "x.yaml:2:3: webhooks: expected a list of webhooks"},
  };
  for (const auto& c : cases) {
    auto r = config::ParseConfig(c.yaml, "x.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_EQ(r.status().message().rfind(c.expected, 0), 0u) << r.status().message();
  }
  std::string many = "webhooks:\n";
  for (size_t i = 0; i <= config::kMaxWebhooks; ++i)
    many += "  - url: http://127.0.0.1/" + std::to_string(i) + "\n";
  auto r = config::ParseConfig(many, "x.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at most 32 webhooks"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace mcpreg::federation
