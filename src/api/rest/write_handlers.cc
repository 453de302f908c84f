// Token exchange, publish, status and edit: decode, call the service, encode. Error bodies
// follow upstream: failures inside publish/edit are 400 "Failed to publish server" with the
// reason in errors[0].message; validation failures are 422.
#include <boost/json.hpp>

#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "auth/registry_token.h"
#include "core/json_out.h"
#include "service/auth_service.h"
#include "service/registry_service.h"

namespace mcpreg::rest {
namespace {

// Parses a JSON object body; on failure returns the problem response to send.
std::optional<http::HttpResponse> ParseObject(std::string_view body, boost::json::object* out) {
  boost::system::error_code ec;
  boost::json::parse_options po;
  po.max_depth = 64;
  auto v = boost::json::parse(body, ec, {}, po);
  if (ec)
    return ProblemResponse(ApiError{Status::InvalidArgument("invalid JSON body"),
                                    {{ec.message(), "body", std::nullopt}}});
  if (!v.is_object())
    return ProblemResponse(ApiError{Status::Unprocessable("validation failed"),
                                    {{"expected object", "body", std::nullopt}}});
  *out = std::move(v.get_object());
  return std::nullopt;
}

// A required string member; on failure appends a Huma-style error.
std::optional<std::string> RequiredString(const boost::json::object& o, std::string_view key,
                                          std::vector<ProblemError>* errors) {
  auto* v = o.if_contains(key);
  if (!v) {
    errors->push_back({"expected required property " + std::string(key) + " to be present", "body", std::nullopt});
    return std::nullopt;
  }
  if (!v->is_string()) {
    errors->push_back({"expected string", "body." + std::string(key), *v});
    return std::nullopt;
  }
  return std::string(v->get_string());
}

http::HttpResponse TokenResponse(const Result<auth::IssuedToken>& t, std::string_view failure) {
  if (!t.ok()) {
    if (t.status().IsUnauthenticated())
      return ProblemResponse(ApiError{Status::Unauthenticated(std::string(failure)),
                                      {{t.status().message(), "", std::nullopt}}});
    return ProblemResponse(t.status());
  }
  return JsonResponse(auth::TokenResponseJson(*t));
}

// Upstream wraps in-transaction publish failures as 400 "Failed to <what>" + reason.
// AlreadyExists is ours alone (a publish into a mirrored name): 409 as mapped.
http::HttpResponse WriteFailure(const Status& s, std::string_view what) {
  if (s.code() == Code::kFailedPrecondition)
    return ProblemResponse(ApiError{Status::FailedPrecondition("Failed to " + std::string(what)),
                                    {{s.message(), "", std::nullopt}}});
  return ProblemResponse(s);
}

}  // namespace

http::HttpResponse ExchangeOidc(const service::AuthService& auth, std::string_view body) {
  boost::json::object o;
  if (auto bad = ParseObject(body, &o)) return *bad;
  std::vector<ProblemError> errors;
  auto token = RequiredString(o, "oidc_token", &errors);
  if (!errors.empty()) return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  return TokenResponse(auth.ExchangeOidc(*token), "Token exchange failed");
}

http::HttpResponse ExchangeProof(const service::AuthService& auth, std::string_view body, bool dns) {
  boost::json::object o;
  if (auto bad = ParseObject(body, &o)) return *bad;
  std::vector<ProblemError> errors;
  auth::ProofRequest req;
  auto d = RequiredString(o, "domain", &errors);
  auto ts = RequiredString(o, "timestamp", &errors);
  auto sig = RequiredString(o, "signed_timestamp", &errors);
  if (!errors.empty()) return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  req.domain = *d;
  req.timestamp = *ts;
  req.signed_timestamp = *sig;
  return dns ? TokenResponse(auth.ExchangeDns(req), "DNS authentication failed")
             : TokenResponse(auth.ExchangeHttp(req), "HTTP authentication failed");
}

http::HttpResponse Publish(service::RegistryService& svc, const auth::Principal& who,
                           std::string_view body) {
  auto r = svc.Publish(who, body);
  if (!r.ok()) return WriteFailure(r.status(), "publish server");
  return JsonResponse((*r)->response_json);
}

http::HttpResponse Edit(service::RegistryService& svc, const auth::Principal& who,
                        const std::string& name, const std::string& version, std::string_view body) {
  auto r = svc.EditVersion(who, name, version, body);
  if (!r.ok()) return WriteFailure(r.status(), "edit server");
  return JsonResponse((*r)->response_json);
}

http::HttpResponse SetStatus(service::RegistryService& svc, const auth::Principal& who,
                             const std::string& name, const std::optional<std::string>& version,
                             std::string_view body) {
  boost::json::object o;
  if (auto bad = ParseObject(body, &o)) return *bad;
  std::vector<ProblemError> errors;
  auto status_text = RequiredString(o, "status", &errors);
  std::optional<VersionStatus> status;
  if (status_text) {
    status = ParseVersionStatus(*status_text);
    if (!status)
      errors.push_back({"expected value to be one of \"active, deprecated, deleted\"", "body.status",
                        boost::json::value(*status_text)});
  }
  std::optional<std::string> message;
  if (auto* m = o.if_contains("statusMessage"); m && !m->is_null()) {
    if (!m->is_string()) errors.push_back({"expected string", "body.statusMessage", *m});
    else if (m->get_string().size() > 500)
      errors.push_back({"expected length <= 500", "body.statusMessage", std::nullopt});
    else message = std::string(m->get_string());
  }
  if (!errors.empty()) return ProblemResponse(ApiError{Status::Unprocessable("validation failed"), errors});
  if (version) {
    auto r = svc.SetVersionStatus(who, name, *version, *status, message);
    if (!r.ok()) return ProblemResponse(r.status());
    return JsonResponse((*r)->response_json);
  }
  auto r = svc.SetServerStatus(who, name, *status, message);
  if (!r.ok()) return ProblemResponse(r.status());
  std::string out = "{\"updatedCount\":" + std::to_string(r->size()) + ",\"servers\":[";
  for (size_t i = 0; i < r->size(); ++i) {
    if (i) out += ',';
    out += (*r)[i]->response_json;
  }
  out += "]}";
  return JsonResponse(std::move(out));
}

}  // namespace mcpreg::rest
