// The registry MCP tools and resource template over a real local registry (temp SQLite db),
// driven through a Session: schemas, structuredContent validity, filters, errors.
#include <gtest/gtest.h>

#include "policy/policy.h"
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "api/mcp/registry_tools.h"
#include "app/app.h"
#include "core/json_out.h"
#include "mcp/session.h"
#include "schema/json_schema.h"
#include "service/auth_service.h"

namespace mcpreg::mcpapi {
namespace {
namespace bj = boost::json;

class Capture : public mcp::Outbox {
 public:
  void Send(std::string) override {}
  void Finish(std::string r) override { response = std::move(r); }
  std::string response;
};

std::string Doc(std::string_view name, std::string_view version, std::string_view desc,
                std::string_view extra) {
  return std::string(
             R"({"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json","name":")") +
         std::string(name) + R"(","version":")" + std::string(version) + R"(","description":")" +
         std::string(desc) + "\"" + std::string(extra) + "}";
}

class McpRegistryToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mcp_tools_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    auto reg = app::OpenRegistryAt((dir_ / "r.db").string(), app::MigratePolicy::kApplyIfNew);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(*reg);
    std::vector<std::string> docs = {
        Doc("io.github.acme/weather", "1.0.0", "Weather forecasts",
            R"(,"packages":[{"registryType":"npm","identifier":"@acme/weather","version":"1.0.0","transport":{"type":"stdio"}}])"),
        Doc("io.github.acme/weather", "1.1.0", "Weather forecasts and alerts",
            R"(,"packages":[{"registryType":"npm","identifier":"@acme/weather","version":"1.1.0","transport":{"type":"stdio"},
               "environmentVariables":[{"name":"API_KEY","isSecret":true,"isRequired":true}]}])"),
        Doc("com.example/tickets", "2.0.0", "Ticket search",
            R"(,"remotes":[{"type":"streamable-http","url":"https://tickets.example.com/mcp"}])"),
    };
    auto sum = reg_.service->Import(service::LocalOperator(), docs,
                                    std::vector<service::PublishOptions>(docs.size()));
    ASSERT_EQ(sum.imported, 3u) << (sum.problems.empty() ? "" : sum.problems[0]);
    server_ = std::make_unique<mcp::McpServer>(RegistryServerOptions());
    AddRegistryTools(*server_, LocalReader(*reg_.service));
    session_ = mcp::Session::Create(*server_);
    Rpc("initialize",
        bj::object{{"protocolVersion", "2025-11-25"}, {"capabilities", bj::object{}}});
    auto tools = Rpc("tools/list", bj::object{});
    for (const auto& t : tools.at("result").at("tools").as_array()) {
      auto compiled = schema::JsonSchema::Compile(t.at("outputSchema"));
      ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
      output_schemas_[std::string(t.at("name").as_string())] = *compiled;
      ASSERT_TRUE(schema::JsonSchema::Compile(t.at("inputSchema")).ok());
    }
  }
  void TearDown() override {
    session_.reset();
    server_.reset();
    reg_ = {};
    std::filesystem::remove_all(dir_);
  }

  bj::object Rpc(std::string_view method, bj::value params) {
    auto out = std::make_shared<Capture>();
    bj::object msg{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}};
    session_->HandleText(bj::serialize(msg), out);
    return bj::parse(out->response).as_object();
  }
  // Calls a tool; checks structuredContent against its outputSchema unless isError.
  bj::object Call(std::string_view tool, bj::object args) {
    bj::object r = Rpc("tools/call", bj::object{{"name", tool}, {"arguments", std::move(args)}});
    bj::object result = r.at("result").as_object();
    if (!result.contains("isError") || !result.at("isError").as_bool()) {
      auto errors = output_schemas_.at(std::string(tool))->Validate(result.at("structuredContent"));
      for (const auto& e : errors)
        ADD_FAILURE() << tool << ": " << e.instance_path << " " << e.message;
      EXPECT_EQ(bj::parse(result.at("content").at(0).at("text").as_string()),
                result.at("structuredContent"));
    }
    return result;
  }

  std::filesystem::path dir_;
  app::Registry reg_;
  std::unique_ptr<mcp::McpServer> server_;
  std::shared_ptr<mcp::Session> session_;
  std::map<std::string, std::shared_ptr<const schema::JsonSchema>> output_schemas_;
  int id_ = 0;
};

TEST_F(McpRegistryToolsTest, ToolsListHasTheFiveToolsWithSchemas) {
  EXPECT_EQ(output_schemas_.size(), 5u);
  for (auto name : {"search_servers", "get_server", "list_versions", "get_install_config",
                    "validate_server_json"}) {
    EXPECT_TRUE(output_schemas_.count(name)) << name;
  }
}

TEST_F(McpRegistryToolsTest, SearchFindsLatestVersionsAndFilters) {
  bj::object r = Call("search_servers", {{"query", "weather"}});
  const auto& servers = r.at("structuredContent").at("servers").as_array();
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].at("server").at("version"), "1.1.0");
  EXPECT_EQ(r.at("structuredContent").at("metadata").at("count"), 1);

  EXPECT_EQ(Call("search_servers", {{"query", ""}})
                .at("structuredContent")
                .at("servers")
                .as_array()
                .size(),
            2u);
  auto remote = Call("search_servers", {{"query", ""}, {"transport", "remote"}});
  ASSERT_EQ(remote.at("structuredContent").at("servers").as_array().size(), 1u);
  EXPECT_EQ(remote.at("structuredContent").at("servers").at(0).at("server").at("name"),
            "com.example/tickets");
  auto npm = Call("search_servers", {{"query", ""}, {"registryType", "npm"}});
  EXPECT_EQ(npm.at("structuredContent").at("servers").at(0).at("server").at("name"),
            "io.github.acme/weather");
  EXPECT_TRUE(Call("search_servers", {{"query", ""}, {"status", "deprecated"}})
                  .at("structuredContent")
                  .at("servers")
                  .as_array()
                  .empty());
}

TEST_F(McpRegistryToolsTest, SearchPaginatesWithCursor) {
  bj::object first = Call("search_servers", {{"query", ""}, {"limit", 1}});
  const auto& md = first.at("structuredContent").at("metadata").as_object();
  ASSERT_TRUE(md.contains("nextCursor"));
  bj::object second =
      Call("search_servers", {{"query", ""}, {"limit", 1}, {"cursor", md.at("nextCursor")}});
  EXPECT_NE(first.at("structuredContent").at("servers").at(0).at("server").at("name"),
            second.at("structuredContent").at("servers").at(0).at("server").at("name"));
  bj::object bad = Call("search_servers", {{"query", ""}, {"limit", 500}});
  EXPECT_EQ(bad.at("isError"), true);
}

TEST_F(McpRegistryToolsTest, GetServerAndListVersions) {
  bj::object latest = Call("get_server", {{"name", "io.github.acme/weather"}});
  EXPECT_EQ(latest.at("structuredContent").at("server").at("version"), "1.1.0");
  bj::object old = Call("get_server", {{"name", "io.github.acme/weather"}, {"version", "1.0.0"}});
  EXPECT_EQ(old.at("structuredContent").at("server").at("version"), "1.0.0");
  bj::object versions = Call("list_versions", {{"name", "io.github.acme/weather"}});
  const auto& list = versions.at("structuredContent").at("servers").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("server").at("version"), "1.1.0");
}

TEST_F(McpRegistryToolsTest, UnknownServerIsAToolErrorNotAProtocolError) {
  for (auto tool : {"get_server", "list_versions", "get_install_config"}) {
    bj::object r =
        Rpc("tools/call", bj::object{{"name", tool}, {"arguments", {{"name", "no.such/server"}}}});
    ASSERT_TRUE(r.contains("result")) << tool;
    EXPECT_EQ(r.at("result").at("isError"), true) << tool;
    EXPECT_NE(std::string(r.at("result").at("content").at(0).at("text").as_string())
                  .find("no.such/server"),
              std::string::npos);
  }
}

TEST_F(McpRegistryToolsTest, InstallConfigForEachClient) {
  bj::object v = Call("get_install_config", {{"name", "io.github.acme/weather"}});
  const auto& sc = v.at("structuredContent");
  EXPECT_EQ(sc.at("client"), "vscode");
  EXPECT_EQ(sc.at("config").at("servers").at("io.github.acme/weather").at("env").at("API_KEY"),
            "${input:API_KEY}");
  bj::object c =
      Call("get_install_config", {{"name", "com.example/tickets"}, {"client", "claude"}});
  EXPECT_EQ(c.at("structuredContent").at("kind"), "remote");
  bj::object bad =
      Rpc("tools/call",
          bj::object{{"name", "get_install_config"},
                     {"arguments", {{"name", "com.example/tickets"}, {"client", "emacs"}}}});
  EXPECT_EQ(bad.at("result").at("isError"), true);
}

TEST_F(McpRegistryToolsTest, ValidateAcceptsTextOrObject) {
  bj::object ok =
      Call("validate_server_json", {{"server_json", Doc("io.github.x/demo", "1.0.0", "d", "")}});
  EXPECT_EQ(ok.at("structuredContent").at("valid"), true);
  bj::object bad = Call("validate_server_json", {{"server_json", {{"name", "bad name"}}}});
  EXPECT_EQ(bad.at("structuredContent").at("valid"), false);
  EXPECT_FALSE(bad.at("structuredContent").at("issues").as_array().empty());
}

TEST_F(McpRegistryToolsTest, ValidateReportsPolicyIssuesInTheSameShape) {
  const std::string npx = Doc("io.github.x/demo", "1.0.0", "d",
      R"(,"packages":[{"registryType":"npm","identifier":"@x/demo","version":"1.0.0","runtimeHint":"npx","transport":{"type":"stdio"}}])");
  auto policy_issues = [](const bj::object& r) {
    int n = 0;
    for (const auto& i : r.at("structuredContent").at("issues").as_array())
      if (i.at("type") == "policy") {
        EXPECT_FALSE(i.at("reference").as_string().empty());
        ++n;
      }
    return n;
  };
  // Open mode: schema issues only, unless the call asks for the built-in policy.
  bj::object open = Call("validate_server_json", {{"server_json", npx}});
  EXPECT_EQ(policy_issues(open), 0);
  bj::object strict = Call("validate_server_json", {{"server_json", npx}, {"policy", "default"}});
  EXPECT_GT(policy_issues(strict), 0);
  EXPECT_EQ(strict.at("structuredContent").at("valid"), false);
  EXPECT_NE(bj::serialize(strict).find("local.runtime-required"), std::string::npos);
  bj::object bad = Rpc("tools/call", bj::object{{"name", "validate_server_json"},
      {"arguments", bj::object{{"server_json", npx}, {"policy", "lenient"}}}});
  EXPECT_TRUE(bad.at("result").at("isError").as_bool());
  // Governed: the registry's own policy applies by default; "none" opts out.
  policy::Policy pol = policy::Policy::Default();
  session_.reset();
  server_ = std::make_unique<mcp::McpServer>(RegistryServerOptions());
  AddRegistryTools(*server_, LocalReader(*reg_.service), &pol);
  session_ = mcp::Session::Create(*server_);
  Rpc("initialize", bj::object{{"protocolVersion", "2025-11-25"}, {"capabilities", bj::object{}}});
  EXPECT_GT(policy_issues(Call("validate_server_json", {{"server_json", npx}})), 0);
  EXPECT_EQ(policy_issues(Call("validate_server_json", {{"server_json", npx}, {"policy", "none"}})), 0);
}

TEST_F(McpRegistryToolsTest, ResourcesListAndReadThroughTheTemplate) {
  bj::object list = Rpc("resources/list", bj::object{});
  const auto& resources = list.at("result").at("resources").as_array();
  ASSERT_EQ(resources.size(), 3u);
  std::string uri(resources[1].at("uri").as_string());
  EXPECT_EQ(uri, ServerVersionUri("io.github.acme/weather", "1.0.0"));
  bj::object read = Rpc("resources/read", bj::object{{"uri", uri}});
  bj::value doc = bj::parse(read.at("result").at("contents").at(0).at("text").as_string());
  EXPECT_EQ(doc.at("server").at("version"), "1.0.0");
  bj::object templates = Rpc("resources/templates/list", bj::object{});
  EXPECT_EQ(templates.at("result").at("resourceTemplates").at(0).at("uriTemplate"),
            "mcpreg://servers/{name}/versions/{version}");
  bj::object missing = Rpc("resources/read", bj::object{{"uri", ServerVersionUri("a.b/c", "9")}});
  EXPECT_EQ(missing.at("error").at("code"), mcp::kResourceNotFound);
}

// Every registry tool and the resource give the same content statelessly (2026-07-28 _meta, no
// initialize) as over the legacy session.
TEST_F(McpRegistryToolsTest, ToolsAndResourcesGiveIdenticalResultsInBothEras) {
  auto modern = mcp::Session::Create(*server_);
  auto modern_rpc = [&](std::string_view method, bj::object params) {
    params["_meta"] = bj::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                 {"io.modelcontextprotocol/clientCapabilities", bj::object{}}};
    auto out = std::make_shared<Capture>();
    bj::object msg{{"jsonrpc", "2.0"}, {"id", 99}, {"method", method}, {"params", params}};
    modern->HandleText(bj::serialize(msg), out);
    return bj::parse(out->response).as_object();
  };
  std::vector<std::pair<std::string, bj::object>> calls = {
      {"search_servers", {{"query", "weather"}}},
      {"search_servers", {{"query", "tickets"}, {"limit", 1}}},
      {"get_server", {{"name", "io.github.acme/weather"}}},
      {"get_server", {{"name", "no.such/server"}}},
      {"list_versions", {{"name", "io.github.acme/weather"}}},
      {"get_install_config", {{"name", "io.github.acme/weather"}}},
      {"get_install_config", {{"name", "com.example/tickets"}, {"client", "claude"}}},
      {"validate_server_json", {{"server_json", Doc("a.b/c", "1.0.0", "d", "")}}},
  };
  for (const auto& [tool, args] : calls) {
    bj::object params{{"name", tool}, {"arguments", args}};
    bj::object legacy = Rpc("tools/call", params);
    bj::object now = modern_rpc("tools/call", params);
    ASSERT_TRUE(now.contains("result")) << tool << bj::serialize(now);
    const auto& a = legacy.at("result").as_object();
    const auto& b = now.at("result").as_object();
    EXPECT_EQ(b.at("resultType"), "complete") << tool;
    for (const char* key : {"content", "structuredContent", "isError"}) {
      EXPECT_EQ(a.contains(key), b.contains(key)) << tool << " " << key;
      if (a.contains(key) && b.contains(key)) EXPECT_EQ(a.at(key), b.at(key)) << tool << " " << key;
    }
  }
  std::string uri = ServerVersionUri("io.github.acme/weather", "1.1.0");
  EXPECT_EQ(Rpc("resources/read", bj::object{{"uri", uri}}).at("result").at("contents"),
            modern_rpc("resources/read", bj::object{{"uri", uri}}).at("result").at("contents"));
  EXPECT_EQ(Rpc("resources/list", bj::object{}).at("result").at("resources"),
            modern_rpc("resources/list", bj::object{}).at("result").at("resources"));
  auto missing = modern_rpc("resources/read", bj::object{{"uri", ServerVersionUri("a.b/c", "9")}});
  EXPECT_EQ(missing.at("error").at("code"), mcp::kInvalidParams);
}

// get_install_config for a server with several install options: the `option` argument in both
// eras; a 2026-07-28 client with elicitation and no option is asked, over two rounds whose state
// pins the version the first round resolved.
TEST_F(McpRegistryToolsTest, InstallConfigAsksWhichOptionThroughAnInputRequiredResult) {
  auto multi = [](std::string_view version) {
    return Doc("io.github.acme/multi", version, "Several ways to install",
               std::string(R"(,"packages":[{"registryType":"npm","identifier":"@acme/multi","version":")") +
                   std::string(version) + R"(","transport":{"type":"stdio"}},
                  {"registryType":"pypi","identifier":"acme-multi","version":")" + std::string(version) +
                   R"(","transport":{"type":"stdio"}}],
               "remotes":[{"type":"streamable-http","url":"https://multi.example.com/mcp"}])");
  };
  std::vector<std::string> docs = {multi("1.0.0")};
  ASSERT_EQ(reg_.service->Import(service::LocalOperator(), docs, std::vector<service::PublishOptions>(1)).imported, 1u);

  // Legacy and a modern client without elicitation: the first option, as always.
  bj::object first = Call("get_install_config", {{"name", "io.github.acme/multi"}});
  EXPECT_EQ(first.at("structuredContent").at("config").at("servers").at("io.github.acme/multi").at("command"), "npx");
  bj::object remote = Call("get_install_config", {{"name", "io.github.acme/multi"},
                                                  {"option", "streamable-http:https://multi.example.com/mcp"}});
  EXPECT_EQ(remote.at("structuredContent").at("kind"), "remote");
  bj::object bad = Call("get_install_config", {{"name", "io.github.acme/multi"}, {"option", "oci:nope"}});
  EXPECT_TRUE(bad.at("isError").as_bool());
  EXPECT_NE(std::string(bad.at("content").at(0).at("text").as_string()).find("npm:@acme/multi, pypi:acme-multi"),
            std::string::npos);

  auto modern = [&](bj::object caps, bj::object params) {
    params["_meta"] = bj::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                 {"io.modelcontextprotocol/clientCapabilities", std::move(caps)}};
    auto out = std::make_shared<Capture>();
    bj::object msg{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/call"}, {"params", std::move(params)}};
    mcp::Session::Create(*server_)->HandleText(bj::serialize(msg), out);
    return bj::parse(out->response).at("result").as_object();
  };
  bj::object args{{"name", "io.github.acme/multi"}};
  bj::object no_elicitation = modern(bj::object{}, {{"name", "get_install_config"}, {"arguments", args}});
  EXPECT_EQ(no_elicitation.at("structuredContent"), first.at("structuredContent"));

  bj::object caps{{"elicitation", bj::object{}}};
  bj::object asked = modern(caps, {{"name", "get_install_config"}, {"arguments", args}});
  ASSERT_EQ(asked.at("resultType"), "input_required");
  const auto& question = asked.at("inputRequests").at("install_option").as_object();
  EXPECT_EQ(question.at("method"), "elicitation/create");
  EXPECT_EQ(question.at("params").at("requestedSchema").at("properties").at("option").at("enum"),
            bj::parse(R"(["npm:@acme/multi","pypi:acme-multi","streamable-http:https://multi.example.com/mcp"])"));

  // A newer version is published between the rounds: the answer still configures 1.0.0.
  docs = {multi("2.0.0")};
  ASSERT_EQ(reg_.service->Import(service::LocalOperator(), docs, std::vector<service::PublishOptions>(1)).imported, 1u);
  auto answer = [&](bj::value response) {
    return modern(caps, {{"name", "get_install_config"},
                         {"arguments", args},
                         {"inputResponses", bj::object{{"install_option", std::move(response)}}},
                         {"requestState", asked.at("requestState")}});
  };
  bj::object chosen = answer(bj::object{{"action", "accept"}, {"content", {{"option", "pypi:acme-multi"}}}});
  ASSERT_EQ(chosen.at("resultType"), "complete") << bj::serialize(chosen);
  EXPECT_EQ(chosen.at("structuredContent").at("version"), "1.0.0");
  EXPECT_EQ(chosen.at("structuredContent").at("config").at("servers").at("io.github.acme/multi").at("command"), "uvx");
  bj::object pinned = Call("get_install_config", {{"name", "io.github.acme/multi"}, {"version", "1.0.0"},
                                                  {"option", "pypi:acme-multi"}});
  EXPECT_EQ(chosen.at("structuredContent"), pinned.at("structuredContent"));
  // An answer naming no offered option is asked again; a declined question gets the default.
  EXPECT_EQ(answer(bj::object{{"action", "accept"}, {"content", {{"option", "oci:x"}}}}).at("resultType"),
            "input_required");
  bj::object declined = answer(bj::object{{"action", "decline"}});
  EXPECT_EQ(declined.at("structuredContent").at("version"), "1.0.0");
  EXPECT_EQ(declined.at("structuredContent").at("config").at("servers").at("io.github.acme/multi").at("command"), "npx");
}

}  // namespace
}  // namespace mcpreg::mcpapi

namespace mcpreg::mcp {
namespace {

TEST(McpRawResultTest, EncodeResultSplicesRawStructuredContentAndEscapesItsTextCopy) {
  const std::string raw = R"({"a":"quote \" backslash \\ tab \t","b":[1,2.5,null],"c":"é☃"})";
  std::string encoded = EncodeResult(7, RawStructuredToolResult(raw));
  boost::json::value v = boost::json::parse(encoded);
  EXPECT_EQ(v.at("id"), 7);
  EXPECT_EQ(v.at("result").at("structuredContent"), boost::json::parse(raw));
  EXPECT_EQ(v.at("result").at("content").at(0).at("text").as_string(), raw);
  EXPECT_EQ(v.at("result").at("content").at(0).at("type"), "text");
  EXPECT_FALSE(v.at("result").as_object().contains(kRawStructuredKey));

  const std::string pretty =
      "{\n\t\"a\": [1,\r\n 2],\n \"b\": \"x\\\\y\"\n}";  // whitespace between tokens
  boost::json::value w = boost::json::parse(EncodeResult(8, RawStructuredToolResult(pretty)));
  EXPECT_EQ(w.at("result").at("structuredContent"), boost::json::parse(pretty));
  EXPECT_EQ(w.at("result").at("content").at(0).at("text").as_string(), pretty);
}

// The text copy is escaped 16 bytes at a time: specials at every offset of a block, runs of
// them, and every length around the block sizes must give the bytes json::AppendString gives.
TEST(McpRawResultTest, TextCopyEscapesLikeAppendStringAtEveryOffsetAndLength) {
  const std::string specials = "\"\\\n\r\t";
  for (size_t len = 0; len < 80; ++len) {
    for (size_t at = 0; at <= len; ++at) {
      for (char c : specials) {
        std::string body(len, 'x');
        for (size_t i = at; i < len; i += 7) body[i] = c;  // a special every 7 bytes from `at`
        if (at + 1 < len) body[at + 1] = '"';               // and two in a row
        const std::string raw = "[\"" + body + "\"]";  // escaping is not checked for JSON validity
        std::string expected = R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":)";
        json::AppendString(expected, raw);
        expected += R"(}],"structuredContent":)" + raw + "}}";
        ASSERT_EQ(EncodeResult(1, RawStructuredToolResult(raw)), expected)
            << "len " << len << " at " << at << " char " << int(c);
      }
    }
  }
}

}  // namespace
}  // namespace mcpreg::mcp
