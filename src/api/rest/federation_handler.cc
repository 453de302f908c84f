// Federation routes (issue 13), under {prefix}/x/dev.mcpreg/ (federation/snapshot.h has the
// formats):
//   GET jwks      the registry's public signing key as a JWK Set
//   GET snapshot  the public catalog as a DSSE envelope signed with that key (ETag /
//                 If-None-Match; signed once per catalog state)
#include "api/rest/handlers.h"
#include "api/rest/problem.h"
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

}  // namespace mcpreg::rest
