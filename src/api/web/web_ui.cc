#include "api/web/web_ui.h"

#include "api/web/login.h"

namespace mcpreg::web {

WebUi::WebUi(WebDeps deps) : deps_(std::move(deps)) {
  sessions_ = std::make_unique<SessionStore>(deps_.login, *deps_.clock);
  login_ = std::make_unique<Login>(deps_, *sessions_);
}

WebUi::~WebUi() = default;

std::string WebUi::BaseUrl(const http::HttpRequest& req) const {
  if (!deps_.public_url.empty()) return deps_.public_url;
  return "http://" + (req.local_address.empty() ? std::string("localhost") : req.local_address);
}

}  // namespace mcpreg::web
