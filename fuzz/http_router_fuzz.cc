// Target http_router: the bytes are one HTTP request as the transport hands it to the router:
//
//   METHOD SP TARGET LF
//   Name: value LF        (any number of header lines)
//   LF
//   body...
//
// The request goes through rest::Router::Handle (every route, middleware and handler) over a
// real RegistryService on a temporary SQLite database seeded with the fixture servers, with the
// auth, governance and feed services wired as `mcpreg serve` wires them. An Authorization value
// of "Bearer $ADMIN" is replaced by a valid registry token carrying every right, so the write
// routes run past authentication too. The query string also goes through rest::QueryParams.
// Checked: exactly one response per request, a status in 100..599, no 5xx except 501/503, no
// CR/LF in any response header.
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "api/rest/query.h"
#include "api/rest/router.h"
#include "auth/registry_token.h"
#include "config/config.h"
#include "feed/artifact_store.h"
#include "fuzz/fuzz_common.h"
#include "mcpreg/clock.h"
#include "service/auth_service.h"
#include "service/feed_service.h"
#include "service/governance_service.h"

using namespace mcpreg;

namespace {

class NullStream : public http::ResponseStream {
 public:
  bool Write(std::string) override { return false; }
  void Close() override {}
  bool closed() const override { return true; }
  void OnClose(std::function<void()> fn) override {
    if (fn) fn();
  }
};

class Recorder : public http::Responder {
 public:
  void Send(http::HttpResponse r) override {
    ++answers;
    status = r.status;
    headers = std::move(r.headers);
  }
  std::shared_ptr<http::ResponseStream> Stream(int s, http::Headers h) override {
    ++answers;
    status = s;
    headers = std::move(h);
    return std::make_shared<NullStream>();
  }
  int answers = 0;
  int status = 0;
  http::Headers headers;
};

struct World {
  config::AuthConfig auth_config;
  std::unique_ptr<service::AuthService> auth;
  std::unique_ptr<service::FeedService> feed;
  std::unique_ptr<service::GovernanceService> governance;
  std::unique_ptr<rest::Router> router;
  std::string admin_token;
};

World& TheWorld() {
  static World* w = [] {
    auto* w = new World;
    app::Registry& reg = fuzz::SharedRegistry();
    auto key = auth::Key::Ed25519FromSeed(std::string(32, '\x42'));
    fuzz::Check(key.ok(), "fixed Ed25519 seed");
    // Ten years: the token must outlive any fuzzing session.
    auth::RegistryTokens tokens(*key, SystemClock::Instance(), 10LL * 365 * 86400);
    auth::Principal admin;
    admin.issuer = std::string(auth::kRegistryIssuer);
    admin.subject = "fuzz-admin";
    admin.auth_method = "none";
    for (const char* a : {"publish", "edit", "feed", "review"}) admin.permissions.push_back({a, "*"});
    auto issued = tokens.Issue(admin);
    fuzz::Check(issued.ok(), "issue admin token");
    w->admin_token = "Bearer " + issued->registry_token;
    w->auth = std::make_unique<service::AuthService>(w->auth_config, *reg.store, std::move(tokens),
                                                     nullptr, nullptr, SystemClock::Instance());
    auto blobs = feed::ArtifactStore::Open(fuzz::SharedDir() + "/feed");
    fuzz::Check(blobs.ok(), "open feed store");
    w->feed = std::make_unique<service::FeedService>(
        std::make_unique<feed::ArtifactStore>(std::move(*blobs)), *reg.store,
        SystemClock::Instance(), 1 << 20);
    w->governance = std::make_unique<service::GovernanceService>(
        *reg.store, *reg.service, SystemClock::Instance(), std::vector<std::string>{});
    fuzz::Check(w->governance->Start().ok(), "start governance");
    rest::RouterDeps deps;
    deps.registry = reg.service.get();
    deps.auth = w->auth.get();
    deps.feed = w->feed.get();
    deps.governance = w->governance.get();
    w->router = std::make_unique<rest::Router>(std::move(deps));
    return w;
  }();
  return *w;
}

std::string_view NextLine(std::string_view& rest) {
  size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

void ExerciseQuery(std::string_view raw) {
  auto q = rest::QueryParams::Parse(raw);
  if (!q.ok()) return;
  std::vector<rest::ProblemError> errors;
  q->Int("limit", 30, 1, 100, &errors);
  q->Bool("include_deleted", &errors);
  q->Enum("status", {"active", "deprecated", "deleted"}, &errors);
  q->Get("cursor");
  q->Get("search");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = TheWorld();
  std::string_view rest = fuzz::AsView(data, size);

  http::HttpRequest req;
  std::string_view start = NextLine(rest);
  size_t sp = start.find(' ');
  req.method = std::string(start.substr(0, sp));
  req.target = sp == std::string_view::npos ? "/" : std::string(start.substr(sp + 1));
  size_t qm = req.target.find('?');
  req.path = req.target.substr(0, qm);
  if (qm != std::string::npos) req.query = req.target.substr(qm + 1);
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string value(line.substr(colon + 1));
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (value == "Bearer $ADMIN") value = w.admin_token;
    req.headers.emplace_back(std::string(line.substr(0, colon)), std::move(value));
  }
  req.body = std::string(rest);
  req.remote_address = "127.0.0.1";

  ExerciseQuery(req.query);

  auto rec = std::make_shared<Recorder>();
  w.router->Handle(std::move(req), rec);
  fuzz::Check(rec->answers == 1, "exactly one response");
  fuzz::Check(rec->status >= 100 && rec->status <= 599, "status in 100..599");
  fuzz::Check(rec->status < 500 || rec->status == 501 || rec->status == 503,
              "no 5xx for a client request");
  for (const auto& [name, value] : rec->headers)
    fuzz::Check(name.find_first_of("\r\n") == std::string::npos &&
                    value.find_first_of("\r\n") == std::string::npos,
                "no CR/LF in response headers");
  return 0;
}
