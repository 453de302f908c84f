// RFC 9457 problem+json responses in the exact shape the official registry (Huma's ErrorModel)
// produces: {"title","status","detail","errors":[{"message","location","value"}]} + "\n".
// The HTTP status always comes from the Status code via HttpStatusFor (the one mapping table).
// An ApiError with retry_after_seconds > 0 (a quota: ResourceExhausted) adds `Retry-After`.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mcpreg/status.h"
#include "transport/http_server.h"

namespace mcpreg::rest {

struct ProblemError {
  std::string message;
  std::string location;                   // e.g. "query.limit"; omitted when empty
  std::optional<boost::json::value> value;  // the offending value; omitted when absent
};

// An API failure: a Status (its code picks the HTTP status, its message is "detail") plus the
// optional per-field errors.
struct ApiError {
  Status status;
  std::vector<ProblemError> errors;
  int64_t retry_after_seconds = 0;  // > 0: sent as the Retry-After header
};

http::HttpResponse ProblemResponse(const ApiError& e);
inline http::HttpResponse ProblemResponse(const Status& s) { return ProblemResponse(ApiError{s, {}}); }

// 200 application/json with the body and Go's trailing newline.
http::HttpResponse JsonResponse(std::string body, int status = 200);

}  // namespace mcpreg::rest
