#include "service/install_config.h"

#include <boost/json/array.hpp>
#include <set>
#include <string>
#include <vector>

#include "model/server_json.h"

namespace mcpreg::service {
namespace bj = boost::json;
namespace {

// Collects what the user must supply and renders references to it for one client.
class Inputs {
 public:
  explicit Inputs(InstallClient client) : client_(client) {}

  // A reference to user-supplied value `id`, registering the input on first use.
  std::string Ref(const std::string& id, const std::string& description, bool secret,
                  bool required) {
    if (seen_.insert(id).second) {
      std::string desc = description.empty() ? id : description;
      result_.push_back(bj::object{
          {"id", id}, {"description", desc}, {"password", secret}, {"required", required}});
      if (client_ != InstallClient::kClaude) {
        prompts_.push_back(bj::object{
            {"type", "promptString"}, {"id", id}, {"description", desc}, {"password", secret}});
      }
    }
    return client_ == InstallClient::kClaude ? "<" + id + ">" : "${input:" + id + "}";
  }

  // `text` with each {var} of `vars` replaced by its fixed value, default, or a reference.
  std::string Substitute(const std::string& text, const std::map<std::string, model::Input>& vars) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
      size_t close = text[i] == '{' ? text.find('}', i) : std::string::npos;
      if (close != std::string::npos) {
        auto it = vars.find(text.substr(i + 1, close - i - 1));
        if (it != vars.end()) {
          const model::Input& v = it->second;
          if (!v.value.empty())
            out += v.value;
          else if (!v.default_value.empty() && !v.is_secret && !v.is_required)
            out += v.default_value;
          else
            out += Ref(it->first, v.description, v.is_secret, v.is_required);
          i = close + 1;
          continue;
        }
      }
      out += text[i++];
    }
    return out;
  }

  // The value to configure for `in`, or nullopt when it is optional and has nothing to offer.
  std::optional<std::string> Resolve(const model::InputWithVariables& in, const std::string& id) {
    if (!in.value.empty()) return Substitute(in.value, in.variables);
    if (in.is_secret || in.is_required) {
      std::string desc = in.description;
      if (!in.default_value.empty() && !in.is_secret)
        desc += " (default: " + in.default_value + ")";
      return Ref(id, desc, in.is_secret, in.is_required);
    }
    if (!in.default_value.empty()) return in.default_value;
    return std::nullopt;
  }

  bj::array& prompts() { return prompts_; }
  bj::array& result() { return result_; }

 private:
  InstallClient client_;
  std::set<std::string> seen_;
  bj::array prompts_;  // VS Code / Visual Studio `inputs`
  bj::array result_;   // everything the user must supply, for every client
};

std::string ArgumentId(const model::Argument& a, size_t index) {
  if (a.type == "named") {
    size_t start = a.name.find_first_not_of('-');
    if (start != std::string::npos) return a.name.substr(start);
  }
  if (!a.value_hint.empty()) return a.value_hint;
  return "arg" + std::to_string(index + 1);
}

void AppendArguments(const std::vector<model::Argument>& in, Inputs& inputs, bj::array& args) {
  for (size_t i = 0; i < in.size(); ++i) {
    const model::Argument& a = in[i];
    std::optional<std::string> v = inputs.Resolve(a, ArgumentId(a, i));
    if (a.type == "named") {
      if (v) {
        args.push_back(bj::string(a.name));
        args.push_back(bj::string(*v));
      } else if (a.value_hint.empty()) {
        args.push_back(bj::string(a.name));  // a plain flag
      }
    } else if (v) {
      args.push_back(bj::string(*v));
    }
  }
}

bool Contains(const bj::array& a, std::string_view s) {
  for (const auto& v : a) {
    if (v.is_string() && v.as_string() == s) return true;
  }
  return false;
}

// True when an OCI reference already names a tag or digest.
bool HasTag(const std::string& image) {
  size_t slash = image.rfind('/');
  std::string_view last =
      std::string_view(image).substr(slash == std::string::npos ? 0 : slash + 1);
  return last.find(':') != std::string_view::npos || last.find('@') != std::string_view::npos;
}

struct Launch {
  std::string command;
  bj::array args;
  bj::object env;
};

Launch PackageLaunch(const model::Package& p, Inputs& inputs) {
  Launch l;
  for (const auto& e : p.environment_variables) {
    if (auto v = inputs.Resolve(e, e.name)) l.env[e.name] = *v;
  }
  const std::string& type = p.registry_type;
  std::string id = p.identifier;
  if (type == "npm") {
    l.command = p.runtime_hint.empty() ? "npx" : p.runtime_hint;
    AppendArguments(p.runtime_arguments, inputs, l.args);
    if (l.command == "npx" && !Contains(l.args, "-y") && !Contains(l.args, "--yes")) {
      l.args.push_back("-y");
    }
    l.args.push_back(bj::string(p.version.empty() ? id : id + "@" + p.version));
    AppendArguments(p.package_arguments, inputs, l.args);
  } else if (type == "pypi") {
    l.command = p.runtime_hint.empty() ? "uvx" : p.runtime_hint;
    AppendArguments(p.runtime_arguments, inputs, l.args);
    l.args.push_back(bj::string(p.version.empty() ? id : id + "==" + p.version));
    AppendArguments(p.package_arguments, inputs, l.args);
  } else if (type == "oci") {
    l.command = p.runtime_hint.empty() ? "docker" : p.runtime_hint;
    l.args = {"run", "-i", "--rm"};
    AppendArguments(p.runtime_arguments, inputs, l.args);
    for (const auto& [name, value] : l.env) {
      l.args.push_back("-e");
      l.args.push_back(bj::string(name));
    }
    l.args.push_back(bj::string(HasTag(id) || p.version.empty() ? id : id + ":" + p.version));
    AppendArguments(p.package_arguments, inputs, l.args);
  } else if (type == "nuget") {
    l.command = p.runtime_hint.empty() ? "dnx" : p.runtime_hint;
    AppendArguments(p.runtime_arguments, inputs, l.args);
    l.args.push_back(bj::string(p.version.empty() ? id : id + "@" + p.version));
    l.args.push_back("--yes");
    bj::array rest;
    AppendArguments(p.package_arguments, inputs, rest);
    if (!rest.empty()) {
      l.args.push_back("--");
      for (auto& a : rest) l.args.push_back(std::move(a));
    }
  } else {  // unknown registry type: run the identifier as given
    l.command = p.runtime_hint.empty() ? id : p.runtime_hint;
    AppendArguments(p.runtime_arguments, inputs, l.args);
    if (!p.runtime_hint.empty()) l.args.push_back(bj::string(id));
    AppendArguments(p.package_arguments, inputs, l.args);
  }
  return l;
}

bj::object StdioEntry(Launch l, InstallClient client) {
  bj::object e;
  if (client != InstallClient::kClaude) e["type"] = "stdio";
  e["command"] = l.command;
  e["args"] = std::move(l.args);
  if (!l.env.empty()) e["env"] = std::move(l.env);
  return e;
}

bj::object HeaderValues(const std::vector<model::KeyValueInput>& headers, Inputs& inputs) {
  bj::object h;
  for (const auto& kv : headers) {
    if (auto v = inputs.Resolve(kv, kv.name)) h[kv.name] = *v;
  }
  return h;
}

bj::object RemoteEntry(const model::Transport& t, InstallClient client, Inputs& inputs,
                       std::string* url_out) {
  std::string url = inputs.Substitute(t.url, t.variables);
  *url_out = url;
  bj::object headers = HeaderValues(t.headers, inputs);
  bj::object e;
  if (client == InstallClient::kClaude) {
    // Claude Desktop's config file only launches processes; mcp-remote bridges to HTTP.
    bj::array args{"-y", "mcp-remote", bj::string(url)};
    for (const auto& [k, v] : headers) {
      args.push_back("--header");
      args.push_back(bj::string(std::string(k) + ": " + std::string(v.as_string())));
    }
    e["command"] = "npx";
    e["args"] = std::move(args);
    return e;
  }
  e["type"] = t.type == "sse" ? "sse" : "http";
  e["url"] = url;
  if (!headers.empty()) e["headers"] = std::move(headers);
  return e;
}

}  // namespace

Result<InstallClient> ParseInstallClient(std::string_view name) {
  if (name == "vscode") return InstallClient::kVsCode;
  if (name == "visualstudio") return InstallClient::kVisualStudio;
  if (name == "claude") return InstallClient::kClaude;
  return Status::InvalidArgument("unknown client \"" + std::string(name) +
                                 "\": expected vscode, visualstudio or claude");
}

Result<bj::object> BuildInstallConfig(const model::ServerJson& server, InstallClient client) {
  if (server.packages.empty() && server.remotes.empty()) {
    return Status::FailedPrecondition("server " + server.name + " " + server.version +
                                      " has neither packages nor remotes to install");
  }
  static constexpr std::string_view kClientNames[] = {"vscode", "visualstudio", "claude"};
  static constexpr std::string_view kFiles[] = {"mcp.json", ".mcp.json",
                                                "claude_desktop_config.json"};
  bj::object r{{"client", kClientNames[int(client)]},
               {"file", kFiles[int(client)]},
               {"name", server.name},
               {"version", server.version}};
  Inputs inputs(client);
  bj::object entry;
  std::string note;
  if (!server.packages.empty()) {
    const model::Package& p = server.packages.front();
    if (p.registry_type == "mcpb") {
      r["kind"] = "bundle";
      bj::object bundle{{"url", p.identifier}};
      if (!p.file_sha256.empty()) bundle["fileSha256"] = p.file_sha256;
      r["bundle"] = std::move(bundle);
      note = "Download the MCP bundle from " + p.identifier +
             (p.file_sha256.empty() ? "" : ", check its SHA-256 " + p.file_sha256) +
             ", and install it (Claude Desktop: Settings > Extensions).";
    } else {
      r["kind"] = "package";
      Launch launch = PackageLaunch(p, inputs);
      const std::string& ttype = p.transport.type;
      if (ttype == "streamable-http" || ttype == "sse") {
        std::string url;
        entry = RemoteEntry(p.transport, client, inputs, &url);
        note = "Start the package first (" + launch.command + " ...); it serves " + url + ".";
        r["launch"] = StdioEntry(std::move(launch), InstallClient::kClaude);
      } else {
        entry = StdioEntry(std::move(launch), client);
      }
    }
  } else {
    r["kind"] = "remote";
    std::string url;
    entry = RemoteEntry(server.remotes.front(), client, inputs, &url);
    if (client == InstallClient::kClaude)
      note = "Claude Desktop reaches " + url + " via mcp-remote.";
  }
  bj::object config;
  if (!entry.empty()) {
    bj::object servers{{server.name, std::move(entry)}};
    config[client == InstallClient::kClaude ? "mcpServers" : "servers"] = std::move(servers);
  }
  if (client != InstallClient::kClaude && !inputs.prompts().empty()) {
    config["inputs"] = std::move(inputs.prompts());
  }
  r["config"] = std::move(config);
  r["inputs"] = std::move(inputs.result());
  if (!note.empty()) r["note"] = note;
  return r;
}

}  // namespace mcpreg::service
