// POST /validate: the validator's full report, always 200 once the body is readable.
#include "api/rest/handlers.h"
#include "api/rest/problem.h"
#include "model/validate.h"
#include "policy/policy.h"

namespace mcpreg::rest {

http::HttpResponse Validate(std::string_view body, const policy::Policy* policy) {
  if (body.empty())
    return ProblemResponse(ApiError{Status::Unprocessable("validation failed"),
                                    {{"request body is required", "body", std::nullopt}}});
  auto report = model::ValidateServerJson(body);
  if (policy) policy::AddPolicyIssues(*policy, body, report);
  return JsonResponse(report.ToJson());
}

}  // namespace mcpreg::rest
