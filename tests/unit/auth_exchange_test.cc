// Tests for src/auth/{oidc_exchange,registry_token,permissions}: issuer selection, claim rules,
// the registry's own token (exact upstream layout, round trip, tampering) and its key file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "auth/encoding.h"
#include "auth/jwt.h"
#include "auth/oidc_exchange.h"
#include "auth/registry_token.h"
#include "config/config.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

constexpr int64_t kNow = 1760000000;
constexpr char kGitHub[] = "https://token.actions.githubusercontent.com";
constexpr char kEntra[] = "https://login.microsoftonline.com/tid-1/v2.0";

constexpr char kConfig[] = R"(
auth:
  issuers:
    - name: github-actions
      issuer: https://token.actions.githubusercontent.com
      audience: mcp-registry
      discovery: true
      algorithms: [RS256]
      rules:
        - grant: {action: publish, resource: "io.github.{repository_owner}/*"}
        - match: {repository_owner_id: "4242", ref: [refs/heads/main, refs/heads/release]}
          grant: {actions: [edit, feed], resource: "io.github.{repository_owner}/*"}
    - name: entra
      issuer: https://login.microsoftonline.com/tid-1/v2.0
      audience: api://mcpreg
      jwks_url: https://login.microsoftonline.com/tid-1/discovery/v2.0/keys
      rules:
        - match: {tid: tid-1, oid: managed-identity-1}
          grant: {action: publish, resource: "com.contoso/*"}
        - match: {roles: Registry.Admin}
          grant: {actions: [publish, edit], resource: "*"}
)";

class WorkloadTest : public ::testing::Test {
 protected:
  // RSA key generation is slow; one pair of issuer keys serves the whole suite.
  static void SetUpTestSuite() {
    gh_key_ = *Key::Generate(KeyType::kRsa, "gh-1");
    entra_key_ = *Key::Generate(KeyType::kEcP256, "entra-1");
  }
  void SetUp() override {
    fetcher_ = std::make_shared<FakeHttpFetcher>();
    fetcher_->Set(std::string(kGitHub) + "/.well-known/openid-configuration", 200,
                  R"({"issuer":"https://token.actions.githubusercontent.com",)"
                  R"("jwks_uri":"https://token.actions.githubusercontent.com/.well-known/jwks"})");
    JwkSet gh, entra;
    gh.Add(gh_key_);
    entra.Add(entra_key_);
    fetcher_->Set(std::string(kGitHub) + "/.well-known/jwks", 200, gh.ToJson());
    fetcher_->Set("https://login.microsoftonline.com/tid-1/discovery/v2.0/keys", 200,
                  entra.ToJson());
    Result<config::Config> c = config::ParseConfig(kConfig, "test.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
    verifier_ = std::make_unique<WorkloadTokenVerifier>(config_.auth, fetcher_, clock_);
  }
  std::string GitHubToken(bj::object extra) {
    bj::object c{{"iss", kGitHub},
                 {"aud", "mcp-registry"},
                 {"sub", "repo:acme/tool:ref:refs/heads/main"},
                 {"repository_owner", "acme"},
                 {"repository_owner_id", "4242"},
                 {"ref", "refs/heads/main"},
                 {"iat", kNow},
                 {"nbf", kNow - 600},
                 {"exp", kNow + 300}};
    for (auto& kv : extra) c[kv.key()] = kv.value();
    return *SignJwt(gh_key_, JwsAlg::kRS256, bj::serialize(c));
  }
  std::string EntraToken(bj::object extra) {
    bj::object c{{"iss", kEntra},     {"aud", "api://mcpreg"},       {"sub", "managed-identity-1"},
                 {"tid", "tid-1"},    {"oid", "managed-identity-1"}, {"iat", kNow},
                 {"exp", kNow + 3600}};
    for (auto& kv : extra) c[kv.key()] = kv.value();
    return *SignJwt(entra_key_, JwsAlg::kES256, bj::serialize(c));
  }
  static inline Key gh_key_, entra_key_;
  std::shared_ptr<FakeHttpFetcher> fetcher_;
  ManualClock clock_{(kNow + 5) * 1000000};
  config::Config config_;
  std::unique_ptr<WorkloadTokenVerifier> verifier_;
};

TEST_F(WorkloadTest, GitHubTokenGetsOwnerNamespaceFromRules) {
  Result<Principal> p = verifier_->VerifyWorkloadToken(GitHubToken({}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->issuer, kGitHub);
  EXPECT_EQ(p->issuer_name, "github-actions");
  EXPECT_EQ(p->subject, "repo:acme/tool:ref:refs/heads/main");
  EXPECT_EQ(p->auth_method, "github-oidc");
  std::vector<Permission> want = {
      {"publish", "io.github.acme/*"}, {"edit", "io.github.acme/*"}, {"feed", "io.github.acme/*"}};
  EXPECT_EQ(p->permissions, want);
  EXPECT_EQ(p->claims.at("repository_owner_id").as_string(), "4242");
}

TEST_F(WorkloadTest, RuleWithUnmatchedClaimDoesNotApply) {
  Result<Principal> p = verifier_->VerifyWorkloadToken(
      GitHubToken({{"repository_owner", "other"}, {"repository_owner_id", "7"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->permissions, (std::vector<Permission>{{"publish", "io.github.other/*"}}));
  p = verifier_->VerifyWorkloadToken(GitHubToken({{"ref", "refs/heads/feature"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->permissions.size(), 1u);  // list match: neither main nor release
  p = verifier_->VerifyWorkloadToken(GitHubToken({{"ref", "refs/heads/release"}}));
  EXPECT_EQ(p->permissions.size(), 3u);
}

TEST_F(WorkloadTest, UnsafeSubstitutionSkipsTheRule) {
  for (const char* owner : {"*", "acme/*", "a..b", ".acme", "", "ac me"}) {
    Result<Principal> p = verifier_->VerifyWorkloadToken(
        GitHubToken({{"repository_owner", owner}, {"repository_owner_id", "1"}}));
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->permissions.empty()) << owner;
  }
  Result<Principal> p = verifier_->VerifyWorkloadToken(
      GitHubToken({{"repository_owner", 12345}, {"repository_owner_id", "1"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->permissions, (std::vector<Permission>{{"publish", "io.github.12345/*"}}));
}

TEST_F(WorkloadTest, EntraManagedIdentityAndArrayClaims) {
  Result<Principal> p = verifier_->VerifyWorkloadToken(EntraToken({}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->auth_method, "oidc");
  EXPECT_EQ(p->permissions, (std::vector<Permission>{{"publish", "com.contoso/*"}}));
  p = verifier_->VerifyWorkloadToken(
      EntraToken({{"oid", "someone-else"}, {"roles", bj::array{"Reader", "Registry.Admin"}}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->permissions, (std::vector<Permission>{{"publish", "*"}, {"edit", "*"}}));
  p = verifier_->VerifyWorkloadToken(EntraToken({{"oid", "someone-else"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->permissions.empty());  // authenticated, but nothing granted by rules
}

TEST_F(WorkloadTest, RejectsUntrustedIssuerWrongAudienceAndDisallowedAlgorithm) {
  Result<Principal> p = verifier_->VerifyWorkloadToken(GitHubToken({{"iss", "https://evil"}}));
  EXPECT_TRUE(p.status().IsUnauthenticated());
  EXPECT_NE(p.status().message().find("\"https://evil\" is not trusted"), std::string::npos);
  p = verifier_->VerifyWorkloadToken(GitHubToken({{"aud", "https://github.com/acme"}}));
  EXPECT_NE(p.status().message().find("audience"), std::string::npos);
  // An issuer restricted to RS256 refuses an ES256 token even with a valid key.
  Key ec = *Key::Generate(KeyType::kEcP256, "gh-1");
  bj::object c{{"iss", kGitHub}, {"aud", "mcp-registry"}, {"sub", "s"}, {"exp", kNow + 60}};
  p = verifier_->VerifyWorkloadToken(*SignJwt(ec, JwsAlg::kES256, bj::serialize(c)));
  EXPECT_NE(p.status().message().find("ES256 is not allowed"), std::string::npos);
  // A key the issuer does not publish.
  Key stranger = *Key::Generate(KeyType::kEcP256, "entra-1");
  bj::object e{{"iss", kEntra}, {"aud", "api://mcpreg"}, {"sub", "s"}, {"exp", kNow + 60}};
  p = verifier_->VerifyWorkloadToken(*SignJwt(stranger, JwsAlg::kES256, bj::serialize(e)));
  EXPECT_NE(p.status().message().find("signature is invalid"), std::string::npos);
  p = verifier_->VerifyWorkloadToken(GitHubToken({{"sub", ""}}));
  EXPECT_NE(p.status().message().find("no sub"), std::string::npos);
  p = verifier_->VerifyWorkloadToken("not-a-token");
  EXPECT_TRUE(p.status().IsUnauthenticated());
}

TEST_F(WorkloadTest, ExpiredTokenAndUnreachableKeys) {
  clock_.Advance(int64_t(301 + 60) * 1000000);
  Result<Principal> p = verifier_->VerifyWorkloadToken(GitHubToken({}));
  EXPECT_NE(p.status().message().find("expired"), std::string::npos);
  auto offline = std::make_shared<FakeHttpFetcher>();
  WorkloadTokenVerifier v(config_.auth, offline, clock_);
  EXPECT_FALSE(v.Preload().ok());
  EXPECT_EQ(v.VerifyWorkloadToken(EntraToken({})).status().code(), Code::kUnavailable);
}

TEST_F(WorkloadTest, ConcurrentVerificationsShareOneKeyLoad) {
  std::string gh = GitHubToken({}), entra = EntraToken({});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (verifier_->VerifyWorkloadToken(t % 2 ? gh : entra).ok()) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(fetcher_->requests(std::string(kGitHub) + "/.well-known/jwks"), 1);
  EXPECT_EQ(fetcher_->requests("https://login.microsoftonline.com/tid-1/discovery/v2.0/keys"), 1);
}

// Issue 12 (upstream PR #1229): a GitHub Actions issuer without `audience` expects the
// deployment's audience: auth.github_oidc_audience, else the public base URL; the legacy
// "mcp-registry" only when auth.github_oidc_legacy_audience allows it.
std::unique_ptr<WorkloadTokenVerifier> DeploymentVerifier(const std::string& auth_extra,
                                                          std::shared_ptr<HttpFetcher> fetcher,
                                                          const Clock& clock,
                                                          config::Config& keep) {
  std::string yaml = "auth:\n" + auth_extra +
                     "  issuers:\n"
                     "    - name: github-actions\n"
                     "      issuer: https://token.actions.githubusercontent.com\n"
                     "      discovery: true\n"
                     "      rules:\n"
                     "        - grant: {action: publish, resource: \"io.github.{repository_owner}/*\"}\n";
  Result<config::Config> c = config::ParseConfig(yaml, "test.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  keep = *c;
  return std::make_unique<WorkloadTokenVerifier>(keep.auth, fetcher, clock);
}

TEST_F(WorkloadTest, DeploymentAudienceDefaultsToThePublicBaseUrl) {
  config::Config keep;
  auto v = DeploymentVerifier("", fetcher_, clock_, keep);
  ASSERT_TRUE(keep.auth.issuers[0].audiences.empty());
  // No base URL known yet: refused, never "any audience".
  Result<Principal> p = v->VerifyWorkloadToken(GitHubToken({{"aud", "anything"}}));
  ASSERT_TRUE(p.status().IsUnauthenticated());
  EXPECT_NE(p.status().message().find("no GitHub OIDC audience"), std::string::npos);

  v->SetPublicBaseUrl("https://registry.contoso.example/");
  p = v->VerifyWorkloadToken(GitHubToken({{"aud", "https://registry.contoso.example"}}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->auth_method, "github-oidc");
  // The old fixed audience is refused, and the message names the expected one (upstream's).
  p = v->VerifyWorkloadToken(GitHubToken({{"aud", "mcp-registry"}}));
  ASSERT_TRUE(p.status().IsUnauthenticated());
  EXPECT_EQ(p.status().message(),
            "invalid audience: expected https://registry.contoso.example, got [mcp-registry]");
  // A list aud is accepted when one entry matches.
  p = v->VerifyWorkloadToken(
      GitHubToken({{"aud", bj::array{"other", "https://registry.contoso.example"}}}));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
}

TEST_F(WorkloadTest, ConfiguredAudienceAndLegacyAudienceOnlyWhenAllowed) {
  config::Config keep;
  auto v = DeploymentVerifier("  github_oidc_audience: https://mcp.contoso.example\n", fetcher_,
                              clock_, keep);
  v->SetPublicBaseUrl("http://127.0.0.1:8080");  // the configured audience wins
  EXPECT_TRUE(v->VerifyWorkloadToken(GitHubToken({{"aud", "https://mcp.contoso.example"}})).ok());
  Result<Principal> p = v->VerifyWorkloadToken(GitHubToken({{"aud", "http://127.0.0.1:8080"}}));
  EXPECT_EQ(p.status().message(),
            "invalid audience: expected https://mcp.contoso.example, got [http://127.0.0.1:8080]");
  EXPECT_FALSE(v->VerifyWorkloadToken(GitHubToken({{"aud", "mcp-registry"}})).ok());

  auto legacy = DeploymentVerifier(
      "  github_oidc_audience: https://mcp.contoso.example\n  github_oidc_legacy_audience: true\n",
      fetcher_, clock_, keep);
  EXPECT_TRUE(legacy->VerifyWorkloadToken(GitHubToken({{"aud", "mcp-registry"}})).ok());
  EXPECT_TRUE(
      legacy->VerifyWorkloadToken(GitHubToken({{"aud", "https://mcp.contoso.example"}})).ok());
  p = legacy->VerifyWorkloadToken(GitHubToken({{"aud", "x"}}));
  EXPECT_EQ(p.status().message(),
            "invalid audience: expected https://mcp.contoso.example or mcp-registry, got [x]");
}

TEST(DeploymentAudienceConfigTest, OnlyGitHubIssuersMayOmitTheAudienceAndKeysAreChecked) {
  auto err = [](const std::string& yaml) {
    Result<config::Config> c = config::ParseConfig(yaml, "t.yaml");
    return c.ok() ? std::string() : c.status().message();
  };
  EXPECT_NE(err("auth:\n  issuers:\n    - name: a\n      issuer: https://a\n      discovery: true\n")
                .find("missing key \"audience\""),
            std::string::npos);
  EXPECT_NE(err("auth:\n  github_oidc_legacy_audience: maybe\n").find("t.yaml:2:"),
            std::string::npos);
  EXPECT_NE(err("auth:\n  github_oidc_audiences: x\n")
                .find("t.yaml:2:3: auth.github_oidc_audiences: unknown key"),
            std::string::npos)
      << err("auth:\n  github_oidc_audiences: x\n");
  Result<config::Config> ok = config::ParseConfig(
      "auth:\n  github_oidc_audience: https://r.example\n  github_oidc_legacy_audience: true\n",
      "t.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->auth.github_oidc_audience, "https://r.example");
  EXPECT_TRUE(ok->auth.github_oidc_legacy_audience);
}

TEST(PermissionsTest, MatchingAsUpstream) {
  EXPECT_TRUE(ResourceMatches("io.github.acme/x", "*"));
  EXPECT_TRUE(ResourceMatches("io.github.acme/x", "io.github.acme/*"));
  EXPECT_FALSE(ResourceMatches("io.github.acmex/x", "io.github.acme/*"));
  EXPECT_TRUE(ResourceMatches("com.example.api/x", "com.example.*"));
  EXPECT_FALSE(ResourceMatches("com.example/x", "com.example.*"));
  EXPECT_TRUE(ResourceMatches("com.example/x", "com.example/x"));
  EXPECT_FALSE(ResourceMatches("com.example/X", "com.example/x"));
  std::vector<Permission> held = {{"publish", "com.a/*"}, {"edit", "com.b/*"}};
  EXPECT_TRUE(HasPermission(held, "publish", "com.a/s"));
  EXPECT_FALSE(HasPermission(held, "edit", "com.a/s"));
  EXPECT_EQ(PatternsFor(held, "edit"), std::vector<std::string>{"com.b/*"});
  EXPECT_EQ(ReverseDomain("api.example.com"), "com.example.api");
  EXPECT_EQ(ReverseDomain("localhost"), "localhost");
}

class RegistryTokenTest : public ::testing::Test {
 protected:
  ManualClock clock_{kNow * 1000000};
  Key key_ = *Key::Generate(KeyType::kEd25519);
  RegistryTokens tokens_{key_, clock_};
  std::vector<Permission> perms_ = {{"publish", "io.github.acme/*"}, {"edit", "io.github.acme/*"}};
};

TEST_F(RegistryTokenTest, LayoutIsUpstreams) {
  Result<IssuedToken> t = tokens_.Issue("github-oidc", "repo:acme/x:ref:refs/heads/main", perms_);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_at, kNow + 300);
  EXPECT_EQ(TokenResponseJson(*t),
            R"({"registry_token":")" + t->registry_token + R"(","expires_at":1760000300})");
  const std::string& tok = t->registry_token;
  size_t d1 = tok.find('.'), d2 = tok.rfind('.');
  EXPECT_EQ(*Base64UrlDecode(tok.substr(0, d1)), R"({"alg":"EdDSA","typ":"JWT"})");
  EXPECT_EQ(*Base64UrlDecode(tok.substr(d1 + 1, d2 - d1 - 1)),
            R"({"iss":"mcp-registry","exp":1760000300,"nbf":1760000000,"iat":1760000000,)"
            R"("auth_method":"github-oidc","auth_method_sub":"repo:acme/x:ref:refs/heads/main",)"
            R"("permissions":[{"action":"publish","resource":"io.github.acme/*"},)"
            R"({"action":"edit","resource":"io.github.acme/*"}]})");
  EXPECT_EQ(Base64UrlDecode(tok.substr(d2 + 1))->size(), 64u);
}

TEST_F(RegistryTokenTest, RoundTripAndExpiry) {
  Principal in;
  in.auth_method = "dns";
  in.subject = "example.com";
  in.permissions = perms_;
  Result<IssuedToken> t = tokens_.Issue(in);
  ASSERT_TRUE(t.ok());
  Result<Principal> out = tokens_.Verify(t->registry_token);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->issuer, "");  // a namespace proof has no issuer
  EXPECT_EQ(out->auth_method, "dns");
  EXPECT_EQ(out->subject, "example.com");
  EXPECT_EQ(out->permissions, perms_);
  clock_.Advance(299LL * 1000000);
  EXPECT_TRUE(tokens_.Verify(t->registry_token).ok());
  clock_.Advance(1LL * 1000000);
  EXPECT_NE(tokens_.Verify(t->registry_token).status().message().find("expired"),
            std::string::npos);
}

TEST_F(RegistryTokenTest, TamperingAndForeignKeysAreRejected) {
  std::string tok = tokens_.Issue("github-oidc", "s", perms_)->registry_token;
  size_t d1 = tok.find('.'), d2 = tok.rfind('.');
  std::string claims = *Base64UrlDecode(tok.substr(d1 + 1, d2 - d1 - 1));
  std::string widened = claims;
  widened.replace(widened.find("io.github.acme/*"), 16, "*");
  std::string forged = tok.substr(0, d1 + 1) + Base64UrlEncode(widened) + tok.substr(d2);
  EXPECT_NE(tokens_.Verify(forged).status().message().find("signature is invalid"),
            std::string::npos);
  std::string flipped = tok;
  flipped[d2 + 5] = flipped[d2 + 5] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(tokens_.Verify(flipped).status().IsUnauthenticated());
  RegistryTokens other(*Key::Generate(KeyType::kEd25519), clock_);
  EXPECT_NE(other.Verify(tok).status().message().find("signature is invalid"), std::string::npos);
  std::string none = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                     tok.substr(d1 + 1, d2 - d1 - 1) + ".";
  EXPECT_NE(tokens_.Verify(none).status().message().find("alg none"), std::string::npos);
  // A correctly signed token from us but claiming another issuer.
  std::string other_iss = claims;
  other_iss.replace(other_iss.find("mcp-registry"), 12, "someone-else");
  std::string resigned = *SignJwt(key_, JwsAlg::kEdDSA, other_iss);
  EXPECT_NE(tokens_.Verify(resigned).status().message().find("issuer"), std::string::npos);
}

class RegistryKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mcpreg-auth-key-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "registry.key").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(RegistryKeyFileTest, CreatedOnceWithMode0600ThenReloaded) {
  Result<Key> first = LoadOrCreateRegistryKey(path_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<Key> second = LoadOrCreateRegistryKey(path_);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->RawPublicKey(), second->RawPublicKey());
  EXPECT_EQ(std::filesystem::directory_iterator(dir_)->path().filename(), "registry.key");
  // A token issued before a restart verifies after it.
  ManualClock clock(kNow * 1000000);
  std::string tok = RegistryTokens(*first, clock).Issue("dns", "s", {})->registry_token;
  EXPECT_TRUE(RegistryTokens(*second, clock).Verify(tok).ok());
}

TEST_F(RegistryKeyFileTest, RejectsLooseModeAndGarbage) {
  std::ofstream(path_) << std::string(64, 'a') << "\n";
  chmod(path_.c_str(), 0644);
  Result<Key> k = LoadOrCreateRegistryKey(path_);
  EXPECT_EQ(k.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(k.status().message().find("chmod 600"), std::string::npos);
  chmod(path_.c_str(), 0600);
  EXPECT_TRUE(LoadOrCreateRegistryKey(path_).ok());  // upstream's 64-hex-char seed format
  std::ofstream(path_) << "not hex";
  EXPECT_EQ(LoadOrCreateRegistryKey(path_).status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace mcpreg::auth
