// Throwaway PostgreSQL databases for tests of the PostgreSQL backend.
//
// Every test that needs PostgreSQL gets its own database on one shared cluster:
//
//   std::string uri = mcpreg::testing::CreateTestDatabase("publish");
//   auto store = mcpreg::OpenPostgresStore(uri);
//   ...
//   mcpreg::testing::DropTestDatabase(uri);  // optional; the cluster is thrown away anyway
//
// The cluster: `make test` (and scripts/test-sanitize.sh) start one for the whole ctest run
// and pass its admin URI to every test process in MCPREG_TEST_PG. When that variable is unset
// (the test binary run by hand, or plain `ctest`), the first call starts a private cluster
// for this process with scripts/pg-cluster.sh (about 1 s), which is stopped and removed when
// the process exits (or, if it is killed, by the script's watcher about a second later).
// PostgreSQL tests never skip: when no cluster can be had, these functions throw, which
// gtest reports as a failure of the calling test.
//
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <string>
#include <string_view>

namespace mcpreg::testing {

// The admin URI of the test cluster, e.g. "postgresql://postgres@127.0.0.1:23456/postgres":
// $MCPREG_TEST_PG when set and non-empty, else the URI of this process's private cluster
// (started on the first call). The role is a superuser; authentication is `trust`.
// Throws std::runtime_error (with the script's message) when the private cluster cannot be
// started; later calls throw the same error without trying again.
std::string PgAdminUri();

// Creates a new, empty database on the test cluster and returns its URI (the admin URI with
// the database name replaced; same role, host and port). The name is "mcpreg_t_" + `hint`
// lowercased with every character outside [a-z0-9] turned into '_', then "_<pid>_<n>",
// shortened to PostgreSQL's 63-byte limit by cutting the hint; it is unique on the cluster.
// Throws std::runtime_error when the cluster cannot be reached or CREATE DATABASE fails.
std::string CreateTestDatabase(std::string_view hint);

// Drops the database `uri` names (as returned by CreateTestDatabase), closing any sessions
// still connected to it (DROP DATABASE ... WITH (FORCE)). Best effort: never throws; failures
// are reported on stderr. Databases whose name does not start with "mcpreg_t_" are left
// alone, so a wrong URI cannot drop anything else.
void DropTestDatabase(const std::string& uri);

}  // namespace mcpreg::testing
