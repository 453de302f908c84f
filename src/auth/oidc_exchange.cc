#include "auth/oidc_exchange.h"

#include <boost/json.hpp>

#include "auth/jwt.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

constexpr std::string_view kGitHubActionsIssuer = "https://token.actions.githubusercontent.com";

// The claim's value as text if it is a string, integer or boolean.
std::optional<std::string> ScalarText(const bj::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return std::nullopt;
}

bool ClaimMatches(const bj::object& claims, const std::string& name,
                  const std::vector<std::string>& wanted) {
  const bj::value* v = claims.if_contains(name);
  if (!v) return false;
  auto one = [&](const bj::value& x) {
    std::optional<std::string> text = ScalarText(x);
    if (!text) return false;
    for (const std::string& w : wanted) {
      if (*text == w) return true;
    }
    return false;
  };
  if (v->is_array()) {
    for (const bj::value& x : v->get_array()) {
      if (one(x)) return true;
    }
    return false;
  }
  return one(*v);
}

bool SafeSubstitution(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  if (s.find("..") != std::string_view::npos) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Expands "{claim}" placeholders; std::nullopt when one cannot be filled safely.
std::optional<std::string> Expand(const std::string& pattern, const bj::object& claims) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string::npos) return std::nullopt;  // config validation prevents this
    const bj::value* v = claims.if_contains(pattern.substr(i + 1, close - i - 1));
    std::optional<std::string> text = v && !v->is_bool() ? ScalarText(*v) : std::nullopt;
    if (!text || !SafeSubstitution(*text)) return std::nullopt;
    out += *text;
    i = close;
  }
  return out;
}

}  // namespace

std::vector<Permission> GrantsFor(const config::IssuerConfig& issuer, const bj::object& claims) {
  std::vector<Permission> out;
  for (const config::ClaimRule& rule : issuer.rules) {
    bool all = true;
    for (const auto& [name, wanted] : rule.match) all = all && ClaimMatches(claims, name, wanted);
    if (!all) continue;
    std::optional<std::string> resource = Expand(rule.resource, claims);
    if (!resource) continue;
    for (const std::string& action : rule.actions) {
      Permission p{action, *resource};
      bool dup = false;
      for (const Permission& q : out) dup = dup || q == p;
      if (!dup) out.push_back(std::move(p));
    }
  }
  return out;
}

std::string AuthMethodFor(const config::IssuerConfig& issuer) {
  if (!issuer.auth_method.empty()) return issuer.auth_method;
  const std::string& iss = issuer.issuer;
  if (iss == kGitHubActionsIssuer ||
      (iss.starts_with(kGitHubActionsIssuer) && iss[kGitHubActionsIssuer.size()] == '/')) {
    return "github-oidc";
  }
  return "oidc";
}

KeySource KeySourceFor(const config::IssuerConfig& c) {
  switch (c.keys) {
    case config::IssuerConfig::Keys::kFile:
      return {KeySource::Kind::kFile, c.jwks_file};
    case config::IssuerConfig::Keys::kUrl:
      return {KeySource::Kind::kUrl, c.jwks_url};
    case config::IssuerConfig::Keys::kDiscovery:
      break;
  }
  return {KeySource::Kind::kDiscovery, c.issuer};
}

std::vector<JwsAlg> AlgorithmsFor(const config::IssuerConfig& c) {
  std::vector<JwsAlg> out;
  for (const std::string& a : c.algorithms) {
    if (std::optional<JwsAlg> alg = ParseJwsAlg(a)) out.push_back(*alg);
  }
  return out;
}

std::unique_ptr<JwksCache> NewKeyCache(const config::IssuerConfig& c,
                                       std::shared_ptr<HttpFetcher> fetcher, const Clock& clock) {
  JwksCacheOptions opts;
  opts.ttl = c.jwks_ttl_seconds * 1000000;
  return std::make_unique<JwksCache>(KeySourceFor(c), std::move(fetcher), clock, opts);
}

WorkloadTokenVerifier::WorkloadTokenVerifier(const config::AuthConfig& auth,
                                             std::shared_ptr<HttpFetcher> fetcher,
                                             const Clock& clock)
    : clock_(clock),
      leeway_seconds_(auth.leeway_seconds),
      configured_audience_(auth.github_oidc_audience),
      legacy_audience_(auth.github_oidc_legacy_audience) {
  for (const config::IssuerConfig& c : auth.issuers) {
    Issuer is;
    is.config = c;
    is.algorithms = AlgorithmsFor(c);
    is.keys = NewKeyCache(c, fetcher, clock);
    issuers_.push_back(std::move(is));
  }
}

void WorkloadTokenVerifier::SetPublicBaseUrl(std::string base) {
  while (base.size() > 8 && base.back() == '/') base.pop_back();
  std::lock_guard<std::mutex> lock(base_mu_);
  public_base_ = std::move(base);
}

std::vector<std::string> WorkloadTokenVerifier::AcceptedAudiences(
    const config::IssuerConfig& issuer) const {
  if (!issuer.audiences.empty()) return issuer.audiences;
  std::vector<std::string> out;
  if (!configured_audience_.empty()) {
    out.push_back(configured_audience_);
  } else {
    std::lock_guard<std::mutex> lock(base_mu_);
    if (!public_base_.empty()) out.push_back(public_base_);
  }
  if (out.empty()) return out;  // never accept only the legacy audience by accident
  if (legacy_audience_ && out.front() != config::kLegacyGitHubOidcAudience)
    out.push_back(config::kLegacyGitHubOidcAudience);
  return out;
}

Status WorkloadTokenVerifier::Preload() const {
  Status first;
  for (const Issuer& is : issuers_) {
    Status s = is.keys->Refresh();
    if (!s.ok() && first.ok()) first = Status(s.code(), is.config.name + ": " + s.message());
  }
  return first;
}

Result<Principal> WorkloadTokenVerifier::VerifyWorkloadToken(std::string_view token) const {
  Result<Jwt> unverified = ParseJwt(token);
  if (!unverified.ok()) return unverified.status();
  std::string iss = unverified->StringClaim("iss");
  if (iss.empty()) return Status::Unauthenticated("token has no iss claim");
  const Issuer* issuer = nullptr;
  for (const Issuer& is : issuers_) {
    if (is.config.issuer == iss) issuer = &is;
  }
  if (!issuer) {
    return Status::Unauthenticated("token issuer \"" + iss.substr(0, 200) + "\" is not trusted");
  }
  JwtChecks checks;
  checks.issuer = issuer->config.issuer;
  checks.audiences = AcceptedAudiences(issuer->config);
  if (checks.audiences.empty()) {  // an empty list would skip the check in VerifyJwt
    return Status::Unauthenticated(
        "invalid audience: this registry has no GitHub OIDC audience configured "
        "(set public_url or auth.github_oidc_audience)");
  }
  checks.algorithms = issuer->algorithms;
  checks.leeway_seconds = leeway_seconds_;
  Result<Jwt> jwt = VerifyJwt(token, checks, *issuer->keys, clock_.Now());
  if (!jwt.ok()) return jwt.status();
  Principal p;
  p.issuer = iss;
  p.issuer_name = issuer->config.name;
  p.subject = jwt->StringClaim("sub");
  if (p.subject.empty()) return Status::Unauthenticated("token has no sub claim");
  p.auth_method = AuthMethodFor(issuer->config);
  p.permissions = GrantsFor(issuer->config, jwt->claims);
  p.claims = std::move(jwt->claims);
  return p;
}

}  // namespace mcpreg::auth
