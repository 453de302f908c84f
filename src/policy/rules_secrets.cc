// secrets.*: every string of the raw document (including `_meta`) through ScanString, plus the
// input rules on the typed model:
//   secrets.secret-input  an env var / header / argument whose name or description asks for a
//                         PAT, personal access token, shared secret, client secret or API key
//                         (warning: recommend OAuth or managed identity instead);
//   secrets.secret-value  an input marked isSecret that ships a literal value or default.
#include <boost/json.hpp>

#include "model/server_json.h"
#include "policy/rules.h"
#include "policy/secret_scan.h"

namespace mcpreg::policy::internal {
namespace {
namespace bj = boost::json;

void Walk(const bj::value& v, std::string& path, Sink& sink) {
  switch (v.kind()) {
    case bj::kind::object:
      for (const auto& kv : v.as_object()) {
        size_t len = path.size();
        std::string_view key = kv.key();
        if (!path.empty()) path += '.';
        path += (len == 0 && key == "$schema") ? std::string_view("schema") : key;
        Walk(kv.value(), path, sink);
        path.resize(len);
      }
      break;
    case bj::kind::array: {
      const bj::array& a = v.as_array();
      for (size_t i = 0; i < a.size(); ++i) {
        size_t len = path.size();
        path += '[' + std::to_string(i) + ']';
        Walk(a[i], path, sink);
        path.resize(len);
      }
      break;
    }
    case bj::kind::string:
      for (SecretFinding& f : ScanString(sink.policy(), v.as_string())) {
        sink.Add(f.rule, path, f.kind + " in metadata (\"" + f.redacted + "\")");
      }
      break;
    default:
      break;
  }
}

// Whether a name/description asks the user for a long-lived shared credential.
std::string AsksForSecret(std::string_view text) {
  std::vector<std::string> w = Words(text);
  for (size_t i = 0; i < w.size(); ++i) {
    auto next = [&](std::string_view s) { return i + 1 < w.size() && w[i + 1] == s; };
    if (w[i] == "pat" || w[i] == "pats") return "a personal access token";
    if (w[i] == "personal" && next("access")) return "a personal access token";
    if (w[i] == "shared" && next("secret")) return "a shared secret";
    if (w[i] == "client" && next("secret")) return "a client secret";
    if (w[i] == "apikey" || (w[i] == "api" && next("key"))) return "an API key";
  }
  return "";
}

void CheckInput(const model::Input& in, std::string_view name, const std::string& path,
                Sink& sink) {
  if (sink.On("secrets.secret-input")) {
    std::string what = AsksForSecret(name);
    if (what.empty()) what = AsksForSecret(in.description);
    if (!what.empty()) {
      sink.Add("secrets.secret-input", path,
               "input asks users for " + what +
                   "; prefer OAuth or a managed identity over long-lived shared secrets");
    }
  }
  if (sink.On("secrets.secret-value") && in.is_secret) {
    if (!in.value.empty() && !IsPlaceholder(in.value) && in.value.find('{') == std::string::npos)
      sink.Add("secrets.secret-value", path + ".value", "secret input ships a literal value");
    if (!in.default_value.empty() && !IsPlaceholder(in.default_value))
      sink.Add("secrets.secret-value", path + ".default", "secret input ships a literal default");
  }
}

template <typename T>
void CheckInputs(const std::vector<T>& inputs, const std::string& path, Sink& sink) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    CheckInput(inputs[i], inputs[i].name, path + "[" + std::to_string(i) + "]", sink);
  }
}

}  // namespace

void CheckSecrets(const bj::value& doc, const model::ServerJson& server, Sink& sink) {
  std::string path;
  path.reserve(128);
  Walk(doc, path, sink);
  if (!sink.On("secrets.secret-input") && !sink.On("secrets.secret-value")) return;
  for (size_t i = 0; i < server.packages.size(); ++i) {
    const model::Package& p = server.packages[i];
    const std::string base = "packages[" + std::to_string(i) + "]";
    CheckInputs(p.environment_variables, base + ".environmentVariables", sink);
    CheckInputs(p.runtime_arguments, base + ".runtimeArguments", sink);
    CheckInputs(p.package_arguments, base + ".packageArguments", sink);
    CheckInputs(p.transport.headers, base + ".transport.headers", sink);
  }
  for (size_t i = 0; i < server.remotes.size(); ++i) {
    CheckInputs(server.remotes[i].headers, "remotes[" + std::to_string(i) + "].headers", sink);
  }
}

}  // namespace mcpreg::policy::internal
