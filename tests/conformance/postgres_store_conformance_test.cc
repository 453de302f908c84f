// Runs the Store conformance suite against the PostgreSQL backend. Each test's directory is
// mapped to a fresh database on the test cluster (tests/support/pg_test_db.h), created on the
// first open and recorded in the directory, so reopening the same directory reopens the same
// database; the database is dropped when the test ends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>

#include "conformance/store_conformance.h"
#include "support/pg_test_db.h"

namespace mcpreg::conformance {
namespace {

constexpr char kUriFile[] = "postgres-uri";

// The database of `dir`: the one recorded there, or a new one (recorded for the next open).
std::string DatabaseFor(const std::filesystem::path& dir) {
  std::ifstream in(dir / kUriFile);
  std::string uri;
  if (std::getline(in, uri) && !uri.empty()) return uri;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  uri = mcpreg::testing::CreateTestDatabase(test != nullptr ? test->name() : "conformance");
  std::ofstream(dir / kUriFile) << uri << "\n";
  return uri;
}

// A loopback port that refuses connections for the whole run: bound, never listening (so no
// other process can take it and start answering).
int RefusingPort() {
  static const int port = [] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return 1;  // fallback: nothing listens on a privileged port in the test environment
    }
    return static_cast<int>(ntohs(addr.sin_port));  // fd stays open on purpose
  }();
  return port;
}

PostgresOptions TestOptions() {
  PostgresOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  return options;
}

StoreBackend PostgresBackend() {
  return {"postgres",
          [](const std::filesystem::path& dir) -> Result<std::unique_ptr<Store>> {
            std::string uri;
            try {
              uri = DatabaseFor(dir);
            } catch (const std::exception& e) {
              // Not Unavailable: a broken test cluster must not look like backend behaviour.
              return Status::Internal(std::string("test database: ") + e.what());
            }
            return OpenPostgresStore(uri, TestOptions());
          },
          [](const std::filesystem::path&) {
            return OpenPostgresStore("postgresql://postgres@127.0.0.1:" +
                                         std::to_string(RefusingPort()) +
                                         "/mcpreg_unreachable?connect_timeout=1",
                                     TestOptions());
          },
          [](const std::filesystem::path& dir) {
            std::ifstream in(dir / kUriFile);
            std::string uri;
            if (std::getline(in, uri) && !uri.empty()) mcpreg::testing::DropTestDatabase(uri);
          }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(PostgresBackend()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace mcpreg::conformance
