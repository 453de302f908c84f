#include "api/web/login.h"

#include <strings.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

#include "api/rest/problem.h"
#include "api/web/html.h"
#include "auth/encoding.h"
#include "auth/jwt.h"
#include "auth/oidc_exchange.h"
#include "config/config.h"
#include "core/log.h"
#include "core/sha256.h"
#include "service/auth_service.h"

namespace mcpreg::web {
namespace {

namespace bj = boost::json;

constexpr size_t kMaxTokenResponseBytes = 256 * 1024;
constexpr int64_t kClientAssertionSeconds = 300;

const config::IssuerConfig* FindIssuer(const config::AuthConfig* auth, std::string_view name) {
  if (!auth || name.empty()) return nullptr;
  for (const config::IssuerConfig& c : auth->issuers)
    if (c.name == name) return &c;
  return nullptr;
}

Result<auth::Key> LoadClientKey(const LoginOptions& o) {
  std::ifstream in(o.private_key_file, std::ios::binary);
  if (!in)
    return Status::InvalidArgument("cannot read ui.login.private_key_file " + o.private_key_file);
  std::ostringstream ss;
  ss << in.rdbuf();
  Result<auth::Key> key = auth::Key::FromPrivatePem(ss.str(), o.private_key_id);
  if (!key.ok())
    return Status::InvalidArgument("ui.login.private_key_file " + o.private_key_file + ": " +
                                   key.status().message());
  return key;
}

// One application/x-www-form-urlencoded pair, "&"-prefixed unless it is the first.
void AddField(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += '&';
  out += UrlComponent(key);
  out += '=';
  out += UrlComponent(value);
}

// "scheme://host[:port]" of an absolute http(s) URL, lower-cased, default port dropped (the
// form a browser sends in Origin); "" when `url` is not one.
std::string OriginOf(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || !u->has_authority() || u->encoded_host().empty()) return "";
  std::string scheme(u->scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return "";
  std::string out = scheme + "://";
  for (char c : u->encoded_host())
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u->has_port() && !u->port().empty()) {
    std::string_view port = u->port();
    if (!((scheme == "http" && port == "80") || (scheme == "https" && port == "443"))) {
      out += ':';
      out += port;
    }
  }
  return out;
}

// The value of the multipart/form-data field `name` ("" when absent), for forms that upload
// files; only a small plain-text field is looked for.
std::string MultipartField(std::string_view body, std::string_view content_type,
                           std::string_view name) {
  size_t at = content_type.find("boundary=");
  if (at == std::string_view::npos) return "";
  std::string_view boundary = content_type.substr(at + 9);
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  if (boundary.empty() || boundary.size() > 200) return "";
  const std::string delim = "--" + std::string(boundary);
  const std::string wanted = "name=\"" + std::string(name) + "\"";
  for (size_t part = body.find(delim); part != std::string_view::npos;) {
    size_t head = part + delim.size();
    if (body.substr(head, 2) == "--") break;  // the closing delimiter
    size_t head_end = body.find("\r\n\r\n", head);
    if (head_end == std::string_view::npos) break;
    size_t next = body.find("\r\n" + delim, head_end);
    if (next == std::string_view::npos) break;
    std::string_view headers = body.substr(head, head_end - head);
    bool match = false;
    for (size_t h = 0; h < headers.size();) {
      size_t eol = headers.find("\r\n", h);
      std::string_view line = headers.substr(h, eol == std::string_view::npos ? eol : eol - h);
      if (line.size() > 20 && strncasecmp(line.data(), "content-disposition:", 20) == 0) {
        // name="csrf" as a whole parameter (not filename="csrf").
        size_t p = line.find(wanted);
        match = p != std::string_view::npos && (line[p - 1] == ' ' || line[p - 1] == ';');
      }
      if (eol == std::string_view::npos) break;
      h = eol + 2;
    }
    if (match) return std::string(body.substr(head_end + 4, next - head_end - 4));
    part = next + 2;
  }
  return "";
}

http::HttpResponse ErrorPage(int status, std::string_view title, std::string_view message,
                             bool login_enabled) {
  Viewer viewer;
  viewer.login_enabled = login_enabled;
  std::string html = "<h1>" + Esc(title) + "</h1><p>" + Esc(message) + "</p><p>";
  if (login_enabled) html += "<a href=\"/ui/login\">Sign in again</a> · ";
  html += "<a href=\"/\">Back to the catalog</a></p>";
  return HtmlResponse(status, Layout(title, viewer, html), /*no_store=*/true);
}

}  // namespace

Status ValidateLoginOptions(const LoginOptions& o, const config::AuthConfig& auth) {
  if (o.issuer_name.empty()) return Status::OK();
  const config::IssuerConfig* issuer = FindIssuer(&auth, o.issuer_name);
  if (!issuer)
    return Status::InvalidArgument("ui.login.issuer: no auth.issuers entry is named \"" +
                                   o.issuer_name + "\"");
  if (!auth::IsHttpsOrLoopbackHttp(issuer->issuer))
    return Status::InvalidArgument("ui.login.issuer: issuer \"" + issuer->issuer +
                                   "\" must be https (http only on a loopback host)");
  if (o.client_id.empty()) return Status::InvalidArgument("ui.login.client_id must be set");
  if (!o.private_key_file.empty()) {
    Result<auth::Key> key = LoadClientKey(o);
    if (!key.ok()) return key.status();
  }
  return Status::OK();
}

std::string PkceChallenge(std::string_view verifier) {
  return auth::Base64UrlEncode(auth::HexDecode(Sha256Hex(verifier)).value_or(""));
}

std::string SafeNext(std::string_view next) {
  bool ok = !next.empty() && next.size() <= 2048 && next[0] == '/' &&
            !(next.size() >= 2 && (next[1] == '/' || next[1] == '\\'));
  for (unsigned char c : next)
    if (c <= 0x20 || c == 0x7f) ok = false;
  if (ok && (next.starts_with("/ui/login") || next.starts_with("/ui/callback") ||
             next.starts_with("/ui/logout")))
    ok = false;
  return ok ? std::string(next) : "/";
}

Login::Login(const WebDeps& deps, SessionStore& sessions) : deps_(deps), sessions_(sessions) {
  const config::IssuerConfig* issuer = FindIssuer(deps_.auth_config, deps_.login.issuer_name);
  if (!issuer || !deps_.fetcher || !deps_.clock || deps_.login.client_id.empty() ||
      !auth::IsHttpsOrLoopbackHttp(issuer->issuer))
    return;
  if (!deps_.login.private_key_file.empty()) {
    Result<auth::Key> key = LoadClientKey(deps_.login);
    if (!key.ok()) return;
    client_key_ = std::move(key).value();
  }
  algorithms_ = auth::AlgorithmsFor(*issuer);
  keys_ = auth::NewKeyCache(*issuer, deps_.fetcher, *deps_.clock);
  issuer_ = issuer;
}

Result<auth::OidcDiscovery> Login::Provider() const {
  const Micros now = deps_.clock->Now();
  {
    std::lock_guard lock(mu_);
    if (provider_ && now - provider_at_ < kDiscoverySeconds * 1000000) return *provider_;
  }
  Result<auth::OidcDiscovery> doc = auth::FetchDiscovery(*deps_.fetcher, issuer_->issuer);
  if (!doc.ok()) return doc.status();
  if (!auth::IsHttpsOrLoopbackHttp(doc->authorization_endpoint) ||
      !auth::IsHttpsOrLoopbackHttp(doc->token_endpoint))
    return Status::Unavailable(doc->url +
                               " lacks an https authorization_endpoint and token_endpoint");
  std::lock_guard lock(mu_);
  provider_ = *doc;
  provider_at_ = now;
  return doc;
}

Result<std::string> Login::Begin(std::string_view redirect_uri, std::string_view next) const {
  Result<auth::OidcDiscovery> provider = Provider();
  if (!provider.ok()) return provider.status();
  PendingLogin p;
  p.state = RandomToken();
  p.code_verifier = RandomToken();
  p.nonce = RandomToken();
  p.next = SafeNext(next);
  std::string query;
  AddField(query, "response_type", "code");
  AddField(query, "client_id", deps_.login.client_id);
  AddField(query, "redirect_uri", redirect_uri);
  AddField(query, "scope", "openid profile email");
  AddField(query, "state", p.state);
  AddField(query, "nonce", p.nonce);
  AddField(query, "code_challenge", PkceChallenge(p.code_verifier));
  AddField(query, "code_challenge_method", "S256");
  sessions_.PutPending(std::move(p));
  const std::string& endpoint = provider->authorization_endpoint;
  return endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + query;
}

Result<std::string> Login::ClientAssertion(const std::string& token_endpoint) const {
  const int64_t now = deps_.clock->Now() / 1000000;
  bj::object claims{{"iss", deps_.login.client_id},
                    {"sub", deps_.login.client_id},
                    {"aud", token_endpoint},
                    {"jti", RandomToken()},
                    {"iat", now},
                    {"exp", now + kClientAssertionSeconds}};
  return auth::SignJwt(*client_key_, client_key_->DefaultAlg(), bj::serialize(claims));
}

Result<auth::Principal> Login::Complete(std::string_view code, const PendingLogin& pending,
                                        std::string_view redirect_uri) const {
  Result<auth::OidcDiscovery> provider = Provider();
  if (!provider.ok()) return provider.status();
  const std::string& endpoint = provider->token_endpoint;

  std::string form;
  AddField(form, "grant_type", "authorization_code");
  AddField(form, "code", code);
  AddField(form, "redirect_uri", redirect_uri);
  AddField(form, "client_id", deps_.login.client_id);
  AddField(form, "code_verifier", pending.code_verifier);
  if (client_key_) {
    Result<std::string> assertion = ClientAssertion(endpoint);
    if (!assertion.ok())
      return Status::Internal("client assertion: " + assertion.status().message());
    AddField(form, "client_assertion_type",
             "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    AddField(form, "client_assertion", *assertion);
  }
  auth::FetchOptions opts;
  opts.max_body_bytes = kMaxTokenResponseBytes;
  // A token endpoint on the issuer's own host is as trusted as the issuer; any other is not.
  opts.untrusted_destination = auth::UrlAuthority(endpoint) != auth::UrlAuthority(issuer_->issuer);
  Result<auth::FetchResponse> r =
      deps_.fetcher->Post(endpoint, "application/x-www-form-urlencoded", form, opts);
  if (!r.ok())
    return Status::Unavailable("token endpoint " + endpoint + ": " + r.status().message());

  boost::system::error_code ec;
  bj::value v = bj::parse(r->body, ec);
  const bj::object* o = ec ? nullptr : v.if_object();
  if (r->status != 200) {
    // RFC 6749 §5.2: 400 {"error": "invalid_grant", ...} and friends.
    const bj::value* err = o ? o->if_contains("error") : nullptr;
    if (r->status >= 400 && r->status < 500 && err && err->is_string())
      return Status::Unauthenticated("the provider refused the sign-in (" +
                                     std::string(err->get_string()).substr(0, 100) + ")");
    return Status::Unavailable("token endpoint answered HTTP " + std::to_string(r->status));
  }
  const bj::value* id_token = o ? o->if_contains("id_token") : nullptr;
  if (!id_token || !id_token->is_string())
    return Status::Unavailable("token endpoint answer has no id_token");

  auth::JwtChecks checks;
  checks.issuer = issuer_->issuer;
  checks.audiences = {deps_.login.client_id};
  checks.algorithms = algorithms_;
  checks.leeway_seconds = deps_.auth_config->leeway_seconds;
  Result<auth::Jwt> jwt =
      auth::VerifyJwt(id_token->get_string(), checks, *keys_, deps_.clock->Now());
  if (!jwt.ok()) {
    if (jwt.status().code() == Code::kUnavailable) return jwt.status();
    return Status::Unauthenticated("id_token: " + jwt.status().message());
  }
  if (!TokensEqual(jwt->StringClaim("nonce"), pending.nonce))
    return Status::Unauthenticated("id_token: nonce does not match this sign-in");
  if (jwt->claims.contains("azp") && jwt->StringClaim("azp") != deps_.login.client_id)
    return Status::Unauthenticated("id_token: azp is not this registry's client_id");
  auth::Principal p;
  p.issuer = issuer_->issuer;
  p.issuer_name = issuer_->name;
  p.subject = jwt->StringClaim("sub");
  if (p.subject.empty()) return Status::Unauthenticated("id_token has no sub claim");
  p.auth_method = auth::AuthMethodFor(*issuer_);
  p.permissions = auth::GrantsFor(*issuer_, jwt->claims);
  p.rule_permissions = static_cast<int>(p.permissions.size());
  p.claims = std::move(jwt->claims);
  if (deps_.auth) {
    Status s = deps_.auth->AddStoredGrants(p);
    if (!s.ok()) return Status::Unavailable("reading grants: " + s.message());
  }
  return p;
}

void Login::Warn(std::string_view what, const Status& s) const {
  const Micros now = deps_.clock->Now();
  Micros last = warned_at_.load();
  if (now - last < 10 * 1000000 || !warned_at_.compare_exchange_strong(last, now)) return;
  log::Warn("web sign-in: " + std::string(what) + ": " + s.message());
}

// --- WebUi: sign-in routes --------------------------------------------------------------------

bool WebUi::login_enabled() const { return login_->enabled(); }

http::HttpResponse WebUi::StartLogin(const http::HttpRequest& req) const {
  if (!login_enabled()) return NotFoundPage(req, "sign-in (not configured)");
  // HEAD (link checkers, prefetchers) must not start a sign-in: no pending entry for it.
  if (req.method == "HEAD") {
    http::HttpResponse r;
    r.Set("Cache-Control", "no-store");
    return r;
  }
  std::string next = FormValue(req.query, "next").value_or("/");
  Result<std::string> url = login_->Begin(BaseUrl(req) + "/ui/callback", next);
  if (!url.ok()) {
    login_->Warn("discovery failed", url.status());
    return ErrorPage(503, "Sign-in unavailable",
                     "The sign-in provider cannot be reached right now. Try again in a minute.",
                     true);
  }
  http::HttpResponse r;
  r.status = 302;
  r.Set("Location", *url);
  r.Set("Cache-Control", "no-store");
  return r;
}

http::HttpResponse WebUi::Callback(const http::HttpRequest& req) const {
  if (!login_enabled()) return NotFoundPage(req, "sign-in (not configured)");
  std::optional<std::string> state = FormValue(req.query, "state");
  if (std::optional<std::string> error = FormValue(req.query, "error")) {
    if (state) sessions_->TakePending(*state);  // that sign-in is over
    std::string what = error->substr(0, 100);
    if (auto d = FormValue(req.query, "error_description")) what += ": " + d->substr(0, 300);
    return ErrorPage(401, "Sign-in not completed", "The sign-in provider answered " + what + ".",
                     true);
  }
  std::optional<std::string> code = FormValue(req.query, "code");
  std::optional<PendingLogin> pending =
      state && !state->empty() ? sessions_->TakePending(*state) : std::nullopt;
  if (!pending)
    return ErrorPage(400, "Sign-in expired",
                     "This sign-in is unknown, expired or already used. Please start again.", true);
  if (!code || code->empty())
    return ErrorPage(400, "Sign-in failed", "The sign-in provider sent no authorization code.",
                     true);
  Result<auth::Principal> who = login_->Complete(*code, *pending, BaseUrl(req) + "/ui/callback");
  if (!who.ok()) {
    if (who.status().code() == Code::kUnauthenticated)
      return ErrorPage(401, "Sign-in refused", who.status().message(), true);
    login_->Warn("completing a sign-in failed", who.status());
    return ErrorPage(503, "Sign-in unavailable",
                     "The sign-in could not be completed right now (" + who.status().message() +
                         "). Try again in a minute.",
                     true);
  }
  const bool secure = BaseUrl(req).starts_with("https://");
  // A fresh session id at every sign-in; a session the browser still had ends here.
  if (std::string old = SessionIdFrom(req, secure); !old.empty()) sessions_->Remove(old);
  WebSession s = sessions_->Create(std::move(who).value());
  http::HttpResponse r = SeeOther(pending->next);
  r.Set("Set-Cookie", SessionCookie(secure, s.id, deps_.login.session_ttl_seconds));
  return r;
}

http::HttpResponse WebUi::Logout(const http::HttpRequest& req) const {
  const bool secure = BaseUrl(req).starts_with("https://");
  if (std::optional<WebSession> s = SessionOf(req)) {
    // A cross-site page must not be able to sign a person out.
    if (auto refused = CheckWrite(req, *s)) return std::move(*refused);
    sessions_->Remove(s->id);
  }
  http::HttpResponse r = SeeOther("/");
  r.Set("Set-Cookie", SessionCookie(secure, "", 0));
  return r;
}

std::optional<WebSession> WebUi::SessionOf(const http::HttpRequest& req) const {
  return sessions_->Find(SessionIdFrom(req, BaseUrl(req).rfind("https://", 0) == 0));
}

std::optional<http::HttpResponse> WebUi::CheckWrite(const http::HttpRequest& req,
                                                    const WebSession& session) const {
  // (a) Same origin: Origin, or when a browser sent none, Referer.
  const std::string origin = OriginOf(BaseUrl(req));
  if (std::optional<std::string_view> o = req.Header("Origin")) {
    if (origin.empty() || OriginOf(*o) != origin)
      return rest::ProblemResponse(
          Status::PermissionDenied("cross-origin request refused (Origin is not this registry)"));
  } else if (std::optional<std::string_view> ref = req.Header("Referer")) {
    if (origin.empty() || !ref->starts_with(origin + "/"))
      return rest::ProblemResponse(
          Status::PermissionDenied("cross-origin request refused (Referer is not this registry)"));
  } else {
    return rest::ProblemResponse(
        Status::PermissionDenied("request refused: neither Origin nor Referer was sent"));
  }
  // (b) The session's CSRF token, from the header or the form.
  std::string token(req.Header("X-CSRF-Token").value_or(""));
  if (token.empty()) {
    std::string_view type = req.Header("Content-Type").value_or("");
    if (type.size() >= 33 && strncasecmp(type.data(), "application/x-www-form-urlencoded", 33) == 0)
      token = FormValue(req.body, "csrf").value_or("");
    else if (type.size() >= 19 && strncasecmp(type.data(), "multipart/form-data", 19) == 0)
      token = MultipartField(req.body, type, "csrf");
  }
  if (!TokensEqual(token, session.csrf))
    return rest::ProblemResponse(
        Status::PermissionDenied("missing or wrong CSRF token: reload the page and try again"));
  return std::nullopt;
}

}  // namespace mcpreg::web
