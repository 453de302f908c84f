// The viewer of a page: who is signed in (if anyone), for the layout's header and nav.
//
// Thread-safe pure function of the request and the WebUi's session table.
#pragma once

#include "api/web/html.h"
#include "api/web/web_ui.h"

namespace mcpreg::web {

// The Viewer for `req`, from ui.SessionOf(req) (memory only, no I/O) and ui.login_enabled():
//   signed_in      a live session cookie came with the request
//   display_name   the id_token's "name" claim when it is a non-empty string, else the subject
//   reviewer       the session's principal holds "review" on some resource pattern (as of
//                  sign-in; the console re-checks live grants before acting)
//   csrf           the session's CSRF token (for the Sign out form)
// Without a session: only login_enabled is set.
Viewer ViewerFor(const WebUi& ui, const http::HttpRequest& req);

// The same for a session already in hand (console pages).
Viewer ViewerFor(const WebUi& ui, const WebSession& session);

}  // namespace mcpreg::web
