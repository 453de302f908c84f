#include "api/web/viewer.h"

#include "auth/permissions.h"

namespace mcpreg::web {

Viewer ViewerFor(const WebUi& ui, const WebSession& session) {
  Viewer v;
  v.login_enabled = ui.login_enabled();
  v.signed_in = true;
  const auth::Principal& who = session.who;
  if (const auto* name = who.claims.if_contains("name");
      name && name->is_string() && !name->get_string().empty()) {
    v.display_name = std::string(name->get_string());
  } else {
    v.display_name = who.subject;
  }
  v.reviewer = !auth::PatternsFor(who.permissions, auth::kActionReview).empty();
  v.csrf = session.csrf;
  return v;
}

Viewer ViewerFor(const WebUi& ui, const http::HttpRequest& req) {
  if (auto session = ui.SessionOf(req)) return ViewerFor(ui, *session);
  Viewer v;
  v.login_enabled = ui.login_enabled();
  return v;
}

}  // namespace mcpreg::web
