// POST /validate: the validator's full report, always 200 once the body is readable.
#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "model/validate.h"

namespace mcpreg::rest {

http::HttpResponse Validate(std::string_view body) {
  if (body.empty())
    return ProblemResponse(ApiError{Status::Unprocessable("validation failed"),
                                    {{"request body is required", "body", std::nullopt}}});
  return JsonResponse(model::ValidateServerJson(body).ToJson());
}

}  // namespace mcpreg::rest
