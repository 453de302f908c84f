#include "api/rest/problem.h"

#include "core/json_out.h"

namespace mcpreg::rest {

http::HttpResponse ProblemResponse(const ApiError& e) {
  int status = HttpStatusFor(e.status.code());
  std::string body;
  json::JsonOut w(body);
  w.BeginObject().Key("title").String(HttpReason(status)).Key("status").Int(status);
  w.StringIf("detail", e.status.message());
  if (!e.errors.empty()) {
    w.Key("errors").BeginArray();
    for (const auto& pe : e.errors) {
      w.BeginObject().StringIf("message", pe.message).StringIf("location", pe.location);
      if (pe.value) w.Key("value").Value(*pe.value);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  body += '\n';
  http::HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/problem+json");
  if (e.retry_after_seconds > 0) r.Set("Retry-After", std::to_string(e.retry_after_seconds));
  r.body = std::move(body);
  return r;
}

http::HttpResponse JsonResponse(std::string body, int status) {
  http::HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json");
  if (body.empty() || body.back() != '\n') body += '\n';
  r.body = std::move(body);
  return r;
}

}  // namespace mcpreg::rest
