#include "service/auth_service.h"

#include <strings.h>
#include <unistd.h>

#include <cstdlib>

#include <algorithm>

namespace mcpreg::service {

std::vector<std::string> ActionsForRole(std::string_view role) {
  if (role == "publisher") return {"publish"};
  if (role == "feed-contributor") return {"feed"};
  if (role == "admin") return {"publish", "edit", "feed", "review"};
  if (role == "reviewer") return {"review"};
  return {};
}

bool IsKnownRole(std::string_view role) { return !ActionsForRole(role).empty(); }

std::string ActorOf(const auth::Principal& p) {
  if (p.issuer.empty()) {  // namespace proofs, the local operator
    std::string method = p.auth_method.empty() ? "unknown" : p.auth_method;
    return method + ":" + p.subject;
  }
  std::string out = "oidc:";
  for (char c : p.issuer) {
    if (c == '%')
      out += "%25";
    else if (c == '#')
      out += "%23";
    else
      out += c;
  }
  return out + "#" + p.subject;
}

bool IsIdentity(const auth::Principal& who, std::string_view issuer, std::string_view subject) {
  return !who.issuer.empty() && !who.subject.empty() && who.issuer == issuer &&
         who.subject == subject;
}

namespace {

void AddGrantPermissions(const std::vector<Grant>& grants, auth::Principal& p) {
  for (const auto& g : grants)
    for (const auto& action : ActionsForRole(g.role)) {
      auth::Permission perm{action, g.namespace_pattern};
      if (std::find(p.permissions.begin(), p.permissions.end(), perm) == p.permissions.end())
        p.permissions.push_back(std::move(perm));
    }
}

}  // namespace

Result<auth::Principal> LivePrincipal(Store& store, const auth::Principal& who) {
  if (who.rule_permissions < 0) return who;
  auth::Principal p = who;
  p.permissions.resize(std::min<size_t>(p.permissions.size(), size_t(who.rule_permissions)));
  if (p.issuer.empty() || p.subject.empty()) return p;
  auto grants = store.ListGrants(p.issuer, p.subject);
  if (!grants.ok()) return grants.status();
  AddGrantPermissions(*grants, p);
  return p;
}

auth::Principal LocalOperator() {
  auth::Principal p;
  p.auth_method = "cli";
  const char* user = std::getenv("USER");
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  p.subject = std::string(user && *user ? user : "operator") + "@" + host;
  for (auto action : {auth::kActionPublish, auth::kActionEdit, auth::kActionFeed, auth::kActionReview})
    p.permissions.push_back({std::string(action), "*"});
  return p;
}

AuthService::AuthService(const config::AuthConfig& config, Store& store,
                         auth::RegistryTokens tokens, std::shared_ptr<auth::HttpFetcher> fetcher,
                         std::shared_ptr<auth::TxtResolver> dns, const Clock& clock)
    : config_(config),
      store_(store),
      tokens_(std::move(tokens)),
      verifier_(config, fetcher, clock),
      fetcher_(std::move(fetcher)),
      dns_(std::move(dns)),
      clock_(clock) {}

Status AuthService::AddStoredGrants(auth::Principal& p) const {
  if (p.issuer.empty() || p.subject.empty()) return Status::OK();
  p.rule_permissions = static_cast<int>(p.permissions.size());
  auto grants = store_.ListGrants(p.issuer, p.subject);
  if (!grants.ok()) return grants.status();
  AddGrantPermissions(*grants, p);
  return Status::OK();
}

Result<auth::IssuedToken> AuthService::ExchangeOidc(std::string_view oidc_token) const {
  if (verifier_.empty())
    return Status::Unauthenticated("no trusted OIDC issuer is configured on this registry");
  auto p = verifier_.VerifyWorkloadToken(oidc_token);
  if (!p.ok()) return p.status();
  MCPREG_RETURN_IF_ERROR(AddStoredGrants(*p));
  return tokens_.Issue(*p);
}

Result<auth::IssuedToken> AuthService::ExchangeDns(const auth::ProofRequest& req) const {
  if (!config_.dns_proofs || !dns_)
    return Status::PermissionDenied("DNS namespace proofs are disabled on this registry");
  auto p = auth::VerifyDnsProof(req, *dns_, clock_);
  if (!p.ok()) return p.status();
  return tokens_.Issue(*p);
}

Result<auth::IssuedToken> AuthService::ExchangeHttp(const auth::ProofRequest& req) const {
  if (!config_.http_proofs || !fetcher_)
    return Status::PermissionDenied("HTTP namespace proofs are disabled on this registry");
  auto p = auth::VerifyHttpProof(req, *fetcher_, clock_);
  if (!p.ok()) return p.status();
  return tokens_.Issue(*p);
}

Result<auth::Principal> AuthService::Authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size() ||
      strncasecmp(header.data(), kBearer.data(), kBearer.size()) != 0)
    return Status::Unauthenticated("Invalid Authorization header format. Expected 'Bearer <token>'");
  auto p = tokens_.Verify(header.substr(kBearer.size()));
  if (!p.ok()) return Status::Unauthenticated("Invalid or expired Registry JWT token");
  return p;
}

}  // namespace mcpreg::service
