#include "app/app.h"

#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <optional>

#include "api/mcp/http_config.h"
#include "api/mcp/mcp_auth.h"
#include "api/mcp/registry_tools.h"
#include "api/rest/problem.h"
#include "api/rest/router.h"
#include "api/web/login.h"
#include "api/web/web_ui.h"
#include "app/refresher.h"
#include "app/registry.h"
#include "auth/fetcher.h"
#include "auth/registry_token.h"
#include "config/config.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/work_pool.h"
#include "federation/mirror.h"
#include "api/mcp/change_relay.h"
#include "federation/changes.h"
#include "federation/snapshot.h"
#include "federation/webhooks.h"
#include "mcpreg/store.h"
#include "policy/policy.h"
#include "service/auth_service.h"
#include "service/feed_service.h"
#include "service/governance_service.h"
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
  // Sign-in for people (config ui.login): checked before anything is opened.
  web::LoginOptions login_options;
  login_options.issuer_name = cfg.ui.login.issuer;
  login_options.client_id = cfg.ui.login.client_id;
  login_options.private_key_file = cfg.ui.login.private_key_file;
  login_options.private_key_id = cfg.ui.login.private_key_id;
  login_options.session_ttl_seconds = cfg.ui.login.session_ttl_seconds;
  login_options.session_idle_seconds = cfg.ui.login.session_idle_seconds;
  login_options.max_sessions = cfg.ui.login.max_sessions;
  if (Status login_ok = web::ValidateLoginOptions(login_options, cfg.auth); !login_ok.ok()) {
    log::Error("mcpreg serve: " + login_ok.message());
    return ExitCodeFor(login_ok.code());
  }
  // Command-line flags win over the config file, which wins over the defaults.
  if (o.listen.empty())
    o.listen = o.config_file.empty() ? "127.0.0.1:8080"
                                     : cfg.listen.host + ":" + std::to_string(cfg.listen.port);
  Status st = ParseListen(o.listen, &so.host, &so.port);
  if (!st.ok()) {
    log::Error("mcpreg serve: " + st.message());
    return ExitCodeFor(st.code());
  }
  so.threads = o.threads;
  auto reg_options = RegistryOptionsFrom(cfg, o.db);
  if (!reg_options.ok()) {
    log::Error("mcpreg serve: " + reg_options.status().message());
    return ExitCodeFor(reg_options.status().code());
  }
  reg_options->migrate = MigratePolicy::kApplyIfNew;
  reg_options->seed_demo = o.seed_demo;

  // Block the signals we wait for before any thread starts, so only sigwaitinfo sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto reg = OpenRegistry(std::move(*reg_options));
  if (!reg.ok()) {
    log::Error("mcpreg serve: " + reg.status().message());
    return ExitCodeFor(reg.status().code());
  }
  // Write API: registry tokens signed with the registry key (app/registry.h says where it is).
  auto key = LoadRegistryKey(*reg);
  if (!key.ok()) {
    log::Error("mcpreg serve: registry signing key: " + key.status().message());
    return ExitCodeFor(key.status().code());
  }
  // The MCP endpoint seals the requestState of input-required results (mcp/input.h) with a key
  // derived from it, so that replicas sharing the registry key accept each other's state.
  std::string mcp_state_key = HmacSha256(key->PrivatePem(), "mcpreg/mcp/requestState-key/v1");
  // Signed snapshots and the JWKS that verifies them use the same key (federation/snapshot.h).
  auto signer = federation::SnapshotSigner::FromRegistryKey(*key);
  if (!signer.ok()) {
    log::Error("mcpreg serve: snapshot signer: " + signer.status().message());
    return ExitCodeFor(signer.status().code());
  }
  federation::SnapshotPublisher snapshots(*reg->catalog, std::move(*signer),
                                          SystemClock::Instance(),
                                          Micros(cfg.federation.snapshot_ttl_seconds) * 1000000);
  auto fetcher = auth::NewHttpFetcher(auth::OutboundOptionsFrom(cfg.outbound));
  service::AuthService auth_service(
      cfg.auth, *reg->store,
      auth::RegistryTokens(std::move(*key), SystemClock::Instance(), cfg.auth.token_ttl_seconds),
      fetcher, cfg.auth.dns_proofs ? auth::NewTxtResolver() : nullptr, SystemClock::Instance());
  auto blobs = OpenFeedBlobs(*reg);
  if (!blobs.ok()) {
    log::Error("mcpreg serve: " + blobs.status().message());
    return ExitCodeFor(blobs.status().code());
  }
  service::FeedService feed_service(std::move(*blobs), *reg->store, SystemClock::Instance(),
                                    cfg.feed.max_bytes);
  // Governed mode when the config has a `policy:` section (OpenRegistry installed it).
  const policy::Policy* policy = reg->policy.get();
  if (policy) log::Info("governed mode: publishes must pass the compliance policy");

  // Requests, evidence, review and the governed listing rule (open mode: workflow only).
  auto governance_started = StartGovernance(*reg);
  if (!governance_started.ok()) {
    log::Error("mcpreg serve: " + governance_started.status().message());
    return ExitCodeFor(governance_started.status().code());
  }
  service::GovernanceService& governance = **governance_started;
  feed_service.SetReadRule([&governance](const auth::Principal* who, std::string_view name,
                                         std::string_view version) {
    return governance.MayReadVersion(who, name, version);
  });

  // Change feed and webhooks (federation/changes.h, webhooks.h). Governed mode: public reads
  // see a change only while the version it names is listed (the catalog's listing rule).
  federation::ChangeFeed changes(
      *reg->store, policy ? federation::ListedInCatalog(*reg->catalog) : nullptr);
  auto webhook_targets = federation::WebhookTargetsFrom(cfg.webhooks);
  if (!webhook_targets.ok()) {
    log::Error("mcpreg serve: " + webhook_targets.status().message());
    return ExitCodeFor(webhook_targets.status().code());
  }
  federation::WebhookOptions webhook_options;
  webhook_options.connect_timeout = std::chrono::seconds(cfg.outbound.connect_timeout_seconds);
  webhook_options.total_timeout = std::chrono::seconds(cfg.outbound.total_timeout_seconds);
  webhook_options.allow_private_addresses = cfg.outbound.allow_private_addresses;
  federation::WebhookDispatcher webhooks(*reg->store, std::move(*webhook_targets), webhook_options);
  // New webhooks start at the newest change: fix that point before any write is accepted.
  if (Status ready = webhooks.Prepare(); !ready.ok())
    log::Warn("webhooks: " + ready.message() + " (retried by the delivery threads)");

  rest::RouterDeps deps;
  deps.changes = &changes;
  deps.registry = reg->service.get();
  deps.governance = &governance;
  deps.policy = policy;
  deps.auth = &auth_service;
  deps.feed = &feed_service;
  deps.snapshots = &snapshots;
  deps.public_url = cfg.public_url;
  deps.max_body_bytes = so.max_body_bytes;
  deps.max_feed_bytes = cfg.feed.max_bytes;
  deps.max_evidence_bytes = cfg.limits.max_evidence_bytes;
  deps.max_request_bytes = cfg.quotas.max_request_bytes;
  // Outbound calls (token exchange, authenticated /mcp) never run on the I/O threads.
  WorkPool outbound_pool(cfg.outbound.workers, /*max_queue=*/cfg.outbound.workers * 64);
  deps.pool = &outbound_pool;
  WorkPool write_pool(cfg.limits.write_workers, /*max_queue=*/cfg.limits.write_workers * 64);
  deps.write_pool = &write_pool;
  // MCP endpoint (/mcp): the registry tools over Streamable HTTP (config section `mcp:`).
  auto mcp_cfg = mcpapi::ParseMcpConfig(cfg.mcp);
  if (!mcp_cfg.ok()) {
    log::Error("mcpreg serve: " + mcp_cfg.status().message());
    return ExitCodeFor(mcp_cfg.status().code());
  }
  mcp::ServerOptions mcp_options = mcpapi::RegistryServerOptions();
  mcp_options.request_state_key = std::move(mcp_state_key);
  mcp::McpServer mcp_server(std::move(mcp_options));
  mcpapi::AddRegistryTools(mcp_server, mcpapi::LocalReader(*reg->service), policy);
  mcp::McpHttpEndpoint mcp_endpoint(mcp_server, mcp_cfg->http);
  // Resource change notifications for MCP clients (mcp/events.h), from the change feed.
  std::unique_ptr<mcpapi::McpChangeRelay> mcp_relay;
  if (mcp_cfg->enabled) {
    auto relay = mcpapi::McpChangeRelay::Start(changes, *reg->store, *reg->catalog,
                                               mcp_server.events());
    if (relay.ok()) {
      mcp_relay = std::move(*relay);
    } else {
      log::Warn("mcp: resource change notifications off: " + relay.status().message());
    }
  }
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
  // The browser interface: public catalog, sign-in and console (api/web/web_ui.h).
  web::WebDeps web_deps;
  web_deps.registry = reg->service.get();
  web_deps.governance = &governance;
  web_deps.auth = &auth_service;
  web_deps.policy = policy;
  web_deps.store = reg->store.get();
  web_deps.clock = &SystemClock::Instance();
  web_deps.fetcher = fetcher;
  web_deps.auth_config = &cfg.auth;
  web_deps.public_url = cfg.public_url;
  web_deps.login = login_options;
  web::WebUi web_ui(std::move(web_deps));
  if (web_ui.login_enabled())
    log::Info("web sign-in: issuer " + login_options.issuer_name + ", client_id " +
              login_options.client_id);
  deps.web = &web_ui;
  auto router = std::make_shared<rest::Router>(std::move(deps));
  so.on_header = [router](const http::HttpRequest& head) { return router->Admit(head); };
  http::HttpServer server(so, [router](http::HttpRequest&& req, std::shared_ptr<http::Responder> r) {
    router->Handle(std::move(req), std::move(r));
  });
  // The default GitHub OIDC audience is the base URL the registry emits (public_url, else
  // http://<listen>): known before the listener starts unless the port is 0.
  auto emitted_base = [&](uint16_t port) {
    return !cfg.public_url.empty()
               ? cfg.public_url
               : "http://" + (so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host) +
                     ":" + std::to_string(port);
  };
  if (!cfg.public_url.empty() || so.port != 0) auth_service.SetPublicBaseUrl(emitted_base(so.port));
  st = server.Start();
  if (st.ok()) auth_service.SetPublicBaseUrl(emitted_base(server.port()));
  if (!st.ok()) {
    log::Error("mcpreg serve: " + st.message());
    return ExitCodeFor(st.code());
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  log::Info("mcpreg " MCPREG_VERSION " listening on http://" +
            (so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host) + ":" +
            std::to_string(server.port()) + " db=" + RedactLocation(reg->options.location) +
            " versions=" + std::to_string(reg->catalog->size()) +
            " startup_ms=" + std::to_string(ms));

  // Webhook deliveries: a thread per webhook, started once the listen address is known.
  webhooks.Start(emitted_base(server.port()));

  // Catch up with writes from other processes on a thread of its own; this one waits for a
  // signal.
  Refresher refresher(*reg->store, *reg->service, &governance);
  // Upstream registries (config upstreams:) sync on their intervals on a thread of their own.
  federation::MirrorScheduler mirrors(*reg->store, reg->catalog.get(), SystemClock::Instance(),
                                      federation::MirrorOptionsFrom(cfg.outbound), cfg.upstreams);
  for (;;) {
    int sig = sigwaitinfo(&sigs, nullptr);
    if (sig == SIGINT || sig == SIGTERM) {
      log::Info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
      break;
    }
  }
  if (mcp_relay) mcp_relay->Stop();
  mcp_server.events().CloseAll();  // open subscriptions/listen requests end with their result
  mcp_endpoint.CloseAll();
  changes.Stop();  // answers waiting long-polls now, so the server's grace period is not spent
  server.Stop(std::chrono::milliseconds(10000));
  mirrors.Stop();
  outbound_pool.Stop();
  write_pool.Stop();
  refresher.Stop();
  webhooks.Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace mcpreg::app
