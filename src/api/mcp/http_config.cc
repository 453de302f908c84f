#include "api/mcp/http_config.h"

#include <string>
#include <vector>

namespace mcpreg::mcpapi {
namespace bj = boost::json;
namespace {

Status Expected(std::string_view key, std::string_view what) {
  return Status::InvalidArgument("mcp." + std::string(key) + ": expected " + std::string(what));
}

Status StringList(const bj::value& v, std::string_view key, std::vector<std::string>* out) {
  if (!v.is_array()) return Expected(key, "a list of strings");
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return Expected(key, "a list of strings");
    out->emplace_back(item.as_string());
  }
  return Status::OK();
}

Result<int64_t> Positive(const bj::value& v, std::string_view key) {
  if (!v.is_int64() || v.as_int64() <= 0) return Expected(key, "a positive integer");
  return v.as_int64();
}

}  // namespace

Result<McpEndpointConfig> ParseMcpConfig(const bj::object& section) {
  McpEndpointConfig c;
  for (const auto& [key, value] : section) {
    if (key == "enabled") {
      if (!value.is_bool()) return Expected(key, "true or false");
      c.enabled = value.as_bool();
    } else if (key == "allowed_origins") {
      MCPREG_RETURN_IF_ERROR(StringList(value, key, &c.http.allowed_origins));
    } else if (key == "allowed_hosts") {
      MCPREG_RETURN_IF_ERROR(StringList(value, key, &c.http.allowed_hosts));
    } else if (key == "session_idle_ttl_seconds") {
      auto n = Positive(value, key);
      if (!n.ok()) return n.status();
      c.http.session_idle_ttl = std::chrono::seconds(*n);
    } else if (key == "max_sessions") {
      auto n = Positive(value, key);
      if (!n.ok()) return n.status();
      c.http.max_sessions = size_t(*n);
    } else if (key == "max_sessions_per_client") {
      auto n = Positive(value, key);
      if (!n.ok()) return n.status();
      c.http.max_sessions_per_client = size_t(*n);
    } else if (key == "max_client_capabilities_bytes") {
      auto n = Positive(value, key);
      if (!n.ok()) return n.status();
      c.http.session_limits.max_client_capabilities_bytes = size_t(*n);
    } else if (key == "max_subscriptions_per_session") {
      auto n = Positive(value, key);
      if (!n.ok()) return n.status();
      c.http.session_limits.max_subscriptions = size_t(*n);
    } else if (key == "max_subscription_uri_bytes") {
      auto n = Positive(value, key);
      if (!n.ok()) return n.status();
      c.http.session_limits.max_subscription_uri_bytes = size_t(*n);
    } else if (key == "auth") {
      if (!value.is_object()) return Expected(key, "an object");
      c.auth.enabled = true;
      for (const auto& [k, v] : value.as_object()) {
        std::string path = "auth." + std::string(k);
        if (k == "resource") {
          if (!v.is_string() || v.as_string().empty()) return Expected(path, "a URL");
          c.auth.resource = std::string(v.as_string());
        } else if (k == "required") {
          if (!v.is_bool()) return Expected(path, "true or false");
          c.auth.required = v.as_bool();
        } else if (k == "issuers") {
          MCPREG_RETURN_IF_ERROR(StringList(v, path, &c.auth.issuers));
        } else {
          return Status::InvalidArgument("mcp." + path + ": unknown key");
        }
      }
      if (c.auth.resource.empty()) return Expected("auth.resource", "a URL (required)");
    } else {
      return Status::InvalidArgument("mcp." + std::string(key) + ": unknown key");
    }
  }
  return c;
}

}  // namespace mcpreg::mcpapi
