// Human-readable renderings of the governance JSON (service/governance_service.h:
// RequestListJson / RequestViewJson) for `mcpreg review list|show`. They read the JSON, not the
// service types, so local and remote modes print the same thing.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace mcpreg::cli {

// The queue as a table: name, team, hosting, gates (pass / fail with the failing rule ids),
// versions with their listed/evidence state.
std::string ReviewTable(const boost::json::value& request_list);
// One request in detail: its fields, every gate issue, every version with its evidence.
std::string ReviewDetail(const boost::json::value& request_view);

// Tolerant accessors: an empty array / "" when `key` is missing or of another type.
const boost::json::array& ArrayAt(const boost::json::value& v, std::string_view key);
std::string StringAt(const boost::json::value& v, std::string_view key);

}  // namespace mcpreg::cli
