// Governance routes under {prefix}/x/dev.mcpreg/ (issue 5): server requests, the review queue,
// evidence and exports. Decode, call GovernanceService, encode; errors are problem+json with
// the status mapping of mcpreg/status.h (409 for concurrent request edits).
#include <boost/json.hpp>

#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "core/percent.h"
#include "service/exports.h"
#include "service/governance_service.h"
#include "service/json_body.h"

namespace mcpreg::rest {
namespace {

template <typename T, typename Render>
http::HttpResponse Reply(const Result<T>& r, Render render, int ok_status = 200) {
  if (!r.ok()) return ProblemResponse(r.status());
  return JsonResponse(render(*r), ok_status);
}

// Like Reply, for the quota-counted writes: a quota refusal is 429 with Retry-After.
template <typename T, typename Render>
http::HttpResponse QuotaReply(const service::GovernanceService& gov, const auth::Principal& who,
                              const Result<T>& r, Render render, int ok_status = 200) {
  if (!r.ok() && r.status().code() == Code::kResourceExhausted)
    return ProblemResponse(ApiError{r.status(), {}, gov.RetryAfterSeconds(who)});
  return Reply(r, render, ok_status);
}

// Reads one optional string member of a small JSON object body ("" when the body is empty).
Result<std::string> BodyField(std::string_view body, std::string_view key) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::string();
  auto doc = service::ParseJsonBody(body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::Unprocessable("expected a JSON object");
  for (const auto& kv : doc->get_object())
    if (kv.key() != key)
      return Status::Unprocessable(std::string(kv.key()) + ": unknown field (expected " +
                                   std::string(key) + ")");
  const auto* v = doc->get_object().if_contains(key);
  if (!v) return std::string();
  if (!v->is_string()) return Status::Unprocessable(std::string(key) + ": must be a string");
  return std::string(v->get_string());
}

// One page of requests: ?state=&limit=1..100 (default 30)&cursor=<name from nextCursor>.
http::HttpResponse ListRequests(const service::GovernanceService& gov, const auth::Principal& who,
                                std::string_view raw_query, std::optional<std::string> state) {
  auto q = QueryParams::Parse(raw_query);
  if (!q.ok()) return ProblemResponse(q.status());
  std::vector<ProblemError> errors;
  auto limit = q->Int("limit", service::kDefaultRequestPage, 1, service::kMaxRequestPage, &errors);
  if (!errors.empty())
    return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  if (!state) state = std::string(q->Get("state").value_or(""));
  auto cursor = q->Get("cursor").value_or("");
  return Reply(gov.ListPage(who, *state, cursor, static_cast<size_t>(*limit)),
               service::RequestPageJson);
}

}  // namespace

http::HttpResponse ReviewQueue(const service::GovernanceService& gov, const auth::Principal& who,
                               std::string_view raw_query) {
  return ListRequests(gov, who, raw_query, "pending");
}

http::HttpResponse ListServerRequests(const service::GovernanceService& gov,
                                      const auth::Principal& who, std::string_view raw_query) {
  return ListRequests(gov, who, raw_query, std::nullopt);
}

http::HttpResponse FileRequest(service::GovernanceService& gov, const auth::Principal& who,
                               std::string_view body) {
  return QuotaReply(gov, who, gov.File(who, body), service::RequestViewJson, 201);
}

http::HttpResponse GetRequest(const service::GovernanceService& gov, const auth::Principal& who,
                              const std::string& name) {
  return Reply(gov.Get(who, name), service::RequestViewJson);
}

http::HttpResponse UpdateRequest(service::GovernanceService& gov, const auth::Principal& who,
                                 const std::string& name, std::string_view body) {
  return QuotaReply(gov, who, gov.Update(who, name, body), service::RequestViewJson);
}

http::HttpResponse DecideRequest(service::GovernanceService& gov, const auth::Principal& who,
                                 const std::string& name, Decision decision,
                                 std::string_view body) {
  std::string_view key = decision == Decision::kApprove  ? "note"
                         : decision == Decision::kReject ? "reason"
                                                         : "message";
  auto text = BodyField(body, key);
  if (!text.ok()) return ProblemResponse(text.status());
  switch (decision) {
    case Decision::kApprove: return Reply(gov.Approve(who, name, *text), service::RequestViewJson);
    case Decision::kReject: return Reply(gov.Reject(who, name, *text), service::RequestViewJson);
    case Decision::kRetire: break;
  }
  return Reply(gov.Retire(who, name, *text), service::RequestViewJson);
}

http::HttpResponse PostEvidence(service::GovernanceService& gov, const auth::Principal& who,
                                const std::string& name, const std::string& version,
                                std::string_view body) {
  return QuotaReply(gov, who, gov.AddEvidence(who, name, version, body), service::EvidenceJson,
                    201);
}

http::HttpResponse GetEvidence(const service::GovernanceService& gov, const auth::Principal& who,
                               const std::string& name, const std::string& version) {
  return Reply(gov.ListEvidence(&who, name, version), service::EvidenceListJson);
}

std::optional<http::HttpResponse> ExportRoute(const service::GovernanceService& gov,
                                              const http::HttpRequest& req, std::string_view kind,
                                              const std::string& base_url) {
  service::ExportOptions opts;
  opts.registry_url = base_url;
  auto set = gov.ApprovedSet();
  if (kind == "readme") {
    http::HttpResponse r;
    r.status = 200;
    r.Set("Content-Type", "text/markdown; charset=utf-8");
    r.body = service::ExportReadme(set, opts);
    return r;
  }
  if (kind == "allowlist") return JsonResponse(service::ExportAllowlist(set));
  if (kind == "catalog") return JsonResponse(service::ExportCatalog(set, opts));
  (void)req;
  return std::nullopt;
}

}  // namespace mcpreg::rest
