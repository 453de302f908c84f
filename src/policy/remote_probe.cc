// RemoteProber over the blocking HTTP client, challenge parsing and the probe contract.
#include "policy/remote_probe.h"

#include <boost/json.hpp>

#include "policy/rules.h"
#include "transport/http_client.h"

namespace mcpreg::policy {
namespace bj = boost::json;

namespace {

constexpr std::string_view kInitialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
    R"("capabilities":{},"clientInfo":{"name":"mcpreg-policy-probe","version":"1.0.0"}}})";
constexpr size_t kMaxBody = 256 * 1024;

Result<ProbeResponse> ToProbe(Result<http::ClientResponse> r) {
  if (!r.ok()) return r.status();
  ProbeResponse out;
  out.status = r->status;
  out.body = std::move(r->body);
  for (const auto& [name, value] : r->headers) {
    if (internal::IEquals(name, "WWW-Authenticate")) {
      out.www_authenticate += (out.www_authenticate.empty() ? "" : ", ") + value;
    }
  }
  return out;
}

bool IsTokenChar(char c) { return c != ' ' && c != '\t' && c != ',' && c != '=' && c != '"'; }

std::string_view TrimSlash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ProbeResponse> HttpRemoteProber::Initialize(const std::string& url) {
  http::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"},
                 {"Accept", "application/json, text/event-stream"},
                 {"MCP-Protocol-Version", "2025-06-18"}};
  req.body = std::string(kInitialize);
  req.timeout = timeout_;
  req.max_body_bytes = kMaxBody;
  return ToProbe(http::Fetch(req));
}

Result<ProbeResponse> HttpRemoteProber::Get(const std::string& url) {
  http::ClientRequest req;
  req.url = url;
  req.headers = {{"Accept", "application/json"}};
  req.timeout = timeout_;
  req.max_body_bytes = kMaxBody;
  return ToProbe(http::Fetch(req));
}

std::string ResourceMetadataUrl(std::string_view h) {
  std::string scheme;
  size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t' || h[i] == ',')) ++i;
    size_t start = i;
    while (i < h.size() && IsTokenChar(h[i])) ++i;
    std::string token(h.substr(start, i - start));
    size_t j = i;
    while (j < h.size() && (h[j] == ' ' || h[j] == '\t')) ++j;
    if (j < h.size() && h[j] == '=' && !token.empty()) {  // auth-param
      i = j + 1;
      while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
      std::string value;
      if (i < h.size() && h[i] == '"') {
        for (++i; i < h.size() && h[i] != '"'; ++i) {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i];
        }
        ++i;
      } else {
        while (i < h.size() && h[i] != ',' && h[i] != ' ') value += h[i++];
      }
      if (internal::IEquals(scheme, "bearer") && internal::IEquals(token, "resource_metadata")) {
        return value;
      }
    } else if (!token.empty()) {
      scheme = token;
    } else {
      ++i;  // stray character: skip
    }
  }
  return "";
}

Status ProbeRemoteAuth(RemoteProber& prober, const std::string& url) {
  Result<ProbeResponse> init = prober.Initialize(url);
  if (!init.ok()) return Status::Unavailable("initialize request failed: " + init.status().message());
  if (init->status != 401) {
    return Status::FailedPrecondition("an unauthenticated initialize got HTTP " +
                                      std::to_string(init->status) + ", want 401");
  }
  std::string meta_url = ResourceMetadataUrl(init->www_authenticate);
  if (meta_url.empty()) {
    return Status::FailedPrecondition(
        "the 401 lacks a WWW-Authenticate Bearer challenge with resource_metadata (RFC 9728)");
  }
  if (meta_url.rfind("https://", 0) != 0) {
    return Status::FailedPrecondition("resource_metadata URL is not https: " + meta_url);
  }
  Result<ProbeResponse> meta = prober.Get(meta_url);
  if (!meta.ok()) {
    return Status::Unavailable("fetching resource metadata failed: " + meta.status().message());
  }
  if (meta->status != 200) {
    return Status::FailedPrecondition("resource metadata " + meta_url + " returned HTTP " +
                                      std::to_string(meta->status));
  }
  boost::system::error_code ec;
  bj::value doc = bj::parse(meta->body, ec);
  if (ec || !doc.is_object()) {
    return Status::FailedPrecondition("resource metadata is not a JSON object");
  }
  const bj::string* resource = doc.as_object().if_contains("resource")
                                   ? doc.as_object().at("resource").if_string()
                                   : nullptr;
  if (resource == nullptr || resource->empty()) {
    return Status::FailedPrecondition("resource metadata lacks a \"resource\" string");
  }
  std::string_view want = TrimSlash(std::string_view(*resource));
  if (std::string_view(url).substr(0, want.size()) != want) {
    return Status::FailedPrecondition("resource metadata names resource \"" + std::string(want) +
                                      "\", which does not cover " + url);
  }
  const bj::value* servers = doc.as_object().if_contains("authorization_servers");
  bool ok = servers != nullptr && servers->is_array() && !servers->as_array().empty();
  if (ok) {
    for (const bj::value& s : servers->as_array()) ok = ok && s.is_string();
  }
  if (!ok) {
    return Status::FailedPrecondition(
        "resource metadata lacks a non-empty \"authorization_servers\" list of strings");
  }
  return Status::OK();
}

}  // namespace mcpreg::policy
