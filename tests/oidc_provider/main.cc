// mcpreg_test_oidc: a tiny OpenID provider for tests (sign-in to the web interface). Not for
// production: no UI, no consent, no client authentication, everything in memory.
//
//   mcpreg_test_oidc [--port N] [--client-id ID] [--ttl SECONDS]
//                    [--user SUB [--claims JSON]]...
//
//   --port N        listen on 127.0.0.1:N (default 0: any free port)
//   --client-id ID  accept only this client_id (default: any)
//   --ttl SECONDS   id_token lifetime (default 300)
//   --user SUB      a user; the first one is the default. May be repeated.
//   --claims JSON   extra id_token claims of the user named just before, a JSON object, e.g.
//                   --user alice --claims '{"groups":["reviewers"],"name":"Alice"}'.
//                   They override the standard ones, so {"aud":"someone-else"} makes a user
//                   whose id_tokens have the wrong audience (for tests of the relying party).
//   Without --user there is one user, "alice".
//
// Once listening it prints exactly one line on stdout and flushes it:
//   listening on http://127.0.0.1:PORT
// The issuer is that URL. It runs until SIGINT or SIGTERM. Endpoints:
//   GET  /.well-known/openid-configuration   discovery (issuer, endpoints, jwks_uri)
//   GET  /jwks                               the signing key (EC P-256, ES256, fresh per run)
//   GET  /authorize?response_type=code&client_id&redirect_uri&state&nonce&code_challenge
//        &code_challenge_method=S256[&login_hint=SUB]
//        302 back to redirect_uri with code and state for the user `login_hint` (default: the
//        first user); an unknown login_hint gets error=access_denied. Bad requests: 400 text.
//   POST /token  (form: grant_type=authorization_code, code, redirect_uri, client_id,
//        code_verifier; a client_assertion is accepted and not verified)
//        200 {"id_token","access_token","token_type":"Bearer","expires_in"}; the code is
//        single-use and lives 60 s; a wrong redirect_uri, client_id or code_verifier (checked
//        against the S256 challenge) is 400 {"error":"invalid_grant"}.
// id_token (ES256, kid "test-oidc-1"): iss, sub, aud = client_id, nonce (when sent), iat, exp,
// auth_time, plus the user's claims.
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/web/html.h"
#include "auth/encoding.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "transport/http_server.h"

namespace {

namespace bj = boost::json;
using mcpreg::http::HttpRequest;
using mcpreg::http::HttpResponse;
using mcpreg::web::FormValue;

struct User {
  std::string sub;
  bj::object claims;
};

struct Grant {
  std::string client_id, redirect_uri, challenge, nonce, sub;
  int64_t expires = 0;
};

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomId() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();
  return mcpreg::auth::Base64UrlEncode(
      std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

// S256 computed here, independently of the registry's code under test.
std::string S256(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return mcpreg::auth::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(digest), 32));
}

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body) + "\n";
  return r;
}

HttpResponse Json(int status, const bj::value& v) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json");
  r.Set("Cache-Control", "no-store");
  r.body = bj::serialize(v);
  return r;
}

HttpResponse Redirect(const std::string& to) {
  HttpResponse r;
  r.status = 302;
  r.Set("Location", to);
  return r;
}

class Provider {
 public:
  Provider(std::vector<User> users, std::string client_id, int64_t ttl)
      : users_(std::move(users)), client_id_(std::move(client_id)), ttl_(ttl) {
    key_ = *mcpreg::auth::Key::Generate(mcpreg::auth::KeyType::kEcP256, "test-oidc-1");
  }
  void set_issuer(std::string issuer) {
    std::lock_guard lock(mu_);
    issuer_ = std::move(issuer);
  }

  HttpResponse Handle(const HttpRequest& req) {
    std::string issuer;
    {
      std::lock_guard lock(mu_);
      issuer = issuer_;
    }
    if (req.method == "GET" && req.path == "/.well-known/openid-configuration") {
      return Json(200, bj::object{{"issuer", issuer},
                                  {"authorization_endpoint", issuer + "/authorize"},
                                  {"token_endpoint", issuer + "/token"},
                                  {"jwks_uri", issuer + "/jwks"},
                                  {"response_types_supported", bj::array{"code"}},
                                  {"subject_types_supported", bj::array{"public"}},
                                  {"id_token_signing_alg_values_supported", bj::array{"ES256"}},
                                  {"code_challenge_methods_supported", bj::array{"S256"}},
                                  {"token_endpoint_auth_methods_supported",
                                   bj::array{"none", "private_key_jwt"}}});
    }
    if (req.method == "GET" && req.path == "/jwks") {
      mcpreg::auth::JwkSet set;
      set.Add(key_);
      HttpResponse r;
      r.Set("Content-Type", "application/json");
      r.body = set.ToJson();
      return r;
    }
    if (req.method == "GET" && req.path == "/authorize") return Authorize(req);
    if (req.method == "POST" && req.path == "/token") return Token(req, issuer);
    return Text(404, "not found");
  }

 private:
  HttpResponse Authorize(const HttpRequest& req) {
    auto q = [&](std::string_view k) { return FormValue(req.query, k).value_or(""); };
    std::string redirect_uri = q("redirect_uri"), state = q("state");
    if (q("response_type") != "code") return Text(400, "response_type must be code");
    if (q("client_id").empty() || (!client_id_.empty() && q("client_id") != client_id_))
      return Text(400, "unknown client_id");
    if (redirect_uri.rfind("http://", 0) != 0 && redirect_uri.rfind("https://", 0) != 0)
      return Text(400, "redirect_uri must be an http(s) URL");
    if (q("code_challenge").empty() || q("code_challenge_method") != "S256")
      return Text(400, "PKCE with code_challenge_method=S256 is required");
    const char sep = redirect_uri.find('?') == std::string::npos ? '?' : '&';
    std::string hint = q("login_hint");
    const User* user = hint.empty() ? &users_.front() : nullptr;
    for (const User& u : users_)
      if (!hint.empty() && u.sub == hint) user = &u;
    if (!user) {
      return Redirect(redirect_uri + sep + "error=access_denied&error_description=" +
                      mcpreg::web::UrlComponent("no such user") +
                      "&state=" + mcpreg::web::UrlComponent(state));
    }
    std::string code = RandomId();
    {
      std::lock_guard lock(mu_);
      const int64_t now = Now();
      std::erase_if(grants_, [now](const auto& g) { return g.second.expires <= now; });
      if (grants_.size() > 10000) grants_.clear();
      grants_[code] =
          Grant{q("client_id"), redirect_uri, q("code_challenge"), q("nonce"), user->sub, now + 60};
    }
    return Redirect(redirect_uri + sep + "code=" + code +
                    "&state=" + mcpreg::web::UrlComponent(state));
  }

  HttpResponse Token(const HttpRequest& req, const std::string& issuer) {
    auto f = [&](std::string_view k) { return FormValue(req.body, k).value_or(""); };
    auto refuse = [](std::string error, std::string why) {
      std::cerr << "token refused: " << why << std::endl;
      return Json(400, bj::object{{"error", error}, {"error_description", why}});
    };
    if (f("grant_type") != "authorization_code")
      return refuse("unsupported_grant_type", "grant_type must be authorization_code");
    Grant g;
    {
      std::lock_guard lock(mu_);
      auto it = grants_.find(f("code"));
      if (it == grants_.end() || it->second.expires <= Now())
        return refuse("invalid_grant", "unknown, expired or used code");
      g = std::move(it->second);
      grants_.erase(it);  // single use, whatever happens next
    }
    if (f("redirect_uri") != g.redirect_uri) return refuse("invalid_grant", "redirect_uri differs");
    if (f("client_id") != g.client_id) return refuse("invalid_grant", "client_id differs");
    if (f("code_verifier").empty() || S256(f("code_verifier")) != g.challenge)
      return refuse("invalid_grant", "code_verifier does not match the code_challenge");
    const User* user = nullptr;
    for (const User& u : users_)
      if (u.sub == g.sub) user = &u;
    const int64_t now = Now();
    bj::object claims{{"iss", issuer}, {"sub", g.sub},      {"aud", g.client_id},
                      {"iat", now},    {"exp", now + ttl_}, {"auth_time", now}};
    if (!g.nonce.empty()) claims["nonce"] = g.nonce;
    for (const auto& [k, v] : user->claims) claims[k] = v;
    auto jwt = mcpreg::auth::SignJwt(key_, mcpreg::auth::JwsAlg::kES256, bj::serialize(claims));
    if (!jwt.ok()) return Text(500, jwt.status().message());
    std::cerr << "token issued for " << g.sub
              << (f("client_assertion").empty() ? "" : " (with a client_assertion)") << std::endl;
    return Json(200, bj::object{{"id_token", *jwt},
                                {"access_token", RandomId()},
                                {"token_type", "Bearer"},
                                {"expires_in", ttl_}});
  }

  const std::vector<User> users_;
  const std::string client_id_;
  const int64_t ttl_;
  mcpreg::auth::Key key_;
  std::mutex mu_;
  std::string issuer_;
  std::map<std::string, Grant> grants_;
};

int Usage(const std::string& why) {
  std::cerr << "mcpreg_test_oidc: " << why
            << "\nusage: mcpreg_test_oidc [--port N] [--client-id ID] [--ttl SECONDS] "
               "[--user SUB [--claims JSON]]...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int64_t ttl = 300;
  std::string client_id;
  std::vector<User> users;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return Usage("missing value after " + a);
    std::string v = argv[++i];
    if (a == "--port") {
      port = std::atoi(v.c_str());
    } else if (a == "--client-id") {
      client_id = v;
    } else if (a == "--ttl") {
      ttl = std::atoll(v.c_str());
    } else if (a == "--user") {
      users.push_back(User{v, {}});
    } else if (a == "--claims") {
      if (users.empty()) return Usage("--claims must follow a --user");
      boost::system::error_code ec;
      bj::value c = bj::parse(v, ec);
      if (ec || !c.is_object()) return Usage("--claims needs a JSON object");
      users.back().claims = c.as_object();
    } else {
      return Usage("unknown option " + a);
    }
  }
  if (users.empty()) users.push_back(User{"alice", {}});

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  Provider provider(std::move(users), client_id, ttl);
  mcpreg::http::ServerOptions so;
  so.host = "127.0.0.1";
  so.port = static_cast<uint16_t>(port);
  so.threads = 2;
  mcpreg::http::HttpServer server(
      so, [&provider](HttpRequest&& req, std::shared_ptr<mcpreg::http::Responder> r) {
        r->Send(provider.Handle(req));
      });
  provider.set_issuer("http://127.0.0.1:" + std::to_string(port));
  if (auto st = server.Start(); !st.ok()) {
    std::cerr << "mcpreg_test_oidc: " << st.message() << std::endl;
    return 3;
  }
  provider.set_issuer("http://127.0.0.1:" + std::to_string(server.port()));
  std::cout << "listening on http://127.0.0.1:" << server.port() << std::endl;
  int sig = 0;
  sigwait(&sigs, &sig);
  server.Stop(std::chrono::milliseconds(1000));
  return 0;
}
