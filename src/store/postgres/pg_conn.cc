#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>

#include <poll.h>

#include <cerrno>
#include <cstdlib>

namespace mcpreg::store::pg {
namespace {

constexpr std::string_view kUnavailable = "database unavailable: ";

// libpq messages span lines ("...failed: Connection refused\n\tIs the server running...");
// a Status message is one line: line breaks become "; ", tabs and runs of spaces one space.
std::string Trim(std::string_view in) {
  std::string s;
  for (char ch : in) {
    if (ch == '\n' || ch == '\r') {
      while (!s.empty() && s.back() == ' ') s.pop_back();
      if (!s.empty() && s.back() != ' ') s += "; ";
    } else if (ch == '\t' || ch == ' ') {
      if (!s.empty() && s.back() != ' ') s += ' ';
    } else {
      s += ch;
    }
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == ';')) s.pop_back();
  return s;
}

// The mapping table of this backend (see pg_conn.h).
Status FromSqlState(std::string_view state, std::string_view constraint, std::string message) {
  if (state.size() == 5) {
    // A key that already exists; a unique index guarding an invariant (one latest per name)
    // is a broken precondition, as in the SQLite backend.
    if (state == "23505" && constraint.rfind("idx_", 0) != 0)
      return Status::AlreadyExists(std::move(message));
    if (state.substr(0, 2) == "23") return Status::FailedPrecondition(std::move(message));
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now;
    // 57014: statement timeout; 53300: too many connections; 53xxx: resources.
    // 40xxx: serialization failure / deadlock, 55P03: lock wait timeout (the store's one
    // lock order makes these unexpected; they are transient either way).
    if (state.substr(0, 2) == "08" || state.substr(0, 3) == "57P" || state == "57014" ||
        state.substr(0, 2) == "53" || state.substr(0, 2) == "40" || state == "55P03")
      return Status::Unavailable(std::string(kUnavailable) + message);
  }
  return Status::Internal("database error: " + message);
}

}  // namespace

PgResult& PgResult::operator=(PgResult&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}
PgResult::~PgResult() {
  if (r_) PQclear(r_);
}
int PgResult::rows() const { return r_ ? PQntuples(r_) : 0; }
bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
std::string_view PgResult::Text(int row, int col) const {
  return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
}
int64_t PgResult::Int(int row, int col) const {
  return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}
bool PgResult::Bool(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& uri,
                                                std::chrono::seconds connect_timeout,
                                                std::chrono::seconds statement_timeout) {
  std::string ct = std::to_string(connect_timeout.count());
  // Our defaults come first: values in the URI override them (expand_dbname).
  const char* keys[] = {"connect_timeout", "application_name", "keepalives",
                        "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "dbname", nullptr};
  const char* vals[] = {ct.c_str(), "mcpreg", "1", "5", "2", "2", "9000", uri.c_str(), nullptr};
  pg_conn* c = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (!c) return Status::Unavailable(std::string(kUnavailable) + "out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = Trim(PQerrorMessage(c));
    PQfinish(c);
    return Status::Unavailable(std::string(kUnavailable) + msg);
  }
  // Server notices (e.g. "FATAL: terminating connection due to administrator command" on an
  // idle connection) would go to stderr outside the log format; the watcher logs the loss.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  std::unique_ptr<PgConn> conn(new PgConn(c));
  // A server that stopped answering (frozen, or a network that drops silently) cannot enforce
  // its own statement_timeout: the client waits at most this long for any answer.
  conn->answer_timeout_ = statement_timeout + std::chrono::seconds(1);
  MCPREG_RETURN_IF_ERROR(conn->ExecScript(
      "SET statement_timeout = " + std::to_string(statement_timeout.count() * 1000) +
      "; SET lock_timeout = " + std::to_string(statement_timeout.count() * 1000) +
      "; SET client_min_messages = warning"));
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::healthy() const { return !abandoned_ && PQstatus(conn_) == CONNECTION_OK; }

pg_result* PgConn::Collect() {
  auto deadline = std::chrono::steady_clock::now() + answer_timeout_;
  pg_result* keep = nullptr;
  for (;;) {
    while (PQisBusy(conn_)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        // No answer in time: this connection is given up (the pool drops it; the server ends
        // the session when it notices).
        if (keep) PQclear(keep);
        abandoned_ = true;
        return nullptr;
      }
      pollfd pfd{PQsocket(conn_), POLLIN, 0};
      int n = poll(&pfd, 1, static_cast<int>(left));
      if (n < 0 && errno != EINTR) break;
      if (n > 0 && !PQconsumeInput(conn_)) break;  // broken: PQgetResult reports it
    }
    pg_result* r = PQgetResult(conn_);
    if (!r) return keep;
    auto st = PQresultStatus(r);
    bool failed = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
    bool keep_failed = keep && PQresultStatus(keep) != PGRES_COMMAND_OK &&
                       PQresultStatus(keep) != PGRES_TUPLES_OK;
    if (keep_failed && !failed) {  // the first error wins
      PQclear(r);
      continue;
    }
    if (keep) PQclear(keep);
    keep = r;
    if (PQstatus(conn_) != CONNECTION_OK) return keep;
  }
}

bool PgConn::in_transaction() const {
  auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

Status PgConn::CheckResult(pg_result* r, std::string_view sql) {
  if (!r && abandoned_)
    return Status::Unavailable(std::string(kUnavailable) + "no answer within " +
                               std::to_string(answer_timeout_.count()) + " ms");
  if (!r) return Status::Unavailable(std::string(kUnavailable) + Trim(PQerrorMessage(conn_)));
  auto st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string msg = Trim(PQresultErrorMessage(r));
  if (msg.empty()) msg = Trim(PQerrorMessage(conn_));
  if (PQstatus(conn_) != CONNECTION_OK)
    return Status::Unavailable(std::string(kUnavailable) + msg);
  const char* constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
  return FromSqlState(state ? state : "", constraint ? constraint : "", msg);
}

Result<PgResult> PgConn::Exec(std::string_view sql, const std::vector<Param>& params,
                              bool binary_result) {
  std::string text(sql);
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  values.reserve(params.size());
  for (const auto& p : params) {
    values.push_back(p.text ? p.text->data() : nullptr);
    lengths.push_back(p.text ? static_cast<int>(p.text->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  // Every statement is prepared once per connection (the server parses and plans it once).
  auto it = prepared_.find(text);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    pg_result* p = PQsendPrepare(conn_, name.c_str(), text.c_str(),
                                 static_cast<int>(params.size()), nullptr)
                       ? Collect()
                       : nullptr;
    Status st = CheckResult(p, sql);
    if (p) PQclear(p);
    if (!st.ok()) return st;
    it = prepared_.emplace(text, std::move(name)).first;
  }
  pg_result* r = PQsendQueryPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                     values.data(), lengths.data(), formats.data(),
                                     binary_result ? 1 : 0)
                     ? Collect()
                     : nullptr;
  Status st = CheckResult(r, sql);
  if (!st.ok()) {
    if (r) PQclear(r);
    return st;
  }
  return PgResult(r);
}

Result<PgResult> PgConn::Query(std::string_view sql) {
  std::string text(sql);
  pg_result* r = PQsendQuery(conn_, text.c_str()) ? Collect() : nullptr;
  Status st = CheckResult(r, sql);
  if (!st.ok()) {
    if (r) PQclear(r);
    return st;
  }
  return PgResult(r);
}

Status PgConn::ExecScript(std::string_view sql) {
  std::string text(sql);
  pg_result* r = PQsendQuery(conn_, text.c_str()) ? Collect() : nullptr;
  // PQexec returns the last statement's result; an error stops the script there.
  Status st = CheckResult(r, sql);
  if (r) PQclear(r);
  return st;
}

std::string TextArray(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char ch : *items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

std::string IntArray(const std::vector<int64_t>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(items[i]);
  }
  return out + "}";
}

std::string BoolArray(const std::vector<bool>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += items[i] ? 't' : 'f';
  }
  return out + "}";
}

bool IsConnectionError(const Status& s) {
  return s.code() == Code::kUnavailable;
}

PgPool::PgPool(std::string uri, size_t size, std::chrono::seconds connect_timeout,
               std::chrono::seconds statement_timeout)
    : uri_(std::move(uri)),
      size_(size == 0 ? 1 : size),
      connect_timeout_(connect_timeout),
      statement_timeout_(statement_timeout) {}

PgPool::~PgPool() = default;

PgPool::Lease::~Lease() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

Result<PgPool::Lease> PgPool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->healthy()) return Lease(this, std::move(conn));
      --open_;  // broken while idle: drop it and look again
      continue;
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      auto conn = PgConn::Connect(uri_, connect_timeout_, statement_timeout_);
      if (!conn.ok()) {
        lock.lock();
        --open_;
        cv_.notify_one();
        return conn.status();
      }
      return Lease(this, std::move(conn.value()));
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_)
      return Status::Unavailable("database unavailable: all " + std::to_string(size_) +
                                 " connections busy");
  }
}

void PgPool::Release(std::unique_ptr<PgConn> conn) {
  // A connection left inside a transaction (an error path that did not roll back) or broken
  // is not reused.
  bool reusable = conn->healthy() && !conn->in_transaction();
  std::lock_guard lock(mu_);
  if (reusable) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

void PgPool::DropIdle() {
  std::lock_guard lock(mu_);
  open_ -= idle_.size();
  idle_.clear();
  cv_.notify_all();
}

}  // namespace mcpreg::store::pg
