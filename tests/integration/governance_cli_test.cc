// The real `mcpreg request|review|evidence|export` binaries: database mode against a temp
// database governed by a config's `policy:` section (a gated request, the fix, approval, an
// imported version, evidence, the export), one-line errors with their exit codes, and registry
// mode against a scripted registry (routes, token, merged evidence list). The database-mode
// tests run once per storage backend (…/sqlite, …/postgres).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/server_process.h"
#include "support/backend.h"
#include "testing/governance_documents.h"
#include "unit/client_fake_registry.h"

namespace mcpreg {
namespace {

using testing::RunCli;

constexpr char kName[] = "com.contoso/weather";
constexpr char kSchema[] =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

// A self-contained MCPB bundle with its digest: passes the default policy.
std::string GoodServer() { return testing::CompliantWeatherServer(); }

// Needs Node through npx: fails local.runtime-required.
std::string NpxServer() {
  return std::string(R"({"$schema":")") + kSchema +
         R"(","name":"com.contoso/weather","description":"Weather forecasts for Contoso field teams",)"
         R"("version":"1.0.0","packages":[{"registryType":"npm","identifier":"@contoso/weather",)"
         R"("version":"1.0.0","runtimeHint":"npx","transport":{"type":"stdio"}}]})";
}

std::string Request(const std::string& draft) { return testing::WeatherRequest(draft); }

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

class GovernanceCliBase : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    ASSERT_FALSE(dir_.empty());
    env_.Unset("MCPREG_REGISTRY");
    env_.Set("MCPREG_TOKEN_FILE", dir_ + "/token.json");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  // Runs `mcpreg <args> --config <config>` (database mode).
  int Db(std::vector<std::string> args, std::string* out, std::string* err) {
    args.push_back("--config");
    args.push_back(config_);
    return RunCli(args, out, err);
  }
  // The error output is exactly one line starting with "mcpreg <cmd>: ".
  static void ExpectOneLineError(const std::string& err, const std::string& cmd) {
    EXPECT_EQ(err.rfind("mcpreg " + cmd + ": ", 0), 0u) << err;
    EXPECT_EQ(Count(err, "\n"), 1u) << err;
    EXPECT_FALSE(err.empty() || err.back() != '\n') << err;
  }

  testing::ScopedEnv env_;
  std::string dir_;
  std::string config_;
};

// Database mode: a config names the database and its `policy:` section makes the registry
// governed.
class GovernanceCliTest : public GovernanceCliBase,
                          public ::testing::WithParamInterface<testing::Backend> {
 protected:
  void SetUp() override {
    GovernanceCliBase::SetUp();
    db_ = testing::NewDbLocation(GetParam(), dir_, "governance_cli");
    // A SQLite file relative to the config's directory; a URI as written.
    std::string db_value = GetParam() == testing::Backend::kSqlite ? "registry.db" : db_;
    config_ = Write("mcpreg.yaml", "db: \"" + db_value + "\"\npolicy:\n  strict: true\n");
  }

  std::string db_;  // the config's database: a SQLite file or a PostgreSQL URI
};

// Registry mode: no database.
using GovernanceCliRegistryModeTest = GovernanceCliBase;

TEST_P(GovernanceCliTest, GatedRequestFixedApprovedEvidencedThenExported) {
  std::string out, err;
  // Filed with a draft that needs npx: accepted as pending, the gate reported with it.
  ASSERT_EQ(Db({"request", "file", Write("bad.json", Request(NpxServer()))}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, R"("state":"pending")")) << out;
  EXPECT_TRUE(Has(out, "local.runtime-required")) << out;

  ASSERT_EQ(Db({"review", "list"}, &out, &err), 0) << err;
  EXPECT_EQ(out.rfind("NAME ", 0), 0u) << out;
  EXPECT_TRUE(Has(out, kName)) << out;
  EXPECT_TRUE(Has(out, "fail (local.runtime-required")) << out;
  EXPECT_TRUE(Has(out, "none published")) << out;
  ASSERT_EQ(Db({"review", "list", "--json"}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, R"("metadata":{"count":1})")) << out;

  ASSERT_EQ(Db({"review", "show", kName}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, "gates: FAIL")) << out;
  EXPECT_TRUE(Has(out, "error    local.runtime-required  server.packages[0].runtimeHint: ")) << out;
  EXPECT_TRUE(Has(out, "team:         Weather")) << out;

  // Approval is refused while an error gate fails, naming the rule.
  EXPECT_EQ(Db({"review", "approve", kName}, &out, &err), 1);
  ExpectOneLineError(err, "review approve");
  EXPECT_TRUE(Has(err, "compliance gates fail (local.runtime-required")) << err;
  EXPECT_TRUE(out.empty()) << out;

  // Fixed draft → approvable.
  ASSERT_EQ(Db({"request", "update", kName, Write("good.json", Request(GoodServer()))}, &out, &err),
            0)
      << err;
  EXPECT_TRUE(Has(out, R"("gates":{"pass":true)")) << out;
  ASSERT_EQ(Db({"review", "approve", kName, "--note", "looks good"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "approved com.contoso/weather: looks good\n");

  // Operator-side import of the version; withheld until its evidence is complete.
  ASSERT_EQ(RunCli({"import", "-q", "--db", db_,
                    Write("import.json", "[" + GoodServer() + "]")},
                   &out, &err),
            0)
      << out << err;
  ASSERT_EQ(Db({"export", "allowlist"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "{\"allowedMcpServers\":[]}\n");
  ASSERT_EQ(Db({"review", "show", kName}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, "1.0.0  active  withheld")) << out;
  EXPECT_TRUE(Has(out, "evidence sarif: missing")) << out;

  std::string sarif =
      std::string(MCPREG_SOURCE_DIR) + "/tests/fixtures/policy/sarif/clean.sarif.json";
  ASSERT_EQ(Db({"evidence", "add", kName, "1.0.0", "--sarif", sarif}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, R"("kind":"sarif")")) << out;
  EXPECT_TRUE(Has(out, R"("verdict":"pass")")) << out;
  for (const char* kind : {"threat-model", "legal"}) {
    ASSERT_EQ(Db({"evidence", "add", kName, "1.0.0", "--kind", kind, "--verdict", "approved",
                  "--reviewer", "alice@contoso.example", "--link", "https://contoso.example/r/1"},
                 &out, &err),
              0)
        << kind << err;
  }
  ASSERT_EQ(Db({"evidence", "add", kName, "1.0.0", "--kind", "license", "--verdict", "approved",
                "--reviewer", "alice@contoso.example", "--expression", "MIT", "--notes", "ok"},
               &out, &err),
            0)
      << err;
  EXPECT_TRUE(Has(out, R"("expression":"MIT")")) << out;

  ASSERT_EQ(Db({"evidence", "list", kName}, &out, &err), 0) << err;
  EXPECT_EQ(Count(out, R"("server":"com.contoso/weather")"), 4u) << out;
  ASSERT_EQ(Db({"evidence", "list", kName, "2.0.0"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "{\"evidence\":[]}\n");
  ASSERT_EQ(Db({"review", "show", kName}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, "1.0.0  active  listed")) << out;
  // An approved request leaves the pending queue.
  ASSERT_EQ(Db({"review", "list"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "no pending requests\n");

  std::string allowlist = dir_ + "/managed-settings.json";
  ASSERT_EQ(Db({"export", "allowlist", "--out", allowlist}, &out, &err), 0) << err;
  EXPECT_EQ(out, "exported 1 server(s) to " + allowlist + "\n");
  std::ifstream in(allowlist);
  std::string written((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(Has(written, R"({"serverName":"com.contoso/weather"})")) << written;
  ASSERT_EQ(Db({"export", "readme", "--title", "Contoso MCP", "--registry-url",
                "https://mcp.contoso.example"},
               &out, &err),
            0)
      << err;
  EXPECT_EQ(out.rfind("# Contoso MCP\n", 0), 0u) << out;
  EXPECT_TRUE(Has(out, "`com.contoso/weather`")) << out;
  ASSERT_EQ(Db({"export", "catalog"}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, R"("metadata":{"count":1})")) << out;

  ASSERT_EQ(Db({"request", "list", "--state", "approved"}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, R"("count":1)")) << out;
  ASSERT_EQ(Db({"request", "retire", kName, "--message", "replaced"}, &out, &err), 0) << err;
  EXPECT_TRUE(Has(out, R"("state":"retired")")) << out;
  ASSERT_EQ(Db({"export", "allowlist"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "{\"allowedMcpServers\":[]}\n");
}

TEST_P(GovernanceCliTest, BadInputGivesOneLineErrorAndNonZeroExit) {
  std::string out, err;
  ASSERT_EQ(Db({"request", "file", Write("req.json", Request(GoodServer()))}, &out, &err), 0)
      << err;

  EXPECT_EQ(Db({"request", "list", "--state", "done"}, &out, &err), 2);
  ExpectOneLineError(err, "request list");
  EXPECT_TRUE(Has(err, "state must be pending, approved, rejected or retired")) << err;

  EXPECT_EQ(Db({"request", "file", dir_ + "/missing.json"}, &out, &err), 1);
  ExpectOneLineError(err, "request file");
  EXPECT_TRUE(Has(err, "cannot open request file " + dir_ + "/missing.json")) << err;

  std::string broken = Write("broken.json", R"({"name": "com.contoso/x", )");
  EXPECT_EQ(Db({"request", "file", broken}, &out, &err), 2);
  ExpectOneLineError(err, "request file");
  EXPECT_TRUE(Has(err, broken + ": invalid JSON")) << err;

  // Valid JSON that is no valid request: refused by the service naming the field.
  EXPECT_EQ(
      Db({"request", "file", Write("nohost.json", R"({"name":"com.contoso/y"})")}, &out, &err), 1);
  ExpectOneLineError(err, "request file");
  EXPECT_TRUE(Has(err, "request.team")) << err;

  EXPECT_EQ(Db({"review", "show", "com.contoso/unknown"}, &out, &err), 1);
  ExpectOneLineError(err, "review show");
  EXPECT_EQ(Db({"review", "reject", kName}, &out, &err), 2);  // --reason is required (CLI11)

  EXPECT_EQ(
      Db({"evidence", "add", kName, "1.0.0", "--kind", "legal", "--reviewer", "bob"}, &out, &err),
      2);
  ExpectOneLineError(err, "evidence add");
  EXPECT_TRUE(Has(err, "--verdict")) << err;
  EXPECT_EQ(
      Db({"evidence", "add", kName, "1.0.0", "--kind", "legal", "--sarif", "x.sarif"}, &out, &err),
      2);
  ExpectOneLineError(err, "evidence add");
  EXPECT_EQ(Db({"evidence", "add", kName, "1.0.0", "--kind", "audit", "--verdict", "approved",
                "--reviewer", "bob"},
               &out, &err),
            1);
  ExpectOneLineError(err, "evidence add");
  EXPECT_TRUE(Has(err, "evidence.kind")) << err;

  EXPECT_EQ(Db({"export", "bundle"}, &out, &err), 2);  // not a kind (CLI11)
  // A database never set up is not found, and a read-only command does not set it up.
  ASSERT_TRUE(std::filesystem::create_directory(dir_ + "/nope"));
  std::string nope = testing::NewDbLocation(GetParam(), dir_ + "/nope", "governance_cli_nope");
  for (int run = 0; run < 2; ++run) {
    EXPECT_EQ(RunCli({"export", "readme", "--db", nope}, &out, &err), 1) << run << out;
    ExpectOneLineError(err, "export readme");
    EXPECT_TRUE(Has(err, "no database at")) << err;
  }
  if (GetParam() == testing::Backend::kSqlite) EXPECT_FALSE(std::filesystem::exists(nope));

  EXPECT_EQ(Db({"request", "show", kName, "--registry", "http://127.0.0.1:1"}, &out, &err), 2);
  ExpectOneLineError(err, "request show");
}

TEST_F(GovernanceCliRegistryModeTest, CallsGovernanceRoutesWithStoredToken) {
  testing::FakeRegistry reg;
  ASSERT_TRUE(reg.started());
  std::string token_file = Write("token.json", R"({"registry":")" + reg.url() +
                                                   R"(","registry_token":"reg.jwt","expires_at":)" +
                                                   std::to_string(std::time(nullptr) + 300) + "}");
  ASSERT_EQ(::chmod(token_file.c_str(), 0600), 0);
  const std::string base = "/v0.1/x/dev.mcpreg";
  const std::string view =
      R"({"name":"com.contoso/weather","state":"pending","revision":1,"request":{"team":"Weather"},)"
      R"("gates":{"pass":true,"issues":[]},"versions":[{"version":"1.0.0"},{"version":"2.0.0"}]})";
  reg.On("GET", base + "/requests/com.contoso%2Fweather", 200, view);
  reg.On("POST", base + "/requests/com.contoso%2Fweather/approve", 200, view);
  reg.On("GET", base + "/servers/com.contoso%2Fweather/versions/1.0.0/evidence", 200,
         R"({"evidence":[{"id":7,"kind":"legal"}]})");
  reg.On("GET", base + "/servers/com.contoso%2Fweather/versions/2.0.0/evidence", 200,
         R"({"evidence":[{"id":3,"kind":"sarif"}]})");
  reg.On("POST", base + "/requests/com.contoso%2Fweather/reject", 400,
         R"({"title":"Bad Request","status":400,"detail":"the request is approved, not pending"})");

  std::string out, err;
  ASSERT_EQ(RunCli({"request", "show", kName, "--registry", reg.url()}, &out, &err), 0) << err;
  EXPECT_EQ(out, view + "\n");
  // $MCPREG_REGISTRY selects registry mode too.
  env_.Set("MCPREG_REGISTRY", reg.url());
  ASSERT_EQ(RunCli({"review", "approve", kName, "--note", "ok"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "approved com.contoso/weather: ok\n");
  ASSERT_EQ(RunCli({"evidence", "list", kName}, &out, &err), 0) << err;
  EXPECT_EQ(out, R"({"evidence":[{"id":3,"kind":"sarif"},{"id":7,"kind":"legal"}]})"
                 "\n");
  EXPECT_EQ(RunCli({"review", "reject", kName, "--reason", "no"}, &out, &err), 1);
  ExpectOneLineError(err, "review reject");
  EXPECT_TRUE(Has(err, "not pending")) << err;

  auto reqs = reg.Requests();
  ASSERT_GE(reqs.size(), 2u);
  for (const auto& r : reqs) EXPECT_EQ(r.Header("Authorization").value_or(""), "Bearer reg.jwt");
  EXPECT_EQ(reqs[1].path, base + "/requests/com.contoso%2Fweather/approve");
  EXPECT_EQ(reqs[1].body, R"({"note":"ok"})");
  EXPECT_EQ(reqs.back().body, R"({"reason":"no"})");
  for (const std::string& s : {out, err}) EXPECT_FALSE(Has(s, "reg.jwt")) << s;
}

INSTANTIATE_TEST_SUITE_P(Backends, GovernanceCliTest, testing::AllBackends(),
                         testing::BackendParamName());

}  // namespace
}  // namespace mcpreg
