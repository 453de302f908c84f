#include "api/rest/problem.h"

#include <atomic>
#include <chrono>

#include "core/log.h"

#include "core/json_out.h"

namespace mcpreg::rest {

namespace {

constexpr std::string_view kDatabaseUnavailable = "database unavailable";

// The detail a client sees. A database outage is reported as just "database unavailable": the
// store's message names the database host, port and role, which are for the operator's log
// (at most one line per 5 s, so an outage under load does not flood it).
std::string ClientDetail(const Status& s) {
  if (s.code() != Code::kUnavailable || s.message().rfind(kDatabaseUnavailable, 0) != 0)
    return s.message();
  static std::atomic<int64_t> last_logged{0};
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t prev = last_logged.load(std::memory_order_relaxed);
  if (now - prev >= 5 && last_logged.compare_exchange_strong(prev, now))
    log::Warn("answering 503: " + s.message());
  return std::string(kDatabaseUnavailable);
}

}  // namespace

http::HttpResponse ProblemResponse(const ApiError& e) {
  int status = HttpStatusFor(e.status.code());
  std::string body;
  json::JsonOut w(body);
  w.BeginObject().Key("title").String(HttpReason(status)).Key("status").Int(status);
  w.StringIf("detail", ClientDetail(e.status));
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
