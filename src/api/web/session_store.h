// SessionStore: the browser interface's server-side sessions (and the sign-ins in flight).
//
// A session is created when a person's sign-in completes and is found by the opaque id in its
// cookie: 256 bits from the OS's CSPRNG, base64url. It ends when the person signs out (Remove,
// on the server: the cookie alone is worth nothing afterwards), after
// LoginOptions::session_idle_seconds without a request, or session_ttl_seconds after sign-in,
// whichever comes first. At most max_sessions live at once: creating one more drops the least
// recently used. Each session has its own CSRF token (256 bits, compared in constant time).
//
// Pending sign-ins (state → PKCE verifier, nonce, where to return) live kPendingLoginSeconds
// and at most max_pending_logins at once (oldest dropped); each is taken once.
//
// Sessions are per process: behind a load balancer with several replicas, route a browser to
// one replica (session affinity); README "Web interface" says so.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/web/web_ui.h"
#include "mcpreg/clock.h"

namespace mcpreg::web {

inline constexpr int64_t kPendingLoginSeconds = 600;

// The cookie that carries the session id. "__Host-" prefixed when served over https (the
// browser then insists on Secure, Path=/ and no Domain).
std::string SessionCookieName(bool secure);
// The Set-Cookie value for `id` (HttpOnly; SameSite=Lax; Path=/; Secure when `secure`;
// Max-Age = `max_age`, 0 = delete the cookie).
std::string SessionCookie(bool secure, std::string_view id, int64_t max_age);
// The session id in the request's Cookie header(s), "" when absent.
std::string SessionIdFrom(const http::HttpRequest& req, bool secure);

// 32 random bytes, base64url (43 characters). Errors never: aborts if the CSPRNG fails.
std::string RandomToken();
// Constant-time comparison of two tokens.
bool TokensEqual(std::string_view a, std::string_view b);

struct PendingLogin {
  std::string state;
  std::string code_verifier;
  std::string nonce;
  std::string next;  // a same-origin path to return to
  int64_t created_at = 0;
};

class SessionStore {
 public:
  // `options` and `clock` must outlive the store.
  SessionStore(const LoginOptions& options, const Clock& clock);

  // Opens a session for `who`; returns it (id and csrf filled in).
  WebSession Create(auth::Principal who);
  // The live session with this id (touching its idle timer), nullopt when unknown or expired.
  std::optional<WebSession> Find(std::string_view id);
  // Ends the session (no-op when unknown).
  void Remove(std::string_view id);
  size_t size() const;
  size_t pending_size() const;

  // Sign-ins in flight.
  void PutPending(PendingLogin p);
  // Removes and returns the pending sign-in with this state, nullopt when unknown or expired.
  std::optional<PendingLogin> TakePending(std::string_view state);

 private:
  int64_t NowSeconds() const;
  bool Expired(const WebSession& s, int64_t now) const;

  const LoginOptions& options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  // Most recently used first.
  std::list<WebSession> lru_;
  std::unordered_map<std::string, std::list<WebSession>::iterator> by_id_;
  std::list<PendingLogin> pending_;  // oldest first
  std::unordered_map<std::string, std::list<PendingLogin>::iterator> pending_by_state_;
};

}  // namespace mcpreg::web
