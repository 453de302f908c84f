#include "api/web/html.h"
#include "api/web/web_ui.h"

namespace mcpreg::web {

// TODO(console helper): the console pages.
#define MCPREG_WEB_STUB(sig) \
  http::HttpResponse WebUi::sig const { return NotFoundPage(req, "console"); }
MCPREG_WEB_STUB(MyRequests(const http::HttpRequest& req, const WebSession&))
MCPREG_WEB_STUB(NewRequestForm(const http::HttpRequest& req, const WebSession&))
MCPREG_WEB_STUB(FileRequest(const http::HttpRequest& req, const WebSession&))
MCPREG_WEB_STUB(RequestPage(const http::HttpRequest& req, const WebSession&, std::string_view))
MCPREG_WEB_STUB(UpdateRequest(const http::HttpRequest& req, const WebSession&, std::string_view))
MCPREG_WEB_STUB(Decide(const http::HttpRequest& req, const WebSession&, std::string_view, Decision))
MCPREG_WEB_STUB(AddEvidence(const http::HttpRequest& req, const WebSession&, std::string_view,
                            std::string_view))
MCPREG_WEB_STUB(ReviewQueue(const http::HttpRequest& req, const WebSession&))
MCPREG_WEB_STUB(History(const http::HttpRequest& req, const WebSession&, std::string_view))

}  // namespace mcpreg::web
