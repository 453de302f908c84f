#include "app/app.h"
#include "service/auth_service.h"

#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "api/mcp/http_config.h"
#include "api/mcp/mcp_auth.h"
#include "api/mcp/registry_tools.h"
#include "api/rest/problem.h"
#include "api/rest/router.h"
#include "auth/fetcher.h"
#include "auth/registry_token.h"
#include "config/config.h"
#include "feed/artifact_store.h"
#include "policy/policy.h"
#include "service/auth_service.h"
#include "service/feed_service.h"
#include "service/governance_service.h"
#include "app/import_source.h"
#include "core/assets.h"
#include "core/log.h"
#include "core/work_pool.h"
#include "transport/http_server.h"

namespace mcpreg::app {

Status ParseListen(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return Status::InvalidArgument("--listen must be HOST:PORT, got \"" + listen + "\"");
  std::string h = listen.substr(0, colon);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = listen.substr(colon + 1);
  if (p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5 || std::stoul(p) > 65535)
    return Status::InvalidArgument("--listen port must be 0..65535, got \"" + p + "\"");
  *host = h;
  *port = static_cast<uint16_t>(std::stoul(p));
  return Status::OK();
}

Result<Registry> OpenRegistry(const std::string& db_path, MigratePolicy policy, bool* created) {
  bool existed = IsPostgresLocation(db_path) || std::filesystem::exists(db_path);
  auto store = OpenStore(db_path);
  if (!store.ok()) return store.status();
  auto plan = (*store)->Migrate(/*dry_run=*/true);
  if (!plan.ok()) return plan.status();
  size_t applied = 0, pending = 0;
  for (const auto& m : *plan) (m.applied ? applied : pending)++;
  bool fresh = !existed || applied == 0;
  if (pending > 0) {
    if (policy == MigratePolicy::kApplyIfNew && fresh) {
      auto done = (*store)->Migrate(false);
      if (!done.ok()) return done.status();
    } else {
      return Status::FailedPrecondition(std::to_string(pending) +
                                        " database migration(s) pending on " + db_path +
                                        ": run `mcpreg migrate --db " + db_path + "`");
    }
  }
  if (created) *created = fresh;
  Registry r;
  r.store = std::move(*store);
  r.catalog = std::make_unique<catalog::Catalog>();
  r.service = std::make_unique<service::RegistryService>(*r.store, *r.catalog,
                                                         SystemClock::Instance());
  MCPREG_RETURN_IF_ERROR(r.service->Refresh());
  return r;
}

int Serve(const ServeOptions& in) {
  auto t0 = std::chrono::steady_clock::now();
  ServeOptions o = in;
  http::ServerOptions so;
  config::Config cfg;
  if (!o.config_file.empty()) {
    auto c = config::LoadConfig(o.config_file);
    if (!c.ok()) {
      log::Error("mcpreg serve: " + c.status().message());
      return ExitCodeFor(c.status().code());
    }
    cfg = std::move(*c);
    so.max_body_bytes = cfg.limits.max_body_bytes;
    so.max_header_bytes = cfg.limits.max_header_bytes;
    so.read_timeout = std::chrono::seconds(cfg.limits.read_timeout_seconds);
    so.header_timeout = std::chrono::seconds(cfg.limits.header_timeout_seconds);
    so.idle_timeout = std::chrono::seconds(cfg.limits.idle_timeout_seconds);
    so.max_connections = cfg.limits.max_connections;
    so.max_connections_per_client = cfg.limits.max_connections_per_client;
    so.max_sse_inbound_bytes = cfg.limits.max_sse_inbound_bytes;
  }
  // Command-line flags win over the config file, which wins over the defaults.
  if (o.listen.empty())
    o.listen = o.config_file.empty() ? "127.0.0.1:8080"
                                     : cfg.listen.host + ":" + std::to_string(cfg.listen.port);
  if (o.db.empty()) o.db = o.config_file.empty() ? "./var/registry.db" : cfg.db.path;
  Status st = ParseListen(o.listen, &so.host, &so.port);
  if (!st.ok()) {
    log::Error("mcpreg serve: " + st.message());
    return ExitCodeFor(st.code());
  }
  so.threads = o.threads;

  // Block the signals we wait for before any thread starts, so only sigtimedwait sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  bool created = false;
  auto reg = OpenRegistry(o.db, MigratePolicy::kApplyIfNew, &created);
  if (!reg.ok()) {
    log::Error("mcpreg serve: " + reg.status().message());
    return ExitCodeFor(reg.status().code());
  }
  if (created && o.seed_demo) {
    auto items = ParseImportDocument(assets::DemoCatalog());
    if (items.ok()) {
      std::vector<std::string> docs;
      std::vector<service::PublishOptions> opts;
      for (auto& it : *items) {
        docs.push_back(std::move(it.document));
        opts.push_back(std::move(it.options));
      }
      auto sum = reg->service->Import(service::LocalOperator(), docs, opts);
      log::Info("seeded demo catalog: " + std::to_string(sum.imported) + " versions");
    }
  }
  // Write API: registry tokens signed with a key kept next to the database unless configured.
  std::string db_dir = std::filesystem::path(o.db).parent_path().string();
  if (db_dir.empty()) db_dir = ".";
  std::string key_file = cfg.auth.registry_key_file.empty() ? db_dir + "/registry.key"
                                                           : cfg.auth.registry_key_file;
  auto key = auth::LoadOrCreateRegistryKey(key_file);
  if (!key.ok()) {
    log::Error("mcpreg serve: registry signing key: " + key.status().message());
    return ExitCodeFor(key.status().code());
  }
  auto fetcher = auth::NewHttpFetcher(auth::OutboundOptionsFrom(cfg.outbound));
  service::AuthService auth_service(
      cfg.auth, *reg->store,
      auth::RegistryTokens(std::move(*key), SystemClock::Instance(), cfg.auth.token_ttl_seconds),
      fetcher, cfg.auth.dns_proofs ? auth::NewTxtResolver() : nullptr, SystemClock::Instance());
  std::string feed_dir = cfg.feed.dir.empty() ? db_dir + "/feed" : cfg.feed.dir;
  auto blobs = feed::ArtifactStore::Open(feed_dir);
  if (!blobs.ok()) {
    log::Error("mcpreg serve: " + blobs.status().message());
    return ExitCodeFor(blobs.status().code());
  }
  service::FeedService feed_service(std::move(*blobs), *reg->store, SystemClock::Instance(),
                                    cfg.feed.max_bytes);
  // Governed mode when the config has a `policy:` section.
  std::optional<policy::Policy> policy;
  if (!cfg.policy.empty()) {
    auto p = policy::Policy::FromJson(cfg.policy);
    if (!p.ok()) {
      log::Error("mcpreg serve: " + o.config_file + ": " + p.status().message());
      return ExitCodeFor(p.status().code());
    }
    policy = std::move(*p);
    reg->service->SetPolicy(&*policy);
    log::Info("governed mode: publishes must pass the compliance policy");
  }

  // Requests, evidence, review and the governed listing rule (open mode: workflow only).
  std::vector<std::string> trusted_issuers;
  for (const auto& i : cfg.auth.issuers) trusted_issuers.push_back(i.issuer);
  service::GovernanceService governance(*reg->store, *reg->service, SystemClock::Instance(),
                                        std::move(trusted_issuers));
  governance.SetQuotas(cfg.quotas);
  feed_service.SetReadRule([&governance](const auth::Principal* who, std::string_view name,
                                         std::string_view version) {
    return governance.MayReadVersion(who, name, version);
  });
  st = governance.Start();
  if (!st.ok()) {
    log::Error("mcpreg serve: " + st.message());
    return ExitCodeFor(st.code());
  }

  rest::RouterDeps deps;
  deps.registry = reg->service.get();
  deps.governance = &governance;
  deps.policy = policy ? &*policy : nullptr;
  deps.auth = &auth_service;
  deps.feed = &feed_service;
  deps.public_url = cfg.public_url;
  deps.max_body_bytes = so.max_body_bytes;
  deps.max_feed_bytes = cfg.feed.max_bytes;
  deps.max_evidence_bytes = cfg.limits.max_evidence_bytes;
  deps.max_request_bytes = cfg.quotas.max_request_bytes;
  // Outbound calls (token exchange, authenticated /mcp) never run on the I/O threads.
  WorkPool outbound_pool(cfg.outbound.workers, /*max_queue=*/cfg.outbound.workers * 64);
  deps.pool = &outbound_pool;
  // MCP endpoint (/mcp): the registry tools over Streamable HTTP (config section `mcp:`).
  auto mcp_cfg = mcpapi::ParseMcpConfig(cfg.mcp);
  if (!mcp_cfg.ok()) {
    log::Error("mcpreg serve: " + mcp_cfg.status().message());
    return ExitCodeFor(mcp_cfg.status().code());
  }
  mcp::McpServer mcp_server(mcpapi::RegistryServerOptions());
  mcpapi::AddRegistryTools(mcp_server, mcpapi::LocalReader(*reg->service),
                           policy ? &*policy : nullptr);
  mcp::McpHttpEndpoint mcp_endpoint(mcp_server, mcp_cfg->http);
  std::unique_ptr<mcpapi::McpAuthGate> mcp_gate;
  if (mcp_cfg->enabled && mcp_cfg->auth.enabled) {
    mcp_gate = std::make_unique<mcpapi::McpAuthGate>(mcp_cfg->auth, cfg.auth, fetcher,
                                                     SystemClock::Instance());
    deps.protected_resource_path = mcp_gate->metadata_path();
    deps.protected_resource_metadata = mcp_gate->metadata_json();
  }
  if (mcp_cfg->enabled) {
    deps.mcp = [&mcp_endpoint, &outbound_pool, gate = mcp_gate.get()](
                   http::HttpRequest&& req, std::shared_ptr<http::Responder> r) {
      if (!gate) return mcp::HandleMcpHttp(mcp_endpoint, std::move(req), std::move(r));
      if (!req.Header("Authorization")) {  // anonymous: decided without any outbound call
        if (auto refused = gate->Check(req)) return r->Send(std::move(*refused));
        return mcp::HandleMcpHttp(mcp_endpoint, std::move(req), std::move(r));
      }
      // Verifying a bearer token may fetch the issuer's keys: not on an I/O thread.
      auto owned = std::make_shared<http::HttpRequest>(std::move(req));
      bool queued = outbound_pool.Submit([&mcp_endpoint, gate, owned, r] {
        if (auto refused = gate->Check(*owned)) return r->Send(std::move(*refused));
        mcp::HandleMcpHttp(mcp_endpoint, std::move(*owned), r);
      });
      if (!queued) {
        http::HttpResponse busy = rest::ProblemResponse(
            Status::Unavailable("too many outbound calls in progress; retry shortly"));
        busy.Set("Retry-After", "1");
        r->Send(std::move(busy));
      }
    };
  }
  auto router = std::make_shared<rest::Router>(std::move(deps));
  so.on_header = [router](const http::HttpRequest& head) { return router->Admit(head); };
  http::HttpServer server(so, [router](http::HttpRequest&& req, std::shared_ptr<http::Responder> r) {
    router->Handle(std::move(req), std::move(r));
  });
  st = server.Start();
  if (!st.ok()) {
    log::Error("mcpreg serve: " + st.message());
    return ExitCodeFor(st.code());
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  log::Info("mcpreg " MCPREG_VERSION " listening on http://" +
            (so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host) + ":" +
            std::to_string(server.port()) + " db=" + o.db + " versions=" +
            std::to_string(reg->catalog->size()) + " startup_ms=" + std::to_string(ms));

  // Main thread: wait for a signal; between signals, catch up with writes from other processes.
  for (;;) {
    timespec ts{1, 0};
    int sig = sigtimedwait(&sigs, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      log::Info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
      break;
    }
    Status rs = reg->service->Refresh();
    if (!rs.ok()) log::Warn("catalog refresh failed: " + rs.message());
    rs = governance.Refresh();
    if (!rs.ok()) log::Warn("governance refresh failed: " + rs.message());
  }
  mcp_endpoint.CloseAll();
  server.Stop(std::chrono::milliseconds(10000));
  outbound_pool.Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace mcpreg::app
