// Issue 9 item 7 (outbound fetches froze the server) and item 14's constant import cursor:
// deadlines on every outbound call, no lock across network I/O, single flight and a bounded
// negative cache, the SSRF guard, bounded import paging, and the WorkPool the router runs
// blocking routes on.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <future>
#include <thread>

#include "app/import_source.h"
#include "auth/fetcher.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/namespace_proof.h"
#include "auth/oidc_exchange.h"
#include "config/config.h"
#include "core/work_pool.h"
#include "integration/server_process.h"
#include "security/stall_server.h"
#include "transport/http_client.h"
#include "transport/ssrf_guard.h"
#include "unit/client_fake_registry.h"

namespace mcpreg {
namespace {

using testing::StallServer;
using Clk = std::chrono::steady_clock;
using std::chrono::milliseconds;

double Since(Clk::time_point t0) { return std::chrono::duration<double>(Clk::now() - t0).count(); }

struct Timed {
  bool returned = false;
  double seconds = 0;
  Status status;
};

// Fetches `url` on a helper thread with a 1 s total deadline. If it has not returned after
// `give_up`, the server is stopped (closing the sockets frees the client) before joining.
Timed TimeFetch(StallServer& server, const std::string& url,
                milliseconds give_up = milliseconds(6000)) {
  auto t0 = Clk::now();
  auto f = std::async(std::launch::async, [&] {
    http::ClientRequest req;
    req.url = url;
    req.timeout = milliseconds(1000);
    req.connect_timeout = milliseconds(1000);
    return http::Fetch(req).status();
  });
  Timed t;
  t.returned = f.wait_for(give_up) == std::future_status::ready;
  t.seconds = Since(t0);
  server.Stop();
  t.status = f.get();
  return t;
}

void ExpectCutAtDeadline(StallServer::Mode mode, const std::string& scheme = "http") {
  StallServer s(mode, milliseconds(100));
  Timed t = TimeFetch(s, scheme + "://127.0.0.1:" + std::to_string(s.port()) + "/jwks");
  ASSERT_TRUE(t.returned) << "Fetch still blocked after " << t.seconds << " s (deadline 1 s)";
  EXPECT_GE(t.seconds, 0.9);
  EXPECT_LT(t.seconds, 1.8) << "deadline 1 s";
  EXPECT_EQ(t.status.code(), Code::kUnavailable) << t.status.ToString();
  EXPECT_NE(t.status.message().find("timed out"), std::string::npos) << t.status.ToString();
}

TEST(OutboundFetchTest, SilentServerIsCutAtTheTotalDeadline) {
  ExpectCutAtDeadline(StallServer::Mode::kSilent);
}

TEST(OutboundFetchTest, HeaderThenSilenceIsCutAtTheTotalDeadline) {
  ExpectCutAtDeadline(StallServer::Mode::kHeaderThenStall);
}

TEST(OutboundFetchTest, DribblingServerIsCutAtTheTotalDeadline) {
  ExpectCutAtDeadline(StallServer::Mode::kDribble);  // a byte every 100 ms, for ever
}

TEST(OutboundFetchTest, SilentServerStallsTheTlsHandshakeOnlyUntilTheDeadline) {
  ExpectCutAtDeadline(StallServer::Mode::kSilent, "https");
}

// A listener whose accept queue is full drops further SYNs, so connect() hangs: the connect
// deadline (not the longer total deadline) must end it.
TEST(OutboundFetchTest, HangingConnectIsCutAtTheConnectDeadline) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(lfd, 0), 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  std::vector<int> fillers;  // complete handshakes until the queue is full
  for (int i = 0; i < 8; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(milliseconds(100));
  http::ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/";
  req.connect_timeout = milliseconds(500);
  req.timeout = milliseconds(3000);
  auto t0 = Clk::now();
  auto r = http::Fetch(req);
  double took = Since(t0);
  for (int c : fillers) ::close(c);
  ::close(lfd);
  if (r.ok() || r.status().message().find("connecting") == std::string::npos) {
    GTEST_SKIP() << "this kernel did not stall the connect: " << r.status().ToString();
  }
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_GE(took, 0.45);
  EXPECT_LT(took, 1.2) << "connect deadline 0.5 s, total 3 s";
}

TEST(OutboundFetchTest, PromptServerStillAnswers) {
  testing::FakeRegistry reg;
  reg.On("GET", "/ok", 200, R"({"ok":true})");
  http::ClientRequest req;
  req.url = reg.url() + "/ok?x=1";
  req.timeout = milliseconds(2000);
  req.guard = http::SsrfGuard(true);
  auto r = http::Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
}

// --- SSRF guard ----------------------------------------------------------------------------

TEST(SsrfGuardTest, ClassifiesAndRefusesPrivateLinkLocalUnspecifiedV4V6AndEmbedded) {
  using C = http::AddressClass;
  struct Row {
    const char* ip;
    C cls;
  } rows[] = {
      {"8.8.8.8", C::kPublic},
      {"1.1.1.1", C::kPublic},
      {"172.32.0.1", C::kPublic},
      {"100.128.0.1", C::kPublic},
      {"10.0.0.1", C::kPrivate},
      {"172.16.0.1", C::kPrivate},
      {"172.31.255.255", C::kPrivate},
      {"192.168.1.1", C::kPrivate},
      {"100.64.0.1", C::kPrivate},
      {"169.254.169.254", C::kLinkLocal},
      {"127.0.0.1", C::kLoopback},
      {"127.255.255.254", C::kLoopback},
      {"0.0.0.0", C::kUnspecified},
      {"0.1.2.3", C::kUnspecified},
      {"224.0.0.1", C::kMulticast},
      {"255.255.255.255", C::kReserved},
      {"198.18.0.1", C::kReserved},
      {"::", C::kUnspecified},
      {"::1", C::kLoopback},
      {"fc00::1", C::kPrivate},
      {"fd12:3456::1", C::kPrivate},
      {"fec0::1", C::kPrivate},
      {"fe80::1", C::kLinkLocal},
      {"febf::1", C::kLinkLocal},
      {"ff02::1", C::kMulticast},
      {"::ffff:127.0.0.1", C::kLoopback},
      {"::ffff:10.1.2.3", C::kPrivate},
      {"::ffff:169.254.169.254", C::kLinkLocal},
      {"::ffff:0.0.0.0", C::kUnspecified},
      {"::ffff:8.8.8.8", C::kPublic},
      {"::127.0.0.1", C::kLoopback},
      {"64:ff9b::a9fe:a9fe", C::kLinkLocal},
      {"64:ff9b::808:808", C::kPublic},
      {"64:ff9b:1::1", C::kPrivate},
      {"2002:7f00:1::", C::kLoopback},
      {"2002:0a00:0001::1", C::kPrivate},
      {"2002:0808:0808::1", C::kPublic},
      {"2001:db8::1", C::kReserved},
      {"2001::1", C::kReserved},
      {"100::1", C::kReserved},
      {"3fff::1", C::kPublic},
      {"2606:4700:4700::1111", C::kPublic},
      {"2001:4860:4860::8888", C::kPublic},
  };
  http::SsrfGuard strict(false), relaxed(true);
  for (const Row& r : rows) {
    SCOPED_TRACE(r.ip);
    EXPECT_EQ(http::ClassifyAddress(boost::asio::ip::make_address(r.ip)), r.cls);
    Status s = strict.CheckLiteral(r.ip);
    EXPECT_EQ(s.ok(), r.cls == C::kPublic) << s.ToString();
    if (!s.ok()) {
      EXPECT_TRUE(s.IsPermissionDenied());
      EXPECT_NE(s.message().find(std::string(http::AddressClassName(r.cls))), std::string::npos);
    }
    bool openable = r.cls == C::kPublic || r.cls == C::kLoopback || r.cls == C::kPrivate ||
                    r.cls == C::kLinkLocal;
    EXPECT_EQ(relaxed.CheckLiteral(r.ip).ok(), openable);
  }
  EXPECT_TRUE(strict.CheckLiteral("[::1]").IsPermissionDenied());
  EXPECT_EQ(strict.CheckLiteral("example.com").code(), Code::kInvalidArgument);
}

TEST(SsrfGuardTest, GuardedFetchRefusesLoopbackAndMappedFormsBeforeConnecting) {
  StallServer s(StallServer::Mode::kSilent);
  for (std::string host : {"127.0.0.1", "[::ffff:127.0.0.1]", "localhost"}) {
    SCOPED_TRACE(host);
    http::ClientRequest req;
    req.url = "http://" + host + ":" + std::to_string(s.port()) + "/x";
    req.timeout = milliseconds(1000);
    req.guard = http::SsrfGuard(false);
    auto t0 = Clk::now();
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
    EXPECT_LT(Since(t0), 0.5);
  }
  EXPECT_EQ(s.connections(), 0);
}

TEST(SsrfGuardTest, NamespaceProofUrlOnPrivateAddressesIsRefused) {
  auto fetcher = auth::NewHttpFetcher();  // production defaults: private addresses refused
  for (std::string domain : {"localhost", "127.0.0.1", "10.0.0.1", "169.254.169.254", "0.0.0.0",
                             "192.168.0.1", "100.64.1.1"}) {
    SCOPED_TRACE(domain);
    auth::ProofRequest req{domain, FormatRfc3339(SystemClock::Instance().Now()), "00"};
    auto t0 = Clk::now();
    auto p = auth::VerifyHttpProof(req, *fetcher, SystemClock::Instance());
    EXPECT_TRUE(p.status().IsUnauthenticated());
    EXPECT_NE(p.status().message().find("refused by the outbound address policy"),
              std::string::npos)
        << p.status().ToString();
    EXPECT_LT(Since(t0), 1.0);
  }
}

// --- negative cache and single flight -----------------------------------------------------

TEST(OutboundNegativeCacheTest, FailingUrlIsFetchedOncePerTtl) {
  StallServer s(StallServer::Mode::kCloseAtOnce);
  ManualClock clock(1'000'000'000'000'000);
  auth::OutboundOptions o;
  o.allow_private_addresses = true;
  o.total_timeout = milliseconds(1000);
  auto fetcher = auth::NewHttpFetcher(o, clock);
  auth::FetchOptions fo;
  fo.untrusted_destination = true;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(fetcher->Get(s.url("/k"), fo).status().code(), Code::kUnavailable);
  EXPECT_EQ(s.connections(), 1);
  auto again = fetcher->Get(s.url("/k"), fo);
  EXPECT_NE(again.status().message().find("failed recently"), std::string::npos);
  clock.Advance(61LL * 1000000);
  EXPECT_FALSE(fetcher->Get(s.url("/k"), fo).ok());
  EXPECT_EQ(s.connections(), 2);
}

TEST(OutboundNegativeCacheTest, EntriesAreBoundedOldestForgottenFirst) {
  auto inner = std::make_shared<auth::FakeHttpFetcher>();  // unknown URLs: Unavailable
  ManualClock clock(1'000'000'000'000'000);
  auth::OutboundOptions o;
  o.negative_cache_entries = 3;
  auth::OutboundFetcher f(inner, o, clock);
  for (std::string u : {"https://a/", "https://b/", "https://c/", "https://d/"}) f.Get(u, {});
  EXPECT_EQ(f.negative_entries(), 3u);
  f.Get("https://d/", {});
  EXPECT_EQ(inner->requests("https://d/"), 1);  // remembered
  f.Get("https://a/", {});
  EXPECT_EQ(inner->requests("https://a/"), 2);  // evicted, fetched again
  inner->Set("https://ok/", 404, "");
  f.Get("https://ok/", {});
  f.Get("https://ok/", {});
  EXPECT_EQ(inner->requests("https://ok/"), 2);  // an HTTP answer is not a failure
}

// A fetcher whose GETs take `delay` and count calls.
class SlowFetcher final : public auth::HttpFetcher {
 public:
  explicit SlowFetcher(milliseconds delay) : delay_(delay) {}
  Result<auth::FetchResponse> Get(const std::string&, const auth::FetchOptions&) override {
    ++calls;
    std::this_thread::sleep_for(delay_);
    return auth::FetchResponse{200, "{}", ""};
  }
  std::atomic<int> calls{0};

 private:
  milliseconds delay_;
};

TEST(OutboundNegativeCacheTest, ConcurrentGetsOfOneUrlShareOneFetch) {
  auto inner = std::make_shared<SlowFetcher>(milliseconds(300));
  auth::OutboundFetcher f(inner, {}, SystemClock::Instance());
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) ts.emplace_back([&] { ok += f.Get("https://x/", {}).ok(); });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(inner->calls.load(), 1);
}

// --- a stalling issuer ----------------------------------------------------------------------

TEST(OutboundJwksTest, StallingIssuerDoesNotBlockAnotherIssuerAndIsFetchedOnce) {
  StallServer stall(StallServer::Mode::kSilent);
  testing::FakeRegistry good;
  auto key_a = *auth::Key::Generate(auth::KeyType::kEcP256, "a-1");
  auto key_b = *auth::Key::Generate(auth::KeyType::kEcP256, "b-1");
  auth::JwkSet set_b;
  set_b.Add(key_b);
  good.On("GET", "/jwks", 200, set_b.ToJson());
  std::string yaml =
      "auth:\n  issuers:\n"
      "    - {name: a, issuer: https://a.example, audience: r, jwks_url: \"" +
      stall.url("/jwks") + "\", algorithms: [ES256]}\n" +
      "    - {name: b, issuer: https://b.example, audience: r, jwks_url: \"" + good.url() +
      "/jwks\", algorithms: [ES256]}\n";
  auto cfg = config::ParseConfig(yaml, "t.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auth::OutboundOptions o;
  o.connect_timeout = o.total_timeout = milliseconds(1000);
  o.allow_private_addresses = true;
  auth::WorkloadTokenVerifier v(cfg->auth, auth::NewHttpFetcher(o), SystemClock::Instance());
  int64_t now = SystemClock::Instance().Now() / 1000000;
  auto token = [&](const auth::Key& k, const char* iss) {
    boost::json::object c{
        {"iss", iss}, {"aud", "r"}, {"sub", "s"}, {"iat", now}, {"exp", now + 300}};
    return *auth::SignJwt(k, auth::JwsAlg::kES256, boost::json::serialize(c));
  };
  std::string ta = token(key_a, "https://a.example"), tb = token(key_b, "https://b.example");
  struct Out {
    double seconds;
    Status status;
  };
  auto t0 = Clk::now();
  std::vector<std::future<Out>> as, bs;
  for (int i = 0; i < 4; ++i) {
    as.push_back(std::async(std::launch::async, [&] {
      auto p = v.VerifyWorkloadToken(ta);
      return Out{Since(t0), p.status()};
    }));
  }
  std::this_thread::sleep_for(milliseconds(100));  // the A fetch is now stalled
  for (int i = 0; i < 4; ++i) {
    bs.push_back(std::async(std::launch::async, [&] {
      auto t1 = Clk::now();
      auto p = v.VerifyWorkloadToken(tb);
      return Out{Since(t1), p.status()};
    }));
  }
  bool all_done = true;
  for (auto& f : as)
    all_done = all_done && f.wait_for(std::chrono::seconds(6)) == std::future_status::ready;
  if (!all_done) stall.Stop();  // release the stuck fetches so the test can end
  ASSERT_TRUE(all_done) << "verifications for the stalling issuer still blocked after 6 s";
  for (auto& f : bs) {
    Out out = f.get();
    EXPECT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_LT(out.seconds, 0.5);
  }
  for (auto& f : as) {
    Out out = f.get();
    EXPECT_EQ(out.status.code(), Code::kUnavailable) << out.status.ToString();
    EXPECT_LT(out.seconds, 1.9);
  }
  EXPECT_EQ(stall.connections(), 1);  // four concurrent callers, one fetch
  for (int i = 0; i < 20; ++i) {      // and later callers do not fetch again for a while
    auto t1 = Clk::now();
    EXPECT_EQ(v.VerifyWorkloadToken(ta).status().code(), Code::kUnavailable);
    EXPECT_LT(Since(t1), 0.1);
  }
  EXPECT_EQ(stall.connections(), 1);
}

// Serves a fixed JWKS; once armed, the next GET blocks until released.
class GateFetcher final : public auth::HttpFetcher {
 public:
  explicit GateFetcher(std::string body) : body_(std::move(body)) {}
  Result<auth::FetchResponse> Get(const std::string&, const auth::FetchOptions&) override {
    ++calls;
    if (armed.exchange(false)) gate.wait();
    return auth::FetchResponse{200, body_, ""};
  }
  std::atomic<int> calls{0};
  std::atomic<bool> armed{false};
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();

 private:
  std::string body_;
};

TEST(OutboundJwksTest, StaleKeysServeOtherCallersWhileARefreshIsInFlight) {
  auto key = *auth::Key::Generate(auth::KeyType::kEcP256, "k-1");
  auth::JwkSet set;
  set.Add(key);
  auto fetcher = std::make_shared<GateFetcher>(set.ToJson());
  ManualClock clock(1'000'000'000'000'000);
  auth::JwksCache cache({auth::KeySource::Kind::kUrl, "https://idp.example/keys"}, fetcher, clock);
  ASSERT_TRUE(cache.KeyFor("k-1").ok());
  clock.Advance(2 * 3600LL * 1000000);  // past the TTL: the next lookup refreshes
  fetcher->armed = true;
  auto refresher = std::async(std::launch::async, [&] { return cache.KeyFor("k-1").ok(); });
  while (fetcher->calls.load() < 2) std::this_thread::sleep_for(milliseconds(1));
  auto other = std::async(std::launch::async, [&] { return cache.KeyFor("k-1").ok(); });
  bool prompt = other.wait_for(milliseconds(500)) == std::future_status::ready;
  fetcher->release.set_value();
  EXPECT_TRUE(prompt) << "a lookup waited for another caller's key refresh (lock held across I/O)";
  EXPECT_TRUE(other.get());
  EXPECT_TRUE(refresher.get());
  EXPECT_EQ(fetcher->calls.load(), 2);
}

// A jwks_uri on the issuer's own host is as trusted as the issuer; elsewhere it is guarded.
TEST(OutboundJwksTest, DiscoveredJwksUriOnAnotherHostIsGuarded) {
  auto inner = std::make_shared<auth::FakeHttpFetcher>();
  struct Spy final : auth::HttpFetcher {
    std::shared_ptr<auth::FakeHttpFetcher> inner;
    std::map<std::string, bool> untrusted;
    Result<auth::FetchResponse> Get(const std::string& u, const auth::FetchOptions& o) override {
      untrusted[u] = o.untrusted_destination;
      return inner->Get(u, o);
    }
  };
  auto spy = std::make_shared<Spy>();
  spy->inner = inner;
  inner->Set("https://idp.example/.well-known/openid-configuration", 200,
             R"({"issuer":"https://idp.example","jwks_uri":"https://keys.elsewhere/jwks"})");
  inner->Set("https://keys.elsewhere/jwks", 200, R"({"keys":[]})");
  ManualClock clock(1'000'000'000'000'000);
  auth::JwksCache c({auth::KeySource::Kind::kDiscovery, "https://idp.example"}, spy, clock);
  EXPECT_TRUE(c.Refresh().ok());
  EXPECT_FALSE(spy->untrusted["https://idp.example/.well-known/openid-configuration"]);
  EXPECT_TRUE(spy->untrusted["https://keys.elsewhere/jwks"]);
  inner->Set("https://idp.example/.well-known/openid-configuration", 200,
             R"({"issuer":"https://idp.example","jwks_uri":"https://IDP.example/k"})");
  inner->Set("https://IDP.example/k", 200, R"({"keys":[]})");
  EXPECT_TRUE(c.Refresh().ok());
  EXPECT_FALSE(spy->untrusted["https://IDP.example/k"]);
}

// --- import paging -------------------------------------------------------------------------

constexpr char kOneServer[] = R"({"name":"io.github.acme/x","description":"d","version":"1.0.0"})";

TEST(OutboundImportTest, ConstantCursorStopsAtTheSecondPageWithAnError) {
  testing::FakeRegistry reg;
  std::atomic<int> n{0};
  reg.On("GET", "/v0.1/servers", [&](const http::HttpRequest&) {
    if (++n > 3000) return testing::FakeRegistry::Json(500, "{}");  // bound the unfixed loop
    return testing::FakeRegistry::Json(200, std::string(R"({"servers":[)") + kOneServer +
                                                R"(],"metadata":{"nextCursor":"same"}})");
  });
  app::ImportLimits lim;
  lim.guard = http::SsrfGuard(true);
  auto r = app::LoadImportSource(reg.url() + "/v0.1/servers", {}, lim);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().ToString();
  EXPECT_NE(r.status().message().find("repeated cursor"), std::string::npos);
  EXPECT_EQ(n.load(), 2);
}

TEST(OutboundImportTest, PageAndItemLimitsStopPaging) {
  testing::FakeRegistry reg;
  std::atomic<int> n{0};
  reg.On("GET", "/v0.1/servers", [&](const http::HttpRequest&) {
    return testing::FakeRegistry::Json(200, std::string(R"({"servers":[)") + kOneServer +
                                                R"(],"metadata":{"nextCursor":"c)" +
                                                std::to_string(++n) + R"("}})");
  });
  app::ImportLimits lim;
  lim.guard = http::SsrfGuard(true);
  lim.max_pages = 5;
  auto r = app::LoadImportSource(reg.url() + "/v0.1/servers", {}, lim);
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("page limit"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(n.load(), 5);
  lim.max_pages = 100;
  lim.max_items = 3;
  r = app::LoadImportSource(reg.url() + "/v0.1/servers", {}, lim);
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("item limit"), std::string::npos) << r.status().ToString();
}

TEST(OutboundImportTest, PrivateSourceIsRefusedUnlessAllowed) {
  testing::FakeRegistry reg;
  reg.On("GET", "/v0.1/servers", 200, R"({"servers":[]})");
  auto r = app::LoadImportSource(reg.url() + "/v0.1/servers");
  EXPECT_TRUE(r.status().IsPermissionDenied()) << r.status().ToString();
  EXPECT_TRUE(reg.Requests().empty());
}

TEST(OutboundImportTest, CliStopsOnAConstantCursorWithOneLineAndNonZeroExit) {
  testing::FakeRegistry reg;
  reg.On("GET", "/v0.1/servers", 200,
         std::string(R"({"servers":[)") + kOneServer + R"(],"metadata":{"nextCursor":"same"}})");
  std::string out, err, dir = testing::TempDir();
  int rc = testing::RunCli({"import", "-q", "--allow-private-addresses", "--db", dir + "/r.db",
                            reg.url() + "/v0.1/servers"},
                           &out, &err);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find("repeated cursor"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(reg.Requests().size(), 2u);
}

// --- WorkPool ------------------------------------------------------------------------------

TEST(WorkPoolTest, RunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  {
    WorkPool pool(3, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
    while (pool.queued() || pool.running()) std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(WorkPoolTest, SubmitIsRefusedWhenTheQueueIsFull) {
  WorkPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  ASSERT_TRUE(pool.Submit([gate] { gate.wait(); }));
  while (pool.running() != 1) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));  // two waiting = max_queue
  release.set_value();
  pool.Stop();
}

TEST(WorkPoolTest, StopDropsQueuedTasksWaitsForRunningOnesAndIsIdempotent) {
  auto pool = std::make_unique<WorkPool>(1, 10);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> first_done{false}, queued_ran{false};
  ASSERT_TRUE(pool->Submit([gate, &first_done] {
    gate.wait();
    first_done = true;
  }));
  while (pool->running() != 1) std::this_thread::sleep_for(milliseconds(1));
  auto owned = std::make_shared<int>(1);
  ASSERT_TRUE(pool->Submit([owned, &queued_ran] { queued_ran = true; }));
  EXPECT_EQ(owned.use_count(), 2);
  std::thread stopper([&] { pool->Stop(); });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(owned.use_count(), 1);  // the queued task was dropped (destroyed) unrun
  release.set_value();
  stopper.join();
  EXPECT_TRUE(first_done.load());
  EXPECT_FALSE(queued_ran.load());
  EXPECT_FALSE(pool->Submit([] {}));
  pool->Stop();
  pool.reset();
}

}  // namespace
}  // namespace mcpreg
