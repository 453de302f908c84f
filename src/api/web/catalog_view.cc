#include "api/web/catalog_view.h"

#include <array>
#include <boost/json.hpp>
#include <cctype>

#include "api/web/html.h"
#include "core/json_out.h"
#include "mcpreg/clock.h"
#include "model/server_json.h"
#include "service/exports.h"
#include "service/install_config.h"

namespace mcpreg::web {
namespace bj = boost::json;
namespace {

// The registry types the "Package type" select offers (the MCP tools' list).
constexpr std::array<std::string_view, 5> kRegistryTypes = {"npm", "pypi", "oci", "nuget", "mcpb"};

void Append(std::string& out, std::initializer_list<std::string_view> parts) {
  for (auto p : parts) out += p;
}

// YYYY-MM-DD in a <time> carrying the full RFC 3339 instant.
std::string Date(Micros t) {
  std::string full = FormatRfc3339(t);
  std::string out = "<time datetime=\"" + Esc(full) + "\">";
  AppendEsc(out, std::string_view(full).substr(0, 10));
  out += "</time>";
  return out;
}

std::string StatusBadge(VersionStatus s) {
  switch (s) {
    case VersionStatus::kActive:
      return "<span class=\"badge active\">Active</span>";
    case VersionStatus::kDeprecated:
      return "<span class=\"badge deprecated\">Deprecated</span>";
    case VersionStatus::kDeleted:
      return "<span class=\"badge deleted\">Deleted</span>";
  }
  return "";
}

std::string ServerHref(std::string_view name) { return "/servers/" + UrlComponent(name); }
std::string VersionHref(std::string_view name, std::string_view version) {
  return ServerHref(name) + "/versions/" + UrlComponent(version);
}

void AppendPretty(std::string& out, const bj::value& v, int depth) {
  auto indent = [&](int d) { out.append(size_t(d) * 2, ' '); };
  if (v.is_object()) {
    const bj::object& o = v.get_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (const auto& [k, val] : o) {
      indent(depth + 1);
      json::AppendString(out, k);
      out += ": ";
      AppendPretty(out, val, depth + 1);
      out += ++i < o.size() ? ",\n" : "\n";
    }
    indent(depth);
    out += '}';
  } else if (v.is_array()) {
    const bj::array& a = v.get_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < a.size(); ++i) {
      indent(depth + 1);
      AppendPretty(out, a[i], depth + 1);
      out += i + 1 < a.size() ? ",\n" : "\n";
    }
    indent(depth);
    out += ']';
  } else {
    json::AppendValue(out, v);
  }
}

// ---- catalog ----

void AppendResult(std::string& out, const catalog::Entry& e) {
  const auto& m = e.meta;
  out += "<li class=\"result\" data-name=\"";
  AppendEsc(out, m.name);
  out += "\"><h3><a href=\"";
  out += ServerHref(m.name);
  out += "\">";
  AppendEsc(out, e.title.empty() ? std::string_view(m.name) : std::string_view(e.title));
  out += "</a></h3>";
  if (!e.title.empty()) {
    out += "<p class=\"name\"><code>";
    AppendEsc(out, m.name);
    out += "</code></p>";
  }
  if (!e.description.empty()) {
    out += "<p class=\"desc\">";
    AppendEsc(out, e.description);
    out += "</p>";
  }
  out += "<p class=\"meta\"><span class=\"version\">Latest version <span class=\"v\">";
  AppendEsc(out, m.version);
  out += "</span></span>";
  if (e.has_remotes) out += " <span class=\"badge remote\">Remote</span>";
  if (e.has_packages) out += " <span class=\"badge local\">Local</span>";
  if (m.status != VersionStatus::kActive) out += " " + StatusBadge(m.status);
  out += "</p></li>";
}

void AppendCheckbox(std::string& out, std::string_view name, std::string_view value,
                    std::string_view id, std::string_view label, bool checked) {
  Append(out, {"<label class=\"check\" for=\"", id, "\"><input type=\"checkbox\" id=\"", id,
               "\" name=\"", name, "\" value=\"", value, "\"", checked ? " checked" : "", "> ",
               label, "</label>"});
}

// ---- server page ----

struct Supply {           // one value the user supplies
  std::string_view kind;  // "Environment variable", "Header", "Argument", "URL variable"
  std::string name;
  const model::Input* input;
};

void CollectArgs(const std::vector<model::Argument>& args, std::vector<Supply>& out) {
  for (const auto& a : args) {
    if (!a.value.empty() && a.variables.empty()) continue;  // fixed: nothing to supply
    std::string name = !a.name.empty() ? a.name : !a.value_hint.empty() ? a.value_hint : a.value;
    out.push_back({"Argument", std::move(name), &a});
  }
}

void CollectKeyValues(std::string_view kind, const std::vector<model::KeyValueInput>& kvs,
                      std::vector<Supply>& out) {
  for (const auto& kv : kvs) out.push_back({kind, kv.name, &kv});
}

void AppendSupplyTable(std::string& out, const std::vector<Supply>& rows) {
  if (rows.empty()) return;
  out +=
      "<table class=\"inputs\"><caption>What you supply</caption><thead><tr>"
      "<th scope=\"col\">Name</th><th scope=\"col\">Kind</th>"
      "<th scope=\"col\">Description</th><th scope=\"col\">Required</th>"
      "<th scope=\"col\">Secret</th></tr></thead><tbody>";
  for (const auto& r : rows) {
    out += "<tr><td><code>";
    AppendEsc(out, r.name);
    out += "</code></td><td>";
    out += r.kind;
    out += "</td><td>";
    AppendEsc(out, r.input->description);
    if (!r.input->value.empty()) {
      out += " <span class=\"hint\">(value: <code>";
      AppendEsc(out, r.input->value);
      out += "</code>)</span>";
    } else if (!r.input->default_value.empty()) {
      out += " <span class=\"hint\">(default: <code>";
      AppendEsc(out, r.input->default_value);
      out += "</code>)</span>";
    }
    out += "</td><td>";
    out += r.input->is_required ? "Yes" : "No";
    out += "</td><td>";
    out += r.input->is_secret ? "Yes" : "No";
    out += "</td></tr>";
  }
  out += "</tbody></table>";
}

void AppendFact(std::string& out, std::string_view term, std::string_view html_value) {
  Append(out, {"<dt>", term, "</dt><dd>", html_value, "</dd>"});
}

void AppendPackages(std::string& out, const model::ServerJson& s) {
  if (s.packages.empty()) return;
  out += "<section aria-labelledby=\"packages-h\"><h2 id=\"packages-h\">Packages</h2>";
  for (const auto& p : s.packages) {
    out += "<article class=\"card\"><h3><code>";
    AppendEsc(out, p.identifier);
    out += "</code></h3><dl class=\"facts\">";
    AppendFact(out, "Registry type", Esc(p.registry_type));
    AppendFact(out, "Identifier", "<code>" + Esc(p.identifier) + "</code>");
    if (!p.version.empty()) AppendFact(out, "Version", Esc(p.version));
    if (!p.transport.type.empty()) AppendFact(out, "Transport", Esc(p.transport.type));
    if (!p.transport.url.empty())
      AppendFact(out, "URL", "<code>" + Esc(p.transport.url) + "</code>");
    if (!p.runtime_hint.empty()) AppendFact(out, "Runtime", Esc(p.runtime_hint));
    out += "</dl>";
    std::vector<Supply> rows;
    CollectKeyValues("Environment variable", p.environment_variables, rows);
    CollectArgs(p.runtime_arguments, rows);
    CollectArgs(p.package_arguments, rows);
    CollectKeyValues("Header", p.transport.headers, rows);
    AppendSupplyTable(out, rows);
    out += "</article>";
  }
  out += "</section>";
}

void AppendRemotes(std::string& out, const model::ServerJson& s) {
  if (s.remotes.empty()) return;
  out += "<section aria-labelledby=\"remotes-h\"><h2 id=\"remotes-h\">Remotes</h2>";
  for (const auto& r : s.remotes) {
    out += "<article class=\"card\"><h3><code>";
    AppendEsc(out, r.url);
    out += "</code></h3><dl class=\"facts\">";
    AppendFact(out, "Type", Esc(r.type));
    AppendFact(out, "URL", "<code>" + Esc(r.url) + "</code>");
    out += "</dl>";
    std::vector<Supply> rows;
    CollectKeyValues("Header", r.headers, rows);
    for (const auto& [name, input] : r.variables) rows.push_back({"URL variable", name, &input});
    AppendSupplyTable(out, rows);
    out += "</article>";
  }
  out += "</section>";
}

// One copyable snippet: the `config` of the install config for `client`.
void AppendSnippet(std::string& out, const model::ServerJson& s, service::InstallClient client,
                   std::string_view id, std::string_view heading, std::string_view file) {
  auto install = service::BuildInstallConfig(s, client);
  if (!install.ok()) return;
  const bj::value* config = install->if_contains("config");
  if (config == nullptr) return;
  Append(out, {"<div class=\"snippet\"><div class=\"snippet-head\"><h3 id=\"", id, "-h\">", heading,
               " <code>", file, "</code></h3>",
               "<button type=\"button\" class=\"copy\" hidden data-copy=\"", id,
               "\" aria-label=\"Copy ", file, "\">Copy</button></div><pre><code id=\"", id,
               "\" data-snippet=\"", client == service::InstallClient::kClaude ? "claude" : "vscode",
               "\">"});
  AppendEsc(out, PrettyJson(*config));
  out += "</code></pre></div>";
}

void AppendInstall(std::string& out, const model::ServerJson& s) {
  out += "<section aria-labelledby=\"install-h\"><h2 id=\"install-h\">Install</h2>";
  const service::InstallLinkSet links = service::InstallLinks(s);
  auto link = [&](std::string_view url, std::string_view cls, std::string_view label) {
    if (url.empty()) return;
    Append(out, {"<li><a class=\"button ", cls, "\" href=\""});
    AppendEsc(out, url);
    Append(out, {"\">", label, "</a></li>"});
  };
  if (!links.bundle.empty()) {
    out += "<ul class=\"install\">";
    link(SafeHref(links.bundle).empty() ? "" : links.bundle, "bundle", "Download the MCP bundle");
    out += "</ul>";
  } else if (!links.vscode.empty() || !links.visual_studio.empty()) {
    out += "<ul class=\"install\">";
    link(links.vscode, "vscode", "Install in VS Code");
    link(links.vscode_insiders, "vscode-insiders", "Install in VS Code Insiders");
    link(links.visual_studio, "visualstudio", "Install in Visual Studio");
    out += "</ul>";
  }
  if (s.packages.empty() && s.remotes.empty()) {
    out += "<p>This server lists neither packages nor remotes: there is nothing to install.</p>";
  } else {
    AppendSnippet(out, s, service::InstallClient::kVsCode, "snippet-vscode", "VS Code", "mcp.json");
    AppendSnippet(out, s, service::InstallClient::kClaude, "snippet-claude", "Claude Desktop",
                  "claude_desktop_config.json");
    out += "<p class=\"hint\" role=\"status\" id=\"copy-status\"></p>";
  }
  out += "</section>";
}

// `current`: the version whose page this is (marked aria-current), or nullptr.
void AppendVersions(std::string& out, const std::vector<catalog::EntryPtr>& versions,
                    const catalog::Entry* current) {
  if (versions.empty()) return;
  out +=
      "<section aria-labelledby=\"versions-h\"><h2 id=\"versions-h\">Versions</h2>"
      "<table class=\"versions\"><thead><tr><th scope=\"col\">Version</th>"
      "<th scope=\"col\">Status</th><th scope=\"col\">Published</th>"
      "<th scope=\"col\">Updated</th></tr></thead><tbody>";
  for (const auto& v : versions) {
    const auto& m = v->meta;
    out += "<tr><td><a href=\"" + VersionHref(m.name, m.version) + "\"";
    if (v.get() == current) out += " aria-current=\"page\"";
    out += ">";
    AppendEsc(out, m.version);
    out += "</a>";
    if (v->serve_latest.load(std::memory_order_relaxed))
      out += " <span class=\"badge latest\">Latest</span>";
    out += "</td><td>" + StatusBadge(m.status) + "</td><td>" + Date(m.published_at) + "</td><td>" +
           Date(m.updated_at) + "</td></tr>";
  }
  out += "</tbody></table></section>";
}

// The first icon an img may load, or a letter placeholder.
void AppendIcon(std::string& out, const model::ServerJson& s, std::string_view label) {
  for (const auto& icon : s.icons) {
    std::string src = SafeImageSrc(icon.src);
    if (src.empty()) continue;
    out += "<img class=\"icon\" src=\"" + src + "\" alt=\"\" width=\"48\" height=\"48\">";
    return;
  }
  // The first character (a whole UTF-8 sequence) of the label, uppercased when ASCII.
  std::string letter;
  for (size_t i = 0; i < label.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(label[i]);
    if (letter.empty() && !std::isalnum(c) && c < 0x80) continue;
    if (!letter.empty() && (c & 0xC0) != 0x80) break;
    letter += letter.empty() && c < 0x80 ? char(std::toupper(c)) : char(c);
  }
  out += "<span class=\"icon placeholder\" aria-hidden=\"true\">" +
         Esc(letter.empty() ? "?" : letter) + "</span>";
}

}  // namespace

CatalogQuery ParseCatalogQuery(std::string_view raw_query) {
  CatalogQuery q;
  q.search = FormValue(raw_query, "search").value_or("");
  for (const auto& t : FormValues(raw_query, "transport")) {
    if (t == "remote") q.remote = true;
    if (t == "local") q.local = true;
  }
  q.registry_type = FormValue(raw_query, "registry_type").value_or("");
  q.include_deprecated = FormValue(raw_query, "include_deprecated").value_or("") == "true";
  q.cursor = FormValue(raw_query, "cursor").value_or("");
  return q;
}

catalog::ListQuery ToListQuery(const CatalogQuery& q, size_t limit) {
  // As ListServers (api/rest/servers_handler.cc) builds it for the same query string.
  catalog::ListQuery lq;
  lq.limit = limit;
  lq.latest_only = true;
  lq.search = q.search;
  if (q.remote != q.local)
    lq.transport = q.remote ? catalog::TransportFilter::kRemote : catalog::TransportFilter::kLocal;
  lq.registry_type = q.registry_type;
  if (!q.include_deprecated) lq.status = VersionStatus::kActive;
  if (!q.cursor.empty()) {
    auto colon = q.cursor.find(':');
    if (colon == std::string::npos) {
      lq.cursor_name_only = q.cursor;
    } else {
      lq.cursor = std::make_pair(q.cursor.substr(0, colon), q.cursor.substr(colon + 1));
    }
  }
  return lq;
}

std::string CatalogUrl(const CatalogQuery& q, std::string_view cursor) {
  std::string qs;
  auto add = [&](std::string_view k, std::string_view v) {
    qs += qs.empty() ? "?" : "&";
    qs += k;
    qs += '=';
    qs += UrlComponent(v);
  };
  if (!q.search.empty()) add("search", q.search);
  if (q.remote) add("transport", "remote");
  if (q.local) add("transport", "local");
  if (!q.registry_type.empty()) add("registry_type", q.registry_type);
  if (q.include_deprecated) add("include_deprecated", "true");
  if (!cursor.empty()) add("cursor", cursor);
  return "/" + qs;
}

std::string CatalogTitle(const CatalogQuery& q) {
  return q.search.empty() ? "MCP servers" : "MCP servers: " + q.search;
}

std::string RenderCatalog(const CatalogQuery& q, const service::ListResult& page) {
  std::string out;
  out.reserve(4096 + page.items.size() * 600);
  out +=
      "<h1>MCP servers</h1>"
      "<form class=\"search\" id=\"catalog-form\" method=\"get\" action=\"/\" role=\"search\">"
      "<div class=\"field\"><label for=\"search\">Search</label>"
      "<input type=\"search\" id=\"search\" name=\"search\" autocomplete=\"off\" "
      "aria-describedby=\"search-hint\" value=\"";
  AppendEsc(out, q.search);
  out +=
      "\"><p class=\"hint\" id=\"search-hint\">Every word must appear in the name, title or "
      "description.</p></div><fieldset class=\"filters\"><legend>Filters</legend>";
  AppendCheckbox(out, "transport", "remote", "f-remote", "Remote", q.remote);
  AppendCheckbox(out, "transport", "local", "f-local", "Local", q.local);
  out +=
      "<span class=\"field inline\"><label for=\"registry_type\">Package type</label>"
      "<select id=\"registry_type\" name=\"registry_type\"><option value=\"\"";
  out += q.registry_type.empty() ? " selected" : "";
  out += ">Any</option>";
  bool known = q.registry_type.empty();
  for (auto t : kRegistryTypes) {
    bool sel = q.registry_type == t;
    known = known || sel;
    Append(out, {"<option value=\"", t, "\"", sel ? " selected" : "", ">", t, "</option>"});
  }
  if (!known) {  // a type from a shared URL: keep it selected so the form round-trips
    out += "<option selected value=\"" + Esc(q.registry_type) + "\">" + Esc(q.registry_type) +
           "</option>";
  }
  out += "</select></span>";
  AppendCheckbox(out, "include_deprecated", "true", "f-deprecated", "Include deprecated",
                 q.include_deprecated);
  out += "</fieldset><button type=\"submit\">Show results</button></form>";

  out +=
      "<section id=\"results\" aria-live=\"polite\" aria-labelledby=\"results-count\">"
      "<h2 id=\"results-count\" class=\"count\">";
  const size_t n = page.items.size();
  if (n == 0) {
    out += q.cursor.empty() ? "No servers match." : "No more servers.";
  } else {
    out += std::to_string(n) + (n == 1 ? " server" : " servers");
    out += page.next_cursor ? " shown, more on the next page."
                            : (q.cursor.empty() ? " found." : " shown.");
  }
  out += "</h2>";
  if (n > 0) {
    out += "<ol class=\"results\">";
    for (const auto& e : page.items) AppendResult(out, *e);
    out += "</ol>";
  }
  if (!q.cursor.empty() || page.next_cursor) {
    out += "<nav class=\"pager\" aria-label=\"Pages\">";
    if (!q.cursor.empty()) out += "<a href=\"" + Esc(CatalogUrl(q, "")) + "\">First page</a>";
    if (page.next_cursor)
      out += "<a rel=\"next\" href=\"" + Esc(CatalogUrl(q, *page.next_cursor)) + "\">Next</a>";
    out += "</nav>";
  }
  out += "</section>";
  return out;
}

std::string RenderServer(const catalog::EntryPtr& shown,
                         const std::vector<catalog::EntryPtr>& versions, bool version_page) {
  const catalog::Entry& e = *shown;
  const auto& m = e.meta;
  auto parsed = model::ParseServerJson(e.server_json);
  model::ServerJson s;
  if (parsed.ok()) s = std::move(parsed.value());
  if (s.name.empty()) s.name = m.name;
  if (s.version.empty()) s.version = m.version;
  const std::string& label = s.title.empty() ? m.name : s.title;
  const bool latest = e.serve_latest.load(std::memory_order_relaxed);

  std::string out;
  out.reserve(8192);
  out += "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"/\">Catalog</a> › ";
  if (version_page) {
    out += "<a href=\"" + ServerHref(m.name) + "\">";
    AppendEsc(out, m.name);
    out += "</a> › <span aria-current=\"page\">";
    AppendEsc(out, m.version);
    out += "</span>";
  } else {
    out += "<span aria-current=\"page\">";
    AppendEsc(out, m.name);
    out += "</span>";
  }
  out += "</nav><div class=\"server-head\">";
  AppendIcon(out, s, label);
  out += "<div><h1>";
  AppendEsc(out, label);
  if (version_page) out += " <span class=\"v\">" + Esc(m.version) + "</span>";
  out += "</h1><p class=\"name\"><code>";
  AppendEsc(out, m.name);
  out += "</code>";
  if (m.status != VersionStatus::kActive) out += " " + StatusBadge(m.status);
  out += "</p></div></div>";
  if (m.status == VersionStatus::kDeprecated) {
    out += "<div class=\"notice warning\" role=\"note\"><strong>";
    out += version_page ? "This version is deprecated." : "This server is deprecated.";
    out += "</strong>";
    if (m.status_message && !m.status_message->empty()) {
      out += " ";
      AppendEsc(out, *m.status_message);
    }
    out += "</div>";
  }
  if (version_page && !latest) {
    out += "<p class=\"notice\">This is not the latest version. <a href=\"" + ServerHref(m.name) +
           "\">See the latest version</a>.</p>";
  }
  if (!s.description.empty()) {
    out += "<p class=\"desc\">";
    AppendEsc(out, s.description);
    out += "</p>";
  }
  out += "<dl class=\"facts\">";
  AppendFact(out, version_page ? "Version" : "Latest version", Esc(m.version));
  AppendFact(out, "Status", StatusBadge(m.status));
  AppendFact(out, "Published", Date(m.published_at));
  AppendFact(out, "Updated", Date(m.updated_at));
  if (s.repository) {
    std::string href = SafeHref(s.repository->url);
    std::string text = Esc(s.repository->url);
    if (!s.repository->subfolder.empty()) text += " (" + Esc(s.repository->subfolder) + ")";
    if (!href.empty())
      AppendFact(out, "Repository", "<a href=\"" + href + "\">" + text + "</a>");
    else if (!s.repository->url.empty())
      AppendFact(out, "Repository", text);
  }
  if (!s.website_url.empty()) {
    std::string href = SafeHref(s.website_url);
    AppendFact(out, "Website",
               href.empty() ? Esc(s.website_url)
                            : "<a href=\"" + href + "\">" + Esc(s.website_url) + "</a>");
  }
  out += "</dl>";
  if (!parsed.ok()) {
    out += "<p class=\"error\">This version's server.json could not be read: ";
    AppendEsc(out, parsed.status().message());
    out += "</p>";
  }
  AppendInstall(out, s);
  AppendPackages(out, s);
  AppendRemotes(out, s);
  AppendVersions(out, versions, version_page ? &e : nullptr);
  return out;
}

std::string PrettyJson(const bj::value& v) {
  std::string out;
  AppendPretty(out, v, 0);
  return out;
}

std::string SafeImageSrc(std::string_view src) {
  auto starts = [&](std::string_view p) {
    if (src.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(src[i])) != p[i]) return false;
    return true;
  };
  constexpr size_t kMaxDataUrl = 128 * 1024;
  if (!starts("data:image/") || src.size() > kMaxDataUrl) return "";
  for (unsigned char c : src)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>') return "";
  return Esc(src);
}

}  // namespace mcpreg::web
