// Rewrites a server.json so that the package built into an uploaded file points at the file's
// copy in the registry's package feed (`mcpreg publish --package FILE`).
//
// Thread-safety: pure functions on caller-owned values.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::client {

// The index of the package FILE provides: the one whose identifier ends with "/<filename>" (or
// is exactly `filename`); when none does, the first package with "registryType": "mcpb".
// Errors: InvalidArgument when `server` has no "packages" array or no package matches (the
// message says what was looked for).
Result<size_t> FindArtifactPackage(const boost::json::object& server, std::string_view filename);

// Picks the package as FindArtifactPackage does and sets its `identifier` to `url` and its
// `fileSha256` to `sha256`. Other packages and every other member keep their content and order.
// Returns the index of the package changed. Errors: as FindArtifactPackage.
Result<size_t> PointPackageAtArtifact(boost::json::object& server, std::string_view filename,
                                      std::string_view url, std::string_view sha256);

// The last path component of `path` ("dist/x.mcpb" → "x.mcpb").
std::string BaseName(std::string_view path);

}  // namespace mcpreg::client
