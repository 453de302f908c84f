// Thin RAII wrappers over libpq for the PostgreSQL store: a result (PgResult), a connection
// (PgConn) with parameterised execution, a bounded connection pool (PgPool), and the mapping
// of PostgreSQL errors to mcpreg::Status.
//
// Error mapping (PgStatus):
//   connection lost / refused, admin shutdown, statement or lock-wait timeout, too many
//   connections, serialization failure / deadlock
//                                                   -> Unavailable "database unavailable: ..."
//   23505 unique_violation of a key                 -> AlreadyExists
//   23505 on an invariant index (idx_*, e.g. one latest per name) -> FailedPrecondition
//   other 23xxx integrity violations                -> FailedPrecondition
//   anything else                                   -> Internal
// Messages never contain the connection URI (it may carry a password).
//
// Thread-safety: a PgConn is used by one thread at a time (the pool hands each out to one
// lease holder). PgPool is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mcpreg/status.h"

struct pg_conn;
struct pg_result;

namespace mcpreg::store::pg {

// One statement parameter in text format (nullopt = SQL NULL), or binary bytes.
struct Param {
  std::optional<std::string> text;
  bool binary = false;
  Param() = default;
  Param(std::nullopt_t) {}
  Param(std::string_view s) : text(std::string(s)) {}
  Param(const std::string& s) : text(s) {}
  Param(const char* s) : text(std::string(s)) {}
  Param(int64_t v) : text(std::to_string(v)) {}
  Param(int v) : text(std::to_string(v)) {}
  Param(uint64_t v) : text(std::to_string(v)) {}
  Param(bool v) : text(v ? "t" : "f") {}
  static Param Binary(std::string_view bytes) {
    Param p(bytes);
    p.binary = true;
    return p;
  }
  static Param Null() { return Param(std::nullopt); }
  template <typename T>
  static Param Optional(const std::optional<T>& v) {
    return v ? Param(*v) : Param::Null();
  }
};

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* r) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&& o) noexcept;
  ~PgResult();

  int rows() const;
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;  // raw bytes for binary-format results
  std::string Str(int row, int col) const { return std::string(Text(row, col)); }
  int64_t Int(int row, int col) const;
  bool Bool(int row, int col) const;  // text 't' / 'f'

 private:
  pg_result* r_ = nullptr;
};

class PgConn {
 public:
  // Connects to `uri` (libpq URI or key=value string) with the given timeouts; the server
  // caps each statement at `statement_timeout`. Errors: Unavailable.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& uri,
                                                 std::chrono::seconds connect_timeout,
                                                 std::chrono::seconds statement_timeout);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs one statement with parameters, preparing it on first use on this connection.
  // `binary_result` asks for binary-format columns.
  Result<PgResult> Exec(std::string_view sql, const std::vector<Param>& params = {},
                        bool binary_result = false);
  // Runs one or more statements without parameters (BEGIN, COMMIT, migrations).
  Status ExecScript(std::string_view sql);
  // Like ExecScript, returning the last statement's rows.
  Result<PgResult> Query(std::string_view sql);

  // False once the connection broke or an answer did not come in time; the pool then drops
  // it.
  bool healthy() const;
  // True when the last statement got no answer within the answer timeout (statement_timeout
  // + 1 s): the server may still run it, so the caller must not retry it elsewhere.
  bool abandoned() const { return abandoned_; }
  void set_answer_timeout(std::chrono::milliseconds t) { answer_timeout_ = t; }
  // True while a transaction is open or aborted on this connection.
  bool in_transaction() const;
  pg_conn* raw() const { return conn_; }

 private:
  explicit PgConn(pg_conn* c) : conn_(c) {}
  Status CheckResult(pg_result* r, std::string_view sql);
  // Waits (up to answer_timeout_) for every result of the query just sent; returns the last
  // one, or the first error; nullptr when the connection broke or the wait timed out.
  pg_result* Collect();
  pg_conn* conn_;
  std::chrono::milliseconds answer_timeout_{10000};
  bool abandoned_ = false;
  // Statement text -> name of its server-side prepared statement on this connection.
  std::unordered_map<std::string, std::string> prepared_;
};

// PostgreSQL array literals for parameters such as `$1::text[]` (bulk statements over
// unnest): elements quoted and escaped; nullopt elements are NULL.
std::string TextArray(const std::vector<std::optional<std::string>>& items);
std::string IntArray(const std::vector<int64_t>& items);
std::string BoolArray(const std::vector<bool>& items);

// True for a Status produced by a broken or unreachable connection (worth one retry on a
// fresh connection when nothing can have been committed).
bool IsConnectionError(const Status& s);

// A bounded set of connections to one database. Connections are made on demand (up to `size`)
// and a broken one is dropped and re-made on the next Acquire.
class PgPool {
 public:
  PgPool(std::string uri, size_t size, std::chrono::seconds connect_timeout,
         std::chrono::seconds statement_timeout);
  ~PgPool();

  class Lease {
   public:
    Lease() = default;
    Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&& o) noexcept = default;
    ~Lease();
    PgConn* operator->() const { return conn_.get(); }
    PgConn& operator*() const { return *conn_; }

   private:
    PgPool* pool_ = nullptr;
    std::unique_ptr<PgConn> conn_;
  };

  // A connection for exclusive use until the lease is destroyed. Waits up to `wait` for one
  // to be free. Errors: Unavailable (cannot connect, or every connection busy for `wait`).
  Result<Lease> Acquire(std::chrono::milliseconds wait = std::chrono::milliseconds(5000));
  // Drops every idle connection (after an outage, so the next Acquire reconnects).
  void DropIdle();
  size_t size() const { return size_; }
  const std::string& uri() const { return uri_; }
  std::chrono::seconds connect_timeout() const { return connect_timeout_; }
  std::chrono::seconds statement_timeout() const { return statement_timeout_; }

 private:
  void Release(std::unique_ptr<PgConn> conn);
  const std::string uri_;
  const size_t size_;
  const std::chrono::seconds connect_timeout_, statement_timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  size_t open_ = 0;  // connections leased or idle (plus ones being made)
};

}  // namespace mcpreg::store::pg
