// Tests for src/config: the full example file, defaults, and one error per kind of mistake,
// each naming file, line and key.
#include "config/config.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mcpreg::config {
namespace {

const std::string kFixtureDir = std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/auth";

std::string ErrorOf(std::string_view yaml) {
  Result<Config> c = ParseConfig(yaml, "/etc/mcpreg/mcpreg.yaml");
  if (c.ok()) return "(parsed fine)";
  EXPECT_TRUE(c.status().IsInvalidArgument());
  return c.status().message();
}

TEST(ConfigTest, FullExampleParses) {
  Result<Config> c = LoadConfig(kFixtureDir + "/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen.host, "0.0.0.0");
  EXPECT_EQ(c->listen.port, 8080);
  EXPECT_EQ(c->db.path, kFixtureDir + "/data/registry.db");
  EXPECT_EQ(c->limits.max_body_bytes, 4194304u);
  EXPECT_EQ(c->auth.registry_key_file, kFixtureDir + "/data/registry.key");
  EXPECT_TRUE(c->auth.dns_proofs);
  ASSERT_EQ(c->auth.issuers.size(), 3u);
  const IssuerConfig& gh = c->auth.issuers[0];
  EXPECT_EQ(gh.keys, IssuerConfig::Keys::kDiscovery);
  EXPECT_EQ(gh.algorithms, std::vector<std::string>{"RS256"});
  ASSERT_EQ(gh.rules.size(), 1u);
  EXPECT_EQ(gh.rules[0].resource, "io.github.{repository_owner}/*");
  EXPECT_EQ(gh.rules[0].actions, (std::vector<std::string>{"publish", "edit", "feed"}));
  ASSERT_EQ(gh.rules[0].match.size(), 1u);
  EXPECT_EQ(gh.rules[0].match[0].first, "repository_owner_id");
  EXPECT_EQ(gh.rules[0].match[0].second, std::vector<std::string>{"4242"});
  EXPECT_EQ(c->ui.login.issuer, "contoso-entra");
  EXPECT_EQ(c->ui.login.client_id, "mcpreg-web");
  EXPECT_EQ(c->ui.login.session_idle_seconds, 1800);
  const IssuerConfig& entra = c->auth.issuers[1];
  EXPECT_EQ(entra.keys, IssuerConfig::Keys::kUrl);
  EXPECT_EQ(entra.rules[0].match.size(), 2u);
  const IssuerConfig& internal = c->auth.issuers[2];
  EXPECT_EQ(internal.jwks_file, kFixtureDir + "/jwks.json");
  EXPECT_EQ(internal.audiences, (std::vector<std::string>{"mcpreg", "mcp-registry"}));
  EXPECT_EQ(internal.jwks_ttl_seconds, 600);
  EXPECT_EQ(c->feed.dir, kFixtureDir + "/data/feed");
  EXPECT_EQ(boost::json::serialize(c->policy),
            R"({"require_repository":true,"blocked_namespaces":["com.evil"]})");
  EXPECT_EQ(boost::json::serialize(c->mcp), R"({"enabled":true})");
}

TEST(ConfigTest, EmptyFileGivesDefaultsAndJsonIsAccepted) {
  Result<Config> c = ParseConfig("", "x.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen.port, 8080);
  EXPECT_EQ(c->auth.token_ttl_seconds, 300);
  EXPECT_FALSE(c->auth.dns_proofs);
  c = ParseConfig(R"({"listen": {"host": "::1", "port": 9000}, "db": {"path": "/tmp/r.db"}})",
                  "x.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen.host, "::1");
  EXPECT_EQ(c->listen.port, 9000);
  EXPECT_EQ(c->db.path, "/tmp/r.db");
  c = ParseConfig("listen: \"[::1]:7000\"\n", "x.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen.host, "::1");
  EXPECT_EQ(c->listen.port, 7000);
}

TEST(ConfigTest, UnknownTopLevelKeyNamesFileLineAndKey) {
  std::string e = ErrorOf("listen: \":8080\"\nlisten_addr: 1\n");
  EXPECT_EQ(e.find("/etc/mcpreg/mcpreg.yaml:2:1: listen_addr: unknown key"), 0u) << e;
}

TEST(ConfigTest, UnknownNestedKeyGivesItsPath) {
  std::string e = ErrorOf(
      "auth:\n"
      "  issuers:\n"
      "    - name: a\n"
      "      issuer: https://a\n"
      "      audience: x\n"
      "      discovery: true\n"
      "      audiences: y\n");
  EXPECT_NE(e.find(":7:7: auth.issuers[0].audiences: unknown key"), std::string::npos) << e;
}

TEST(ConfigTest, IssuerMistakes) {
  const std::string head = "auth:\n  issuers:\n    - name: a\n      issuer: https://a\n";
  EXPECT_NE(
      ErrorOf("auth:\n  issuers:\n    - name: a\n      issuer: https://a\n      discovery: true\n")
          .find("missing key \"audience\""),
      std::string::npos);
  EXPECT_NE(ErrorOf(head + "      audience: x\n").find("exactly one of jwks_file"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      audience: x\n      discovery: true\n      jwks_url: https://k\n")
                .find("exactly one of"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      audience: x\n      discovery: true\n      algorithms: [HS256]\n")
                .find("unsupported algorithm \"HS256\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      audience: []\n      discovery: true\n").find("audience"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      audience: x\n      jwks_url: ftp://k\n").find("http(s) URL"),
            std::string::npos);
  std::string dup =
      head + "      audience: x\n      discovery: true\n" +
      "    - name: a\n      issuer: https://b\n      audience: x\n      discovery: true\n";
  EXPECT_NE(ErrorOf(dup).find(":7:13: auth.issuers[1].name: duplicate issuer name"),
            std::string::npos)
      << ErrorOf(dup);
}

TEST(ConfigTest, RuleMistakes) {
  const std::string head =
      "auth:\n  issuers:\n    - name: a\n      issuer: https://a\n      audience: x\n"
      "      discovery: true\n      rules:\n";
  EXPECT_NE(ErrorOf(head +
                    "        - match: {sub: x}\n          grant: {action: delete, resource: a/*}\n")
                .find("unknown action \"delete\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "        - match: {sub: x}\n          grant: {action: publish, "
                           "resource: \"io.github.{owner/*\"}\n")
                .find("unclosed"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(
          head +
          "        - match: {sub: x}\n          grant: {action: publish, resource: \"a.{}/*\"}\n")
          .find("placeholder needs a claim name"),
      std::string::npos);
  EXPECT_NE(ErrorOf(head + "        - match: {sub: x}\n          grant: {action: publish}\n")
                .find("missing key \"resource\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "        - match: {sub: x}\n").find("missing key \"grant\""),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(head + "        - match: [sub]\n          grant: {action: publish, resource: x}\n")
          .find("auth.issuers[0].rules[0].match: expected a mapping"),
      std::string::npos);
}

TEST(ConfigTest, ScalarMistakes) {
  EXPECT_NE(ErrorOf("listen: \"localhost\"\n").find("listen: expected \"HOST:PORT\""),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: \":99999\"\n").find("port must be"), std::string::npos);
  EXPECT_NE(ErrorOf("limits: {max_body_bytes: -5}\n")
                .find("limits.max_body_bytes: expected a non-negative integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf("limits: {read_timeout_seconds: 0}\n").find("must be between 1 and 3600"),
            std::string::npos);
  EXPECT_NE(ErrorOf("auth: {dns_proofs: yes}\n").find("expected true or false"), std::string::npos);
  EXPECT_NE(ErrorOf("auth: {issuers: {}}\n").find("auth.issuers: expected a list"),
            std::string::npos);
  EXPECT_NE(ErrorOf("policy: 3\n").find("policy: expected a mapping"), std::string::npos);
}

TEST(ConfigTest, YamlSyntaxErrorNamesLine) {
  std::string e = ErrorOf("listen: \":8080\"\nauth: {issuers: [\n");
  EXPECT_EQ(e.find("/etc/mcpreg/mcpreg.yaml:"), 0u) << e;
  Result<Config> missing = LoadConfig("/nonexistent/mcpreg.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/mcpreg.yaml"), std::string::npos);
}

TEST(ConfigTest, DuplicateKeyIsAnError) {
  EXPECT_NE(ErrorOf("db: a.db\ndb: b.db\n").find("duplicate key"), std::string::npos);
}

TEST(ConfigTest, SecurityLimitsQuotasOutboundAndPublicUrlParse) {
  Result<Config> c = ParseConfig(
      "public_url: https://registry.contoso.example/\n"
      "limits: {header_timeout_seconds: 5, idle_timeout_seconds: 30, max_connections: 100,\n"
      "         max_connections_per_client: 10, max_sse_inbound_bytes: 1024}\n"
      "quotas: {requests_per_hour: 5, evidence_per_hour: 50, open_requests: 3,\n"
      "         max_request_bytes: 65536}\n"
      "outbound: {connect_timeout_seconds: 2, total_timeout_seconds: 4, workers: 2,\n"
      "           negative_cache_seconds: 30, negative_cache_entries: 10,\n"
      "           allow_private_addresses: true}\n",
      "x.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->public_url, "https://registry.contoso.example");
  EXPECT_EQ(c->limits.header_timeout_seconds, 5u);
  EXPECT_EQ(c->limits.idle_timeout_seconds, 30u);
  EXPECT_EQ(c->limits.max_connections, 100u);
  EXPECT_EQ(c->limits.max_connections_per_client, 10u);
  EXPECT_EQ(c->limits.max_sse_inbound_bytes, 1024u);
  EXPECT_EQ(c->limits.max_body_bytes, 4194304u) << "unset keys keep their defaults";
  EXPECT_EQ(c->quotas.requests_per_hour, 5u);
  EXPECT_EQ(c->quotas.max_request_bytes, 65536u);
  EXPECT_EQ(c->outbound.total_timeout_seconds, 4u);
  EXPECT_TRUE(c->outbound.allow_private_addresses);
  Result<Config> d = ParseConfig("", "x.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->public_url, "");
  EXPECT_FALSE(d->outbound.allow_private_addresses);
  EXPECT_EQ(d->limits.max_connections, 4096u);
}

TEST(ConfigTest, SecuritySectionMistakesNameTheKey) {
  EXPECT_NE(ErrorOf("limits: {max_connections: 0}").find("limits.max_connections: must be between"),
            std::string::npos);
  EXPECT_NE(ErrorOf("quotas: {per_minute: 3}").find("quotas.per_minute: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("outbound: {allow_private_addresses: maybe}")
                .find("outbound.allow_private_addresses: expected true or false"),
            std::string::npos);
  EXPECT_NE(ErrorOf("public_url: javascript:alert(1)").find("public_url: expected an absolute"),
            std::string::npos);
  EXPECT_NE(ErrorOf("public_url: \"https://a.example/x?y\"").find("public_url:"),
            std::string::npos);
}

const std::string kUiIssuers =
    "auth:\n  issuers:\n    - name: entra\n      issuer: https://login.example/t/v2.0\n"
    "      audience: api://mcpreg\n      discovery: true\n";

TEST(ConfigTest, UiLoginParses) {
  Result<Config> c = ParseConfig(kUiIssuers +
                                     "ui:\n  login:\n    issuer: entra\n    client_id: mcpreg-web\n"
                                     "    private_key_file: keys/web.pem\n    private_key_id: k1\n"
                                     "    session_ttl_seconds: 7200\n    max_sessions: 50\n",
                                 "/etc/mcpreg/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ui.login.issuer, "entra");
  EXPECT_EQ(c->ui.login.client_id, "mcpreg-web");
  EXPECT_EQ(c->ui.login.private_key_file, "/etc/mcpreg/keys/web.pem");
  EXPECT_EQ(c->ui.login.private_key_id, "k1");
  EXPECT_EQ(c->ui.login.session_ttl_seconds, 7200);
  EXPECT_EQ(c->ui.login.session_idle_seconds, 3600) << "default";
  EXPECT_EQ(c->ui.login.max_sessions, 50u);
  Result<Config> d = ParseConfig("", "x.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ui.login.issuer, "") << "sign-in is off by default";
}

TEST(ConfigTest, UiLoginMistakesNameFileLineAndKey) {
  const std::string head = kUiIssuers + "ui:\n  login:\n    issuer: entra\n";
  std::string e = ErrorOf(head + "    client_id: web\n    client_secret: s\n");
  EXPECT_NE(e.find("mcpreg.yaml:11:5: ui.login.client_secret: unknown key"), std::string::npos) << e;
  e = ErrorOf(head);
  EXPECT_NE(e.find("ui.login: missing key \"client_id\""), std::string::npos) << e;
  e = ErrorOf(kUiIssuers + "ui:\n  login:\n    issuer: nobody\n    client_id: web\n");
  EXPECT_NE(e.find(":9:13: ui.login.issuer: no auth.issuers entry is named \"nobody\" (names: entra)"),
            std::string::npos)
      << e;
  e = ErrorOf(head + "    client_id: web\n    session_idle_seconds: 5\n");
  EXPECT_NE(e.find("ui.login.session_idle_seconds: must be between"), std::string::npos) << e;
  e = ErrorOf("ui:\n  logon: {}\n");
  EXPECT_NE(e.find("ui.logon: unknown key"), std::string::npos) << e;
}

TEST(ConfigTest, PlainHttpKeyUrlsOnlyOnLoopback) {
  auto issuer = [](std::string url, std::string keys) {
    return "auth:\n  issuers:\n    - name: a\n      issuer: " + url +
           "\n      audience: x\n      " + keys + "\n";
  };
  EXPECT_NE(ErrorOf(issuer("http://idp.example.com", "discovery: true"))
                .find("auth.issuers[0].issuer: keys and tokens are fetched only over https"),
            std::string::npos);
  EXPECT_NE(ErrorOf(issuer("https://a", "jwks_url: http://10.0.0.1/keys"))
                .find("auth.issuers[0].jwks_url: keys and tokens are fetched only over https"),
            std::string::npos);
  for (std::string ok : {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9",
                         "https://idp.example.com"})
    EXPECT_EQ(ErrorOf(issuer(ok, "discovery: true")), "(parsed fine)") << ok;
  // Keys from a file: the issuer URL is not fetched, unless sign-in uses it.
  std::string file_keys = issuer("http://idp.example.com", "jwks_file: k.json");
  EXPECT_EQ(ErrorOf(file_keys), "(parsed fine)");
  EXPECT_NE(ErrorOf(file_keys + "ui:\n  login: {issuer: a, client_id: web}\n")
                .find("ui.login.issuer: issuer \"http://idp.example.com\" cannot be used for sign-in"),
            std::string::npos);
}

}  // namespace
}  // namespace mcpreg::config

namespace mcpreg::config {
namespace {

TEST(ConfigFederationTest, SnapshotTtlParsesAndMistakesNameFileLineAndKey) {
  Result<Config> c = ParseConfig("federation:\n  snapshot_ttl_seconds: 3600\n", "x.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->federation.snapshot_ttl_seconds, 3600u);
  EXPECT_EQ(ParseConfig("", "x.yaml")->federation.snapshot_ttl_seconds, 7u * 24 * 3600);
  Result<Config> low = ParseConfig("federation:\n  snapshot_ttl_seconds: 5\n", "x.yaml");
  EXPECT_EQ(low.status().message().rfind("x.yaml:2:", 0), 0u) << low.status().message();
  EXPECT_NE(low.status().message().find("federation.snapshot_ttl_seconds: must be between"),
            std::string::npos)
      << low.status().message();
  Result<Config> unknown = ParseConfig("federation:\n  snapshot_ttl: 5\n", "x.yaml");
  EXPECT_NE(unknown.status().message().find("federation.snapshot_ttl: unknown key"),
            std::string::npos)
      << unknown.status().message();
}

}  // namespace
}  // namespace mcpreg::config
