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

// Identity = issuer + subject: two principals are the same identity iff their issuer (empty for
// namespace proofs and the local operator), auth_method family and subject are equal
// (service::ActorOf renders that identity unambiguously).
struct Principal {
  // The issuer of the identity: workload tokens: the token's "iss"; registry tokens: the
  // issuer of the identity they were issued to (claim "auth_method_iss"), never "mcp-registry";
  // namespace proofs and the local operator: "".
  std::string issuer;
  // Workload tokens: the configured issuer's `name`; otherwise "".
  std::string issuer_name;
  // Workload tokens: "sub". Proofs: the domain. Registry tokens: their auth_method_sub.
  std::string subject;
  // Upstream's method names: "github-oidc" | "oidc" | "dns" | "http".
  std::string auth_method;
  std::vector<Permission> permissions;
  // Live authorization. permissions[0, rule_permissions) come from the issuer's claim rules
  // (config) and hold for the token's life; the rest came from stored grants when the token was
  // issued and are replaced by the grants as stored now before every write
  // (service::LivePrincipal). -1: every permission is fixed (local operator, namespace proofs).
  int rule_permissions = -1;
  // Workload tokens: every verified claim (for grants lookup and audit); otherwise empty.
  boost::json::object claims;
};

}  // namespace mcpreg::auth
