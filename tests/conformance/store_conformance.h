// The Store conformance suite: behaviour every mcpreg::Store backend must show. A backend
// instantiates it once with its factory, e.g.
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"sqlite", OpenFn, BadFn}),
//                            [](const auto& info) { return info.param.name; });
//
// Each test gets a fresh, empty temporary directory; `open` must return a store whose data
// lives under that directory, or in a place the directory leads to, such as a database it
// records (so reopening the same location sees the same data).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "mcpreg/store.h"

namespace mcpreg::conformance {

struct StoreBackend {
  std::string name;
  // Opens (creating if needed) the store located at `dir` (an existing empty directory on
  // first call). Must not migrate.
  std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& dir)> open;
  // Opens a store at a location that cannot work (e.g. a path below a regular file); the
  // suite expects Unavailable.
  std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& dir)> open_bad;
  // Optional: called after each test, before `dir` is removed, to release what `open` made
  // outside it (e.g. drop the database a server backend created for the test).
  std::function<void(const std::filesystem::path& dir)> cleanup;
};

// gtest prints a parameter of a failing test with this (the name, not the object's bytes).
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Opens the store at dir_ and migrates it (ASSERTs on failure).
  std::unique_ptr<Store> OpenMigrated();
  // Opens and migrates a second, independent store at dir_/"second" (created empty on the
  // first call): the other end of the copy tests (ASSERTs on failure).
  std::unique_ptr<Store> OpenSecondMigrated();

  std::filesystem::path dir_;

 private:
  std::unique_ptr<Store> OpenMigratedAt(const std::filesystem::path& dir);
};

}  // namespace mcpreg::conformance
