#include "api/web/login.h"

#include "api/rest/problem.h"
#include "api/web/html.h"

namespace mcpreg::web {

SessionStore::SessionStore(const LoginOptions& options, const Clock& clock)
    : options_(options), clock_(clock) {}

std::optional<WebSession> SessionStore::Find(std::string_view) const { return std::nullopt; }

Login::Login(const WebDeps& deps, SessionStore& sessions) : deps_(deps), sessions_(sessions) {}

bool WebUi::login_enabled() const { return false; }

http::HttpResponse WebUi::StartLogin(const http::HttpRequest& req) const {
  return NotFoundPage(req, "sign-in");
}
http::HttpResponse WebUi::Callback(const http::HttpRequest& req) const {
  return NotFoundPage(req, "sign-in");
}
http::HttpResponse WebUi::Logout(const http::HttpRequest&) const { return SeeOther("/"); }
std::optional<WebSession> WebUi::SessionOf(const http::HttpRequest&) const { return std::nullopt; }
std::optional<http::HttpResponse> WebUi::CheckWrite(const http::HttpRequest&,
                                                    const WebSession&) const {
  return rest::ProblemResponse(Status::PermissionDenied("CSRF check failed"));
}

}  // namespace mcpreg::web
