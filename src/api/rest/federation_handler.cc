// Federation routes (issue 13), under {prefix}/x/dev.mcpreg/ (federation/snapshot.h has the
// formats):
//   GET jwks      the registry's public signing key as a JWK Set
//   GET snapshot  the public catalog as a DSSE envelope signed with that key (ETag /
//                 If-None-Match; signed once per catalog state)
//   GET changes   the change feed, paged by token, optionally long-polled (federation/changes.h)
#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "federation/changes.h"
#include "federation/snapshot.h"

namespace mcpreg::rest {

http::HttpResponse Jwks(const federation::SnapshotPublisher& snapshots) {
  http::HttpResponse r = JsonResponse(snapshots.signer().JwksJson());
  r.Set("Cache-Control", "public, max-age=300");
  return r;
}

http::HttpResponse Snapshot(federation::SnapshotPublisher& snapshots,
                            const http::HttpRequest& req) {
  auto current = snapshots.Current();
  if (!current.ok()) return ProblemResponse(current.status());
  const auto& s = *current;
  http::HttpResponse r;
  r.Set("Content-Type", "application/json");
  r.Set("ETag", s->etag);
  r.Set("Cache-Control", "no-cache");
  if (auto inm = req.Header("If-None-Match"); inm && *inm == s->etag) {
    r.status = 304;
    return r;
  }
  r.shared_body = std::shared_ptr<const std::string>(s, &s->envelope);
  return r;
}

// Query errors are 422 with one entry per bad parameter, like /v0.1/servers; a malformed
// %-escape is 400. Unknown parameters are ignored (as upstream does).
void Changes(federation::ChangeFeed& feed, const http::HttpRequest& req,
             std::shared_ptr<http::Responder> out) {
  auto q = QueryParams::Parse(req.query);
  if (!q.ok()) return out->Send(ProblemResponse(q.status()));
  std::vector<ProblemError> errors;
  auto limit = q->Int("limit", federation::kDefaultChangesLimit, 1, federation::kMaxChangesLimit,
                      &errors);
  auto wait = q->Int("wait", 0, 0, federation::kMaxWaitSeconds, &errors);
  int64_t since = 0;
  if (auto token = q->Get("since")) {
    auto seq = federation::DecodeChangeToken(*token);
    if (seq) since = *seq;
    else errors.push_back({"invalid change token (use metadata.next of a previous page)",
                           "query.since", boost::json::value(std::string(token->substr(0, 64)))});
  }
  if (!errors.empty())
    return out->Send(ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors}));
  auto render = [](const Result<federation::ChangePage>& page) {
    if (!page.ok()) return ProblemResponse(page.status());
    http::HttpResponse r = JsonResponse(federation::ChangePageJson(*page));
    r.Set("Cache-Control", "no-store");
    return r;
  };
  auto page = feed.Read(since, size_t(*limit));
  if (!page.ok() || !page->changes.empty() || *wait == 0) return out->Send(render(page));
  Status waiting = feed.Wait(page->next, size_t(*limit), std::chrono::seconds(*wait),
                             [out, render](Result<federation::ChangePage> r) { out->Send(render(r)); });
  if (!waiting.ok()) {
    http::HttpResponse busy = ProblemResponse(Status::Unavailable(waiting.message()));
    busy.Set("Retry-After", "1");
    out->Send(std::move(busy));
  }
}

}  // namespace mcpreg::rest
