// Governed mode and mirrors (issue 13): an upstream `mcpreg serve` with several servers, a
// governed downstream (config `policy:` + `upstreams:`) synced by `mcpreg mirror --once` and
// read through its own `mcpreg serve`. Mirrored servers stay withheld until a reviewer runs
// `mcpreg review approve-mirrored --pattern`; then exactly the matching servers whose gates
// pass are listed, the others are reported withheld, every decision is audited, --dry-run
// writes nothing, and a principal without the reviewer role is refused (in-process: database
// mode always acts as the host operator). Runs once per storage backend (…/sqlite, …/postgres).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include <boost/json.hpp>

#include "app/registry.h"
#include "config/config.h"
#include "integration/server_process.h"
#include "service/governance_service.h"
#include "support/backend.h"
#include "testing/governance_documents.h"
#include "transport/http_client.h"

namespace mcpreg {
namespace {

namespace bj = boost::json;
using testing::RunCli;

// The compliant MCPB server of the governance tests, renamed.
std::string Compliant(const std::string& name) {
  std::string s = testing::CompliantWeatherServer();
  const std::string from = "\"name\":\"com.contoso/weather\"";
  s.replace(s.find(from), from.size(), "\"name\":\"" + name + "\"");
  return s;
}

// Needs Node through npx: fails the local.runtime-required gate.
std::string Npx(const std::string& name) {
  return R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",)"
         R"("name":")" + name + R"(","description":"Needs Node","version":"1.0.0",)"
         R"("packages":[{"registryType":"npm","identifier":"@acme/npx","version":"1.0.0",)"
         R"("runtimeHint":"npx","transport":{"type":"stdio"}}]})";
}

// Names in the public listing (every page).
std::set<std::string> ListedNames(const std::string& base) {
  std::set<std::string> out;
  http::ClientRequest req;
  req.method = "GET";
  req.url = base + "/v0.1/servers?limit=100";
  auto r = http::Fetch(req);
  EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
  if (!r.ok() || r->status != 200) return out;
  const bj::value doc = bj::parse(r->body);
  for (const auto& item : doc.at("servers").as_array())
    out.insert(std::string(item.at("server").at("name").as_string()));
  return out;
}

bool WaitFor(const std::function<bool()>& done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

bool Has(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

class MirrorGovernedTest : public ::testing::TestWithParam<testing::Backend> {};

TEST_P(MirrorGovernedTest, ApproveMirroredListsExactlyTheMatchingServersWhoseGatesPass) {
  const std::string dir = testing::TempDir();
  std::string out, err;
  // The upstream: an open registry with four servers.
  std::ofstream(dir + "/up.json") << "[" << Compliant("com.acme/alpha") << ","
                                  << Compliant("com.acme/beta") << "," << Npx("com.acme/npx")
                                  << "," << Compliant("org.other/gamma") << "]";
  ASSERT_EQ(RunCli({"import", "--db", dir + "/up.db", dir + "/up.json"}, &out, &err), 0) << err;
  testing::ServerProcess upstream(dir + "/up.db", {"--no-demo"});
  ASSERT_TRUE(upstream.started()) << upstream.log();

  // The governed downstream mirrors all of it.
  const std::string cfg = dir + "/down.yaml";
  std::ofstream(cfg) << "upstreams:\n  - name: up\n    url: " << upstream.base_url()
                     << "\n    interval_seconds: 3600\npolicy:\n  evidence: []\n";
  const std::string db = testing::NewDbLocation(GetParam(), dir, "mirrorgov");
  ASSERT_EQ(RunCli({"mirror", "--once", "--config", cfg, "--db", db}, &out, &err), 0) << out << err;
  testing::ServerProcess down(db, {"--config", cfg, "--no-demo"});
  ASSERT_TRUE(down.started()) << down.log();
  EXPECT_TRUE(ListedNames(down.base_url()).empty()) << "mirrored servers listed before approval";

  auto approve = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"review", "approve-mirrored", "--pattern", "com.acme/*",
                                     "--config", cfg, "--db", db};
    args.insert(args.end(), extra.begin(), extra.end());
    out.clear();
    err.clear();
    return RunCli(args, &out, &err);
  };

  // --dry-run reports, and writes nothing.
  EXPECT_EQ(approve({"--dry-run"}), 1) << out << err;
  EXPECT_TRUE(Has(out, "would approve com.acme/alpha\n")) << out;
  EXPECT_TRUE(Has(out, "would approve com.acme/beta\n")) << out;
  EXPECT_TRUE(Has(out, "withheld com.acme/npx: gates fail: local.runtime-required")) << out;
  EXPECT_FALSE(Has(out, "org.other/gamma")) << out;
  EXPECT_TRUE(Has(out, "dry run (nothing written): 3 mirrored server(s) match com.acme/*")) << out;
  std::string o2, e2;
  EXPECT_EQ(RunCli({"request", "list", "--config", cfg, "--db", db}, &o2, &e2), 0) << e2;
  EXPECT_TRUE(Has(o2, "\"count\":0")) << o2;
  EXPECT_EQ(RunCli({"audit", "show", "com.acme/alpha", "--db", db}, &o2, &e2), 0) << e2;
  EXPECT_FALSE(Has(o2, "approve")) << o2;

  // A principal without the reviewer role is refused, and nothing is written.
  {
    auto c = config::LoadConfig(cfg);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    auto options = app::RegistryOptionsFrom(*c, db);
    ASSERT_TRUE(options.ok()) << options.status().ToString();
    options->migrate = app::MigratePolicy::kMustExist;
    auto reg = app::OpenRegistry(std::move(*options));
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    auto gov = app::StartGovernance(*reg);
    ASSERT_TRUE(gov.ok()) << gov.status().ToString();
    auth::Principal publisher;
    publisher.auth_method = "registry-token";
    publisher.issuer = "https://idp.example";
    publisher.subject = "pipeline-1";
    publisher.permissions.push_back({"publish", "com.acme/*"});
    auto refused = (*gov)->ApproveMirrored(publisher, "com.acme/*", "", false, "");
    EXPECT_EQ(refused.status().code(), Code::kPermissionDenied) << refused.status().ToString();
    // A reviewer of one name only: the others are refused one by one.
    auth::Principal narrow = publisher;
    narrow.permissions = {{"review", "com.acme/beta"}};
    auto partial = (*gov)->ApproveMirrored(narrow, "com.acme/*", "up", true, "");
    ASSERT_TRUE(partial.ok()) << partial.status().ToString();
    ASSERT_EQ(partial->items.size(), 3u);
    EXPECT_EQ(partial->items[0].name, "com.acme/alpha");
    EXPECT_EQ(partial->items[0].outcome, service::MirrorApproval::Outcome::kRefused);
    EXPECT_EQ(partial->items[1].outcome, service::MirrorApproval::Outcome::kApproved);
    // Bad patterns are refused before anything is read.
    EXPECT_EQ((*gov)->ApproveMirrored(publisher, "", "", true, "").status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ((*gov)->ApproveMirrored(publisher, std::string(201, '*'), "", true, "")
                  .status()
                  .code(),
              Code::kInvalidArgument);
  }
  EXPECT_EQ(RunCli({"request", "list", "--config", cfg, "--db", db}, &o2, &e2), 0) << e2;
  EXPECT_TRUE(Has(o2, "\"count\":0")) << o2;

  // The real run: the two compliant servers approved, the npx one withheld (exit 1).
  EXPECT_EQ(approve({"--reason", "bulk admit acme"}), 1) << out << err;
  EXPECT_TRUE(Has(out, "approved com.acme/alpha\n")) << out;
  EXPECT_TRUE(Has(out, "approved com.acme/beta\n")) << out;
  EXPECT_TRUE(Has(out, "withheld com.acme/npx: gates fail: local.runtime-required")) << out;
  EXPECT_TRUE(Has(out, "3 mirrored server(s) match com.acme/*: 2 approved, 0 already approved, "
                       "1 withheld, 0 refused\n"))
      << out;
  const std::set<std::string> want = {"com.acme/alpha", "com.acme/beta"};
  EXPECT_TRUE(WaitFor([&] { return ListedNames(down.base_url()) == want; }))
      << "listed: " << ListedNames(down.base_url()).size();

  // The audit log holds each decision, and the chain still verifies.
  EXPECT_EQ(RunCli({"audit", "show", "com.acme/alpha", "--db", db}, &o2, &e2), 0) << e2;
  EXPECT_TRUE(Has(o2, "request")) << o2;
  EXPECT_TRUE(Has(o2, "approve")) << o2;
  EXPECT_TRUE(Has(o2, "bulk admit acme")) << o2;
  EXPECT_EQ(RunCli({"audit", "show", "com.acme/npx", "--db", db}, &o2, &e2), 0) << e2;
  EXPECT_FALSE(Has(o2, "approve")) << o2;
  EXPECT_EQ(RunCli({"audit", "verify", "--db", db}, &o2, &e2), 0) << o2 << e2;

  // Again: nothing new; the approved ones are reported as such. A narrower upstream filter
  // that matches nothing is an empty, successful run.
  EXPECT_EQ(approve({}), 1) << out << err;
  EXPECT_TRUE(Has(out, "already approved com.acme/alpha\n")) << out;
  EXPECT_TRUE(Has(out, "already approved com.acme/beta\n")) << out;
  EXPECT_EQ(approve({"--upstream", "elsewhere"}), 0) << out << err;
  EXPECT_TRUE(Has(out, "0 mirrored server(s) match")) << out;

  // Usage errors: one line, exit 2.
  EXPECT_EQ(RunCli({"review", "approve-mirrored", "--config", cfg, "--db", db}, &out, &err), 2);
  EXPECT_EQ(RunCli({"review", "approve-mirrored", "--pattern", "", "--config", cfg, "--db", db},
                   &out, &err),
            2)
      << err;
  EXPECT_EQ(err, "mcpreg review approve-mirrored: the pattern is empty\n");
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, MirrorGovernedTest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
