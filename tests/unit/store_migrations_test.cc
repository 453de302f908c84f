#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store/migrations/sqlite_migrations.h"

namespace mcpreg::store {
namespace {

// The compiled-in SQL must be exactly the reviewed .sql file.
TEST(StoreMigrationsTest, CompiledSqlMatchesTheSqlFiles) {
  auto migrations = SqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    EXPECT_GT(m.version, i ? migrations[i - 1].version : 0) << "versions strictly increase";
    char file[64];
    std::snprintf(file, sizeof file, "%04d_%s.sql", m.version, std::string(m.name).c_str());
    std::ifstream in(std::string(MCPREG_SOURCE_DIR) + "/src/store/migrations/" + file);
    ASSERT_TRUE(in) << "missing " << file;
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), m.sql) << file << " differs from sqlite_migrations.cc";
  }
}

}  // namespace
}  // namespace mcpreg::store
