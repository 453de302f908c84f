// Sign-in for people: OpenID Connect authorization code flow with PKCE (RFC 7636, S256)
// against one issuer of auth.issuers (config ui.login), and the server-side sessions it opens.
//
// TODO(login helper): full contract.
#pragma once

#include <optional>
#include <string>

#include "api/web/session_store.h"
#include "api/web/web_ui.h"
#include "mcpreg/clock.h"

namespace mcpreg::web {

class Login {
 public:
  Login(const WebDeps& deps, SessionStore& sessions);

 private:
  const WebDeps& deps_;
  SessionStore& sessions_;
};

}  // namespace mcpreg::web
