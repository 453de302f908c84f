// mcpreg-conformance-fixture --listen 127.0.0.1:PORT
// Serves the MCP conformance fixtures over Streamable HTTP at /mcp until SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance_fixture/fixtures.h"
#include "mcp/http_endpoint.h"
#include "transport/http_server.h"

namespace {
// Logs the status of each response (MCPREG_FIXTURE_TRACE).
class TracingResponder : public mcpreg::http::Responder {
 public:
  TracingResponder(std::shared_ptr<mcpreg::http::Responder> inner, std::string what)
      : inner_(std::move(inner)), what_(std::move(what)) {}
  void Send(mcpreg::http::HttpResponse r) override {
    std::fprintf(stderr, "trace:   -> %d %s %.150s\n", r.status, what_.c_str(), r.body.c_str());
    inner_->Send(std::move(r));
  }
  std::shared_ptr<mcpreg::http::ResponseStream> Stream(int status,
                                                       mcpreg::http::Headers h) override {
    std::fprintf(stderr, "trace:   -> %d stream %s\n", status, what_.c_str());
    auto s = inner_->Stream(status, std::move(h));
    std::string what = what_;
    s->OnClose([what] { std::fprintf(stderr, "trace:   stream closed %s\n", what.c_str()); });
    return s;
  }

 private:
  std::shared_ptr<mcpreg::http::Responder> inner_;
  std::string what_;
};
}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:3000";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--listen" && i + 1 < argc) {
      listen = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s --listen HOST:PORT\n", argv[0]);
      return 2;
    }
  }
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "mcpreg-conformance-fixture: --listen needs HOST:PORT\n");
    return 2;
  }
  mcpreg::mcp::ServerOptions so;
  so.info = {"mcpreg-conformance-fixture", MCPREG_VERSION, "mcpreg conformance fixture", ""};
  mcpreg::mcp::McpServer server(so);
  mcpreg::fixture::AddConformanceFixtures(server);
  mcpreg::mcp::McpHttpEndpoint endpoint(server, {});

  // MCPREG_FIXTURE_TRACE=1 logs every request to stderr (for debugging suite failures).
  const bool trace = std::getenv("MCPREG_FIXTURE_TRACE") != nullptr;
  mcpreg::http::ServerOptions ho;
  ho.host = listen.substr(0, colon);
  ho.port = static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1));
  mcpreg::http::HttpServer http(ho, [&](mcpreg::http::HttpRequest&& req,
                                        std::shared_ptr<mcpreg::http::Responder> r) {
    if (trace) {
      auto sid = req.Header("Mcp-Session-Id");
      std::fprintf(stderr, "trace: %s %s sid=%s %.200s\n", req.method.c_str(), req.target.c_str(),
                   sid ? std::string(*sid).c_str() : "-", req.body.c_str());
      r = std::make_shared<TracingResponder>(std::move(r), req.method + " " + req.body.substr(0, 60));
    }
    if (req.path == "/mcp") return mcpreg::mcp::HandleMcpHttp(endpoint, std::move(req), std::move(r));
    mcpreg::http::HttpResponse nf;
    nf.status = 404;
    nf.Set("Content-Type", "text/plain");
    nf.body = "not found\n";
    r->Send(std::move(nf));
  });

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before Start: I/O threads inherit the mask
  if (auto st = http.Start(); !st.ok()) {
    std::fprintf(stderr, "mcpreg-conformance-fixture: %s\n", st.ToString().c_str());
    return 3;
  }
  std::fprintf(stderr, "mcpreg-conformance-fixture: serving http://%s:%u/mcp\n", ho.host.c_str(),
               unsigned(http.port()));
  int sig = 0;
  sigwait(&set, &sig);
  endpoint.CloseAll();
  http.Stop(std::chrono::milliseconds(1000));
  return 0;
}
