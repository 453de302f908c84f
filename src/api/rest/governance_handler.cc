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

std::optional<http::HttpResponse> GovernanceRoute(service::GovernanceService& gov,
                                                  const auth::Principal& who,
                                                  const http::HttpRequest& req,
                                                  const std::vector<std::string_view>& s) {
  const std::string& m = req.method;
  const size_t n = s.size();
  auto decode = [](std::string_view seg) { return PathUnescapeTwice(seg); };
  if (s[0] == "review" && n == 1 && m == "GET")
    return ListRequests(gov, who, req.query, "pending");
  if (s[0] == "requests") {
    if (n == 1 && m == "POST")
      return QuotaReply(gov, who, gov.File(who, req.body), service::RequestViewJson, 201);
    if (n == 1 && m == "GET") return ListRequests(gov, who, req.query, std::nullopt);
    if (n < 2 || n > 3) return std::nullopt;
    auto name = decode(s[1]);
    if (!name) return ProblemResponse(Status::InvalidArgument("Invalid server name encoding"));
    if (n == 2 && m == "GET") return Reply(gov.Get(who, *name), service::RequestViewJson);
    if (n == 2 && m == "PUT")
      return QuotaReply(gov, who, gov.Update(who, *name, req.body), service::RequestViewJson);
    if (n == 3 && m == "POST") {
      std::string_view verb = s[2];
      std::string_view key = verb == "approve" ? "note" : verb == "reject" ? "reason" : "message";
      if (verb != "approve" && verb != "reject" && verb != "retire") return std::nullopt;
      auto text = BodyField(req.body, key);
      if (!text.ok()) return ProblemResponse(text.status());
      if (verb == "approve") return Reply(gov.Approve(who, *name, *text), service::RequestViewJson);
      if (verb == "reject") return Reply(gov.Reject(who, *name, *text), service::RequestViewJson);
      return Reply(gov.Retire(who, *name, *text), service::RequestViewJson);
    }
    return std::nullopt;
  }
  // servers/{name}/versions/{version}/evidence
  if (s[0] == "servers" && n == 5 && s[2] == "versions" && s[4] == "evidence") {
    auto name = decode(s[1]);
    auto version = decode(s[3]);
    if (!name || !version) return ProblemResponse(Status::InvalidArgument("Invalid path encoding"));
    if (m == "POST")
      return QuotaReply(gov, who, gov.AddEvidence(who, *name, *version, req.body),
                        service::EvidenceJson, 201);
    if (m == "GET") return Reply(gov.ListEvidence(&who, *name, *version), service::EvidenceListJson);
  }
  return std::nullopt;
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
