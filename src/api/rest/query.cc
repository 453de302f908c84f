#include "api/rest/query.h"

#include <charconv>

#include "core/percent.h"

namespace mcpreg::rest {

Result<QueryParams> QueryParams::Parse(std::string_view raw) {
  QueryParams q;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t amp = raw.find('&', i);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view pair = raw.substr(i, amp - i);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto k = QueryUnescape(pair.substr(0, eq));
      auto v = QueryUnescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!k || !v) return Status::InvalidArgument("Invalid query string encoding");
      q.params_.emplace_back(std::move(*k), std::move(*v));
    }
    i = amp + 1;
  }
  return q;
}

std::optional<std::string_view> QueryParams::Get(std::string_view name) const {
  for (const auto& [k, v] : params_)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::optional<long long> QueryParams::Int(std::string_view name, long long def, long long min,
                                          long long max, std::vector<ProblemError>* errors) const {
  auto raw = Get(name);
  if (!raw) return def;
  long long v = 0;
  auto [p, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  std::string loc = "query." + std::string(name);
  if (ec != std::errc() || p != raw->data() + raw->size() || raw->empty()) {
    errors->push_back({"invalid integer", loc, boost::json::value(std::string(*raw))});
    return std::nullopt;
  }
  if (v < min) {
    errors->push_back({"expected number >= " + std::to_string(min), loc, boost::json::value(v)});
    return std::nullopt;
  }
  if (v > max) {
    errors->push_back({"expected number <= " + std::to_string(max), loc, boost::json::value(v)});
    return std::nullopt;
  }
  return v;
}

std::optional<bool> QueryParams::Bool(std::string_view name,
                                      std::vector<ProblemError>* errors) const {
  auto raw = Get(name);
  if (!raw) return std::nullopt;
  // Go's strconv.ParseBool, which Huma uses.
  static const char* kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (auto* t : kTrue)
    if (*raw == t) return true;
  for (auto* f : kFalse)
    if (*raw == f) return false;
  errors->push_back({"invalid boolean", "query." + std::string(name),
                     boost::json::value(std::string(*raw))});
  return std::nullopt;
}

std::optional<std::string> QueryParams::Enum(std::string_view name,
                                             const std::vector<std::string>& allowed,
                                             std::vector<ProblemError>* errors) const {
  auto raw = Get(name);
  if (!raw) return std::nullopt;
  for (const auto& a : allowed)
    if (*raw == a) return a;
  std::string msg = "expected value to be one of \"";
  for (size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : "") + allowed[i];
  msg += "\"";
  errors->push_back({msg, "query." + std::string(name), boost::json::value(std::string(*raw))});
  return std::nullopt;
}

}  // namespace mcpreg::rest
