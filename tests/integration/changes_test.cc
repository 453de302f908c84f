// The change feed and its webhooks with the real binary (issue 13, part 4), on both backends:
// paging and query errors over HTTP, a long-poll answered within a second of a publish, a
// webhook receiver (a real HTTP server in this process) that refuses connections (across a
// registry restart), then answers 503, then 200, and still gets every change exactly once in
// order with valid Standard Webhooks signatures; a receiver that sleeps does not slow publishes; `mcpreg webhooks status`.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "federation/changes.h"
#include "federation/webhooks.h"
#include "integration/server_process.h"
#include "support/backend.h"
#include "support/test_issuer.h"
#include "testing/governance_documents.h"
#include "transport/http_client.h"
#include "transport/http_server.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;
using Clock = std::chrono::steady_clock;
using testing::RunCli;

constexpr char kIssuer[] = "https://idp.changes.test";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
// The webhook key, in the Standard Webhooks form (base64 of "change-feed-test-key-0123456789").
constexpr char kSecret[] = "whsec_Y2hhbmdlLWZlZWQtdGVzdC1rZXktMDEyMzQ1Njc4OQ==";

long long Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string HeaderOf(const http::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
  return "";
}

// A loopback port that refuses connections until Release(): bound, not listening.
class ReservedPort {
 public:
  ReservedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port_ = ntohs(addr.sin_port);
  }
  ~ReservedPort() { Release(); }
  void Release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The webhook receiver: records every delivery; answers `status` after sleeping `delay`.
class Receiver {
 public:
  struct Delivery {
    std::string id, timestamp, signature, content_type, body;
    int answered = 0;
    Clock::time_point at;
  };
  explicit Receiver(uint16_t port) {
    http::ServerOptions o;
    o.port = port;
    o.threads = 2;
    server_ = std::make_unique<http::HttpServer>(
        o, [this](http::HttpRequest&& req, std::shared_ptr<http::Responder> out) {
          ++started_;
          int status = status_.load();
          std::this_thread::sleep_for(delay_.load());
          {
            std::lock_guard lock(mu_);
            deliveries_.push_back({HeaderOf(req.headers, "webhook-id"),
                                   HeaderOf(req.headers, "webhook-timestamp"),
                                   HeaderOf(req.headers, "webhook-signature"),
                                   HeaderOf(req.headers, "Content-Type"), req.body, status,
                                   Clock::now()});
          }
          http::HttpResponse r;
          r.status = status;
          out->Send(std::move(r));
        });
  }
  Status Start() { return server_->Start(); }
  void Stop() { server_->Stop(std::chrono::milliseconds(100)); }
  void Answer(int status) { status_ = status; }
  void Delay(std::chrono::milliseconds d) { delay_ = d; }
  int started() const { return started_.load(); }  // requests that reached the handler
  std::vector<Delivery> deliveries() const {
    std::lock_guard lock(mu_);
    return deliveries_;
  }
  // Distinct ids answered 2xx, in the order they were accepted.
  std::vector<std::string> Accepted() const {
    std::vector<std::string> out;
    for (const auto& d : deliveries())
      if (d.answered >= 200 && d.answered < 300) out.push_back(d.id);
    return out;
  }

 private:
  std::atomic<int> status_{200};
  std::atomic<int> started_{0};
  std::atomic<std::chrono::milliseconds> delay_{std::chrono::milliseconds(0)};
  mutable std::mutex mu_;
  std::vector<Delivery> deliveries_;
  std::unique_ptr<http::HttpServer> server_;
};

class ChangesE2ETest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  // Starts `mcpreg serve` with the test issuer trusted and `webhooks` (YAML) configured.
  void Start(const std::string& webhooks = "") {
    dir_ = testing::TempDir();
    idp_ = std::make_unique<testing::TestIssuer>(kIssuer, dir_ + "/jwks.json");
    std::ofstream(dir_ + "/hook.key") << kSecret << "\n";
    config_ = dir_ + "/mcpreg.yaml";
    std::ofstream(config_) << idp_->AuthConfig() << webhooks;
    db_ = testing::NewDbLocation(GetParam(), dir_, "changes_e2e");
    server_ = std::make_unique<testing::ServerProcess>(
        db_, std::vector<std::string>{"--config", config_, "--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
    auto r = Do("POST", "/v0.1/auth/oidc", idp_->ExchangeBody("repo:acme/tools", "acme"));
    ASSERT_EQ(r.status, 200) << r.body;
    token_ = std::string(bj::parse(r.body).at("registry_token").as_string());
  }

  http::ClientResponse Do(const std::string& method, const std::string& path,
                          const std::string& body = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = server_->base_url() + path;
    req.body = body;
    req.timeout = std::chrono::seconds(40);
    if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().message();
    return r.ok() ? *r : http::ClientResponse{};
  }
  // Stops the registry and starts it again on the same database and config (a new port).
  void Restart() {
    EXPECT_EQ(server_->Stop(), 0) << server_->log();
    server_ = std::make_unique<testing::ServerProcess>(
        db_, std::vector<std::string>{"--config", config_, "--no-demo"});
    ASSERT_TRUE(server_->started()) << server_->log();
  }
  void Publish(const std::string& name, const std::string& version) {
    auto r = Do("POST", "/v0.1/publish",
                std::string("{\"$schema\":\"") + kSchema + "\",\"name\":\"" + name +
                    "\",\"description\":\"Test server\",\"version\":\"" + version + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  bj::value Changes(const std::string& query) {
    auto r = Do("GET", "/v0.1/x/dev.mcpreg/changes" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? bj::parse(r.body) : bj::value();
  }
  std::string WebhookYaml(uint16_t port, const std::string& extra = "") {
    return "webhooks:\n  - url: http://127.0.0.1:" + std::to_string(port) +
           "/hook\n    secret_file: hook.key\n    retry_max_seconds: 1\n" + extra;
  }
  std::string StatusLine() {
    std::string out, err;
    int rc = RunCli({"webhooks", "status", "--db", db_, "--config", config_}, &out, &err);
    EXPECT_EQ(rc, 0) << err;
    return out;
  }

  std::string dir_, config_, db_, token_;
  std::unique_ptr<testing::TestIssuer> idp_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_P(ChangesE2ETest, PagesThroughChangesWithTokens) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Publish("com.acme/one", "1.0.0");
  Publish("com.acme/one", "1.1.0");
  auto r = Do("PATCH", "/v0.1/servers/com.acme%2Fone/versions/1.0.0/status",
              R"({"status":"deprecated","statusMessage":"use 1.1.0"})");
  ASSERT_EQ(r.status, 200) << r.body;

  std::vector<std::string> seen;
  std::string since;
  for (int page = 0; page < 10; ++page) {
    bj::value v = Changes("?limit=1" + (since.empty() ? "" : "&since=" + since));
    const auto& changes = v.at("changes").as_array();
    std::string next(v.at("metadata").at("next").as_string());
    if (changes.empty()) {
      EXPECT_EQ(next, since) << "nothing new: the same token";
      break;
    }
    ASSERT_EQ(changes.size(), 1u);
    const auto& c = changes[0].as_object();
    seen.push_back(std::string(c.at("type").as_string()) + " " + std::string(c.at("version").as_string()) +
                   (c.contains("status") ? " " + std::string(c.at("status").as_string()) : ""));
    EXPECT_TRUE(c.contains("time"));
    since = next;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"publish 1.0.0", "publish 1.1.0", "status 1.0.0 deprecated"}));
  // No since: from the beginning.
  EXPECT_EQ(Changes("").at("changes").as_array().size(), 3u);
}

TEST_P(ChangesE2ETest, BadQueryParametersAreProblemsNotServerErrors) {
  ASSERT_NO_FATAL_FAILURE(Start());
  struct Case {
    std::string query;
    int status;
    std::string location;
  };
  for (const Case& c : std::vector<Case>{{"?since=bogus", 422, "query.since"},
                                         {"?since=", 422, "query.since"},
                                         {"?since=YzA0Mg", 422, "query.since"},
                                         {"?limit=0", 422, "query.limit"},
                                         {"?limit=1001", 422, "query.limit"},
                                         {"?limit=ten", 422, "query.limit"},
                                         {"?wait=31", 422, "query.wait"},
                                         {"?wait=-1", 422, "query.wait"},
                                         {"?since=%00", 400, ""}}) {
    auto r = Do("GET", "/v0.1/x/dev.mcpreg/changes" + c.query);
    EXPECT_EQ(r.status, c.status) << c.query << ": " << r.body;
    if (c.location.empty()) continue;  // NUL bytes: the router's upstream-compatible 400
    EXPECT_EQ(HeaderOf(r.headers, "Content-Type"), "application/problem+json") << c.query;
    if (!c.location.empty())
      EXPECT_NE(r.body.find("\"location\":\"" + c.location + "\""), std::string::npos)
          << c.query << ": " << r.body;
  }
}

TEST_P(ChangesE2ETest, LongPollReturnsWithinASecondOfAPublish) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::string since(Changes("").at("metadata").at("next").as_string());
  auto poll_started = Clock::now();
  auto poll = std::async(std::launch::async, [&] {
    auto r = Do("GET", "/v0.1/x/dev.mcpreg/changes?wait=10&since=" + since);
    return std::make_pair(r, Clock::now());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the long-poll waits while nothing changes";
  auto t0 = Clock::now();
  Publish("com.acme/late", "1.0.0");
  auto published = Clock::now();
  auto [r, answered] = poll.get();
  ASSERT_EQ(r.status, 200) << r.body;
  bj::value body = bj::parse(r.body);
  const auto& changes = body.at("changes").as_array();
  ASSERT_EQ(changes.size(), 1u) << r.body;
  EXPECT_EQ(changes[0].at("name"), "com.acme/late");
  EXPECT_EQ(changes[0].at("type"), "publish");
  long long latency = Ms(answered - published);
  std::printf("[ measure ] long-poll answered %lld ms after the publish returned (publish took %lld ms)\n",
              latency, Ms(published - t0));
  EXPECT_LT(latency, 1000);
  EXPECT_GE(Ms(answered - poll_started), 1500);

  // Nothing new: a long-poll ends at its wait with an empty page and the same token.
  std::string next(body.at("metadata").at("next").as_string());
  auto q0 = Clock::now();
  bj::value empty = Changes("?wait=1&since=" + next);
  EXPECT_TRUE(empty.at("changes").as_array().empty());
  EXPECT_EQ(std::string(empty.at("metadata").at("next").as_string()), next);
  EXPECT_GE(Ms(Clock::now() - q0), 900);
}

// Governed mode: a withheld version's publish is not in the public feed; the approval that
// lists it appears as a `listing` change (answering a waiting long-poll), after which readers
// from the beginning see the publish too.
TEST_P(ChangesE2ETest, GovernedFeedShowsVersionsOnceListed) {
  ASSERT_NO_FATAL_FAILURE(Start("policy:\n  evidence: []\n"));
  ASSERT_NE(server_->log().find("governed mode"), std::string::npos);
  std::string out, err;
  std::ofstream(dir_ + "/import.json") << "[" << testing::CompliantWeatherServer() << "]";
  ASSERT_EQ(RunCli({"import", "-q", "--db", db_, dir_ + "/import.json"}, &out, &err), 0) << err;
  // Past the feed's settle time (3 s): the version is known to be withheld, not just unseen.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  bj::value hidden = Changes("");
  EXPECT_TRUE(hidden.at("changes").as_array().empty()) << bj::serialize(hidden);
  std::string since(hidden.at("metadata").at("next").as_string());
  EXPECT_GT(*federation::DecodeChangeToken(since), 0) << "the reader still moved past it";

  auto poll = std::async(std::launch::async,
                         [&] { return Do("GET", "/v0.1/x/dev.mcpreg/changes?wait=20&since=" + since); });
  // The request's publisher identity must be a trusted issuer: this test's.
  std::string request = testing::WeatherRequest(testing::CompliantWeatherServer());
  request.replace(request.find("https://idp.contoso.example"), 27, kIssuer);
  std::ofstream(dir_ + "/request.json") << request;
  ASSERT_EQ(RunCli({"request", "file", dir_ + "/request.json", "--db", db_, "--config", config_},
                   &out, &err), 0) << err;
  ASSERT_EQ(RunCli({"review", "approve", "com.contoso/weather", "--db", db_, "--config", config_},
                   &out, &err), 0) << err;
  auto r = poll.get();
  ASSERT_EQ(r.status, 200) << r.body;
  bj::value listed = bj::parse(r.body);
  ASSERT_EQ(listed.at("changes").as_array().size(), 1u) << r.body;
  EXPECT_EQ(listed.at("changes").at(0).at("type"), "listing");
  EXPECT_EQ(listed.at("changes").at(0).at("name"), "com.contoso/weather");
  EXPECT_TRUE(listed.at("changes").at(0).at("version").is_null());

  bj::value all = Changes("");
  ASSERT_EQ(all.at("changes").as_array().size(), 2u) << bj::serialize(all);
  EXPECT_EQ(all.at("changes").at(0).at("type"), "publish");
  EXPECT_EQ(all.at("changes").at(0).at("version"), "1.0.0");
  EXPECT_EQ(all.at("changes").at(1).at("type"), "listing");
}

TEST_P(ChangesE2ETest, DownReceiverGetsEveryChangeOnceInOrderSigned) {
  ReservedPort port;  // refuses connections: the receiver is down
  ASSERT_NE(port.port(), 0);
  ASSERT_NO_FATAL_FAILURE(Start(WebhookYaml(port.port())));
  Publish("com.acme/hooked", "1.0.0");
  Publish("com.acme/hooked", "2.0.0");
  auto r = Do("PATCH", "/v0.1/servers/com.acme%2Fhooked/status", R"({"status":"deprecated","statusMessage":"x"})");
  ASSERT_EQ(r.status, 200) << r.body;
  Publish("com.acme/other", "0.1.0");
  const auto published = Clock::now();

  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  std::string down = StatusLine();
  std::printf("[ measure ] while down: %s", down.c_str());
  EXPECT_NE(down.find("http://127.0.0.1:" + std::to_string(port.port()) + "/hook "), std::string::npos) << down;
  EXPECT_NE(down.find(" pending=4 "), std::string::npos) << down;
  EXPECT_EQ(down.find("last-error=-"), std::string::npos) << "a refused connection is an error: " << down;

  // The delivery state is in the database: a restarted registry carries on from it.
  ASSERT_NO_FATAL_FAILURE(Restart());

  // Up, but failing: 503 for a while.
  port.Release();
  Receiver receiver(port.port());
  receiver.Answer(503);
  ASSERT_TRUE(receiver.Start().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_GE(receiver.deliveries().size(), 1u) << "retried while failing";
  EXPECT_TRUE(receiver.Accepted().empty());
  for (const auto& d : receiver.deliveries()) EXPECT_EQ(d.id, receiver.deliveries()[0].id) << "no overtaking";

  // Up for real.
  receiver.Answer(200);
  const auto up = Clock::now();
  for (int i = 0; i < 100 && receiver.Accepted().size() < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto all_in = Clock::now();
  receiver.Stop();

  std::vector<std::string> expected;
  // The feed's seqs are the event ids: read them through the tokens of a limit=1 walk.
  std::string since;
  for (int i = 0; i < 4; ++i) {
    bj::value p = Changes("?limit=1" + (since.empty() ? "" : "&since=" + since));
    since = std::string(p.at("metadata").at("next").as_string());
    expected.push_back(std::to_string(*federation::DecodeChangeToken(since)));
  }
  EXPECT_EQ(receiver.Accepted(), expected) << "every change, once, in commit order";
  std::printf("[ measure ] 4 events delivered %lld ms after the receiver came up (%lld ms after the "
              "first publish), %zu attempts in all\n",
              Ms(all_in - up), Ms(all_in - published), receiver.deliveries().size());

  auto key = federation::DecodeWebhookSecret(kSecret);
  ASSERT_TRUE(key.ok());
  std::vector<std::string> types;
  for (const auto& d : receiver.deliveries()) {
    EXPECT_EQ(d.content_type, "application/cloudevents+json");
    EXPECT_EQ(d.signature, federation::WebhookSignature(*key, d.id, std::stoll(d.timestamp), d.body))
        << "HMAC over id.timestamp.body";
    bj::value ev = bj::parse(d.body);
    EXPECT_EQ(ev.at("specversion"), "1.0");
    EXPECT_EQ(std::string(ev.at("id").as_string()), d.id);
    EXPECT_EQ(std::string(ev.at("source").as_string()), server_->base_url());
    if (d.answered == 200) types.push_back(std::string(ev.at("type").as_string()) + " " +
                                           std::string(ev.at("subject").as_string()));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"dev.mcpreg.publish com.acme/hooked@1.0.0",
                                             "dev.mcpreg.publish com.acme/hooked@2.0.0",
                                             "dev.mcpreg.status com.acme/hooked",
                                             "dev.mcpreg.publish com.acme/other@0.1.0"}));

  std::string done = StatusLine();
  std::printf("[ measure ] after: %s", done.c_str());
  EXPECT_NE(done.find(" delivered-through=" + expected.back() + " pending=0 attempts=0 abandoned=0 last-error=-"),
            std::string::npos) << done;
}

TEST_P(ChangesE2ETest, UndeliverableChangeIsGivenUpRecordedAndSkipped) {
  ReservedPort port;  // down
  ASSERT_NO_FATAL_FAILURE(Start(WebhookYaml(port.port(), "    give_up_seconds: 1\n")));
  Publish("com.acme/lost", "1.0.0");
  std::string line;
  for (int i = 0; i < 100; ++i) {
    line = StatusLine();
    if (line.find(" abandoned=1 ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(line.find(" pending=0 attempts=0 abandoned=1 last-error=gave up on change "),
            std::string::npos) << line;
  // Back up: the next change is delivered; the given-up one is not replayed.
  port.Release();
  Receiver receiver(port.port());
  ASSERT_TRUE(receiver.Start().ok());
  Publish("com.acme/lost", "2.0.0");
  for (int i = 0; i < 100 && receiver.Accepted().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  receiver.Stop();
  auto got = receiver.deliveries();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(bj::parse(got[0].body).at("subject"), "com.acme/lost@2.0.0");
}

TEST_P(ChangesE2ETest, SlowReceiverDoesNotSlowPublishes) {
  ReservedPort port;
  port.Release();
  Receiver receiver(port.port());
  receiver.Delay(std::chrono::milliseconds(3000));
  ASSERT_TRUE(receiver.Start().ok());
  ASSERT_NO_FATAL_FAILURE(Start(WebhookYaml(port.port())));
  // Get a delivery stuck in the receiver's sleep first.
  Publish("com.acme/slow", "0.0.1");
  for (int i = 0; i < 50 && receiver.started() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(receiver.started(), 1) << "the first event is being delivered (the receiver sleeps)";
  long long worst = 0, total = 0;
  for (int i = 0; i < 8; ++i) {
    auto t0 = Clock::now();
    Publish("com.acme/slow", "1.0." + std::to_string(i));
    long long ms = Ms(Clock::now() - t0);
    worst = std::max(worst, ms);
    total += ms;
  }
  std::printf("[ measure ] 8 publishes while the receiver sleeps 3 s per event: mean %lld ms, "
              "worst %lld ms; receiver answered %zu event(s) meanwhile\n",
              total / 8, worst, receiver.deliveries().size());
  EXPECT_LT(worst, 1000);
  EXPECT_EQ(receiver.started(), 1) << "still one at a time, in order";
  // The feed stays live too.
  auto t0 = Clock::now();
  EXPECT_EQ(Changes("").at("changes").as_array().size(), 9u);
  EXPECT_LT(Ms(Clock::now() - t0), 1000);
  receiver.Stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, ChangesE2ETest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
