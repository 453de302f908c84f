// Sign-in to the web interface over real HTTP: the real `mcpreg serve` and the test OpenID
// provider (mcpreg_test_oidc) as child processes; the test plays the browser, following each
// redirect by hand and keeping the session cookie.
#include <gtest/gtest.h>
#include <strings.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "api/web/html.h"
#include "integration/oidc_provider_process.h"
#include "integration/server_process.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

std::string HeaderOf(const http::ClientResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k.size() == name.size() && strncasecmp(k.c_str(), name.data(), name.size()) == 0) return v;
  return "";
}

// The query parameter `key` of an absolute URL or path.
std::string QueryParam(const std::string& url, std::string_view key) {
  size_t q = url.find('?');
  return q == std::string::npos ? "" : web::FormValue(url.substr(q + 1), key).value_or("");
}

class WebLoginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    idp_ = new testing::OidcProviderProcess({"--client-id", "mcpreg-web", "--user", "alice",
                                             "--claims",
                                             R"({"groups":["reviewers"],"name":"Alice"})", "--user",
                                             "mallory", "--claims", R"({"aud":"someone-else"})"});
    ASSERT_TRUE(idp_->started());
    dir_ = new std::string(testing::TempDir());
    std::ofstream(*dir_ + "/mcpreg.yaml")
        << "auth:\n  issuers:\n    - name: test-idp\n      issuer: " << idp_->issuer()
        << "\n      audience: mcpreg\n      discovery: true\n      rules:\n"
           "        - match: {groups: reviewers}\n          grant: {action: review, resource: "
           "\"*\"}\n"
           "ui:\n  login:\n    issuer: test-idp\n    client_id: mcpreg-web\n";
    server_ = new testing::ServerProcess(*dir_ + "/r.db",
                                         {"--config", *dir_ + "/mcpreg.yaml", "--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete idp_;
    delete dir_;
    server_ = nullptr;
    idp_ = nullptr;
  }

  static http::ClientResponse Get(const std::string& url, const std::string& cookie = "") {
    http::ClientRequest req;
    req.url = url.starts_with("http") ? url : server_->base_url() + url;
    if (!cookie.empty()) req.headers.emplace_back("Cookie", cookie);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << req.url << ": " << r.status().message();
    return r.ok() ? *r : http::ClientResponse{};
  }

  static http::ClientResponse Post(const std::string& path, const std::string& cookie,
                                   http::Headers headers, std::string body = "") {
    http::ClientRequest req;
    req.method = "POST";
    req.url = server_->base_url() + path;
    req.headers = std::move(headers);
    if (!cookie.empty()) req.headers.emplace_back("Cookie", cookie);
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.body = std::move(body);
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : http::ClientResponse{};
  }

  // GET /ui/login?next=... → the provider's authorization URL.
  static std::string StartLogin(const std::string& next = "/") {
    auto r = Get("/ui/login?next=" + web::UrlComponent(next));
    EXPECT_EQ(r.status, 302) << r.body;
    std::string to = HeaderOf(r, "Location");
    EXPECT_TRUE(to.starts_with(idp_->issuer() + "/authorize?")) << to;
    return to;
  }

  // The provider's answer to an authorization URL: the callback URL it redirects to.
  static std::string Authorize(const std::string& authorize_url) {
    auto r = Get(authorize_url);
    EXPECT_EQ(r.status, 302) << r.body;
    std::string to = HeaderOf(r, "Location");
    EXPECT_TRUE(to.starts_with(server_->base_url() + "/ui/callback?")) << to;
    return to;
  }

  // A whole sign-in; returns the cookie ("name=value") and checks its attributes.
  static std::string SignIn(const std::string& next = "/") {
    auto r = Get(Authorize(StartLogin(next)));
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(HeaderOf(r, "Location"), next);
    std::string set = HeaderOf(r, "Set-Cookie");
    EXPECT_NE(set.find("; HttpOnly"), std::string::npos) << set;
    EXPECT_NE(set.find("; SameSite=Lax"), std::string::npos) << set;
    EXPECT_NE(set.find("; Path=/"), std::string::npos) << set;
    EXPECT_EQ(set.find("Secure"), std::string::npos) << "http registry: no Secure " << set;
    return set.substr(0, set.find(';'));
  }

  static bool RedirectsToLogin(const http::ClientResponse& r) {
    return r.status == 303 && HeaderOf(r, "Location").starts_with("/ui/login");
  }

  static testing::OidcProviderProcess* idp_;
  static testing::ServerProcess* server_;
  static std::string* dir_;
};

testing::OidcProviderProcess* WebLoginTest::idp_ = nullptr;
testing::ServerProcess* WebLoginTest::server_ = nullptr;
std::string* WebLoginTest::dir_ = nullptr;

TEST_F(WebLoginTest, SignInRoundTripOpensASession) {
  std::string auth_url = StartLogin("/ui/requests");
  EXPECT_EQ(QueryParam(auth_url, "response_type"), "code");
  EXPECT_EQ(QueryParam(auth_url, "client_id"), "mcpreg-web");
  EXPECT_EQ(QueryParam(auth_url, "redirect_uri"), server_->base_url() + "/ui/callback");
  EXPECT_EQ(QueryParam(auth_url, "scope"), "openid profile email");
  EXPECT_EQ(QueryParam(auth_url, "code_challenge_method"), "S256");
  EXPECT_EQ(QueryParam(auth_url, "code_challenge").size(), 43u);
  EXPECT_EQ(QueryParam(auth_url, "state").size(), 43u);
  EXPECT_EQ(QueryParam(auth_url, "nonce").size(), 43u);

  EXPECT_TRUE(RedirectsToLogin(Get("/ui/requests")));
  std::string cookie = SignIn("/ui/requests");
  auto page = Get("/ui/requests", cookie);
  EXPECT_FALSE(RedirectsToLogin(page)) << page.status << " " << HeaderOf(page, "Location");
  EXPECT_TRUE(RedirectsToLogin(Get("/ui/requests", "mcpreg_session=" + std::string(43, 'A'))));
}

TEST_F(WebLoginTest, ForeignNextIsReplacedBySlash) {
  for (std::string next : {"//evil.example/x", "/\\evil.example", "https://evil.example/"}) {
    auto r = Get(Authorize(StartLogin(next)));
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(HeaderOf(r, "Location"), "/") << next;
  }
}

TEST_F(WebLoginTest, UnknownStateIs400) {
  std::string callback = Authorize(StartLogin());
  std::string code = QueryParam(callback, "code");
  auto r = Get("/ui/callback?code=" + code + "&state=not-a-state");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Sign-in expired"), std::string::npos) << r.body;
  EXPECT_TRUE(HeaderOf(r, "Set-Cookie").empty());
  EXPECT_EQ(Get("/ui/callback").status, 400);
}

TEST_F(WebLoginTest, ReplayedStateIs400) {
  std::string callback = Authorize(StartLogin());
  EXPECT_EQ(Get(callback).status, 303);
  auto again = Get(callback);
  EXPECT_EQ(again.status, 400);
  EXPECT_TRUE(HeaderOf(again, "Set-Cookie").empty());
}

TEST_F(WebLoginTest, ProviderRefusesAWrongPkceVerifier) {
  // Directly at the provider: a code redeemed with the wrong verifier is invalid_grant.
  std::string callback = Authorize(StartLogin());
  http::ClientRequest req;
  req.method = "POST";
  req.url = idp_->issuer() + "/token";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "grant_type=authorization_code&code=" + QueryParam(callback, "code") +
             "&redirect_uri=" + web::UrlComponent(server_->base_url() + "/ui/callback") +
             "&client_id=mcpreg-web&code_verifier=" + std::string(43, 'x');
  auto r = http::Fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("invalid_grant"), std::string::npos) << r->body;

  // Through the registry: the code of sign-in A delivered with the state of sign-in B is
  // redeemed with B's verifier, which the provider refuses; no session.
  std::string a = Authorize(StartLogin());
  std::string b = Authorize(StartLogin());
  auto mixed =
      Get("/ui/callback?code=" + QueryParam(a, "code") + "&state=" + QueryParam(b, "state"));
  EXPECT_EQ(mixed.status, 401) << mixed.body;
  EXPECT_NE(mixed.body.find("invalid_grant"), std::string::npos) << mixed.body;
  EXPECT_TRUE(HeaderOf(mixed, "Set-Cookie").empty());
}

TEST_F(WebLoginTest, IdTokenForAnotherAudienceIsRefused) {
  std::string callback = Authorize(StartLogin() + "&login_hint=mallory");
  auto r = Get(callback);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("aud"), std::string::npos) << r.body;
  EXPECT_TRUE(HeaderOf(r, "Set-Cookie").empty());
}

TEST_F(WebLoginTest, ProviderErrorShowsAPageWithAWayBack) {
  std::string callback = Authorize(StartLogin() + "&login_hint=nobody");
  EXPECT_EQ(QueryParam(callback, "error"), "access_denied");
  auto r = Get(callback);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("access_denied"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("href=\"/ui/login\""), std::string::npos) << r.body;
  // That sign-in is over: its state cannot be used any more.
  EXPECT_EQ(Get("/ui/callback?code=x&state=" + QueryParam(callback, "state")).status, 400);
}

TEST_F(WebLoginTest, ConsoleWritesNeedSameOriginAndCsrfToken) {
  std::string cookie = SignIn();
  const std::string self = server_->base_url();
  // No session at all: 403, never a redirect for a POST.
  EXPECT_EQ(Post("/ui/requests", "", {{"Origin", self}}, "csrf=x").status, 403);
  // A session but no token.
  auto r = Post("/ui/requests", cookie, {{"Origin", self}}, "name=x");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("CSRF"), std::string::npos) << r.body;
  // A wrong token in the form or the header.
  EXPECT_EQ(Post("/ui/requests", cookie, {{"Origin", self}}, "csrf=" + std::string(43, 'x')).status,
            403);
  EXPECT_EQ(Post("/ui/requests", cookie, {{"Origin", self}, {"X-CSRF-Token", "nope"}}).status, 403);
  // A foreign origin, a foreign Referer, or neither.
  r = Post("/ui/requests", cookie, {{"Origin", "https://evil.example"}}, "csrf=x");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Origin"), std::string::npos) << r.body;
  EXPECT_EQ(Post("/ui/requests", cookie, {{"Referer", "https://evil.example/ui/requests"}}).status,
            403);
  EXPECT_EQ(Post("/ui/requests", cookie, {{"Referer", self + ".evil.example/"}}).status, 403);
  EXPECT_EQ(Post("/ui/requests", cookie, {}).status, 403);
  // Logout is a write too: without the token it does not end the session.
  EXPECT_EQ(Post("/ui/logout", cookie, {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_FALSE(RedirectsToLogin(Get("/ui/requests", cookie)));
}

// The right token and origin pass: the token is in the page rendered for the session (the
// Sign out form). Until a page renders it, the in-process tests (web_login_unit_test.cc)
// cover the passing case.
TEST_F(WebLoginTest, RightTokenAndOriginPassAndLogoutEndsTheSession) {
  std::string cookie = SignIn();
  std::string csrf;
  for (const char* page : {"/ui/requests", "/", "/ui/review"}) {
    std::string body = Get(page, cookie).body;
    size_t at = body.find("name=\"csrf\" value=\"");
    if (at != std::string::npos) {
      csrf = body.substr(at + 19, 43);
      break;
    }
  }
  if (csrf.empty()) GTEST_SKIP() << "no page renders the session's CSRF token yet";
  const std::string self = server_->base_url();
  auto r = Post("/ui/requests", cookie, {{"Origin", self}}, "csrf=" + csrf);
  EXPECT_NE(r.status, 403) << r.body;
  r = Post("/ui/requests", cookie,
           {{"Referer", self + "/ui/requests/new"}, {"X-CSRF-Token", csrf}});
  EXPECT_NE(r.status, 403) << r.body;
  auto out = Post("/ui/logout", cookie, {{"Origin", self}}, "csrf=" + csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(HeaderOf(out, "Location"), "/");
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  // The old cookie is worth nothing now.
  EXPECT_TRUE(RedirectsToLogin(Get("/ui/requests", cookie)));
}

TEST_F(WebLoginTest, LogoutWithoutSessionClearsTheCookie) {
  auto out = Post("/ui/logout", "", {});
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

TEST(WebLoginStartupTest, PlainHttpIssuerOffLoopbackIsRefused) {
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/mcpreg.yaml")
      << "auth:\n  issuers:\n    - name: idp\n      issuer: http://idp.example.com\n"
         "      audience: mcpreg\n      jwks_file: jwks.json\n"
         "ui:\n  login:\n    issuer: idp\n    client_id: web\n";
  testing::ServerProcess server(dir + "/r.db", {"--config", dir + "/mcpreg.yaml", "--no-demo"});
  EXPECT_FALSE(server.started());
  EXPECT_NE(server.log().find("ui.login.issuer"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("loopback"), std::string::npos) << server.log();
}

TEST(WebLoginStartupTest, UnknownIssuerNameIsRefused) {
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/mcpreg.yaml") << "ui:\n  login:\n    issuer: nobody\n    client_id: web\n";
  testing::ServerProcess server(dir + "/r.db", {"--config", dir + "/mcpreg.yaml", "--no-demo"});
  EXPECT_FALSE(server.started());
  EXPECT_NE(server.log().find("no auth.issuers entry is named \"nobody\""), std::string::npos)
      << server.log();
}

}  // namespace
}  // namespace mcpreg
