#include "client/package_rewrite.h"

#include <boost/json.hpp>

namespace mcpreg::client {
namespace {

bool IdentifierNamesFile(std::string_view id, std::string_view filename) {
  if (id.size() < filename.size() || id.substr(id.size() - filename.size()) != filename)
    return false;
  return id.size() == filename.size() || id[id.size() - filename.size() - 1] == '/';
}

std::string_view StringMember(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

std::string BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Result<size_t> FindArtifactPackage(const boost::json::object& server, std::string_view filename) {
  const auto* packages = server.if_contains("packages");
  if (packages == nullptr || !packages->is_array() || packages->get_array().empty()) {
    return Status::InvalidArgument(
        "--package given but server.json has no \"packages\" to point at the uploaded file; add "
        "a package with \"registryType\": \"mcpb\" (or an identifier ending in \"" +
        std::string(filename) + "\")");
  }
  const auto& arr = packages->get_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    if (arr[i].is_object() &&
        IdentifierNamesFile(StringMember(arr[i].get_object(), "identifier"), filename))
      return i;
  }
  for (size_t i = 0; i < arr.size(); ++i) {
    if (arr[i].is_object() && StringMember(arr[i].get_object(), "registryType") == "mcpb") return i;
  }
  return Status::InvalidArgument(
      "no package in server.json matches the uploaded file: expected one with \"registryType\": "
      "\"mcpb\" or an identifier ending in \"/" +
      std::string(filename) + "\"");
}

Result<size_t> PointPackageAtArtifact(boost::json::object& server, std::string_view filename,
                                      std::string_view url, std::string_view sha256) {
  auto index = FindArtifactPackage(server, filename);
  if (!index.ok()) return index.status();
  auto& pkg = server["packages"].get_array()[*index].get_object();
  pkg["identifier"] = url;
  pkg["fileSha256"] = sha256;
  return *index;
}

}  // namespace mcpreg::client
