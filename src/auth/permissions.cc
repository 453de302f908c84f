#include "auth/permissions.h"

namespace mcpreg::auth {

bool IsKnownAction(std::string_view action) {
  return action == kActionPublish || action == kActionEdit || action == kActionFeed ||
         action == kActionReview;
}

bool ResourceMatches(std::string_view resource, std::string_view pattern) {
  if (pattern == "*") return true;
  if (!pattern.empty() && pattern.back() == '*') {
    return resource.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return resource == pattern;
}

bool HasPermission(std::span<const Permission> permissions, std::string_view action,
                   std::string_view resource) {
  for (const Permission& p : permissions) {
    if (p.action == action && ResourceMatches(resource, p.resource)) return true;
  }
  return false;
}

std::vector<std::string> PatternsFor(std::span<const Permission> permissions,
                                     std::string_view action) {
  std::vector<std::string> out;
  for (const Permission& p : permissions) {
    if (p.action == action) out.push_back(p.resource);
  }
  return out;
}

std::string ReverseDomain(std::string_view domain) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::string out;
  out.reserve(domain.size());
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    if (it != labels.rbegin()) out += '.';
    out.append(*it);
  }
  return out;
}

}  // namespace mcpreg::auth
