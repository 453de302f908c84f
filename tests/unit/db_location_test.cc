// Where the registry's database is (issue 10): a SQLite path or a PostgreSQL URI, from --db,
// $MCPREG_DB, the config's `db:` or the default, in that order; a password in a URI never shown
// (RedactLocation); `db: {url, pool_size, ...}` in the config.
#include <gtest/gtest.h>

#include "app/registry.h"
#include "config/config.h"
#include "mcpreg/store.h"

namespace mcpreg {
namespace {

TEST(RedactLocationTest, PasswordInUserinfoIsReplaced) {
  EXPECT_EQ(RedactLocation("postgresql://mcpreg:s3cret@db.internal:5432/registry?sslmode=require"),
            "postgresql://mcpreg:***@db.internal:5432/registry?sslmode=require");
  EXPECT_EQ(RedactLocation("postgres://u:p@h/d"), "postgres://u:***@h/d");
}

TEST(RedactLocationTest, PasswordQueryParameterIsReplaced) {
  EXPECT_EQ(RedactLocation("postgresql://mcpreg@db/registry?sslmode=verify-full&password=s3cret"),
            "postgresql://mcpreg@db/registry?sslmode=verify-full&password=***");
  EXPECT_EQ(RedactLocation("postgresql://db/registry?password=s3cret&sslmode=disable"),
            "postgresql://db/registry?password=***&sslmode=disable");
}

TEST(RedactLocationTest, UriWithoutPasswordIsUnchanged) {
  for (const char* uri : {"postgresql://mcpreg@db.internal:5432/registry?sslmode=require",
                          "postgresql://db.internal/registry", "postgres:///registry",
                          "postgresql://[::1]:5432/registry"})
    EXPECT_EQ(RedactLocation(uri), uri);
}

TEST(RedactLocationTest, SqlitePathIsUnchanged) {
  for (const char* path : {"./var/registry.db", "/var/lib/mcpreg/user:pw@host.db", "r.db"}) {
    EXPECT_FALSE(IsPostgresLocation(path));
    EXPECT_EQ(RedactLocation(path), path);
  }
  EXPECT_TRUE(IsPostgresLocation("postgresql://h/d"));
  EXPECT_TRUE(IsPostgresLocation("postgres://h/d"));
}

TEST(ResolveDbLocationTest, FlagWinsOverEnvironmentOverConfigOverDefault) {
  config::Config cfg;
  EXPECT_EQ(app::ResolveDbLocation("", nullptr, cfg), "./var/registry.db");
  EXPECT_EQ(app::ResolveDbLocation("", "", cfg), "./var/registry.db");
  cfg.db.path = "/srv/config.db";
  EXPECT_EQ(app::ResolveDbLocation("", nullptr, cfg), "/srv/config.db");
  EXPECT_EQ(app::ResolveDbLocation("", "postgresql://env/db", cfg), "postgresql://env/db");
  EXPECT_EQ(app::ResolveDbLocation("/flag.db", "postgresql://env/db", cfg), "/flag.db");
}

TEST(DbConfigTest, StringPathOrUriAndMapForms) {
  auto c = config::ParseConfig("db: data/r.db\n", "/etc/mcpreg/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->db.path, "/etc/mcpreg/data/r.db");
  // A URI is kept as written, not resolved against the config's directory.
  c = config::ParseConfig("db: postgresql://mcpreg@db:5432/registry?sslmode=require\n",
                          "/etc/mcpreg/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->db.path, "postgresql://mcpreg@db:5432/registry?sslmode=require");
  c = config::ParseConfig("db: {path: \"postgres://h/d\"}\n", "/etc/mcpreg/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->db.path, "postgres://h/d");
  c = config::ParseConfig(
      "db:\n  url: postgresql://mcpreg@db/registry\n  pool_size: 4\n"
      "  connect_timeout_seconds: 2\n  statement_timeout_seconds: 30\n",
      "/etc/mcpreg/mcpreg.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->db.path, "postgresql://mcpreg@db/registry");
  EXPECT_EQ(c->db.postgres.pool_size, 4u);
  EXPECT_EQ(c->db.postgres.connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(c->db.postgres.statement_timeout, std::chrono::seconds(30));
}

TEST(DbConfigTest, UnsetDbLeavesTheChoiceToFlagEnvironmentOrDefault) {
  auto c = config::ParseConfig("listen: \":9000\"\n", "x.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->db.path, "");
  EXPECT_EQ(c->db.postgres.pool_size, PostgresOptions().pool_size);
}

TEST(DbConfigTest, MistakesAreNamedWithoutEchoingTheUri) {
  auto error = [](std::string_view yaml) {
    auto c = config::ParseConfig(yaml, "m.yaml");
    EXPECT_FALSE(c.ok()) << yaml;
    return c.ok() ? std::string() : c.status().message();
  };
  std::string e = error("db: {url: /var/lib/registry.db}\n");
  EXPECT_NE(e.find("db.url: expected a PostgreSQL URI"), std::string::npos) << e;
  e = error("db: {url: \"postgresql://u:hunter2@h/d\", path: r.db}\n");
  EXPECT_NE(e.find("use either path or url"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  e = error("db: {url: \"postgresql://h/d\", pool_size: 0}\n");
  EXPECT_NE(e.find("db.pool_size: must be between 1 and"), std::string::npos) << e;
  e = error("db: {url: \"postgresql://h/d\", pool: 3}\n");
  EXPECT_NE(e.find("db.pool: unknown key"), std::string::npos) << e;
}

}  // namespace
}  // namespace mcpreg

namespace mcpreg {
namespace {

// libpq reads the password up to the first '@' (unless a '/' comes first), so '?', '#' and ':'
// inside an unencoded password are still the password and must not survive redaction.
TEST(RedactLocationTest, PasswordWithDelimitersIsReplacedWhole) {
  EXPECT_EQ(RedactLocation("postgresql://u:pa?ss@h/d"), "postgresql://u:***@h/d");
  EXPECT_EQ(RedactLocation("postgresql://u:p#a:ss@h:5432/d?sslmode=disable"),
            "postgresql://u:***@h:5432/d?sslmode=disable");
  EXPECT_EQ(RedactLocation("postgresql://u:x?password=y@h/d?password=z"),
            "postgresql://u:***@h/d?password=***");
}

}  // namespace
}  // namespace mcpreg
