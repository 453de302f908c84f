#include "api/mcp/registry_tools.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_out.h"
#include "core/percent.h"
#include "mcp/input.h"
#include "mcp/session.h"
#include "model/server_json.h"
#include "model/validate.h"
#include "policy/policy.h"
#include "service/install_config.h"

namespace mcpreg::mcpapi {
namespace bj = boost::json;
namespace {

constexpr std::string_view kTemplate = "mcpreg://servers/{name}/versions/{version}";
constexpr size_t kMaxListedResources = 100000;

bj::object Str(std::string_view description) {
  return bj::object{{"type", "string"}, {"description", description}};
}

bj::object Enum(std::string_view description, std::initializer_list<std::string_view> values) {
  bj::array e;
  for (auto v : values) e.push_back(bj::string(v));
  return bj::object{{"type", "string"}, {"enum", std::move(e)}, {"description", description}};
}

bj::object ObjectSchema(bj::object properties, std::initializer_list<std::string_view> required) {
  bj::array req;
  for (auto r : required) req.push_back(bj::string(r));
  return bj::object{
      {"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(req)}};
}

bj::object ServerResponseSchema() {
  bj::object server = ObjectSchema({{"name", {{"type", "string"}}},
                                    {"description", {{"type", "string"}}},
                                    {"version", {{"type", "string"}}},
                                    {"title", {{"type", "string"}}},
                                    {"packages", {{"type", "array"}}},
                                    {"remotes", {{"type", "array"}}}},
                                   {"name", "version"});
  return ObjectSchema({{"server", std::move(server)}, {"_meta", {{"type", "object"}}}}, {"server"});
}

bj::object ServerListSchema() {
  bj::object metadata = ObjectSchema(
      {{"count", {{"type", "integer"}}}, {"nextCursor", Str("pass as cursor for the next page")}},
      {"count"});
  bj::object servers{{"type", "array"}, {"items", ServerResponseSchema()}};
  return ObjectSchema({{"servers", std::move(servers)}, {"metadata", std::move(metadata)}},
                      {"servers", "metadata"});
}

bj::object InstallConfigSchema() {
  bj::object input = ObjectSchema({{"id", {{"type", "string"}}},
                                   {"description", {{"type", "string"}}},
                                   {"password", {{"type", "boolean"}}},
                                   {"required", {{"type", "boolean"}}}},
                                  {"id", "description", "password", "required"});
  return ObjectSchema(
      {{"client", Enum("the client the entry is for", {"vscode", "visualstudio", "claude"})},
       {"file", Str("the configuration file the entry belongs in")},
       {"name", {{"type", "string"}}},
       {"version", {{"type", "string"}}},
       {"kind", Enum("what gets installed", {"package", "remote", "bundle"})},
       {"config", {{"type", "object"}, {"description", "JSON to merge into the file"}}},
       {"inputs", {{"type", "array"}, {"items", std::move(input)}}},
       {"bundle",
        ObjectSchema({{"url", {{"type", "string"}}}, {"fileSha256", {{"type", "string"}}}},
                     {"url"})},
       {"launch", {{"type", "object"}}},
       {"note", {{"type", "string"}}}},
      {"client", "file", "name", "version", "kind", "config", "inputs"});
}

bj::object ValidationSchema() {
  bj::object issue = ObjectSchema({{"type", {{"type", "string"}}},
                                   {"path", {{"type", "string"}}},
                                   {"message", {{"type", "string"}}},
                                   {"severity", {{"type", "string"}}},
                                   {"reference", {{"type", "string"}}}},
                                  {"type", "path", "message", "severity", "reference"});
  return ObjectSchema({{"valid", {{"type", "boolean"}}},
                       {"issues", {{"type", "array"}, {"items", std::move(issue)}}}},
                      {"valid", "issues"});
}

bj::object ReadOnly(std::string_view title, bool open_world) {
  return bj::object{{"title", title},
                    {"readOnlyHint", true},
                    {"idempotentHint", true},
                    {"openWorldHint", open_world}};
}

std::string StringArg(const bj::object& args, std::string_view key, std::string_view def = {}) {
  const bj::value* v = args.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string(def);
}

Result<bj::object> Structured(Result<bj::object> r) {
  if (!r.ok()) return r.status();
  return mcp::StructuredToolResult(std::move(*r));
}

// Reader answers are JSON object text: spliced into the response without a parse.
Result<bj::object> Raw(Result<std::string> r) {
  if (!r.ok()) return r.status();
  return mcp::RawStructuredToolResult(std::move(*r));
}

Result<bj::object> SearchServers(const RegistryReader& reader, const bj::object& args) {
  SearchRequest req;
  req.query = StringArg(args, "query");
  req.transport = StringArg(args, "transport");
  req.registry_type = StringArg(args, "registryType");
  req.status = StringArg(args, "status");
  req.cursor = StringArg(args, "cursor");
  if (const bj::value* l = args.if_contains("limit"); l && !l->is_null()) {
    double n = l->is_int64()    ? double(l->as_int64())
               : l->is_uint64() ? double(l->as_uint64())
                                : l->as_double();
    if (n < 1 || n > 100) return Status::InvalidArgument("limit must be between 1 and 100");
    req.limit = size_t(n);
  }
  return Raw(reader.Search(req));
}

// The ways a server can be installed, in the order BuildInstallConfig prefers them: each
// package as "<registryType>:<identifier>", then each remote as "<transport type>:<url>".
std::vector<std::string> InstallOptions(const model::ServerJson& s) {
  std::vector<std::string> out;
  for (const auto& p : s.packages) out.push_back(p.registry_type + ":" + p.identifier);
  for (const auto& r : s.remotes) out.push_back(r.type + ":" + r.url);
  return out;
}

// `s` reduced to option `i` of InstallOptions, so BuildInstallConfig configures that one.
model::ServerJson OnlyOption(model::ServerJson s, size_t i) {
  if (i < s.packages.size()) {
    model::Package p = std::move(s.packages[i]);
    s.packages = {std::move(p)};
    s.remotes.clear();
  } else {
    model::Transport r = std::move(s.remotes[i - s.packages.size()]);
    s.packages.clear();
    s.remotes = {std::move(r)};
  }
  return s;
}

constexpr std::string_view kOptionInput = "install_option";
constexpr size_t kMaxOfferedOptions = 50;  // enum entries in the elicitation

std::optional<size_t> FindOption(const std::vector<std::string>& options, std::string_view o) {
  for (size_t i = 0; i < options.size(); ++i) {
    if (options[i] == o) return i;
  }
  return std::nullopt;
}

// The `option` argument, or for a 2026-07-28 client that can be asked (elicitation) a choice
// among several options: the first round returns an input-required result whose state pins the
// version it resolved, so the answer configures that version even if "latest" moved meanwhile.
// A declined question, a legacy client or one without elicitation gets the default (the first
// option), exactly as before there was a choice.
Result<bj::object> InstallConfig(const RegistryReader& reader, const bj::object& args,
                                 mcp::RequestContext& ctx) {
  auto client = service::ParseInstallClient(StringArg(args, "client", "vscode"));
  if (!client.ok()) return client.status();
  std::string name = StringArg(args, "name");
  std::string version = StringArg(args, "version", "latest");
  if (const auto& state = ctx.request_state()) {
    size_t nl = state->find('\n');
    if (nl != std::string::npos && state->substr(0, nl) == name) version = state->substr(nl + 1);
  }
  auto text = reader.Get(name, version);
  if (!text.ok()) return text.status();
  boost::system::error_code ec;
  bj::value doc = bj::parse(*text, ec);
  const bj::value* server =
      !ec && doc.is_object() ? doc.as_object().if_contains("server") : nullptr;
  if (!server) return Status::Internal("registry response for " + name + " has no server");
  auto parsed = model::ParseServerJson(*server);
  if (!parsed.ok()) return parsed.status();
  std::vector<std::string> options = InstallOptions(*parsed);
  std::string chosen = StringArg(args, "option");
  if (chosen.empty() && options.size() > 1 && ctx.modern() && ctx.ClientSupports("elicitation")) {
    const bj::value* response = ctx.input_response(kOptionInput);
    auto accepted = mcp::AcceptedElicitation(response);
    std::string answer = accepted ? StringArg(*accepted, "option") : std::string();
    bool declined = response && !accepted;  // decline or cancel: the default
    if (!declined && !FindOption(options, answer)) {
      bj::array offered;
      for (size_t i = 0; i < options.size() && i < kMaxOfferedOptions; ++i) {
        offered.emplace_back(options[i]);
      }
      bj::object option{{"type", "string"},
                        {"title", "Install option"},
                        {"description", "a package (registry type:identifier) or a remote "
                                        "(transport:url)"},
                        {"enum", std::move(offered)}};
      bj::object schema{{"type", "object"},
                        {"properties", bj::object{{"option", std::move(option)}}},
                        {"required", bj::array{"option"}}};
      std::string message = parsed->name + " " + parsed->version + " can be installed " +
                            std::to_string(options.size()) + " ways. Which one?";
      return ctx.InputRequired(
          bj::object{{kOptionInput, mcp::ElicitationInput(message, std::move(schema))}},
          parsed->name + "\n" + parsed->version);
    }
    chosen = answer;
  }
  if (!chosen.empty()) {
    auto index = FindOption(options, chosen);
    if (!index) {
      std::string list;
      for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
      return Status::InvalidArgument("option \"" + chosen + "\" is not offered by " +
                                     parsed->name + " " + parsed->version + "; its options: " +
                                     list);
    }
    *parsed = OnlyOption(std::move(*parsed), *index);
  }
  return Structured(service::BuildInstallConfig(*parsed, *client));
}

Result<bj::object> Validate(const bj::object& args, const policy::Policy* registry_policy) {
  const bj::value& doc = args.at("server_json");
  model::ValidationReport report =
      doc.is_string() ? model::ValidateServerJson(std::string_view(doc.as_string()))
                      : model::ValidateServerJson(doc);
  std::string which = StringArg(args, "policy");
  if (which.empty()) which = "registry";
  if (which != "registry" && which != "default" && which != "none")
    return Status::InvalidArgument("policy must be registry, default or none");
  static const policy::Policy kDefault = policy::Policy::Default();
  const policy::Policy* pol = which == "default" ? &kDefault : which == "registry" ? registry_policy : nullptr;
  if (pol)
    policy::AddPolicyIssues(*pol, doc.is_string() ? std::string(doc.as_string()) : bj::serialize(doc),
                            report);
  return mcp::RawStructuredToolResult(report.ToJson());
}

// Tool errors read better with the server named: "Server not found: io.x/y@1.0".
Status Named(Status st, const bj::object& args) {
  if (!st.IsNotFound()) return st;
  std::string what = StringArg(args, "name");
  if (auto v = StringArg(args, "version"); !v.empty() && v != "latest") what += "@" + v;
  return Status::NotFound(st.message() + ": " + what);
}

}  // namespace

std::string ServerVersionUri(std::string_view name, std::string_view version) {
  return "mcpreg://servers/" + PercentEncode(name) + "/versions/" + PercentEncode(version);
}

mcp::ServerOptions RegistryServerOptions() {
  mcp::ServerOptions o;
  o.info.name = "mcpreg";
  o.info.version = MCPREG_VERSION;
  o.info.title = "mcpreg MCP server registry";
  o.info.description = "Search the registry's approved MCP servers and get install configurations";
  o.instructions =
      "This server answers questions about the MCP servers approved in this registry. Use "
      "search_servers to find servers by what they do, get_server/list_versions for details, "
      "and get_install_config for the exact client configuration entry (vscode, visualstudio or "
      "claude). validate_server_json checks a server.json before publishing.";
  return o;
}

void AddRegistryTools(mcp::McpServer& server, std::shared_ptr<RegistryReader> reader,
                      const policy::Policy* policy) {
  const bool remote = reader->Describe() != "local database";
  {
    mcp::ToolDef t;
    t.name = "search_servers";
    t.title = "Search MCP servers";
    t.description =
        "Search the registry for MCP servers (latest version of each) whose name, title or "
        "description contains every word of `query`. Filter by transport (remote = hosted "
        "endpoint, local = installable package), package registryType (npm, pypi, oci, nuget, "
        "mcpb) or status. Results are paginated: pass metadata.nextCursor as `cursor`.";
    t.input_schema = ObjectSchema(
        {{"query", Str("words to search for; empty matches every server")},
         {"transport",
          Enum("only servers with remotes (remote) or packages (local)", {"remote", "local"})},
         {"registryType", Str("only servers with a package of this registry type, e.g. npm")},
         {"status", Enum("only versions with this status (default: active and deprecated)",
                         {"active", "deprecated", "deleted"})},
         {"limit",
          {{"type", "integer"},
           {"minimum", 1},
           {"maximum", 100},
           {"default", 30},
           {"description", "page size"}}},
         {"cursor", Str("metadata.nextCursor of the previous page")}},
        {"query"});
    t.output_schema = ServerListSchema();
    t.annotations = ReadOnly(t.title, remote);
    t.handler = [reader](const bj::object& args, mcp::RequestContext&) {
      return SearchServers(*reader, args);
    };
    server.AddTool(std::move(t));
  }
  {
    mcp::ToolDef t;
    t.name = "get_server";
    t.title = "Get an MCP server";
    t.description =
        "The full server.json and registry metadata (status, publishedAt, isLatest) of one server "
        "version; the latest version when `version` is omitted.";
    t.input_schema = ObjectSchema({{"name", Str("server name, e.g. io.github.owner/server")},
                                   {"version", Str("exact version, or \"latest\" (default)")}},
                                  {"name"});
    t.output_schema = ServerResponseSchema();
    t.annotations = ReadOnly(t.title, remote);
    t.handler = [reader](const bj::object& args, mcp::RequestContext&) -> Result<bj::object> {
      auto r = reader->Get(StringArg(args, "name"), StringArg(args, "version", "latest"));
      if (!r.ok()) return Named(r.status(), args);
      return mcp::RawStructuredToolResult(std::move(*r));
    };
    server.AddTool(std::move(t));
  }
  {
    mcp::ToolDef t;
    t.name = "list_versions";
    t.title = "List versions of an MCP server";
    t.description = "Every published version of a server, newest first, with its status.";
    t.input_schema =
        ObjectSchema({{"name", Str("server name, e.g. io.github.owner/server")}}, {"name"});
    t.output_schema = ServerListSchema();
    t.annotations = ReadOnly(t.title, remote);
    t.handler = [reader](const bj::object& args, mcp::RequestContext&) -> Result<bj::object> {
      auto r = reader->Versions(StringArg(args, "name"));
      if (!r.ok()) return Named(r.status(), args);
      return mcp::RawStructuredToolResult(std::move(*r));
    };
    server.AddTool(std::move(t));
  }
  {
    mcp::ToolDef t;
    t.name = "get_install_config";
    t.title = "Get install configuration";
    t.description =
        "The exact configuration entry that installs a server version in an MCP client: VS Code "
        "mcp.json, Visual Studio .mcp.json or Claude Desktop claude_desktop_config.json. "
        "Packages become command + args + env (npx, uvx, docker, dnx), remotes url + headers; "
        "secrets and required values become ${input:...} prompts (placeholders for Claude).";
    t.input_schema = ObjectSchema(
        {{"name", Str("server name")},
         {"version", Str("exact version, or \"latest\" (default)")},
         {"client", Enum("target client (default vscode)", {"vscode", "visualstudio", "claude"})},
         {"option",
          Str("which install option, when the server offers several: \"<registryType>:<identifier>\" "
              "for a package, \"<transport>:<url>\" for a remote (default: the first package, else "
              "the first remote; a 2026-07-28 client with elicitation is asked)")}},
        {"name"});
    t.output_schema = InstallConfigSchema();
    t.annotations = ReadOnly(t.title, remote);
    t.handler = [reader](const bj::object& args, mcp::RequestContext& ctx) -> Result<bj::object> {
      auto r = InstallConfig(*reader, args, ctx);
      if (!r.ok()) return Named(r.status(), args);
      return r;
    };
    server.AddTool(std::move(t));
  }
  {
    mcp::ToolDef t;
    t.name = "validate_server_json";
    t.title = "Validate server.json";
    t.description =
        "Validates a server.json document exactly like the registry's POST /v0.1/validate: JSON "
        "syntax, $schema version, the JSON Schema and the registry's semantic rules, plus the "
        "compliance gates (type \"policy\": runtime-free local packages, Streamable HTTP and "
        "declared auth for remotes, no secrets or confidential data, no samples, licence). "
        "Returns every issue with its path, severity and rule.";
    t.input_schema =
        ObjectSchema({{"server_json",
                       {{"type", bj::array{"string", "object"}},
                        {"description", "the server.json document, as JSON text or an object"}}},
                      {"policy",
                       {{"type", "string"},
                        {"enum", bj::array{"registry", "default", "none"}},
                        {"description",
                         "compliance policy to apply: the registry's own (default; none in open "
                         "mode), the built-in strict default, or none"}}}},
                     {"server_json"});
    t.output_schema = ValidationSchema();
    t.annotations = ReadOnly(t.title, false);
    t.handler = [policy](const bj::object& args, mcp::RequestContext&) {
      return Validate(args, policy);
    };
    server.AddTool(std::move(t));
  }
  mcp::TemplateDef tmpl;
  tmpl.uri_template = std::string(kTemplate);
  tmpl.name = "server-version";
  tmpl.title = "MCP server version";
  tmpl.description = "One server version as the registry serves it (server.json + _meta)";
  tmpl.mime_type = "application/json";
  tmpl.read = [reader](std::string_view uri,
                       const std::map<std::string, std::string>& vars) -> Result<bj::array> {
    auto r = reader->Get(vars.at("name"), vars.at("version"));
    if (!r.ok()) return r.status();
    return bj::array{bj::object{{"uri", uri}, {"mimeType", "application/json"}, {"text", *r}}};
  };
  tmpl.list = [reader] {
    std::vector<mcp::ResourceInfo> out;
    for (auto& [name, version] : reader->AllVersions(kMaxListedResources)) {
      mcp::ResourceInfo info;
      info.uri = ServerVersionUri(name, version);
      info.name = name + "@" + version;
      info.mime_type = "application/json";
      out.push_back(std::move(info));
    }
    return out;
  };
  server.AddTemplate(std::move(tmpl));
}

}  // namespace mcpreg::mcpapi
