#include "service/exports.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_out.h"
#include "core/percent.h"
#include "model/server_json.h"
#include "service/install_config.h"

namespace mcpreg::service {
namespace bj = boost::json;
namespace {

constexpr std::string_view kNone = "—";

// The entry's document, or an empty server carrying only its name when it does not parse
// (such a server still gets a row and a name matcher, just no links, URLs or commands).
model::ServerJson ParseEntry(const catalog::Entry& e) {
  auto parsed = model::ParseServerJson(e.server_json);
  model::ServerJson server;
  if (parsed.ok()) server = std::move(parsed.value());
  if (server.name.empty()) server.name = e.meta.name;
  if (server.version.empty()) server.version = e.meta.version;
  return server;
}

std::string ToJson(const bj::value& v) {
  std::string out;
  json::AppendValue(out, v);
  return out;
}

// ---- Markdown ----

// Text for a GFM table cell: backslashes first (so an escaped pipe cannot be un-escaped by a
// preceding backslash from the input), pipes, '<' (no raw HTML or autolink from publishers),
// line breaks, and the characters that open links, images and code spans ('[', ']', '`'), so
// untrusted text can never become a link: `[x](javascript:...)` stays text.
std::string CellText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '|':
        out += "\\|";
        break;
      case '[':
      case ']':
      case '`':
        out += '\\';
        out += c;
        break;
      case '<':
        out += "&lt;";
        break;
      case '\r':
        if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        out += "<br>";
        break;
      case '\n':
        out += "<br>";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A code span inside a table cell. Backslashes are literal in code spans, but GFM still splits
// cells on unescaped pipes, so only those are escaped; backticks in the text get a fence one
// longer than their longest run (CommonMark), so the text can never close the span.
std::string CellCode(std::string_view s) {
  std::string text;
  size_t run = 0, longest = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|')
      text += "\\|";
    else if (c == '\r' || c == '\n')
      text += ' ';
    else
      text += c;
  }
  if (longest == 0) return "`" + text + "`";
  const std::string fence(longest + 1, '`');
  return fence + " " + text + " " + fence;
}

// [label](url) only for an absolute http(s) URL whose characters can stand in a link
// destination as is; anything else (javascript:, data:, relative, spaces, parentheses) is
// rendered as escaped text, never as a link. `label` is trusted (ours).
std::string MarkdownLink(std::string_view label, std::string_view url) {
  auto starts = [&](std::string_view scheme) {
    if (url.size() < scheme.size()) return false;
    for (size_t i = 0; i < scheme.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
    return true;
  };
  bool ok = (starts("https://") || starts("http://")) &&
            url.find_first_of(" ()<>[]`|\\\"'\r\n\t") == std::string_view::npos;
  for (char c : url)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) ok = false;
  if (!ok) return std::string(label) + ": " + CellText(url);
  return "[" + std::string(label) + "](" + std::string(url) + ")";
}

std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

std::string Licence(const model::ServerJson& server) {
  if (!server.publisher_provided) return std::string(kNone);
  const bj::object& meta = *server.publisher_provided;
  if (const auto* v = meta.if_contains("license"); v && v->is_string() && !v->get_string().empty())
    return CellText(v->get_string());
  if (const auto* gh = meta.if_contains("github"); gh && gh->is_object()) {
    const auto* v = gh->get_object().if_contains("license");
    if (v && v->is_string() && !v->get_string().empty()) return CellText(v->get_string());
  }
  return std::string(kNone);
}

std::string_view Kind(const catalog::Entry& e) {
  if (e.has_packages && e.has_remotes) return "both";
  if (e.has_packages) return "local";
  if (e.has_remotes) return "remote";
  return kNone;
}

// The single server entry of an install config ({"servers":{name:{...}}}), or nullptr.
const bj::object* ServerEntry(const bj::object& install) {
  const auto* config = install.if_contains("config");
  if (config == nullptr || !config->is_object()) return nullptr;
  const auto* servers = config->get_object().if_contains("servers");
  if (servers == nullptr || !servers->is_object() || servers->get_object().empty()) return nullptr;
  const bj::value& entry = servers->get_object().begin()->value();
  return entry.is_object() ? &entry.get_object() : nullptr;
}

const bj::array* Prompts(const bj::object& install) {
  const auto* inputs = install.at("config").get_object().if_contains("inputs");
  return inputs != nullptr && inputs->is_array() && !inputs->get_array().empty()
             ? &inputs->get_array()
             : nullptr;
}

// ?name=<n>&config=<entry>[&inputs=<prompts>]: the query both vscode.dev links share.
std::string VsCodeQuery(const model::ServerJson& server) {
  auto install = BuildInstallConfig(server, InstallClient::kVsCode);
  if (!install.ok()) return "";
  const bj::object* entry = ServerEntry(*install);
  if (entry == nullptr) return "";
  std::string query =
      "?name=" + PercentEncode(server.name) + "&config=" + PercentEncode(ToJson(*entry));
  if (const bj::array* prompts = Prompts(*install))
    query += "&inputs=" + PercentEncode(ToJson(*prompts));
  return query;
}

// vsweb+mcp:/install?<{"name", ...entry, "inputs"?}>.
std::string VisualStudioUrl(const model::ServerJson& server) {
  auto install = BuildInstallConfig(server, InstallClient::kVisualStudio);
  if (!install.ok()) return "";
  const bj::object* entry = ServerEntry(*install);
  if (entry == nullptr) return "";
  bj::object link{{"name", server.name}};
  for (const auto& [k, v] : *entry) link[k] = v;
  if (const bj::array* prompts = Prompts(*install)) link["inputs"] = *prompts;
  return "vsweb+mcp:/install?" + PercentEncode(ToJson(link));
}

// The README's install cell: the bundle link, else the VS Code and Visual Studio links, else
// kNone. The vscode.dev https form (not vscode:), because GitHub's Markdown renderer drops links
// with the vscode: scheme.
std::string ReadmeInstallCell(const model::ServerJson& server) {
  const InstallLinkSet set = InstallLinks(server);
  std::vector<std::string> links;
  if (!set.bundle.empty()) {
    links.push_back(MarkdownLink("MCP bundle", set.bundle));
  } else {
    if (!set.vscode.empty()) links.push_back(MarkdownLink("VS Code", set.vscode));
    if (!set.visual_studio.empty()) links.push_back("[Visual Studio](" + set.visual_studio + ")");
  }
  if (links.empty()) return std::string(kNone);
  std::string out;
  for (size_t i = 0; i < links.size(); ++i) out += (i ? " · " : "") + links[i];
  return out;
}

std::string ReadmeRow(const catalog::Entry& e) {
  model::ServerJson server = ParseEntry(e);
  std::string row = "| ";
  if (!server.title.empty()) row += "**" + CellText(server.title) + "**<br>";
  row += CellCode(e.meta.name) + " | ";
  row += (server.description.empty() ? std::string(kNone) : CellText(server.description)) + " | ";
  row += CellText(e.meta.version) + " | ";
  row += std::string(Kind(e)) + " | ";
  row += Licence(server) + " | ";
  row += ReadmeInstallCell(server) + " |\n";
  return row;
}

// ---- Allowlist ----

// %XX escapes of unreserved characters decoded ("%41pi" -> "Api"); other escapes kept, so a
// decoded octet can never change where the host ends.
std::string DecodeUnreservedOctets(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = char(std::tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      char c = char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
          c == '~') {
        out += c;
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// `url` as Copilot compares server URLs: every {var} becomes `*` (runs of them one `*`),
// fragment dropped, scheme and host lowercased, trailing dots of the host and the scheme's
// default port dropped, %XX escapes of unreserved characters in the host decoded. Userinfo, path
// and query are kept as written. Something without "://" is only template-replaced.
std::string CanonicalUrl(std::string_view raw) {
  std::string url;
  for (size_t i = 0; i < raw.size();) {
    size_t close = raw[i] == '{' ? raw.find('}', i) : std::string_view::npos;
    if (close != std::string_view::npos) {
      if (url.empty() || url.back() != '*') url += '*';
      i = close + 1;
    } else {
      url += raw[i++];
    }
  }
  if (size_t hash = url.find('#'); hash != std::string::npos) url.resize(hash);
  size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  std::string scheme = url.substr(0, sep);
  for (char& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t auth_begin = sep + 3;
  size_t auth_end = url.find_first_of("/?", auth_begin);
  if (auth_end == std::string::npos) auth_end = url.size();
  std::string authority = url.substr(auth_begin, auth_end - auth_begin);
  std::string rest = url.substr(auth_end);

  std::string userinfo;
  if (size_t at = authority.rfind('@'); at != std::string::npos) {
    userinfo = authority.substr(0, at + 1);
    authority.erase(0, at + 1);
  }
  std::string host, port;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal: keep as is
    size_t close = authority.find(']');
    host = authority.substr(0, close == std::string::npos ? authority.size() : close + 1);
    if (close != std::string::npos && close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
    host = DecodeUnreservedOctets(host);
    while (!host.empty() && host.back() == '.') host.pop_back();
  }
  for (char& c : host) c = char(std::tolower(static_cast<unsigned char>(c)));
  if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) port.clear();
  return scheme + "://" + userinfo + host + (port.empty() ? "" : ":" + port) + rest;
}

class Matchers {
 public:
  void Name(std::string_view name) {
    std::string m;
    json::JsonOut(m).BeginObject().Key("serverName").String(name).EndObject();
    Add(std::move(m));
  }
  void Url(std::string_view url) {
    if (url.empty()) return;
    std::string m;
    json::JsonOut(m).BeginObject().Key("serverUrl").String(CanonicalUrl(url)).EndObject();
    Add(std::move(m));
  }
  // [command, args...] of a stdio entry from an install config.
  void Command(const bj::object& entry) {
    const auto* command = entry.if_contains("command");
    if (command == nullptr || !command->is_string()) return;
    std::string m;
    json::JsonOut w(m);
    w.BeginObject().Key("serverCommand").BeginArray().String(command->get_string());
    if (const auto* args = entry.if_contains("args"); args && args->is_array()) {
      for (const auto& a : args->get_array()) {
        if (a.is_string()) w.String(a.get_string());
      }
    }
    w.EndArray().EndObject();
    Add(std::move(m));
  }

  const std::vector<std::string>& list() const { return list_; }

 private:
  void Add(std::string m) {
    if (seen_.insert(m).second) list_.push_back(std::move(m));
  }
  std::set<std::string> seen_;
  std::vector<std::string> list_;
};

void AddPackage(const model::ServerJson& server, const model::Package& p, Matchers& out) {
  if (p.registry_type == "mcpb") return;  // installed as a bundle: nothing to match but the name
  const std::string& type = p.transport.type;
  if (type == "streamable-http" || type == "sse") {
    out.Url(p.transport.url);  // the client config holds the URL the package serves
    return;
  }
  // BuildInstallConfig configures the first package; give it a copy holding only this one.
  model::ServerJson one;
  one.name = server.name;
  one.version = server.version;
  one.packages.push_back(p);
  auto install = BuildInstallConfig(one, InstallClient::kVsCode);
  if (!install.ok()) return;
  if (const bj::object* entry = ServerEntry(*install)) out.Command(*entry);
}

// Writes `items` (pre-encoded JSON values) as an array, one per line.
void AppendLines(std::string& out, const std::vector<std::string_view>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\n" : "\n";
    out += items[i];
  }
  if (!items.empty()) out += '\n';
  out += ']';
}

}  // namespace

InstallLinkSet InstallLinks(const model::ServerJson& server) {
  InstallLinkSet set;
  // An MCPB package has no command to configure: the bundle itself is the link.
  if (!server.packages.empty() && server.packages.front().registry_type == "mcpb" &&
      server.packages.front().identifier.rfind("https://", 0) == 0) {
    set.bundle = server.packages.front().identifier;
    return set;
  }
  if (std::string query = VsCodeQuery(server); !query.empty()) {
    set.vscode = "https://vscode.dev/redirect/mcp/install" + query;
    set.vscode_insiders =
        "https://insiders.vscode.dev/redirect/mcp/install" + query + "&quality=insiders";
  }
  set.visual_studio = VisualStudioUrl(server);
  return set;
}

std::string ExportReadme(const std::vector<catalog::EntryPtr>& servers,
                         const ExportOptions& options) {
  std::string out = "# " + OneLine(options.title) + "\n\n";
  out += std::to_string(servers.size()) + " approved MCP server" +
         (servers.size() == 1 ? "" : "s") + ".";
  if (!options.registry_url.empty()) {
    out +=
        " To browse and install them in VS Code, set `chat.mcp.gallery.serviceUrl` (policy "
        "`McpGalleryServiceUrl`) to " +
        CellCode(OneLine(options.registry_url)) + ".";
  }
  out += "\n";
  if (servers.empty()) return out;
  out += "\n| Server | Description | Version | Type | Licence | Install |\n";
  out += "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& e : servers) {
    if (e != nullptr) out += ReadmeRow(*e);
  }
  return out;
}

std::string ExportAllowlist(const std::vector<catalog::EntryPtr>& servers) {
  Matchers matchers;
  for (const auto& e : servers) {
    if (e == nullptr) continue;
    model::ServerJson server = ParseEntry(*e);
    matchers.Name(e->meta.name);
    for (const auto& r : server.remotes) matchers.Url(r.url);
    for (const auto& p : server.packages) AddPackage(server, p, matchers);
  }
  std::vector<std::string_view> items(matchers.list().begin(), matchers.list().end());
  std::string out = "{\"allowedMcpServers\":";
  AppendLines(out, items);
  out += '}';
  return out;
}

std::string ExportCatalog(const std::vector<catalog::EntryPtr>& servers,
                          const ExportOptions& /*options*/) {
  std::vector<std::string_view> items;
  items.reserve(servers.size());
  for (const auto& e : servers) {
    if (e != nullptr) items.push_back(e->response_json);
  }
  std::string out = "{\"servers\":";
  AppendLines(out, items);
  out += ",\"metadata\":{\"count\":" + std::to_string(items.size()) + "}}";
  return out;
}

}  // namespace mcpreg::service
