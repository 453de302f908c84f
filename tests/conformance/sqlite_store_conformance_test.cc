// Runs the Store conformance suite against the SQLite backend on temporary files.
#include <fstream>

#include "conformance/store_conformance.h"

namespace mcpreg::conformance {
namespace {

StoreBackend SqliteBackend() {
  return {"sqlite",
          [](const std::filesystem::path& dir) {
            return OpenSqliteStore((dir / "registry.db").string());
          },
          [](const std::filesystem::path& dir) {
            std::ofstream(dir / "plain-file") << "x";  // a directory cannot be created below it
            return OpenSqliteStore((dir / "plain-file" / "registry.db").string());
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, ::testing::Values(SqliteBackend()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace mcpreg::conformance
