// SQLite's Restore drops the append-only guards of audit_log and evidence to empty them: after a
// Restore (and after a failed one) the guards are back with their migration text, and any other
// connection still cannot update or delete an audit entry or a piece of evidence.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "mcpreg/store.h"
#include "store/migrations/sqlite_migrations.h"

namespace mcpreg {
namespace {

class SqliteRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mcpreg-restore-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = OpenSqliteStore((dir_ / "r.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate(false).ok());
    ASSERT_EQ(sqlite3_open((dir_ / "r.db").string().c_str(), &raw_), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close(raw_);
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The CREATE TRIGGER statements in force, one per line, by name.
  std::string Guards() {
    std::string out;
    sqlite3_exec(
        raw_, "SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
        [](void* o, int, char** v, char**) {
          *static_cast<std::string*>(o) += std::string(v[0]) + "\n";
          return 0;
        },
        &out, nullptr);
    return out;
  }
  // SQLITE_OK or the error of running `sql` on a connection of its own.
  int Run(const std::string& sql) {
    return sqlite3_exec(raw_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  void ExpectGuarded() {
    for (const char* sql : {"DELETE FROM audit_log", "UPDATE audit_log SET actor = 'x'",
                            "DELETE FROM evidence", "UPDATE evidence SET verdict = 'fail'"}) {
      EXPECT_EQ(Run(sql), SQLITE_CONSTRAINT) << sql;
      EXPECT_NE(std::string(sqlite3_errmsg(raw_)).find("append-only"), std::string::npos) << sql;
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  sqlite3* raw_ = nullptr;
};

Store::Snapshot OneOfEach() {
  Store::Snapshot s;
  AuditEvent e{1, "cli:a@h", "note", "x", "{}"};
  s.audit.push_back({1, e, std::string(64, '0'), AuditHash(std::string(64, '0'), 1, e)});
  s.evidence.push_back({7, "io.example/a", "1.0.0", "", "legal", "pass", "ok", "{}", 1, "cli:a@h"});
  return s;
}

TEST_F(SqliteRestoreTest, GuardsAreRecreatedFromTheMigrationText) {
  std::string before = Guards();
  for (const char* name : {"audit_log_no_update", "audit_log_no_delete", "evidence_no_update",
                           "evidence_no_delete"})
    ASSERT_NE(before.find(name), std::string::npos) << before;
  ASSERT_TRUE(store_->Restore(OneOfEach()).ok());
  ASSERT_TRUE(store_->Restore(OneOfEach()).ok());  // replaces guarded rows
  EXPECT_EQ(Guards(), before);
  std::string migrations;
  for (const auto& m : store::SqliteMigrations()) migrations += std::string(m.sql);
  size_t from = 0;
  for (size_t nl = before.find('\n'); nl != std::string::npos; nl = before.find('\n', from)) {
    std::string stmt = before.substr(from, nl - from);
    EXPECT_NE(migrations.find(stmt), std::string::npos) << stmt;
    from = nl + 1;
  }
  ExpectGuarded();
}

TEST_F(SqliteRestoreTest, FailedRestoreKeepsGuards) {
  ASSERT_TRUE(store_->Restore(OneOfEach()).ok());
  std::string before = Guards();
  Store::Snapshot bad = OneOfEach();
  bad.evidence.push_back(bad.evidence.front());  // duplicate id
  EXPECT_FALSE(store_->Restore(bad).ok());
  EXPECT_EQ(Guards(), before);
  ExpectGuarded();
  auto audit = store_->ListAudit("", 0, 0);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 1u);
}

}  // namespace
}  // namespace mcpreg
