#include "api/mcp/mcp_auth.h"

#include <strings.h>

#include <boost/url/parse.hpp>

#include "api/rest/problem.h"
#include "core/json_out.h"

namespace mcpreg::mcpapi {

config::AuthConfig McpAuthGate::ForResource(const McpAuthConfig& mcp_auth,
                                            const config::AuthConfig& all) {
  config::AuthConfig out = all;
  out.issuers.clear();
  for (const auto& is : all.issuers) {
    bool wanted = mcp_auth.issuers.empty();
    for (const auto& n : mcp_auth.issuers) wanted |= n == is.name;
    if (!wanted) continue;
    config::IssuerConfig copy = is;
    copy.audiences = {mcp_auth.resource};  // tokens must be minted for this resource
    out.issuers.push_back(std::move(copy));
  }
  return out;
}

McpAuthGate::McpAuthGate(const McpAuthConfig& mcp_auth, const config::AuthConfig& issuers,
                         std::shared_ptr<auth::HttpFetcher> fetcher, const Clock& clock)
    : config_(mcp_auth),
      issuers_(ForResource(mcp_auth, issuers)),
      verifier_(issuers_, std::move(fetcher), clock) {
  std::string origin = mcp_auth.resource, path;
  if (auto u = boost::urls::parse_absolute_uri(mcp_auth.resource)) {
    origin = std::string(u->scheme()) + "://" + std::string(u->encoded_authority());
    path = std::string(u->encoded_path());
  }
  if (path == "/") path.clear();
  metadata_path_ = "/.well-known/oauth-protected-resource" + path;
  metadata_url_ = origin + metadata_path_;
  json::JsonOut w(metadata_json_);
  w.BeginObject().Key("resource").String(mcp_auth.resource).Key("authorization_servers").BeginArray();
  for (const auto& is : issuers_.issuers) w.String(is.issuer);
  w.EndArray().Key("bearer_methods_supported").BeginArray().String("header").EndArray()
      .Key("resource_name").String("mcpreg").EndObject();
}

std::optional<http::HttpResponse> McpAuthGate::Check(const http::HttpRequest& req) const {
  auto header = req.Header("Authorization");
  std::string challenge = "Bearer resource_metadata=\"" + metadata_url_ + "\"";
  if (!header) {
    if (!config_.required) return std::nullopt;
    auto r = rest::ProblemResponse(Status::Unauthenticated("this MCP endpoint requires a bearer token"));
    r.Set("WWW-Authenticate", challenge);
    return r;
  }
  constexpr std::string_view kBearer = "bearer ";
  std::string_view h = *header;
  Status why;
  if (h.size() <= kBearer.size() || strncasecmp(h.data(), kBearer.data(), kBearer.size()) != 0) {
    why = Status::Unauthenticated("Authorization must be 'Bearer <token>'");
  } else {
    auto p = verifier_.VerifyWorkloadToken(h.substr(kBearer.size()));
    if (p.ok()) return std::nullopt;
    why = p.status().IsUnauthenticated() ? p.status() : Status::Unavailable(p.status().message());
  }
  auto r = rest::ProblemResponse(why);
  if (why.IsUnauthenticated())
    r.Set("WWW-Authenticate", challenge + ", error=\"invalid_token\"");
  return r;
}

}  // namespace mcpreg::mcpapi
