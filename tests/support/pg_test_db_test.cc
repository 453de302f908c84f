// The PostgreSQL test plumbing itself: a cluster is there, databases come and go.
#include "support/pg_test_db.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <set>

namespace mcpreg::testing {
namespace {

struct Conn {
  explicit Conn(const std::string& uri) {
    const char* keys[] = {"dbname", "connect_timeout", nullptr};
    const char* values[] = {uri.c_str(), "10", nullptr};
    c = PQconnectdbParams(keys, values, 1);
  }
  ~Conn() { PQfinish(c); }
  bool ok() const { return PQstatus(c) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(c); }
  // The first column of the first row of `sql`, or "<error: ...>".
  std::string Value(const char* sql) {
    PGresult* r = PQexec(c, sql);
    std::string out = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0
                          ? PQgetvalue(r, 0, 0)
                          : "<error: " + std::string(PQresultErrorMessage(r)) + ">";
    PQclear(r);
    return out;
  }
  PGconn* c;
};

std::string DbName(const std::string& uri) { return uri.substr(uri.rfind('/') + 1); }

TEST(PgTestDb, CreatesAndDropsDatabases) {
  std::string uri = CreateTestDatabase("creates and drops");
  {
    Conn conn(uri);
    ASSERT_TRUE(conn.ok()) << conn.error();
    EXPECT_EQ(conn.Value("SELECT 1"), "1");
    EXPECT_EQ(conn.Value("SELECT current_database()"), DbName(uri));
    EXPECT_EQ(conn.Value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  }
  Conn open_session(uri);  // DROP ... WITH (FORCE) ends sessions still connected
  ASSERT_TRUE(open_session.ok()) << open_session.error();
  DropTestDatabase(uri);
  Conn after(uri);
  EXPECT_FALSE(after.ok());
  EXPECT_NE(after.error().find("does not exist"), std::string::npos) << after.error();
}

TEST(PgTestDb, DatabaseNamesAreUniqueValidIdentifiersWithinTheLengthLimit) {
  std::string long_hint(200, 'x');
  std::set<std::string> names;
  size_t created = 0;
  for (std::string_view hint : {std::string_view("Store/Conformance.Case-1 ÄÖ"),
                                std::string_view("Store/Conformance.Case-1 ÄÖ"),
                                std::string_view(long_hint), std::string_view("")}) {
    std::string uri = CreateTestDatabase(hint);
    std::string name = DbName(uri);
    EXPECT_LE(name.size(), 63u) << name;
    // mcpreg_t_[a-z0-9_]*_<digits>_<digits>, checked without a regex engine
    bool shape = name.rfind("mcpreg_t_", 0) == 0 &&
                 name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    size_t last = name.rfind('_'), mid = name.rfind('_', last - 1);
    shape = shape && last + 1 < name.size() && mid + 1 < last &&
            name.find_first_not_of("0123456789", last + 1) == std::string::npos &&
            name.find_first_not_of("0123456789", mid + 1) == last;
    EXPECT_TRUE(shape) << name;
    names.insert(name);
    ++created;
    // Dropped right away: a drop discards the new database's unwritten pages, while a drop
    // after a checkpoint has flushed them costs about a second here.
    DropTestDatabase(uri);
  }
  EXPECT_EQ(names.size(), created);
}

TEST(PgTestDb, DropLeavesDatabasesItDidNotCreateAlone) {
  std::string admin = PgAdminUri();
  DropTestDatabase(admin);  // names "postgres": refused (reported on stderr)
  Conn conn(admin);
  ASSERT_TRUE(conn.ok()) << conn.error();
  EXPECT_EQ(conn.Value("SELECT 1"), "1");
}

// The suite relies on these: durability for the crash and reopen tests, and room for many
// concurrent connections (pools of several stores, tests running in parallel).
TEST(PgTestDb, ClusterIsDurableAndSizedForTests) {
  Conn conn(PgAdminUri());
  ASSERT_TRUE(conn.ok()) << conn.error();
  EXPECT_EQ(conn.Value("SHOW fsync"), "on");
  EXPECT_EQ(conn.Value("SHOW synchronous_commit"), "on");
  EXPECT_GE(std::stoi(conn.Value("SHOW max_connections")), 300);
  EXPECT_EQ(conn.Value("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"),
            "true");
}

}  // namespace
}  // namespace mcpreg::testing
