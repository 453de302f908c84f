// Sign-in for people: the OpenID Connect authorization code flow with PKCE (RFC 7636, S256)
// against one issuer of auth.issuers (config ui.login), as a public client, optionally with
// private_key_jwt client authentication (RFC 7523) when the provider demands it.
//
//   GET /ui/login?next=    Begin(): discovery, a pending sign-in {state, verifier, nonce, next}
//                          in the SessionStore, the provider's authorization URL.
//   GET /ui/callback       Complete(): the pending sign-in taken once by `state`, the code
//                          redeemed at the token endpoint, the id_token verified, a Principal.
//   (WebUi::StartLogin / Callback / Logout / CheckWrite in login.cc turn these into responses.)
//
// Provider: the discovery document <issuer>/.well-known/openid-configuration (auth/discovery.h:
// its `issuer` must equal the configured one) is cached for kDiscoverySeconds; a failed fetch is
// not cached here (the fetcher's negative cache bounds retries). Its token endpoint must be
// https (http only on loopback, auth::IsHttpsOrLoopbackHttp); one on a host other than the
// issuer's is called through the SSRF guard, like a foreign jwks_uri.
//
// id_token checks (auth/jwt.h VerifyJwt plus): signature with the issuer's keys (its
// configured source, one JwksCache) and algorithm allowlist; iss exact; aud contains
// client_id; azp, when present, equals client_id; exp/nbf/iat with auth.leeway_seconds;
// nonce equals the pending sign-in's nonce; sub present. Personal accounts are fine here.
//
// Principal: issuer = iss, issuer_name = the configured name, subject = sub, auth_method =
// the issuer's (auth::AuthMethodFor), permissions = the issuer's claim rules on the id_token
// claims + stored grants (AuthService::AddStoredGrants), claims = the id_token's claims.
//
// All outbound calls use WebDeps::fetcher (deadlines from config outbound.*); the router runs
// /ui/login and /ui/callback on its outbound pool, never on an I/O thread.
//
// Thread-safety: all methods may be called concurrently; no lock is held across a network call.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/web/session_store.h"
#include "api/web/web_ui.h"
#include "auth/discovery.h"
#include "auth/jwks.h"
#include "auth/keys.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg::config {
struct IssuerConfig;
}

namespace mcpreg::web {

inline constexpr int64_t kDiscoverySeconds = 3600;

// Start-up check of `options` against the trusted issuers. OK when sign-in is disabled
// (issuer_name ""). Errors: InvalidArgument when issuer_name names no auth.issuers entry, the
// issuer URL is not https (or http on loopback), client_id is empty, or private_key_file
// cannot be read or is not a usable private key (RSA >= 2048, EC P-256, Ed25519).
Status ValidateLoginOptions(const LoginOptions& options, const config::AuthConfig& auth);

// BASE64URL(SHA-256(verifier)): the PKCE S256 code challenge (RFC 7636 §4.2).
std::string PkceChallenge(std::string_view verifier);

// `next` when it is a same-origin path to return to after sign-in (one leading '/', not "//"
// or "/\", no control characters or spaces, at most 2048 bytes, not a sign-in route), else "/".
std::string SafeNext(std::string_view next);

class Login {
 public:
  // `deps` and `sessions` must outlive the Login. Sign-in is disabled (enabled() false) when
  // deps.login.issuer_name is "", names no issuer of *deps.auth_config, a dependency (fetcher,
  // clock, auth_config) is missing, or the client key does not load (ValidateLoginOptions
  // reports those at start-up).
  Login(const WebDeps& deps, SessionStore& sessions);

  bool enabled() const { return issuer_ != nullptr; }

  // The provider's discovery document (cached). Errors: Unavailable (see auth/discovery.h;
  // also when it lacks an https/loopback authorization_endpoint or token_endpoint).
  // REQUIRES: enabled().
  Result<auth::OidcDiscovery> Provider() const;

  // Records a pending sign-in returning to SafeNext(next) and returns the provider's
  // authorization URL for it. `redirect_uri` is <BaseUrl>/ui/callback.
  // Errors: Provider()'s. REQUIRES: enabled().
  Result<std::string> Begin(std::string_view redirect_uri, std::string_view next) const;

  // Redeems `code` for the sign-in `pending` (already taken from the store) and verifies the
  // id_token. Errors: Unauthenticated (the provider refused the code, or the id_token failed a
  // check: the message names which), Unavailable (provider, keys or store unreachable, or a
  // malformed token endpoint answer). REQUIRES: enabled().
  Result<auth::Principal> Complete(std::string_view code, const PendingLogin& pending,
                                   std::string_view redirect_uri) const;

  // Logs a sign-in failure that is not the person's doing (provider unreachable, bad
  // configuration) as a warning, at most once every 10 s so a flood cannot fill the log.
  void Warn(std::string_view what, const Status& s) const;

 private:
  // The client_assertion JWT for `token_endpoint` (RFC 7523 §2.2), signed with client_key_.
  Result<std::string> ClientAssertion(const std::string& token_endpoint) const;

  const WebDeps& deps_;
  SessionStore& sessions_;
  const config::IssuerConfig* issuer_ = nullptr;  // into *deps_.auth_config
  std::vector<auth::JwsAlg> algorithms_;
  std::unique_ptr<auth::JwksCache> keys_;
  std::optional<auth::Key> client_key_;

  mutable std::mutex mu_;  // guards the two below; never held across a fetch
  mutable std::optional<auth::OidcDiscovery> provider_;
  mutable Micros provider_at_ = 0;
  mutable std::atomic<Micros> warned_at_{0};
};

}  // namespace mcpreg::web
