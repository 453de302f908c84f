#include "service/json_body.h"

#include <boost/json/parse.hpp>

namespace mcpreg::service {

Result<boost::json::value> ParseJsonBody(std::string_view body) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec, {}, opts);
  if (ec) return Status::InvalidArgument("invalid JSON: " + ec.message());
  return v;
}

}  // namespace mcpreg::service
