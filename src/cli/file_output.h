// Writing a command's output file: the whole content or nothing (a temporary file renamed into
// place), so a reader never sees half an export.
#pragma once

#include <string>

#include "mcpreg/status.h"

namespace mcpreg::cli {

// Writes `bytes` to `path` + ".tmp" and renames it to `path`.
// Errors: Unavailable ("cannot write <path>.tmp: <errno text>", "cannot rename ...").
Status WriteFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace mcpreg::cli
