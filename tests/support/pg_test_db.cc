#include "support/pg_test_db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace mcpreg::testing {
namespace {

constexpr std::string_view kNamePrefix = "mcpreg_t_";
constexpr size_t kMaxIdentifier = 63;  // NAMEDATALEN - 1

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ClusterScript() { return std::string(MCPREG_SOURCE_DIR) + "/scripts/pg-cluster.sh"; }

// The private cluster of this process (only when MCPREG_TEST_PG is unset). A function-local
// static, so it is stopped by the static destructors at exit. Children forked by tests that
// exit() without exec must not stop it, hence the owner pid check.
struct PrivateCluster {
  std::string dir;
  std::string uri;
  std::string error;
  pid_t owner = 0;

  void Start() {
    char tmpl[] = "/tmp/mcpreg-pg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      error = "mkdtemp failed for the test PostgreSQL cluster";
      return;
    }
    dir = tmpl;
    owner = ::getpid();
    // --owner-pid: if this process dies without running destructors (killed by a ctest
    // timeout), the script's watcher still removes the cluster.
    std::string cmd = ShellQuote(ClusterScript()) + " start " + ShellQuote(dir) +
                      " --owner-pid " + std::to_string(owner);
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
      error = "cannot run " + cmd;
      return;
    }
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int status = ::pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (status != 0 || out.rfind("postgresql://", 0) != 0) {
      error = "could not start a PostgreSQL cluster for the tests (" + cmd +
              " failed; its messages are on stderr above). Install it with "
              "scripts/install-deps.sh, or set MCPREG_TEST_PG to an admin URI.";
      return;
    }
    uri = out;
  }

  ~PrivateCluster() {
    if (uri.empty() || ::getpid() != owner) return;
    std::string cmd = ShellQuote(ClusterScript()) + " stop " + ShellQuote(dir) + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "pg_test_db: could not stop the test cluster in %s\n", dir.c_str());
    }
  }
};

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Connects to `uri` (libpq URI) with a bounded connect timeout. Throws on failure.
Conn Connect(const std::string& uri) {
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {uri.c_str(), "10", nullptr};
  Conn conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("pg_test_db: cannot connect to " + uri + ": " +
                             (conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  return conn;
}

// `uri` with its database (the path) replaced by `name`; query parameters are kept.
std::string WithDatabase(const std::string& uri, const std::string& name) {
  size_t scheme = uri.find("://");
  size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = uri.find_first_of("/?", authority);
  if (path == std::string::npos) return uri + "/" + name;
  size_t query = uri.find('?', path);
  if (query == std::string::npos) query = uri.size();
  return uri.substr(0, path) + "/" + name + uri.substr(query);
}

std::string DatabaseName(std::string_view hint, unsigned n) {
  std::string suffix = "_" + std::to_string(::getpid()) + "_" + std::to_string(n);
  std::string cleaned;
  for (char c : hint) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    cleaned += ok ? c : '_';
  }
  size_t room = kMaxIdentifier - kNamePrefix.size() - suffix.size();
  if (cleaned.size() > room) cleaned.resize(room);
  return std::string(kNamePrefix) + cleaned + suffix;
}

}  // namespace

std::string PgAdminUri() {
  static std::mutex mu;
  static PrivateCluster cluster;
  static bool tried = false;
  static std::string from_env;
  std::lock_guard<std::mutex> lock(mu);
  if (!tried) {
    tried = true;
    const char* env = std::getenv("MCPREG_TEST_PG");
    if (env != nullptr && *env != '\0') {
      from_env = env;
    } else {
      cluster.Start();
    }
  }
  if (!from_env.empty()) return from_env;
  if (cluster.uri.empty()) throw std::runtime_error(cluster.error);
  return cluster.uri;
}

std::string CreateTestDatabase(std::string_view hint) {
  static std::atomic<unsigned> counter{0};
  const std::string admin = PgAdminUri();
  Conn conn = Connect(admin);
  // A name can be taken by a database an earlier process with the same pid left behind
  // (pids wrap during a long ctest run); CREATE DATABASE can also briefly fail while
  // another session is copying template1. Both are retried.
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::string name = DatabaseName(hint, counter++);
    PgResult res(PQexec(conn.get(), ("CREATE DATABASE \"" + name + "\"").c_str()));
    if (PQresultStatus(res.get()) == PGRES_COMMAND_OK) return WithDatabase(admin, name);
    const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
    std::string sqlstate = state != nullptr ? state : "";
    if (sqlstate == "42P04") continue;  // duplicate_database
    if (sqlstate == "55006") {          // object_in_use (template1 busy)
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
      continue;
    }
    throw std::runtime_error("pg_test_db: CREATE DATABASE " + name + " failed: " +
                             PQresultErrorMessage(res.get()));
  }
  throw std::runtime_error("pg_test_db: CREATE DATABASE kept failing (name taken or busy)");
}

void DropTestDatabase(const std::string& uri) {
  try {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(uri.c_str(), &err);
    if (opts == nullptr) {
      std::string msg = err != nullptr ? err : "out of memory";
      PQfreemem(err);
      throw std::runtime_error("cannot parse " + uri + ": " + msg);
    }
    std::string name;
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
      if (std::string_view(o->keyword) == "dbname" && o->val != nullptr) name = o->val;
    }
    PQconninfoFree(opts);
    if (name.rfind(kNamePrefix, 0) != 0) {
      throw std::runtime_error("refusing to drop \"" + name + "\": not a test database");
    }
    Conn conn = Connect(PgAdminUri());
    char* quoted = PQescapeIdentifier(conn.get(), name.c_str(), name.size());
    if (quoted == nullptr) throw std::runtime_error(PQerrorMessage(conn.get()));
    std::string sql = std::string("DROP DATABASE IF EXISTS ") + quoted + " WITH (FORCE)";
    PQfreemem(quoted);
    PgResult res(PQexec(conn.get(), sql.c_str()));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      throw std::runtime_error(sql + ": " + PQresultErrorMessage(res.get()));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg_test_db: DropTestDatabase: %s\n", e.what());
  }
}

}  // namespace mcpreg::testing
