// The CLI on a PostgreSQL database: `migrate --dry-run` lists the backend's own numbered
// migrations, `serve` refuses pending migrations on an existing database as it does for SQLite,
// and a password in the URI is never printed.
#include <gtest/gtest.h>

#include <string>

#include "integration/server_process.h"
#include "store/postgres/pg_conn.h"
#include "support/pg_test_db.h"

namespace mcpreg {
namespace {

using testing::RunCli;

// `uri` with a password added to its userinfo (the test cluster trusts every local login, so
// the password is carried but never checked).
std::string WithPassword(const std::string& uri, const std::string& password) {
  size_t at = uri.find('@');
  return uri.substr(0, at) + ":" + password + uri.substr(at);
}

TEST(PostgresCliTest, MigrateLiftsPendingMigrationsThatServeRefuses) {
  std::string uri = testing::CreateTestDatabase("cli_migrate");
  std::string secret_uri = WithPassword(uri, "s3cr3t-pw");
  std::string out, err;
  ASSERT_EQ(RunCli({"migrate", "--db", secret_uri, "--dry-run"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("0001"), std::string::npos) << out;
  EXPECT_NE(out.find("0002"), std::string::npos) << out;
  EXPECT_EQ((out + err).find("s3cr3t-pw"), std::string::npos) << out << err;

  ASSERT_EQ(RunCli({"migrate", "--db", secret_uri}, &out, &err), 0) << err;
  // Roll the database back to "migration 1 applied, 2 pending", as an older release left it.
  {
    auto c = store::pg::PgConn::Connect(uri, std::chrono::seconds(3), std::chrono::seconds(10));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE((*c)->ExecScript("DELETE FROM schema_migrations WHERE version = 2; "
                                 "DROP TABLE feed_blob_chunks, feed_blobs, settings")
                    .ok());
  }
  ASSERT_NE(RunCli({"serve", "--listen", "127.0.0.1:0", "--db", secret_uri}, &out, &err), 0);
  EXPECT_NE(err.find("migration(s) pending"), std::string::npos) << err;
  EXPECT_NE(err.find("mcpreg migrate --db"), std::string::npos) << err;
  EXPECT_EQ((out + err).find("s3cr3t-pw"), std::string::npos) << err;

  ASSERT_EQ(RunCli({"migrate", "--db", secret_uri}, &out, &err), 0) << err;
  testing::ServerProcess server(secret_uri, {"--no-demo"});
  ASSERT_TRUE(server.started()) << server.log();
  EXPECT_EQ(server.log().find("s3cr3t-pw"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find(":***@"), std::string::npos) << server.log();
  testing::DropTestDatabase(uri);
}

TEST(PostgresCliTest, UnreachableDatabaseIsAOneLineEnvironmentError) {
  std::string out, err;
  int rc = RunCli({"audit", "verify", "--db", "postgresql://u:hunter2@127.0.0.1:1/none"}, &out,
                  &err);
  EXPECT_EQ(rc, 3) << err;  // environment problem
  EXPECT_NE(err.find("database unavailable"), std::string::npos) << err;
  EXPECT_EQ((out + err).find("hunter2"), std::string::npos) << err;
}

}  // namespace
}  // namespace mcpreg
