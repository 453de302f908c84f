// Thin RAII wrappers over the SQLite C API used by the SQLite store: a connection (Db), a
// prepared statement (Stmt) and the mapping of SQLite result codes to mcpreg::Status.
//
// Thread-safety: none. A Db and its statements must be used by one thread at a time (the
// store guards each connection with a mutex); connections are opened SQLITE_OPEN_NOMUTEX.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mcpreg::store {

// Maps a SQLite (extended) result code to a Status:
//   BUSY/LOCKED, CANTOPEN, NOTADB, IOERR, FULL, READONLY -> Unavailable
//   CONSTRAINT_PRIMARYKEY                                -> AlreadyExists
//   other CONSTRAINT (unique latest, CHECK, NOT NULL)    -> FailedPrecondition
//   anything else                                        -> Internal
// `what` says what was being done; the SQLite message of `db` (may be null) is appended.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt();
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  explicit operator bool() const { return s_ != nullptr; }
  // Resets the statement and clears its bindings, ready for reuse.
  void Reset();
  // Parameter indexes are 1-based. Text is copied (SQLITE_TRANSIENT).
  void BindInt(int i, int64_t v);
  void BindText(int i, std::string_view v);
  void BindNull(int i);
  // Returns the raw result code (SQLITE_ROW, SQLITE_DONE or an error).
  int Step();
  // Column accessors, 0-based, valid after Step() returned SQLITE_ROW.
  int64_t Int(int col) const;
  bool IsNull(int col) const;
  std::string_view Text(int col) const;

 private:
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  // Opens (creating if missing) the database file. Errors: Unavailable.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* raw() const { return db_; }
  // Runs one or more statements without results (pragmas, BEGIN, DDL).
  Status Exec(std::string_view sql);
  // Runs a statement returning one text/int value in its first column (e.g. a PRAGMA).
  Result<std::string> QueryString(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Holds a write transaction open; rolls it back on destruction unless Commit() succeeded.
class Txn {
 public:
  // Starts BEGIN IMMEDIATE (takes the write lock now, so a busy database fails here).
  static Result<Txn> Begin(Db& db);
  Txn(Txn&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Txn(const Txn&) = delete;
  ~Txn();
  Status Commit();

 private:
  explicit Txn(Db* db) : db_(db) {}
  Db* db_;
};

}  // namespace mcpreg::store
