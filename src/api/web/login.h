// Sign-in for people: OpenID Connect authorization code flow with PKCE (RFC 7636, S256)
// against one issuer of auth.issuers (config ui.login), and the server-side sessions it opens.
//
// TODO(login helper): full contract.
#pragma once

#include <optional>
#include <string>

#include "api/web/web_ui.h"
#include "mcpreg/clock.h"

namespace mcpreg::web {

// Server-side sessions, bounded (LoginOptions::max_sessions) and expiring.
class SessionStore {
 public:
  SessionStore(const LoginOptions& options, const Clock& clock);
  std::optional<WebSession> Find(std::string_view id) const;

 private:
  const LoginOptions& options_;
  const Clock& clock_;
};

class Login {
 public:
  Login(const WebDeps& deps, SessionStore& sessions);

 private:
  const WebDeps& deps_;
  SessionStore& sessions_;
};

}  // namespace mcpreg::web
