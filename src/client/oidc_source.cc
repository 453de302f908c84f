#include "client/oidc_source.h"

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "auth/encoding.h"
#include "client/registry_api.h"
#include "core/percent.h"
#include "transport/http_client.h"

namespace mcpreg::client {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string AppendQuery(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

Result<OidcToken> FromFile(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return Status::Unavailable("cannot open OIDC token file " + path + ": " +
                                 std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Status::Unavailable("cannot read OIDC token file " + path);
    text = ss.str();
  }
  std::string token = Trim(std::move(text));
  std::string where = path == "-" ? "standard input" : "token file " + path;
  if (token.empty()) return Status::InvalidArgument("the OIDC " + where + " is empty");
  return OidcToken{std::move(token), where};
}

// Calls a CI token endpoint and returns the string member `field` of its JSON answer.
Result<OidcToken> FromEndpoint(http::ClientRequest req, const std::string& source,
                               const char* field) {
  auto r = http::Fetch(req);
  if (!r.ok()) {
    return Status::Unavailable("cannot get an OIDC token from " + source + ": " +
                               r.status().message());
  }
  if (r->status < 200 || r->status >= 300) {
    std::string m = source + " refused the OIDC token request: " + DescribeResponse(*r);
    return r->status >= 500 ? Status::Unavailable(m) : Status::Unauthenticated(m);
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r->body, ec);
  const boost::json::value* t = !ec && v.is_object() ? v.get_object().if_contains(field) : nullptr;
  if (t == nullptr || !t->is_string() || t->get_string().empty()) {
    return Status::Unauthenticated(source + " answered the OIDC token request without \"" + field +
                                   "\"");
  }
  return OidcToken{std::string(t->get_string()), source};
}

}  // namespace

Result<OidcToken> FetchOidcToken(const OidcSourceOptions& options, const EnvLookup& env) {
  if (!options.token_file.empty()) return FromFile(options.token_file);

  auto gh_url = env("ACTIONS_ID_TOKEN_REQUEST_URL");
  auto gh_token = env("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  if (gh_url || gh_token) {
    if (!gh_url || !gh_token) {
      return Status::InvalidArgument(
          std::string("GitHub Actions sets ") +
          (gh_url ? "ACTIONS_ID_TOKEN_REQUEST_URL but not ACTIONS_ID_TOKEN_REQUEST_TOKEN"
                  : "ACTIONS_ID_TOKEN_REQUEST_TOKEN but not ACTIONS_ID_TOKEN_REQUEST_URL") +
          "; does the job have `permissions: id-token: write`?");
    }
    http::ClientRequest req;
    req.method = "GET";
    req.url = AppendQuery(*gh_url, "audience=" + PercentEncode(options.audience));
    req.headers.emplace_back("Authorization", "bearer " + *gh_token);
    return FromEndpoint(std::move(req), "GitHub Actions", "value");
  }

  if (auto az_uri = env("SYSTEM_OIDCREQUESTURI")) {
    auto az_token = env("SYSTEM_ACCESSTOKEN");
    if (!az_token) {
      return Status::InvalidArgument(
          "Azure Pipelines sets SYSTEM_OIDCREQUESTURI but SYSTEM_ACCESSTOKEN is empty; map it "
          "in the step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`");
    }
    http::ClientRequest req;
    req.method = "POST";
    std::string url = AppendQuery(*az_uri, "api-version=7.1");
    if (!options.service_connection.empty())
      url += "&serviceConnectionId=" + PercentEncode(options.service_connection);
    req.url = std::move(url);
    req.headers.emplace_back("Authorization", "Bearer " + *az_token);
    req.headers.emplace_back("Content-Type", "application/json");
    return FromEndpoint(std::move(req), "Azure Pipelines", "oidcToken");
  }

  std::string hint;
  if (env("GITHUB_ACTIONS"))
    hint = " (this is GitHub Actions but the job lacks `permissions: id-token: write`)";
  return Status::InvalidArgument(
      "no OIDC token: pass --token-file FILE, or run in GitHub Actions with `permissions: "
      "id-token: write`, or in Azure Pipelines with SYSTEM_ACCESSTOKEN mapped" +
      hint);
}

std::optional<std::string> UnverifiedIssuer(std::string_view jwt) {
  size_t a = jwt.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = jwt.find('.', a + 1);
  if (b == std::string_view::npos || jwt.find('.', b + 1) != std::string_view::npos)
    return std::nullopt;
  std::string_view payload = jwt.substr(a + 1, b - a - 1);
  // Tolerate padded base64url, which some issuers emit.
  while (!payload.empty() && payload.back() == '=') payload.remove_suffix(1);
  auto decoded = auth::Base64UrlDecode(payload);
  if (!decoded) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*decoded, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* iss = v.get_object().if_contains("iss");
  if (iss == nullptr || !iss->is_string()) return std::nullopt;
  return std::string(iss->get_string());
}

bool IsGitHubActionsIssuer(std::string_view iss) {
  std::string_view base = kGitHubActionsIssuer;
  if (iss.substr(0, base.size()) != base) return false;
  return iss.size() == base.size() || iss[base.size()] == '/';
}

}  // namespace mcpreg::client
