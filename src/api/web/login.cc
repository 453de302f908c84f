#include "api/web/login.h"

#include "api/rest/problem.h"
#include "api/web/html.h"

namespace mcpreg::web {

Login::Login(const WebDeps& deps, SessionStore& sessions) : deps_(deps), sessions_(sessions) {}

bool WebUi::login_enabled() const { return false; }

http::HttpResponse WebUi::StartLogin(const http::HttpRequest& req) const {
  return NotFoundPage(req, "sign-in");
}
http::HttpResponse WebUi::Callback(const http::HttpRequest& req) const {
  return NotFoundPage(req, "sign-in");
}
http::HttpResponse WebUi::Logout(const http::HttpRequest&) const { return SeeOther("/"); }
std::optional<WebSession> WebUi::SessionOf(const http::HttpRequest& req) const {
  return sessions_->Find(SessionIdFrom(req, BaseUrl(req).rfind("https://", 0) == 0));
}
std::optional<http::HttpResponse> WebUi::CheckWrite(const http::HttpRequest&,
                                                    const WebSession&) const {
  return rest::ProblemResponse(Status::PermissionDenied("CSRF check failed"));
}

}  // namespace mcpreg::web
