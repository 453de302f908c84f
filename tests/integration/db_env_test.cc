// The database a command uses when --db is not given (issue 10): $MCPREG_DB, with --db still
// winning; the --db help every command shares; a PostgreSQL URI's password never printed.
// Runs the real binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "integration/server_process.h"

namespace mcpreg {
namespace {

using testing::RunCli;

// Sets $MCPREG_DB for the commands this test runs (children inherit it), unsets it after.
class DbEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TempDir(); }
  void TearDown() override {
    unsetenv("MCPREG_DB");
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(DbEnvTest, MigrateUsesTheDatabaseNamedByTheEnvironment) {
  const std::string db = dir_ + "/from-env.db";
  setenv("MCPREG_DB", db.c_str(), 1);
  std::string out, err;
  ASSERT_EQ(RunCli({"migrate", "--dry-run"}, &out, &err), 0) << err;
  EXPECT_NE(out.find(db + ": "), std::string::npos) << out;
  EXPECT_NE(out.find("migration(s) pending"), std::string::npos) << out;
  ASSERT_EQ(RunCli({"migrate"}, &out, &err), 0) << err;
  EXPECT_NE(out.find(db + ": "), std::string::npos) << out;
  EXPECT_NE(out.find("migration(s) applied"), std::string::npos) << out;
  ASSERT_EQ(RunCli({"migrate", "--dry-run"}, &out, &err), 0) << err;
  EXPECT_NE(out.find(db + ": 0 migration(s) pending"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(db));
}

TEST_F(DbEnvTest, AuditShowReadsTheEnvironmentsDatabaseAndTheFlagWins) {
  const std::string env_db = dir_ + "/env.db";
  const std::string flag_db = dir_ + "/flag.db";
  setenv("MCPREG_DB", env_db.c_str(), 1);
  std::string out, err;
  ASSERT_EQ(RunCli({"admin", "grant", "--issuer", "https://idp.example", "--subject", "ci",
                    "--namespace", "com.example/*", "--role", "publisher"},
                   &out, &err),
            0)
      << err;
  EXPECT_TRUE(std::filesystem::exists(env_db));
  ASSERT_EQ(RunCli({"audit", "show"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("grant"), std::string::npos) << out;
  EXPECT_NE(out.find("com.example/*"), std::string::npos) << out;
  // --db wins over the environment: a fresh database has no entries.
  ASSERT_EQ(RunCli({"audit", "show", "--db", flag_db}, &out, &err), 0) << err;
  EXPECT_EQ(out, "");
  EXPECT_TRUE(std::filesystem::exists(flag_db));
}

TEST_F(DbEnvTest, PostgresPasswordIsNeverPrinted) {
  // Nothing listens on port 1: the command fails as an environment problem (exit 3) and
  // names the database with its password redacted.
  setenv("MCPREG_DB", "postgresql://mcpreg:hunter2@127.0.0.1:1/registry?connect_timeout=2", 1);
  std::string out, err;
  EXPECT_EQ(RunCli({"migrate", "--dry-run"}, &out, &err), 3) << out << err;
  EXPECT_NE(err.find("database unavailable"), std::string::npos) << err;
  EXPECT_EQ((out + err).find("hunter2"), std::string::npos) << out << err;
  unsetenv("MCPREG_DB");
  EXPECT_EQ(RunCli({"audit", "show", "--db",
                    "postgresql://mcpreg@127.0.0.1:1/registry?password=hunter2&connect_timeout=2"},
                   &out, &err),
            3);
  EXPECT_EQ((out + err).find("hunter2"), std::string::npos) << out << err;
}

TEST_F(DbEnvTest, EveryDatabaseCommandDocumentsBothBackendsAndTheEnvironment) {
  const std::string help = "SQLite file or PostgreSQL URI (default ./var/registry.db; env MCPREG_DB)";
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"serve"}, {"mcp"}, {"import"}, {"migrate"}, {"admin", "grant"},
        {"admin", "list"}, {"audit", "show"}, {"audit", "verify"}, {"request", "list"},
        {"review", "list"}, {"evidence", "list"}, {"export"}}) {
    cmd.push_back("--help");
    std::string out, err;
    RunCli(cmd, &out, &err);
    EXPECT_NE(out.find(help), std::string::npos) << cmd[0] << "\n" << out;
  }
}

}  // namespace
}  // namespace mcpreg
