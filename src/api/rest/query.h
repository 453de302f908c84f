// Query-string decoding and typed parameter parsing with Huma's error messages, so invalid
// parameters produce the same 422 problem bodies as the official registry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/rest/problem.h"

namespace mcpreg::rest {

class QueryParams {
 public:
  // Decodes `raw` (without '?'). Error: InvalidArgument on a malformed %-escape.
  static Result<QueryParams> Parse(std::string_view raw);

  // First value of `name`, if present.
  std::optional<std::string_view> Get(std::string_view name) const;

  // Integer parameter with inclusive bounds; on failure appends a ProblemError (location
  // "query.<name>") and returns nullopt.
  std::optional<long long> Int(std::string_view name, long long def, long long min, long long max,
                               std::vector<ProblemError>* errors) const;
  std::optional<bool> Bool(std::string_view name, std::vector<ProblemError>* errors) const;
  // Value must be one of `allowed` (when present).
  std::optional<std::string> Enum(std::string_view name, const std::vector<std::string>& allowed,
                                  std::vector<ProblemError>* errors) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace mcpreg::rest
