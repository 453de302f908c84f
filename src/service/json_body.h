// Parsing request documents for the services: Boost.JSON with a nesting limit, so a hostile
// body cannot exhaust the stack. InvalidArgument("invalid JSON: ...") on malformed input.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::service {

inline constexpr unsigned kMaxJsonDepth = 64;

Result<boost::json::value> ParseJsonBody(std::string_view body);

}  // namespace mcpreg::service
