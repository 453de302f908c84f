#include "mcp/server.h"

#include <algorithm>

#include "core/json_out.h"

namespace mcpreg::mcp {
namespace bj = boost::json;

std::string McpServer::ModernMetaJson(const Implementation& i) {
  bj::object info{{"name", i.name}, {"version", i.version}};
  if (!i.title.empty()) info["title"] = i.title;
  if (!i.description.empty()) info["description"] = i.description;
  std::string out;
  json::AppendValue(out, bj::object{{kMetaServerInfo, std::move(info)}});
  return out;
}

bool IsSupportedVersion(std::string_view version) {
  return std::find(std::begin(kSupportedVersions), std::end(kSupportedVersions), version) !=
         std::end(kSupportedVersions);
}

namespace {
template <typename T, typename Key>
void Upsert(std::vector<T>& v, T item, Key key) {
  for (auto& existing : v) {
    if (key(existing) == key(item)) {
      existing = std::move(item);
      return;
    }
  }
  v.push_back(std::move(item));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += char(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}
}  // namespace

void McpServer::AddTool(ToolDef tool) {
  Upsert(tools_, std::move(tool), [](const ToolDef& t) { return t.name; });
}
void McpServer::AddResource(ResourceDef resource) {
  Upsert(resources_, std::move(resource), [](const ResourceDef& r) { return r.info.uri; });
}
void McpServer::AddTemplate(TemplateDef tmpl) {
  Upsert(templates_, std::move(tmpl), [](const TemplateDef& t) { return t.uri_template; });
}
void McpServer::AddPrompt(PromptDef prompt) {
  Upsert(prompts_, std::move(prompt), [](const PromptDef& p) { return p.name; });
}

const ToolDef* McpServer::FindTool(std::string_view name) const {
  for (const auto& t : tools_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}
const ResourceDef* McpServer::FindResource(std::string_view uri) const {
  for (const auto& r : resources_) {
    if (r.info.uri == uri) return &r;
  }
  return nullptr;
}
const PromptDef* McpServer::FindPrompt(std::string_view name) const {
  for (const auto& p : prompts_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const TemplateDef* McpServer::MatchTemplate(std::string_view uri,
                                            std::map<std::string, std::string>* vars) const {
  for (const auto& t : templates_) {
    vars->clear();
    if (MatchUriTemplate(t.uri_template, uri, vars)) return &t;
  }
  vars->clear();
  return nullptr;
}

bj::object McpServer::Capabilities(bool modern) const {
  auto listed = [modern] { return modern ? bj::object{} : bj::object{{"listChanged", true}}; };
  bj::object caps;
  if (!tools_.empty()) caps["tools"] = listed();
  if (!resources_.empty() || !templates_.empty()) {
    caps["resources"] = events_->enabled() ? bj::object{{"subscribe", true}, {"listChanged", true}}
                                          : bj::object{};
  }
  if (!prompts_.empty()) caps["prompts"] = listed();
  caps["logging"] = bj::object{};
  caps["completions"] = bj::object{};
  return caps;
}

bool MatchUriTemplate(std::string_view tmpl, std::string_view uri,
                      std::map<std::string, std::string>* vars) {
  size_t t = 0, u = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] != '{') {
      size_t brace = tmpl.find('{', t);
      std::string_view literal =
          tmpl.substr(t, brace == std::string_view::npos ? brace : brace - t);
      if (uri.substr(u, literal.size()) != literal) return false;
      t += literal.size();
      u += literal.size();
      continue;
    }
    size_t close = tmpl.find('}', t);
    if (close == std::string_view::npos) return false;
    std::string name(tmpl.substr(t + 1, close - t - 1));
    t = close + 1;
    size_t end;
    if (t == tmpl.size()) {
      end = uri.size();
    } else {
      size_t brace = tmpl.find('{', t);
      std::string_view next = tmpl.substr(t, brace == std::string_view::npos ? brace : brace - t);
      end = uri.find(next, u);
      if (end == std::string_view::npos) return false;
    }
    if (end == u) return false;
    (*vars)[name] = PercentDecode(uri.substr(u, end - u));
    u = end;
  }
  return u == uri.size();
}

bj::object TextToolResult(std::string_view text, bool is_error) {
  bj::object r;
  r["content"] = bj::array{bj::object{{"type", "text"}, {"text", text}}};
  if (is_error) r["isError"] = true;
  return r;
}

bj::object StructuredToolResult(bj::value structured) {
  std::string text;
  json::AppendValue(text, structured);
  bj::object r = TextToolResult(text);
  r["structuredContent"] = std::move(structured);
  return r;
}

bj::object RawStructuredToolResult(std::string json_object) {
  bj::object r;
  r[kTextCopyKey] = nullptr;  // "content", written from the raw text by EncodeResult
  r[kRawStructuredKey] = bj::string(std::move(json_object));
  return r;
}

}  // namespace mcpreg::mcp
