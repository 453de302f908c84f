// Principal: who made a request and what the registry lets them do, as established by one of
// the authentication paths (workload OIDC token, namespace proof, or the registry's own token).
//
// Thread-safety: a plain value.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "auth/permissions.h"

namespace mcpreg::auth {

inline constexpr std::string_view kRegistryIssuer = "mcp-registry";

struct Principal {
  // Workload tokens: the token's "iss". Registry tokens: "mcp-registry". Proofs: "".
  std::string issuer;
  // Workload tokens: the configured issuer's `name`; otherwise "".
  std::string issuer_name;
  // Workload tokens: "sub". Proofs: the domain. Registry tokens: their auth_method_sub.
  std::string subject;
  // Upstream's method names: "github-oidc" | "oidc" | "dns" | "http".
  std::string auth_method;
  std::vector<Permission> permissions;
  // Workload tokens: every verified claim (for grants lookup and audit); otherwise empty.
  boost::json::object claims;
};

}  // namespace mcpreg::auth
