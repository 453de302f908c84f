// Issue 10: a PostgreSQL outage as the clients of `mcpreg serve` replicas see it, on a real
// cluster of its own (not the shared test cluster: this one goes down mid-test). Two kinds of
// outage, one test body:
//   stopped  the server is shut down (scripts/pg-cluster.sh pause: connections are closed and
//            refused) and started again on the same port (resume);
//   frozen   every server process is sent SIGSTOP, then SIGCONT: connections stay open and TCP
//            is acknowledged by the kernel, but nothing ever answers (a stalled host or disk, a
//            proxy in front of a dead server). The replicas cannot count on the server's own
//            statement_timeout: a pooled connection waits at most statement_timeout + 1 s for
//            an answer, a new one connect_timeout, and the watcher's ping gives up after 3 s.
//
// While the database is down: reads keep answering 200 with the same bytes (served from
// memory); /v0.1/health turns 503 within 10 s; a publish, a feed upload, a feed download (the
// bytes are in the database) and the OIDC token exchange (it reads the identity's stored
// grants) answer 503 problem+json "database unavailable" within 10 s instead of hanging.
// After the database is back: health 200 and a publish succeeds within 15 s without
// restarting the replica, and a second replica, started before the outage, catches up on what
// was published after it. Timings are printed as `[ figures ]` lines.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "integration/server_process.h"
#include "support/backend.h"
#include "support/test_issuer.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

using testing::RunCli;
using testing::ServerProcess;
using Clock = std::chrono::steady_clock;

constexpr char kIssuer[] = "https://idp.outage.example";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
constexpr char kListing[] = "/v0.1/servers?limit=5";
constexpr auto kDownWithin = std::chrono::seconds(10);
constexpr auto kUpWithin = std::chrono::seconds(15);

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string ClusterScript() { return std::string(MCPREG_SOURCE_DIR) + "/scripts/pg-cluster.sh"; }

// Runs `scripts/pg-cluster.sh <args>`; returns its exit status and, in `out`, its stdout
// without the trailing newline (its stderr goes to the test's).
int RunClusterScript(const std::string& args, std::string* out = nullptr) {
  std::string cmd = "'" + ClusterScript() + "' " + args;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
  int status = ::pclose(pipe);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (out != nullptr) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string HeaderOf(const http::ClientResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// One HTTP exchange and how long it took. status 0: no response (error says why).
struct Timed {
  http::ClientResponse response;
  std::string error;
  double seconds = 0;
  int status() const { return response.status; }
};

Timed Do(const ServerProcess& s, const std::string& method, const std::string& path,
         const std::string& body = "", http::Headers headers = {}) {
  http::ClientRequest req;
  req.method = method;
  req.url = s.base_url() + path;
  req.body = body;
  req.headers = std::move(headers);
  // Longer than any bound asserted below, so a hanging request shows as a slow one.
  req.timeout = std::chrono::seconds(20);
  if (!body.empty() && method != "PUT")
    req.headers.emplace_back("Content-Type", "application/json");
  Timed t;
  auto t0 = Clock::now();
  auto r = http::Fetch(req);
  t.seconds = Seconds(Clock::now() - t0);
  if (r.ok()) {
    t.response = std::move(*r);
  } else {
    t.error = r.status().ToString();
  }
  return t;
}

// Calls `attempt` every 100 ms until it returns true or `limit` passes; returns the seconds it
// took, or -1 when it never did.
double Within(Clock::duration limit, const std::function<bool()>& attempt) {
  auto t0 = Clock::now();
  do {
    if (attempt()) return Seconds(Clock::now() - t0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (Clock::now() - t0 < limit);
  return -1;
}

std::string ServerJson(const std::string& version) {
  return std::string("{\"$schema\":\"") + kSchema +
         "\",\"name\":\"com.acme/outage\",\"description\":\"Outage test server\",\"version\":\"" +
         version + "\"}";
}

// The cluster's server processes: the postmaster (first line of data/postmaster.pid) first,
// then its children.
std::vector<pid_t> ServerPids(const std::string& cluster_dir) {
  pid_t postmaster = 0;
  std::ifstream(cluster_dir + "/data/postmaster.pid") >> postmaster;
  if (postmaster <= 0) return {};
  std::vector<pid_t> pids = {postmaster};
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat;
    std::getline(std::ifstream(entry.path() / "stat"), stat);
    size_t comm_end = stat.rfind(')');  // "pid (comm) state ppid ..."; comm may hold spaces
    if (comm_end == std::string::npos) continue;
    std::istringstream rest(stat.substr(comm_end + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == postmaster) pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

enum class Outage { kStopped, kFrozen };

std::string OutageLabel(Outage o) { return o == Outage::kStopped ? "stopped" : "frozen"; }

void PrintTo(Outage o, std::ostream* os) { *os << OutageLabel(o); }

struct OutageName {
  std::string operator()(const ::testing::TestParamInfo<Outage>& info) const {
    return OutageLabel(info.param);
  }
};

bool IsDatabaseUnavailable(const Timed& t) {
  return t.status() == 503 && HeaderOf(t.response, "Content-Type") == "application/problem+json" &&
         t.response.body.find("database unavailable") != std::string::npos;
}

class ReplicaOutageTest : public ::testing::TestWithParam<Outage> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    ASSERT_FALSE(dir_.empty());
    // The cluster's own dir directly under /tmp: as root, the server runs as `postgres`, which
    // must be able to reach it (TempDir()s are 0700).
    char tmpl[] = "/tmp/mcpreg-outage-pg-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    cluster_dir_ = tmpl;
    std::string admin;
    ASSERT_EQ(RunClusterScript(
                  "start '" + cluster_dir_ + "' --owner-pid " + std::to_string(::getpid()), &admin),
              0);
    cluster_started_ = true;
    ASSERT_EQ(admin.rfind("postgresql://", 0), 0u) << admin;
    ASSERT_EQ(testing::ExecSql(admin, "CREATE DATABASE outage"), "");
    ASSERT_EQ(admin.substr(admin.rfind('/')), "/postgres") << admin;
    uri_ = admin.substr(0, admin.rfind('/')) + "/outage";

    idp_ = std::make_unique<testing::TestIssuer>(kIssuer, dir_ + "/jwks.json");
    std::ofstream(dir_ + "/mcpreg.yaml") << idp_->AuthConfig() << "feed:\n  max_bytes: 1048576\n";
    std::string out, err;
    ASSERT_EQ(RunCli({"migrate", "--db", uri_}, &out, &err), 0) << err;
  }

  void TearDown() override {
    if (!frozen_.empty()) EndOutage();
    for (auto& replica : replicas_) {
      if (!replica) continue;
      replica->Stop();  // collects the rest of its log
      if (HasFailure()) std::printf("--- replica log ---\n%s\n", replica->log().c_str());
      replica.reset();
    }
    if (cluster_started_) EXPECT_EQ(RunClusterScript("stop '" + cluster_dir_ + "'"), 0);
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ServerProcess> StartReplica() {
    return std::make_unique<ServerProcess>(
        uri_, std::vector<std::string>{"--config", dir_ + "/mcpreg.yaml", "--no-demo"});
  }
  std::string ExchangeBody() const { return idp_->ExchangeBody("repo:acme/outage", "acme"); }
  static http::Headers Bearer(const std::string& t) { return {{"Authorization", "Bearer " + t}}; }

  void BeginOutage() {
    if (GetParam() == Outage::kStopped) {
      ASSERT_EQ(RunClusterScript("pause '" + cluster_dir_ + "'"), 0);
      return;
    }
    frozen_ = ServerPids(cluster_dir_);
    ASSERT_GT(frozen_.size(), 1u) << "no postmaster or no children in " << cluster_dir_;
    for (pid_t pid : frozen_) ASSERT_EQ(::kill(pid, SIGSTOP), 0) << pid;  // postmaster first
  }
  void EndOutage() {
    if (GetParam() == Outage::kStopped) {
      ASSERT_EQ(RunClusterScript("resume '" + cluster_dir_ + "'"), 0);
      return;
    }
    for (pid_t pid : frozen_) ::kill(pid, SIGCONT);
    frozen_.clear();
  }

  std::string dir_, cluster_dir_, uri_;
  bool cluster_started_ = false;
  std::vector<pid_t> frozen_;  // the processes SIGSTOPped (kFrozen)
  std::unique_ptr<testing::TestIssuer> idp_;
  std::unique_ptr<ServerProcess> replicas_[2];
};

TEST_P(ReplicaOutageTest, ReadsSurviveWritesAre503AndAllRecoversWithoutARestart) {
  replicas_[0] = StartReplica();
  replicas_[1] = StartReplica();
  ServerProcess& a = *replicas_[0];
  ServerProcess& b = *replicas_[1];
  ASSERT_TRUE(a.started()) << a.log();
  ASSERT_TRUE(b.started()) << b.log();

  // Before: a token, a published version both replicas serve, a bundle in the feed.
  auto exchanged = Do(a, "POST", "/v0.1/auth/oidc", ExchangeBody());
  ASSERT_EQ(exchanged.status(), 200) << exchanged.response.body << exchanged.error;
  const std::string token =
      std::string(boost::json::parse(exchanged.response.body).at("registry_token").as_string());
  auto published = Do(a, "POST", "/v0.1/publish", ServerJson("1.0.0"), Bearer(token));
  ASSERT_EQ(published.status(), 200) << published.response.body << published.error;
  const std::string v1 = "/v0.1/servers/com.acme%2Foutage/versions/1.0.0";
  ASSERT_GE(Within(std::chrono::seconds(5), [&] { return Do(b, "GET", v1).status() == 200; }), 0)
      << "replica b never served 1.0.0";
  const std::string bundle = "MCPB outage bundle";
  auto uploaded =
      Do(a, "PUT", "/v0.1/x/dev.mcpreg/feed/com.acme%2Foutage/1.0.0/o.mcpb", bundle,
         {{"Authorization", "Bearer " + token}, {"X-Content-SHA256", Sha256Hex(bundle)}});
  ASSERT_EQ(uploaded.status(), 201) << uploaded.response.body;
  auto listing = Do(a, "GET", kListing);
  ASSERT_EQ(listing.status(), 200) << listing.error;
  ASSERT_NE(listing.response.body.find("com.acme/outage"), std::string::npos);
  ASSERT_EQ(Do(a, "GET", "/v0.1/health").status(), 200);

  // The outage.
  auto t_pause = Clock::now();
  ASSERT_NO_FATAL_FAILURE(BeginOutage());
  std::printf("[ figures ] %s: the outage began in %.2f s\n", OutageLabel(GetParam()).c_str(),
              Seconds(Clock::now() - t_pause));

  // Reads: answered from memory, the same bytes, at once.
  for (const ServerProcess* s : {&a, &b}) {
    auto r = Do(*s, "GET", kListing);
    EXPECT_EQ(r.status(), 200) << r.error << r.response.body;
    EXPECT_EQ(r.response.body, listing.response.body);
    EXPECT_LT(r.seconds, 1.0);
    std::printf("[ figures ] outage: GET %s answered %d in %.3f s (same bytes: %s)\n", kListing,
                r.status(), r.seconds, r.response.body == listing.response.body ? "yes" : "no");
  }

  // At once and concurrently, while the replicas may still hold pooled connections they think
  // are fine: health turns 503 problem+json within 10 s of the outage's start, and each request
  // that needs the database returns (no hang) with 503 "database unavailable" within 10 s.
  struct Check {
    const char* what;
    std::function<Timed()> call;
    Timed last;
    double slowest = 0;  // seconds, of any attempt
    double unavailable_after = -1;
  };
  const std::string other = "another outage bundle";
  const std::string url(boost::json::parse(uploaded.response.body).at("url").as_string());
  std::vector<Check> checks = {
      {"health", [&] { return Do(a, "GET", "/v0.1/health"); }},
      {"publish",
       [&] { return Do(a, "POST", "/v0.1/publish", ServerJson("1.1.0"), Bearer(token)); }},
      {"feed upload",
       [&] {
         return Do(a, "PUT", "/v0.1/x/dev.mcpreg/feed/com.acme%2Foutage/1.0.0/p.mcpb", other,
                   {{"Authorization", "Bearer " + token}, {"X-Content-SHA256", Sha256Hex(other)}});
       }},
      // Package bytes live in the database.
      {"feed download", [&] { return Do(b, "GET", url.substr(url.find("/v0.1"))); }},
      // The exchange reads the identity's stored grants (admin grant), so it needs the database.
      {"token exchange", [&] { return Do(a, "POST", "/v0.1/auth/oidc", ExchangeBody()); }},
  };
  auto t_checks = Clock::now();
  std::vector<std::thread> threads;
  for (Check& c : checks)
    threads.emplace_back([&c] {
      c.unavailable_after = Within(kDownWithin, [&c] {
        c.last = c.call();
        c.slowest = std::max(c.slowest, c.last.seconds);
        return IsDatabaseUnavailable(c.last);
      });
    });
  for (auto& t : threads) t.join();
  for (const Check& c : checks) {
    std::printf("[ figures ] outage: %s 503 after %.2f s (slowest answer %.2f s): %s\n", c.what,
                c.unavailable_after, c.slowest, c.last.response.body.substr(0, 160).c_str());
    EXPECT_GE(c.unavailable_after, 0)
        << c.what << ": " << c.last.status() << " " << c.last.error << " " << c.last.response.body;
    EXPECT_LT(c.slowest, Seconds(kDownWithin)) << c.what;
  }
  std::printf("[ figures ] outage: every check done %.2f s after the outage began\n",
              Seconds(Clock::now() - t_checks));
  // Reads still answer once the writes have failed (nothing was dropped from memory).
  auto still = Do(b, "GET", kListing);
  EXPECT_EQ(still.status(), 200);
  EXPECT_EQ(still.response.body, listing.response.body);

  // Recovery, without restarting either replica.
  auto t_resume = Clock::now();
  ASSERT_NO_FATAL_FAILURE(EndOutage());
  std::printf("[ figures ] the outage ended in %.2f s\n", Seconds(Clock::now() - t_resume));
  for (const ServerProcess* s : {&a, &b}) {
    double up_after =
        Within(kUpWithin, [&] { return Do(*s, "GET", "/v0.1/health").status() == 200; });
    std::printf("[ figures ] recovery: /v0.1/health 200 on replica %c after %.2f s\n",
                s == &a ? 'a' : 'b', up_after);
    EXPECT_GE(up_after, 0) << "health never recovered on replica " << (s == &a ? 'a' : 'b');
  }
  int attempts = 0, first_status = 0;
  Timed last;
  double published_after = Within(kUpWithin, [&] {
    last = Do(a, "POST", "/v0.1/publish", ServerJson("1.2.0"), Bearer(token));
    if (attempts++ == 0) first_status = last.status();
    return last.status() == 200;
  });
  std::printf(
      "[ figures ] recovery: publish 200 after %.2f s (%d attempt(s), the first "
      "answered %d)\n",
      published_after, attempts, first_status);
  ASSERT_GE(published_after, 0) << last.status() << " " << last.error << " " << last.response.body;
  EXPECT_EQ(Do(a, "POST", "/v0.1/auth/oidc", ExchangeBody()).status(), 200);

  // Catch-up: the replica that lived through the outage serves what was published after it.
  double seen_after = Within(std::chrono::seconds(5), [&] {
    return Do(b, "GET", "/v0.1/servers/com.acme%2Foutage/versions/1.2.0").status() == 200;
  });
  std::printf("[ figures ] recovery: replica b served 1.2.0 %.2f s after the publish\n",
              seen_after);
  EXPECT_GE(seen_after, 0) << "replica b never caught up";
  auto latest = Do(b, "GET", "/v0.1/servers/com.acme%2Foutage/versions/latest");
  EXPECT_NE(latest.response.body.find("\"version\":\"1.2.0\""), std::string::npos)
      << latest.response.body;
  // A publish refused with 503 left nothing behind. (A request cut off while the server was
  // frozen may still commit once it thaws: its outcome is unknown to the client.)
  if (GetParam() == Outage::kStopped)
    EXPECT_EQ(Do(b, "GET", "/v0.1/servers/com.acme%2Foutage/versions/1.1.0").status(), 404);
  std::string out, err;
  EXPECT_EQ(RunCli({"audit", "verify", "--db", uri_}, &out, &err), 0) << out << err;
}

INSTANTIATE_TEST_SUITE_P(Database, ReplicaOutageTest,
                         ::testing::Values(Outage::kStopped, Outage::kFrozen), OutageName());

}  // namespace
}  // namespace mcpreg
