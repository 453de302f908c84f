// Remote servers (remotes[]): Streamable HTTP only, https, authentication declared, and the
// optional active probe.
//
// "Authentication declared" (remote.auth-declared), the documented rule: a remote passes when
//   - it declares a header whose name is in `headers` (default: Authorization), or any header
//     marked isSecret (an API-key style header; secrets.secret-input may still warn), or
//   - the publisher-provided `_meta` object has a key in `metaKeys` (default: oauth,
//     authorization, auth) whose value is a non-empty object, `true` or a non-empty string,
//     the hint for servers that rely on OAuth discovery (401 + RFC 9728 metadata).
#include <boost/json.hpp>

#include "model/server_json.h"
#include "policy/remote_probe.h"
#include "policy/rules.h"

namespace mcpreg::policy::internal {
namespace {

bool MetaDeclaresAuth(const model::ServerJson& server, const Policy& policy) {
  if (!server.publisher_provided) return false;
  for (const auto& kv : *server.publisher_provided) {
    if (!IContains(policy.auth_meta_keys, kv.key())) continue;
    const boost::json::value& v = kv.value();
    if ((v.is_object() && !v.as_object().empty()) || (v.is_bool() && v.as_bool()) ||
        (v.is_string() && !v.as_string().empty())) {
      return true;
    }
  }
  return false;
}

}  // namespace

void CheckRemote(const model::ServerJson& server, RemoteProber* prober, Sink& sink) {
  const Policy& policy = sink.policy();
  const bool meta_auth = MetaDeclaresAuth(server, policy);
  for (size_t i = 0; i < server.remotes.size(); ++i) {
    const model::Transport& t = server.remotes[i];
    const std::string path = "remotes[" + std::to_string(i) + "]";
    if (sink.On("remote.transport-streamable-http") && t.type != "streamable-http") {
      sink.Add("remote.transport-streamable-http", path + ".type",
               "remote servers must use streamable-http" +
                   std::string(t.type == "sse" ? " (SSE is deprecated and not allowed)"
                                               : ", got \"" + t.type + "\""));
    }
    const bool https = Lower(t.url.substr(0, 8)) == "https://";
    if (sink.On("remote.https") && !https) {
      sink.Add("remote.https", path + ".url", "remote URL must use https");
    }
    if (sink.On("remote.auth-declared")) {
      bool declared = meta_auth;
      for (const model::KeyValueInput& h : t.headers) {
        declared = declared || h.is_secret || IContains(policy.auth_headers, h.name);
      }
      if (!declared) {
        sink.Add("remote.auth-declared", path,
                 "remote declares no authentication: add an Authorization header input or an "
                 "OAuth hint in _meta (publisher-provided \"oauth\")");
      }
    }
    if (prober != nullptr && sink.On("remote.probe")) {
      if (t.url.find('{') != std::string::npos) {
        sink.AddAs("remote.probe", "warning", path + ".url",
                   "templated remote URL cannot be probed");
        continue;
      }
      Status st = ProbeRemoteAuth(*prober, t.url);
      if (!st.ok()) sink.Add("remote.probe", path + ".url", "auth probe: " + st.message());
    }
  }
}

}  // namespace mcpreg::policy::internal
