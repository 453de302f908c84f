// GET /servers, /servers/{name}/versions, /servers/{name}/versions/{version}.
#include <string>

#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "api/rest/response_cache.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "service/registry_service.h"

namespace mcpreg::rest {
namespace {

void AppendItems(std::string& body, const std::vector<catalog::EntryPtr>& items) {
  body += "{\"servers\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += items[i]->response_json;
  }
  body += "],\"metadata\":{";
}

std::optional<bool> IncludeDeleted(const QueryParams& q, std::vector<ProblemError>* errors) {
  return q.Bool("include_deleted", errors);
}

}  // namespace

http::HttpResponse ListServers(const service::RegistryService& svc, const QueryParams& q,
                               std::string_view raw_query, ResponseCache* cache) {
  // Read the generation before rendering: a body is never tagged newer than its data.
  const int64_t generation = svc.catalog().generation();
  if (cache)
    if (auto hit = cache->Get(raw_query, generation)) {
      http::HttpResponse r;
      r.Set("Content-Type", "application/json");
      r.shared_body = std::move(hit);
      return r;
    }
  std::vector<ProblemError> errors;
  catalog::ListQuery lq;
  auto limit = q.Int("limit", 30, 1, 100, &errors);
  auto include_deleted = IncludeDeleted(q, &errors);
  auto transport = q.Enum("transport", {"remote", "local"}, &errors);
  if (!errors.empty()) return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  lq.limit = static_cast<size_t>(*limit);
  lq.include_deleted = include_deleted.value_or(false);
  if (transport) lq.transport = *transport == "remote" ? catalog::TransportFilter::kRemote
                                                       : catalog::TransportFilter::kLocal;
  if (auto rt = q.Get("registry_type")) lq.registry_type = std::string(*rt);
  if (auto us = q.Get("updated_since"); us && !us->empty()) {
    auto t = ParseRfc3339(*us);
    if (!t.ok())
      return ProblemResponse(Status::InvalidArgument(
          "Invalid updated_since format: expected RFC3339 timestamp (e.g., "
          "2025-08-07T13:15:04.280Z)"));
    if (include_deleted && !*include_deleted)
      return ProblemResponse(Status::InvalidArgument(
          "Cannot set include_deleted=false when using updated_since (incremental sync requires "
          "deleted servers)"));
    lq.updated_since = *t;
    lq.include_deleted = true;
  }
  if (auto v = q.Get("version"); v && !v->empty()) {
    if (*v == "latest") lq.latest_only = true;
    else lq.exact_version = std::string(*v);
  }
  if (auto s = q.Get("search")) lq.search = std::string(*s);
  if (auto c = q.Get("cursor"); c && !c->empty()) {
    auto colon = c->find(':');
    if (colon == std::string_view::npos) lq.cursor_name_only = std::string(*c);
    else lq.cursor = std::make_pair(std::string(c->substr(0, colon)), std::string(c->substr(colon + 1)));
  }
  auto res = svc.List(lq);
  std::string body;
  body.reserve(res.items.size() * 1200 + 64);
  AppendItems(body, res.items);
  if (res.next_cursor) {
    body += "\"nextCursor\":";
    json::AppendString(body, *res.next_cursor);
    body += ',';
  }
  body += "\"count\":" + std::to_string(res.items.size()) + "}}\n";
  auto shared = std::make_shared<const std::string>(std::move(body));
  if (cache) cache->Put(raw_query, generation, shared);
  http::HttpResponse r;
  r.Set("Content-Type", "application/json");
  r.shared_body = std::move(shared);
  return r;
}

http::HttpResponse ListVersions(const service::RegistryService& svc, std::string_view raw_name,
                                const QueryParams& q) {
  auto name = PathUnescapeTwice(raw_name);
  if (!name) return ProblemResponse(Status::InvalidArgument("Invalid server name encoding"));
  std::vector<ProblemError> errors;
  auto include_deleted = IncludeDeleted(q, &errors);
  if (!errors.empty()) return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  auto res = svc.ListVersions(*name, include_deleted.value_or(false));
  if (!res.ok()) return ProblemResponse(res.status());
  std::string body;
  AppendItems(body, *res);
  body += "\"count\":" + std::to_string(res->size()) + "}}";
  return JsonResponse(std::move(body));
}

http::HttpResponse GetVersion(const service::RegistryService& svc, std::string_view raw_name,
                              std::string_view raw_version, const QueryParams& q) {
  auto name = PathUnescapeTwice(raw_name);
  if (!name) return ProblemResponse(Status::InvalidArgument("Invalid server name encoding"));
  auto version = PathUnescapeTwice(raw_version);
  if (!version) return ProblemResponse(Status::InvalidArgument("Invalid version encoding"));
  std::vector<ProblemError> errors;
  auto include_deleted = IncludeDeleted(q, &errors);
  if (!errors.empty()) return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  auto res = svc.GetVersion(*name, *version, include_deleted.value_or(false));
  if (!res.ok()) return ProblemResponse(res.status());
  return JsonResponse((*res)->response_json);
}

}  // namespace mcpreg::rest
