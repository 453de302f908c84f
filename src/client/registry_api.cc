#include "client/registry_api.h"

#include <boost/json.hpp>

#include "client/oidc_source.h"
#include "core/json_out.h"
#include "core/percent.h"
#include "core/sha256.h"

namespace mcpreg::client {
namespace {

constexpr std::chrono::seconds kUploadTimeout{600};

const boost::json::object* ParseObject(const std::string& body, boost::json::value& holder) {
  boost::system::error_code ec;
  holder = boost::json::parse(body, ec);
  if (ec || !holder.is_object()) return nullptr;
  return &holder.get_object();
}

std::string StringField(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// First line of a non-JSON body, bounded, for messages.
std::string BodySnippet(std::string_view body) {
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  body.remove_prefix(start);
  body = body.substr(0, body.find_first_of("\r\n"));
  if (body.size() > 200) return std::string(body.substr(0, 200)) + "...";
  return std::string(body);
}

Code CodeForHttpStatus(int status) {
  switch (status) {
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kAlreadyExists;
    case 413:
      return Code::kPayloadTooLarge;
    case 422:
      return Code::kUnprocessable;
    case 429:
      return Code::kResourceExhausted;
    default:
      break;
  }
  if (status >= 400 && status < 500) return Code::kFailedPrecondition;
  if (status >= 500 && status < 600) return Code::kUnavailable;
  return Code::kInternal;  // 1xx/3xx: we follow no redirects and expect none
}

bool Is2xx(const http::ClientResponse& r) { return r.status >= 200 && r.status < 300; }

Result<http::ClientResponse> Send(std::string method, std::string url, const std::string& token,
                                  std::string content_type, std::string body,
                                  http::Headers extra = {},
                                  std::chrono::seconds timeout = std::chrono::seconds(30)) {
  http::ClientRequest req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.timeout = timeout;
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  if (!content_type.empty()) req.headers.emplace_back("Content-Type", std::move(content_type));
  for (auto& h : extra) req.headers.push_back(std::move(h));
  req.body = std::move(body);
  auto r = http::Fetch(req);
  if (!r.ok()) {
    if (r.status().code() == Code::kInvalidArgument)
      return Status::InvalidArgument("bad registry URL: " + r.status().message());
    return r.status();
  }
  if (!Is2xx(*r)) return StatusFromResponse(*r);
  return r;
}

Status Unexpected(const std::string& url, const std::string& what) {
  return Status::Internal("unexpected response from " + url + ": " + what);
}

}  // namespace

std::string DescribeResponse(const http::ClientResponse& response) {
  std::string title(HttpReason(response.status));
  std::string detail, first_error;
  size_t more = 0;
  boost::json::value holder;
  if (const auto* o = ParseObject(response.body, holder)) {
    if (std::string t = StringField(*o, "title"); !t.empty()) title = t;
    detail = StringField(*o, "detail");
    if (const auto* errs = o->if_contains("errors"); errs != nullptr && errs->is_array()) {
      const auto& arr = errs->get_array();
      if (!arr.empty() && arr[0].is_object())
        first_error = StringField(arr[0].get_object(), "message");
      if (arr.size() > 1) more = arr.size() - 1;
    }
    if (detail.empty() && first_error.empty()) {
      // Not problem+json, e.g. {"error": "..."} or {"message": "..."}.
      detail = StringField(*o, "error");
      if (detail.empty()) detail = StringField(*o, "message");
    }
  } else {
    detail = BodySnippet(response.body);
  }
  std::string out = std::to_string(response.status);
  if (title != "Unknown") out += " " + title;
  if (!detail.empty()) out += ": " + detail;
  if (!first_error.empty() && first_error != detail) {
    out += ": " + first_error;
    if (more > 0) out += " (and " + std::to_string(more) + " more)";
  }
  return out;
}

Status StatusFromResponse(const http::ClientResponse& response) {
  return Status(CodeForHttpStatus(response.status), DescribeResponse(response));
}

Result<RegistryToken> ExchangeOidcToken(const std::string& registry,
                                        const std::string& oidc_token) {
  std::optional<std::string> iss = UnverifiedIssuer(oidc_token);
  std::string url = registry + (iss && IsGitHubActionsIssuer(*iss) ? "/v0.1/auth/github-oidc"
                                                                   : "/v0.1/auth/oidc");
  std::string body;
  json::JsonOut(body).BeginObject().Key("oidc_token").String(oidc_token).EndObject();
  auto r = Send("POST", url, "", "application/json", std::move(body));
  if (!r.ok()) return r.status();
  boost::json::value holder;
  const auto* o = ParseObject(r->body, holder);
  if (o == nullptr) return Unexpected(url, "not a JSON object");
  RegistryToken t;
  t.token = StringField(*o, "registry_token");
  const auto* exp = o->if_contains("expires_at");
  if (t.token.empty()) return Unexpected(url, "no \"registry_token\"");
  if (exp == nullptr || !exp->is_number()) return Unexpected(url, "no numeric \"expires_at\"");
  boost::system::error_code ec;
  t.expires_at = exp->to_number<int64_t>(ec);
  if (ec) return Unexpected(url, "\"expires_at\" is not an integer");
  return t;
}

Result<UploadedArtifact> UploadArtifact(const std::string& registry, const std::string& token,
                                        std::string_view name, std::string_view version,
                                        std::string_view filename, std::string_view bytes) {
  std::string digest = Sha256Hex(bytes);
  std::string url = registry + "/v0.1/x/dev.mcpreg/feed/" + PercentEncode(name) + "/" +
                    PercentEncode(version) + "/" + PercentEncode(filename);
  auto r = Send("PUT", url, token, "application/octet-stream", std::string(bytes),
                {{"X-Content-SHA256", digest}}, kUploadTimeout);
  if (!r.ok()) return r.status();
  boost::json::value holder;
  const auto* o = ParseObject(r->body, holder);
  if (o == nullptr) return Unexpected(url, "not a JSON object");
  UploadedArtifact a;
  a.url = StringField(*o, "url");
  a.sha256 = StringField(*o, "sha256");
  a.filename = StringField(*o, "filename");
  if (const auto* s = o->if_contains("size"); s != nullptr && s->is_number()) {
    boost::system::error_code ec;
    a.size = s->to_number<uint64_t>(ec);
  }
  if (a.url.empty()) return Unexpected(url, "no download \"url\"");
  if (a.sha256 != digest)
    return Unexpected(
        url, "the registry stored sha256 \"" + a.sha256 + "\" but the file hashes to " + digest);
  return a;
}

Result<PublishedServer> PublishServer(const std::string& registry, const std::string& token,
                                      const std::string& server_json) {
  std::string url = registry + "/v0.1/publish";
  auto r = Send("POST", url, token, "application/json", server_json);
  if (!r.ok()) return r.status();
  boost::json::value holder;
  const auto* o = ParseObject(r->body, holder);
  const auto* server = o != nullptr ? o->if_contains("server") : nullptr;
  if (server == nullptr || !server->is_object()) return Unexpected(url, "no \"server\" object");
  PublishedServer p{StringField(server->get_object(), "name"),
                    StringField(server->get_object(), "version")};
  if (p.name.empty() || p.version.empty()) return Unexpected(url, "server without name/version");
  return p;
}

Result<std::string> ValidationSummary(const std::string& registry, const std::string& server_json) {
  std::string url = registry + "/v0.1/validate";
  auto r = Send("POST", url, "", "application/json", server_json);
  if (!r.ok()) return r.status();
  boost::json::value holder;
  const auto* o = ParseObject(r->body, holder);
  const auto* issues = o != nullptr ? o->if_contains("issues") : nullptr;
  if (issues == nullptr || !issues->is_array()) return Unexpected(url, "no \"issues\" array");
  std::string first;
  size_t errors = 0;
  for (const auto& i : issues->get_array()) {
    if (!i.is_object() || StringField(i.get_object(), "severity") != "error") continue;
    if (errors++ == 0) {
      std::string path = StringField(i.get_object(), "path");
      first = (path.empty() ? std::string("(root)") : path) + ": " +
              StringField(i.get_object(), "message");
    }
  }
  if (errors > 1) first += " (and " + std::to_string(errors - 1) + " more)";
  return first;
}

Result<StatusChange> MakeStatusChange(bool deprecate, bool remove, bool restore,
                                      std::optional<std::string> message) {
  int actions = int{deprecate} + int{remove} + int{restore};
  if (actions != 1)
    return Status::InvalidArgument("exactly one of --deprecate, --delete or --restore is required");
  if (restore && message)
    return Status::InvalidArgument(
        "--message cannot be used with --restore (an active version carries no status message)");
  StatusChange c;
  c.status = deprecate ? "deprecated" : remove ? "deleted" : "active";
  c.message = std::move(message);
  return c;
}

std::string StatusChangeBody(const StatusChange& change) {
  std::string body;
  json::JsonOut w(body);
  w.BeginObject().Key("status").String(change.status);
  if (change.message) w.Key("statusMessage").String(*change.message);
  w.EndObject();
  return body;
}

Result<StatusChangeResult> UpdateStatus(const std::string& registry, const std::string& token,
                                        std::string_view name, std::string_view version,
                                        const StatusChange& change) {
  std::string url = registry + "/v0.1/servers/" + PercentEncode(name);
  if (!version.empty()) url += "/versions/" + PercentEncode(version);
  url += "/status";
  auto r = Send("PATCH", url, token, "application/json", StatusChangeBody(change));
  if (!r.ok()) return r.status();
  boost::json::value holder;
  const auto* o = ParseObject(r->body, holder);
  if (o == nullptr) return Unexpected(url, "not a JSON object");
  // One ServerResponse for a version, {"updatedCount", "servers": [...]} for all versions.
  auto read_one = [](const boost::json::object& resp) -> std::optional<VersionStatus> {
    const auto* server = resp.if_contains("server");
    if (server == nullptr || !server->is_object()) return std::nullopt;
    VersionStatus vs{StringField(server->get_object(), "version"), ""};
    const auto* meta = resp.if_contains("_meta");
    const auto* official =
        meta != nullptr && meta->is_object()
            ? meta->get_object().if_contains("io.modelcontextprotocol.registry/official")
            : nullptr;
    if (official != nullptr && official->is_object())
      vs.status = StringField(official->get_object(), "status");
    return vs;
  };
  StatusChangeResult result;
  if (version.empty()) {
    const auto* servers = o->if_contains("servers");
    if (servers == nullptr || !servers->is_array()) return Unexpected(url, "no \"servers\" array");
    for (const auto& s : servers->get_array()) {
      if (!s.is_object()) return Unexpected(url, "a \"servers\" entry is not an object");
      if (auto vs = read_one(s.get_object())) result.versions.push_back(*vs);
    }
    const auto* count = o->if_contains("updatedCount");
    boost::system::error_code ec;
    result.updated_count = count != nullptr && count->is_number() ? count->to_number<int>(ec)
                                                                  : int(result.versions.size());
  } else {
    auto vs = read_one(*o);
    if (!vs) return Unexpected(url, "no \"server\" object");
    result.updated_count = 1;
    result.versions.push_back(*vs);
  }
  return result;
}

Result<std::string> CallGovernance(const std::string& registry, const std::string& token,
                                   std::string method, const std::vector<std::string>& segments,
                                   std::string_view query, std::string body) {
  std::string url = registry + "/v0.1/x/dev.mcpreg";
  for (const auto& s : segments) url += "/" + PercentEncode(s);
  if (!query.empty()) url += "?" + std::string(query);
  std::string type = body.empty() ? std::string() : std::string("application/json");
  auto r = Send(std::move(method), url, token, std::move(type), std::move(body));
  if (!r.ok()) return r.status();
  boost::json::value holder;
  if (ParseObject(r->body, holder) == nullptr) return Unexpected(url, "not a JSON object");
  return std::move(r->body);
}

}  // namespace mcpreg::client
