#include "api/web/session_store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <strings.h>

#include <algorithm>
#include <cstdlib>

#include "auth/encoding.h"

namespace mcpreg::web {

std::string SessionCookieName(bool secure) {
  return secure ? "__Host-mcpreg_session" : "mcpreg_session";
}

std::string SessionCookie(bool secure, std::string_view id, int64_t max_age) {
  std::string c = SessionCookieName(secure) + "=" + std::string(id) +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (secure) c += "; Secure";
  return c;
}

std::string SessionIdFrom(const http::HttpRequest& req, bool secure) {
  const std::string name = SessionCookieName(secure);
  for (const auto& [k, v] : req.headers) {
    if (k.size() != 6 || strncasecmp(k.c_str(), "cookie", 6) != 0) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view value = pair.substr(eq + 1);
      // Our ids are 43 base64url characters; anything else is not ours.
      if (value.size() != 43 ||
          value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_") != std::string_view::npos)
        continue;
      return std::string(value);
    }
  }
  return "";
}

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();
  return auth::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

bool TokensEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionStore::SessionStore(const LoginOptions& options, const Clock& clock)
    : options_(options), clock_(clock) {}

int64_t SessionStore::NowSeconds() const {
  return clock_.Now() / 1'000'000;
}

bool SessionStore::Expired(const WebSession& s, int64_t now) const {
  return now - s.created_at >= options_.session_ttl_seconds ||
         now - s.last_seen >= options_.session_idle_seconds;
}

WebSession SessionStore::Create(auth::Principal who) {
  WebSession s;
  s.id = RandomToken();
  s.csrf = RandomToken();
  s.who = std::move(who);
  s.created_at = s.last_seen = NowSeconds();
  std::lock_guard lock(mu_);
  while (!lru_.empty() && lru_.size() >= std::max<size_t>(options_.max_sessions, 1)) {
    by_id_.erase(lru_.back().id);
    lru_.pop_back();
  }
  lru_.push_front(s);
  by_id_[s.id] = lru_.begin();
  return s;
}

std::optional<WebSession> SessionStore::Find(std::string_view id) {
  if (id.empty()) return std::nullopt;
  int64_t now = NowSeconds();
  std::lock_guard lock(mu_);
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return std::nullopt;
  if (Expired(*it->second, now)) {
    lru_.erase(it->second);
    by_id_.erase(it);
    return std::nullopt;
  }
  it->second->last_seen = now;
  lru_.splice(lru_.begin(), lru_, it->second);
  return *it->second;
}

void SessionStore::Remove(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return;
  lru_.erase(it->second);
  by_id_.erase(it);
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

size_t SessionStore::pending_size() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

void SessionStore::PutPending(PendingLogin p) {
  p.created_at = NowSeconds();
  std::lock_guard lock(mu_);
  while (!pending_.empty() &&
         (pending_.size() >= std::max<size_t>(options_.max_pending_logins, 1) ||
          p.created_at - pending_.front().created_at >= kPendingLoginSeconds)) {
    pending_by_state_.erase(pending_.front().state);
    pending_.pop_front();
  }
  pending_.push_back(std::move(p));
  pending_by_state_[pending_.back().state] = std::prev(pending_.end());
}

std::optional<PendingLogin> SessionStore::TakePending(std::string_view state) {
  int64_t now = NowSeconds();
  std::lock_guard lock(mu_);
  auto it = pending_by_state_.find(std::string(state));
  if (it == pending_by_state_.end()) return std::nullopt;
  PendingLogin p = std::move(*it->second);
  pending_.erase(it->second);
  pending_by_state_.erase(it);
  if (now - p.created_at >= kPendingLoginSeconds) return std::nullopt;
  return p;
}

}  // namespace mcpreg::web
