// The storage backends an integration test runs the real binary against, as a gtest parameter,
// so one test body covers both (the issue: "parameterise, don't copy"):
//
//   class PublishE2ETest : public ::testing::TestWithParam<testing::Backend> { ... };
//   TEST_P(PublishE2ETest, ...) { std::string db = testing::NewDbLocation(GetParam(), dir, "x"); }
//   INSTANTIATE_TEST_SUITE_P(Backends, PublishE2ETest, testing::AllBackends(),
//                            testing::BackendParamName());
//
// gives the tests Backends/PublishE2ETest.Name/sqlite and Backends/PublishE2ETest.Name/postgres.
// PostgreSQL databases come from the shared test cluster (support/pg_test_db.h).
//
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace mcpreg::testing {

enum class Backend { kSqlite, kPostgres };

// "sqlite" or "postgres": the suffix of the test names.
std::string_view BackendName(Backend backend);

// Every backend, for INSTANTIATE_TEST_SUITE_P.
inline auto AllBackends() { return ::testing::Values(Backend::kSqlite, Backend::kPostgres); }

// Names the instantiated tests after the backend (…/sqlite, …/postgres).
struct BackendParamName {
  std::string operator()(const ::testing::TestParamInfo<Backend>& info) const {
    return std::string(BackendName(info.param));
  }
};

// A fresh, empty database for `backend`: SQLite, `dir` + "/registry.db" (the file is not
// created; the registry creates it on first open); PostgreSQL, the URI of a new empty database
// on the test cluster whose name contains `hint` (CreateTestDatabase). Throws
// std::runtime_error when no PostgreSQL database can be had (a test failure, never a skip).
std::string NewDbLocation(Backend backend, const std::string& dir, std::string_view hint);

// Runs `sql` directly on the database `location` names, not through the registry (to set a
// test up, or to alter rows behind the registry's back): through SQLite for a file path (which
// must exist), through libpq for a PostgreSQL URI (see IsPostgresLocation; several statements
// run as one transaction). Returns "" on success, else the database's error message.
std::string ExecSql(const std::string& location, const std::string& sql);

// gtest prints parameters with this (failure messages name the backend, not its bytes).
inline void PrintTo(Backend backend, std::ostream* os) { *os << BackendName(backend); }

}  // namespace mcpreg::testing
