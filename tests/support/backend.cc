#include "support/backend.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include "mcpreg/store.h"
#include "support/pg_test_db.h"

namespace mcpreg::testing {
namespace {

std::string ExecPostgres(const std::string& uri, const std::string& sql) {
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {uri.c_str(), "10", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  std::string error;
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    error = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  } else {
    PGresult* r = PQexec(conn, sql.c_str());  // several statements run as one transaction
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  if (error.empty()) return "";
  while (!error.empty() && error.back() == '\n') error.pop_back();
  return error.empty() ? "unknown libpq error" : error;
}

std::string ExecSqlite(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    error = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  } else {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      error = msg != nullptr ? msg : sqlite3_errmsg(db);
    }
    sqlite3_free(msg);
  }
  sqlite3_close(db);
  return error;
}

}  // namespace

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgres";
  }
  return "unknown";
}

std::string NewDbLocation(Backend backend, const std::string& dir, std::string_view hint) {
  if (backend == Backend::kPostgres) return CreateTestDatabase(hint);
  return dir + "/registry.db";
}

std::string ExecSql(const std::string& location, const std::string& sql) {
  return IsPostgresLocation(location) ? ExecPostgres(location, sql) : ExecSqlite(location, sql);
}

}  // namespace mcpreg::testing
