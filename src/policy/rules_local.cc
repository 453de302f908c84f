// Local servers (packages[]): stdio only, self-contained (no language runtime), digest-pinned.
//
// "Needs a runtime": the package's runtimeHint is a launcher (npx, uvx, docker, dnx, ...) or its
// registryType is one whose artifacts run on a language runtime (npm -> Node, pypi -> Python,
// nuget -> .NET, oci -> a container runtime). mcpb bundles and other self-contained artifacts
// pass. Severity follows `strict` unless the rule sets one.
//
// "Digest present": fileSha256 holds 64 lowercase hex digits; an oci package may instead pin its
// image by digest in the identifier (`image@sha256:<64 hex>`).
#include <string>

#include "model/server_json.h"
#include "policy/rules.h"

namespace mcpreg::policy::internal {
namespace {

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool OciPinnedByDigest(const model::Package& p) {
  size_t at = p.identifier.rfind("@sha256:");
  return at != std::string::npos && IsSha256Hex(std::string_view(p.identifier).substr(at + 8));
}

}  // namespace

void CheckLocal(const model::ServerJson& server, Sink& sink) {
  const Policy& policy = sink.policy();
  for (size_t i = 0; i < server.packages.size(); ++i) {
    const model::Package& p = server.packages[i];
    const std::string path = "packages[" + std::to_string(i) + "]";
    if (sink.On("local.transport-stdio") && p.transport.type != "stdio") {
      sink.Add("local.transport-stdio", path + ".transport.type",
               "local servers must use the stdio transport, got \"" + p.transport.type + "\"");
    }
    if (sink.On("local.runtime-required")) {
      if (!p.runtime_hint.empty() && IContains(policy.runtime_hints, p.runtime_hint)) {
        sink.Add("local.runtime-required", path + ".runtimeHint",
                 "runtimeHint \"" + p.runtime_hint +
                     "\" needs a runtime on the user's machine; ship a self-contained "
                     "executable or bundle (mcpb) instead");
      }
      if (IContains(policy.registry_types, p.registry_type)) {
        sink.Add("local.runtime-required", path + ".registryType",
                 "\"" + p.registry_type +
                     "\" packages need a language or container runtime; ship a self-contained "
                     "executable or bundle (mcpb) instead");
      }
    }
    if (sink.On("local.package-digest")) {
      if (p.file_sha256.empty()) {
        if (!(p.registry_type == "oci" && OciPinnedByDigest(p))) {
          sink.Add("local.package-digest", path + ".fileSha256",
                   "package digest missing: set fileSha256 (SHA-256 of the artifact)" +
                       std::string(p.registry_type == "oci" ? " or pin the image by @sha256:"
                                                            : ""));
        }
      } else if (!IsSha256Hex(p.file_sha256)) {
        sink.Add("local.package-digest", path + ".fileSha256",
                 "fileSha256 must be 64 lowercase hex digits");
      }
    }
  }
}

}  // namespace mcpreg::policy::internal
