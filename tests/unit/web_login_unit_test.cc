// Sign-in in process: WebUi's CheckWrite / Logout on hand-made requests, and a whole sign-in
// against a FakeHttpFetcher provider with private_key_jwt client authentication.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "api/web/html.h"
#include "api/web/login.h"
#include "api/web/session_store.h"
#include "api/web/web_ui.h"
#include "auth/jwt.h"
#include "config/config.h"
#include "integration/server_process.h"

namespace mcpreg::web {
namespace {

namespace bj = boost::json;
constexpr Micros kSecond = 1000000;
const std::string kSelf = "https://mcp.contoso.com";
const std::string kIssuer = "https://idp.example";

std::string HeaderOf(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::string QueryParam(const std::string& url, std::string_view key) {
  size_t q = url.find('?');
  return q == std::string::npos ? "" : FormValue(url.substr(q + 1), key).value_or("");
}

TEST(WebLoginHelpersTest, PkceChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(WebLoginHelpersTest, SafeNextKeepsOnlySameOriginPaths) {
  EXPECT_EQ(SafeNext("/ui/requests?x=1"), "/ui/requests?x=1");
  EXPECT_EQ(SafeNext("/"), "/");
  for (std::string_view bad :
       {"", "//evil.example", "/\\evil.example", "https://evil.example/", "ui/requests", "/a b",
        "/a\r\nSet-Cookie: x", "/ui/login?next=/", "/ui/callback?state=x"})
    EXPECT_EQ(SafeNext(bad), "/") << bad;
  EXPECT_EQ(SafeNext("/" + std::string(3000, 'a')), "/");
}

class WebUiLoginTest : public ::testing::Test {
 protected:
  WebUiLoginTest() {
    config::IssuerConfig idp;
    idp.name = "idp";
    idp.issuer = kIssuer;
    idp.audiences = {"api://mcpreg"};
    idp.keys = config::IssuerConfig::Keys::kUrl;
    idp.jwks_url = kIssuer + "/keys";
    idp.algorithms = {"ES256"};
    config::ClaimRule rule;
    rule.match = {{"groups", {"reviewers"}}};
    rule.actions = {"review"};
    rule.resource = "*";
    idp.rules = {rule};
    auth_.issuers = {idp};
    idp_key_ = *auth::Key::Generate(auth::KeyType::kEcP256, "idp-1");
    auth::JwkSet set;
    set.Add(idp_key_);
    fetcher_->Set(kIssuer + "/.well-known/openid-configuration", 200,
                  bj::serialize(bj::object{{"issuer", kIssuer},
                                           {"authorization_endpoint", kIssuer + "/authorize"},
                                           {"token_endpoint", kIssuer + "/token"},
                                           {"jwks_uri", kIssuer + "/keys"}}));
    fetcher_->Set(kIssuer + "/keys", 200, set.ToJson());
  }

  std::unique_ptr<WebUi> NewUi(LoginOptions login) {
    WebDeps deps;
    deps.clock = &clock_;
    deps.fetcher = fetcher_;
    deps.auth_config = &auth_;
    deps.login = std::move(login);
    deps.public_url = kSelf;
    return std::make_unique<WebUi>(std::move(deps));
  }

  static http::HttpRequest Request(std::string method, std::string target, http::Headers h = {},
                                   std::string body = "") {
    http::HttpRequest req;
    req.method = std::move(method);
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.headers = std::move(h);
    req.body = std::move(body);
    return req;
  }

  std::string IdToken(bj::object overrides) {
    int64_t now = clock_.Now() / kSecond;
    bj::object claims{{"iss", kIssuer}, {"sub", "person-1"}, {"aud", "mcpreg-web"},
                      {"iat", now},     {"exp", now + 300},  {"groups", bj::array{"reviewers"}}};
    for (const auto& [k, v] : overrides) claims[k] = v;
    return *auth::SignJwt(idp_key_, auth::JwsAlg::kES256, bj::serialize(claims));
  }

  config::AuthConfig auth_;
  auth::Key idp_key_;
  std::shared_ptr<auth::FakeHttpFetcher> fetcher_ = std::make_shared<auth::FakeHttpFetcher>();
  ManualClock clock_{1'700'000'000 * kSecond};
};

TEST_F(WebUiLoginTest, CheckWriteNeedsSameOriginAndTheSessionToken) {
  auto ui = NewUi({});
  WebSession s = ui->sessions().Create(auth::Principal{});
  const std::string form = "application/x-www-form-urlencoded";
  auto check = [&](http::Headers h, std::string body = "") {
    return !ui->CheckWrite(Request("POST", "/ui/requests", std::move(h), std::move(body)), s);
  };
  EXPECT_TRUE(check({{"Origin", kSelf}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_TRUE(check({{"Origin", "HTTPS://MCP.contoso.com:443"}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_TRUE(check({{"Origin", kSelf}, {"Content-Type", form}}, "a=1&csrf=" + s.csrf));
  EXPECT_TRUE(check({{"Referer", kSelf + "/ui/requests/new"}, {"X-CSRF-Token", s.csrf}}));
  std::string multipart =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"csrf\"\r\n\r\nnope\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" +
      s.csrf + "\r\n--XyZ--\r\n";
  EXPECT_TRUE(
      check({{"Origin", kSelf}, {"Content-Type", "multipart/form-data; boundary=XyZ"}}, multipart));

  EXPECT_FALSE(check({{"Origin", kSelf}}));
  EXPECT_FALSE(check({{"Origin", kSelf}, {"X-CSRF-Token", s.csrf + "x"}}));
  EXPECT_FALSE(check({{"Origin", kSelf}}, "csrf=" + s.csrf));  // not a form: body ignored
  EXPECT_FALSE(check({{"Origin", "http://mcp.contoso.com"}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_FALSE(check({{"Origin", "https://mcp.contoso.com:8443"}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_FALSE(check({{"Origin", "null"}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_FALSE(check(
      {{"Origin", "https://evil.example"}, {"Referer", kSelf + "/"}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_FALSE(check({{"Referer", kSelf + ".evil.example/"}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_FALSE(check({{"Referer", kSelf}, {"X-CSRF-Token", s.csrf}}));
  EXPECT_FALSE(check({{"X-CSRF-Token", s.csrf}}));
  auto refused = ui->CheckWrite(Request("POST", "/ui/requests", {{"Origin", kSelf}}), s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(HeaderOf(*refused, "Content-Type"), "application/problem+json");
}

TEST_F(WebUiLoginTest, LogoutEndsTheSessionOnTheServer) {
  auto ui = NewUi({});
  WebSession s = ui->sessions().Create(auth::Principal{});
  const std::string cookie = "__Host-mcpreg_session=" + s.id;  // https registry
  auto forged = ui->Logout(Request("POST", "/ui/logout", {{"Cookie", cookie}}));
  EXPECT_EQ(forged.status, 403);
  EXPECT_TRUE(ui->sessions().Find(s.id));

  auto out = ui->Logout(Request("POST", "/ui/logout",
                                {{"Cookie", cookie},
                                 {"Origin", kSelf},
                                 {"Content-Type", "application/x-www-form-urlencoded"}},
                                "csrf=" + s.csrf));
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(HeaderOf(out, "Location"), "/");
  EXPECT_EQ(HeaderOf(out, "Set-Cookie"),
            "__Host-mcpreg_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
  EXPECT_FALSE(ui->sessions().Find(s.id));
  EXPECT_FALSE(ui->SessionOf(Request("GET", "/ui/requests", {{"Cookie", cookie}})));
}

TEST_F(WebUiLoginTest, DisabledWithoutConfig) {
  auto ui = NewUi({});
  EXPECT_FALSE(ui->login_enabled());
  EXPECT_EQ(ui->StartLogin(Request("GET", "/ui/login")).status, 404);
}

TEST_F(WebUiLoginTest, SignInWithPrivateKeyJwtClientAuthentication) {
  auto client_key = *auth::Key::Generate(auth::KeyType::kEcP256);
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/client.pem") << client_key.PrivatePem();
  LoginOptions login;
  login.issuer_name = "idp";
  login.client_id = "mcpreg-web";
  login.private_key_file = dir + "/client.pem";
  login.private_key_id = "client-kid";
  ASSERT_TRUE(ValidateLoginOptions(login, auth_).ok());
  auto ui = NewUi(login);
  ASSERT_TRUE(ui->login_enabled());

  auto start = ui->StartLogin(Request("GET", "/ui/login?next=%2Fui%2Freview"));
  ASSERT_EQ(start.status, 302);
  std::string to = HeaderOf(start, "Location");
  ASSERT_TRUE(to.starts_with(kIssuer + "/authorize?")) << to;
  EXPECT_EQ(QueryParam(to, "redirect_uri"), kSelf + "/ui/callback");
  fetcher_->Set(
      kIssuer + "/token", 200,
      bj::serialize(bj::object{{"id_token", IdToken({{"nonce", QueryParam(to, "nonce")}})},
                               {"token_type", "Bearer"}}));
  auto done = ui->Callback(
      Request("GET", "/ui/callback?code=the-code&state=" + UrlComponent(QueryParam(to, "state"))));
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(HeaderOf(done, "Location"), "/ui/review");
  std::string set = HeaderOf(done, "Set-Cookie");
  EXPECT_TRUE(set.starts_with("__Host-mcpreg_session=")) << set;
  EXPECT_NE(set.find("; Secure"), std::string::npos);
  EXPECT_NE(set.find("Max-Age=28800"), std::string::npos);
  auto s = ui->SessionOf(Request("GET", "/", {{"Cookie", set.substr(0, set.find(';'))}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->who.issuer, kIssuer);
  EXPECT_EQ(s->who.issuer_name, "idp");
  EXPECT_EQ(s->who.subject, "person-1");
  EXPECT_EQ(s->who.auth_method, "oidc");
  ASSERT_EQ(s->who.permissions.size(), 1u);
  EXPECT_EQ(s->who.permissions[0].action, "review");

  // What the token endpoint received: the code, the PKCE verifier and a client assertion.
  std::string post = fetcher_->last_post(kIssuer + "/token");
  EXPECT_EQ(FormValue(post, "grant_type"), "authorization_code");
  EXPECT_EQ(FormValue(post, "code"), "the-code");
  EXPECT_EQ(FormValue(post, "client_id"), "mcpreg-web");
  EXPECT_EQ(FormValue(post, "redirect_uri"), kSelf + "/ui/callback");
  EXPECT_EQ(PkceChallenge(FormValue(post, "code_verifier").value_or("")),
            QueryParam(to, "code_challenge"));
  EXPECT_EQ(FormValue(post, "client_assertion_type"),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  auth::JwtChecks checks;
  checks.issuer = "mcpreg-web";
  checks.audiences = {kIssuer + "/token"};
  checks.algorithms = {auth::JwsAlg::kES256};
  auth::SingleKeyProvider keys(*auth::Key::FromJwk(client_key.PublicJwk()));
  auto assertion =
      auth::VerifyJwt(FormValue(post, "client_assertion").value_or(""), checks, keys, clock_.Now());
  ASSERT_TRUE(assertion.ok()) << assertion.status().message();
  EXPECT_EQ(assertion->kid, "client-kid");
  EXPECT_EQ(assertion->StringClaim("sub"), "mcpreg-web");
  EXPECT_EQ(assertion->StringClaim("jti").size(), 43u);
  EXPECT_LE(assertion->NumericDate("exp") - assertion->NumericDate("iat"), 300);
}

TEST_F(WebUiLoginTest, HeadStartsNoSignIn) {
  LoginOptions login;
  login.issuer_name = "idp";
  login.client_id = "mcpreg-web";
  auto ui = NewUi(login);
  ASSERT_TRUE(ui->login_enabled());
  auto head = ui->StartLogin(Request("HEAD", "/ui/login"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(ui->sessions().pending_size(), 0u);
  ASSERT_EQ(ui->StartLogin(Request("GET", "/ui/login")).status, 302);
  EXPECT_EQ(ui->sessions().pending_size(), 1u);
}

TEST_F(WebUiLoginTest, IdTokenChecksRefuseTheSignIn) {
  LoginOptions login;
  login.issuer_name = "idp";
  login.client_id = "mcpreg-web";
  auto ui = NewUi(login);
  struct Case {
    const char* what;
    bj::object claims;
    bool keep_nonce;
  };
  const int64_t now = clock_.Now() / kSecond;
  std::vector<Case> cases = {
      {"nonce", {}, false},
      {"aud", {{"aud", "someone-else"}}, true},
      {"azp", {{"aud", bj::array{"mcpreg-web", "other"}}, {"azp", "other"}}, true},
      {"iss", {{"iss", "https://other.example"}}, true},
      {"expired", {{"exp", now - 120}}, true},
      {"sub", {{"sub", ""}}, true},
  };
  for (Case& c : cases) {
    auto start = ui->StartLogin(Request("GET", "/ui/login"));
    std::string to = HeaderOf(start, "Location");
    bj::object claims = c.claims;
    claims["nonce"] = c.keep_nonce ? QueryParam(to, "nonce") : "another-nonce";
    fetcher_->Set(kIssuer + "/token", 200,
                  bj::serialize(bj::object{{"id_token", IdToken(claims)}}));
    auto done = ui->Callback(
        Request("GET", "/ui/callback?code=c&state=" + UrlComponent(QueryParam(to, "state"))));
    EXPECT_EQ(done.status, 401) << c.what << ": " << done.body;
    EXPECT_TRUE(HeaderOf(done, "Set-Cookie").empty()) << c.what;
  }
  EXPECT_EQ(ui->sessions().size(), 0u);
}

TEST_F(WebUiLoginTest, UnreachableProviderIs503) {
  LoginOptions login;
  login.issuer_name = "idp";
  login.client_id = "mcpreg-web";
  auto ui = NewUi(login);
  fetcher_->Remove(kIssuer + "/.well-known/openid-configuration");
  auto r = ui->StartLogin(Request("GET", "/ui/login"));
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("Sign-in unavailable"), std::string::npos);
}

TEST_F(WebUiLoginTest, ValidateLoginOptionsNamesTheProblem) {
  LoginOptions login;
  EXPECT_TRUE(ValidateLoginOptions(login, auth_).ok());  // disabled
  login.issuer_name = "nobody";
  login.client_id = "x";
  EXPECT_NE(ValidateLoginOptions(login, auth_).message().find("no auth.issuers entry"),
            std::string::npos);
  login.issuer_name = "idp";
  login.private_key_file = "/nonexistent/key.pem";
  EXPECT_NE(ValidateLoginOptions(login, auth_).message().find("private_key_file"),
            std::string::npos);
  login.private_key_file = "";
  auth_.issuers[0].issuer = "http://idp.example";
  EXPECT_NE(ValidateLoginOptions(login, auth_).message().find("loopback"), std::string::npos);
  auth_.issuers[0].issuer = "http://127.0.0.1:9";
  EXPECT_TRUE(ValidateLoginOptions(login, auth_).ok());
}

}  // namespace
}  // namespace mcpreg::web
