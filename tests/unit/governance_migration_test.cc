// Migration 0005 (identity = issuer + subject): request filers stored without their issuer
// become "legacy:..." and so match no principal; proof and operator filers are kept.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/migrations/sqlite_migrations.h"

namespace mcpreg::store {
namespace {

TEST(GovernanceMigrationTest, LegacyOidcFilersMatchNoPrincipalAfter0005) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  const Migration* identity = nullptr;
  for (const auto& m : SqliteMigrations()) {
    if (m.name == "identity_issuer") {
      identity = &m;
      continue;
    }
    ASSERT_EQ(sqlite3_exec(db, std::string(m.sql).c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << m.name;
  }
  ASSERT_NE(identity, nullptr);
  const char* rows[] = {"oidc:pub", "github-oidc:repo:acme/x:ref:refs/heads/main",
                        "dns:example.com", "http:example.com", "cli:root@host"};
  for (int i = 0; i < 5; ++i) {
    std::string sql =
        "INSERT INTO server_requests (name, state, document, issuer, subject, "
        "revision, created_at, updated_at, created_by) VALUES ('n" +
        std::to_string(i) + "', 'pending', '{}', 'https://i', 's', 1, 0, 0, '" + rows[i] + "')";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ASSERT_EQ(sqlite3_exec(db, std::string(identity->sql).c_str(), nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::string got;
  sqlite3_exec(
      db, "SELECT created_by FROM server_requests ORDER BY name",
      [](void* out, int, char** v, char**) {
        *static_cast<std::string*>(out) += std::string(v[0]) + "\n";
        return 0;
      },
      &got, nullptr);
  EXPECT_EQ(got,
            "legacy:oidc:pub\nlegacy:github-oidc:repo:acme/x:ref:refs/heads/main\n"
            "dns:example.com\nhttp:example.com\ncli:root@host\n");
  sqlite3_close(db);
}

}  // namespace
}  // namespace mcpreg::store
