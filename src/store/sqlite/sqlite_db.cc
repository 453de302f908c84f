#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

namespace mcpreg::store {

Status SqliteStatus(int rc, sqlite3* db, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Status::AlreadyExists(std::move(msg));
      return Status::FailedPrecondition(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}
void Stmt::BindInt(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
void Stmt::BindText(int i, std::string_view v) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void Stmt::BindNull(int i) { sqlite3_bind_null(s_, i); }
int Stmt::Step() { return sqlite3_step(s_); }
int64_t Stmt::Int(int col) const { return sqlite3_column_int64(s_, col); }
bool Stmt::IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
std::string_view Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p == nullptr ? std::string_view() : std::string_view(p, sqlite3_column_bytes(s_, col));
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = Status::Unavailable("cannot open database " + path + ": " +
                                    (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_close(raw);
    return st;
  }
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "sqlite exec");
  return Status::OK();
}

Result<std::string> Db::QueryString(std::string_view sql) {
  auto st = Prepare(sql);
  if (!st.ok()) return st.status();
  int rc = st->Step();
  if (rc == SQLITE_ROW) return std::string(st->Text(0));
  if (rc == SQLITE_DONE) return std::string();
  return SqliteStatus(rc, db_, "sqlite query");
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "sqlite prepare");
  return Stmt(s);
}

Result<Txn> Txn::Begin(Db& db) {
  MCPREG_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Txn(&db);
}

Txn::~Txn() {
  if (db_ != nullptr) sqlite3_exec(db_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Txn::Commit() {
  Status st = db_->Exec("COMMIT");
  if (st.ok()) db_ = nullptr;  // otherwise the destructor rolls back
  return st;
}

}  // namespace mcpreg::store
