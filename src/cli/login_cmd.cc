// `mcpreg login oidc [--registry URL] [--token-file F] [--audience A] [--service-connection ID]`:
// gets a workload OIDC token (from F, GitHub Actions or Azure Pipelines; see
// client/oidc_source.h), exchanges it at the registry for a registry token and stores that in the
// token file (client/token_file.h). Prints where it logged in and until when; never a token.
// Exit codes through ExitCodeFor: 0 ok, 1 refused, 2 usage/no token source, 3 environment.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "client/oidc_source.h"
#include "client/registry_api.h"
#include "client/token_file.h"
#include "mcpreg/clock.h"

namespace mcpreg::cli {
namespace {

struct LoginOptions {
  std::string registry;
  client::OidcSourceOptions source;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "mcpreg login: %s\n", st.message().c_str());
  return ExitCodeFor(st.code());
}

int RunLoginOidc(const LoginOptions& opts) {
  client::EnvLookup env = client::ProcessEnv();
  std::string registry = client::LoginRegistry(opts.registry, env);
  auto path = client::TokenFilePath(env);
  if (!path.ok()) return Fail(path.status());
  // Like upstream's mcp-publisher since PR #1229: the audience is the registry's base URL
  // (what a registry expects by default, auth.github_oidc_audience) unless --audience says.
  client::OidcSourceOptions source = opts.source;
  if (source.audience.empty()) {
    source.audience = registry;
    while (source.audience.size() > 8 && source.audience.back() == '/') source.audience.pop_back();
  }
  auto oidc = client::FetchOidcToken(source, env);
  if (!oidc.ok()) return Fail(oidc.status());
  auto exchanged = client::ExchangeOidcToken(registry, oidc->token);
  if (!exchanged.ok()) {
    return Fail(Status(exchanged.status().code(), "exchanging the OIDC token from " + oidc->source +
                                                      " at " + registry + ": " +
                                                      exchanged.status().message()));
  }
  client::StoredToken stored{registry, exchanged->token, exchanged->expires_at};
  if (Status st = client::WriteTokenFile(*path, stored); !st.ok()) return Fail(st);
  std::printf(
      "logged in to %s with the OIDC token from %s; registry token valid until %s, saved "
      "in %s\n",
      registry.c_str(), oidc->source.c_str(),
      FormatRfc3339(exchanged->expires_at * 1000000).c_str(), path->c_str());
  return 0;
}

}  // namespace

void RegisterLogin(CLI::App& app, int* exit_code) {
  CLI::App* login = app.add_subcommand("login", "Log in to a registry (stores a registry token)");
  login->require_subcommand(1);
  auto opts = std::make_shared<LoginOptions>();
  CLI::App* oidc = login->add_subcommand(
      "oidc", "Exchange a workload OIDC token (file, GitHub Actions or Azure Pipelines)");
  oidc->add_option("--registry", opts->registry,
                   "Registry base URL (default: $MCPREG_REGISTRY or http://127.0.0.1:8080)");
  oidc->add_option("--token-file", opts->source.token_file,
                   "File holding the OIDC token ('-' reads stdin); default: discover from CI");
  opts->source.audience.clear();  // default: the registry URL (RunLoginOidc)
  oidc->add_option("--audience", opts->source.audience,
                   "Audience to request from GitHub Actions (default: the registry URL)");
  oidc->add_option("--service-connection", opts->source.service_connection,
                   "Azure Pipelines service connection id (serviceConnectionId)");
  oidc->callback([opts, exit_code] { *exit_code = RunLoginOidc(*opts); });
}

}  // namespace mcpreg::cli
