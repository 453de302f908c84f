#include "mcp/methods.h"

#include <charconv>

#include "mcp/session.h"

namespace mcpreg::mcp {
namespace bj = boost::json;
namespace {

std::string_view Str(const bj::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return v->as_string();
  return {};
}

// Cursors are opaque to clients; ours is "o" + the decimal offset of the next page.
struct Page {
  size_t begin = 0, end = 0;
  std::optional<std::string> next;
};

std::optional<Page> Paginate(const bj::object& params, size_t total, size_t page_size) {
  Page p;
  if (auto* c = params.if_contains("cursor"); c && !c->is_null()) {
    if (!c->is_string()) return std::nullopt;
    std::string_view s = c->as_string();
    if (s.size() < 2 || s[0] != 'o') return std::nullopt;
    auto [ptr, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), p.begin);
    if (ec != std::errc() || ptr != s.data() + s.size() || p.begin > total) return std::nullopt;
  }
  p.end = std::min(total, p.begin + std::max<size_t>(page_size, 1));
  if (p.end < total) p.next = "o" + std::to_string(p.end);
  return p;
}

Reply BadCursor() { return Reply::Error(kInvalidParams, "Invalid params: invalid cursor"); }

void PutIf(bj::object& o, std::string_view key, const std::string& v) {
  if (!v.empty()) o[key] = v;
}

bj::object ResourceJson(const ResourceInfo& r) {
  bj::object o{{"uri", r.uri}, {"name", r.name}};
  PutIf(o, "title", r.title);
  PutIf(o, "description", r.description);
  PutIf(o, "mimeType", r.mime_type);
  return o;
}

template <typename Fn>
Reply ListPage(const bj::object& params, size_t total, size_t page_size, std::string_view key,
               Fn item) {
  auto page = Paginate(params, total, page_size);
  if (!page) return BadCursor();
  bj::array items;
  items.reserve(page->end - page->begin);
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(item(i));
  bj::object r;
  r[key] = std::move(items);
  if (page->next) r["nextCursor"] = *page->next;
  return Reply::Ok(std::move(r));
}

bool TypeMatches(std::string_view type, const bj::value& v) {
  if (type == "string") return v.is_string();
  if (type == "integer") {
    return v.is_int64() || v.is_uint64() || (v.is_double() && v.as_double() == double(int64_t(v.as_double())));
  }
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return true;  // unknown keyword: don't second-guess
}

}  // namespace

Status CheckArguments(const bj::object& schema, const bj::object& args) {
  const bj::object* props = nullptr;
  if (auto* p = schema.if_contains("properties"); p && p->is_object()) props = &p->as_object();
  if (auto* req = schema.if_contains("required"); req && req->is_array()) {
    for (const auto& r : req->as_array()) {
      if (r.is_string() && !args.contains(r.as_string())) {
        return Status::InvalidArgument("missing required argument \"" +
                                       std::string(r.as_string()) + "\"");
      }
    }
  }
  auto* extra = schema.if_contains("additionalProperties");
  bool closed = extra && extra->is_bool() && !extra->as_bool();
  for (const auto& [name, value] : args) {
    const bj::value* prop = props ? props->if_contains(name) : nullptr;
    if (!prop) {
      if (closed) return Status::InvalidArgument("unknown argument \"" + std::string(name) + "\"");
      continue;
    }
    if (!prop->is_object()) continue;
    const bj::value* type = prop->as_object().if_contains("type");
    if (!type) continue;
    bool ok = false;
    if (type->is_string()) {
      ok = TypeMatches(type->as_string(), value);
    } else if (type->is_array()) {
      for (const auto& t : type->as_array()) ok = ok || (t.is_string() && TypeMatches(t.as_string(), value));
    } else {
      ok = true;
    }
    if (!ok) return Status::InvalidArgument("argument \"" + std::string(name) + "\" has the wrong type");
    if (auto* en = prop->as_object().if_contains("enum"); en && en->is_array()) {
      bool found = false;
      for (const auto& e : en->as_array()) found = found || e == value;
      if (!found) {
        return Status::InvalidArgument("argument \"" + std::string(name) +
                                       "\" is not one of the allowed values");
      }
    }
  }
  return Status::OK();
}

Reply ListTools(const McpServer& server, const bj::object& params) {
  const auto& tools = server.tools();
  return ListPage(params, tools.size(), server.options().page_size, "tools", [&](size_t i) {
    const ToolDef& t = tools[i];
    bj::object o{{"name", t.name}};
    PutIf(o, "title", t.title);
    PutIf(o, "description", t.description);
    o["inputSchema"] = t.input_schema;
    if (!t.output_schema.empty()) o["outputSchema"] = t.output_schema;
    if (!t.annotations.empty()) o["annotations"] = t.annotations;
    return o;
  });
}

Reply ListResources(const McpServer& server, const bj::object& params) {
  // Static resources first, then each template's listable instances, in registration order.
  std::vector<ResourceInfo> all;
  for (const auto& r : server.resources()) all.push_back(r.info);
  for (const auto& t : server.templates()) {
    if (!t.list) continue;
    for (auto& info : t.list()) all.push_back(std::move(info));
  }
  return ListPage(params, all.size(), server.options().page_size, "resources",
                  [&](size_t i) { return ResourceJson(all[i]); });
}

Reply ListTemplates(const McpServer& server, const bj::object& params) {
  const auto& templates = server.templates();
  return ListPage(params, templates.size(), server.options().page_size, "resourceTemplates",
                  [&](size_t i) {
                    const TemplateDef& t = templates[i];
                    bj::object o{{"uriTemplate", t.uri_template}, {"name", t.name}};
                    PutIf(o, "title", t.title);
                    PutIf(o, "description", t.description);
                    PutIf(o, "mimeType", t.mime_type);
                    return o;
                  });
}

Reply ReadResource(const McpServer& server, const bj::object& params) {
  std::string_view uri = Str(params, "uri");
  if (uri.empty()) return Reply::Error(kInvalidParams, "Invalid params: \"uri\" is required");
  Result<bj::array> contents = Status::NotFound("Resource not found");
  if (const ResourceDef* r = server.FindResource(uri)) {
    contents = r->read(uri);
  } else {
    std::map<std::string, std::string> vars;
    if (const TemplateDef* t = server.MatchTemplate(uri, &vars)) contents = t->read(uri, vars);
  }
  if (!contents.ok()) {
    const Status& st = contents.status();
    int code = st.IsNotFound() ? kResourceNotFound : JsonRpcCodeFor(st.code());
    return Reply::Error(code, st.message(), bj::object{{"uri", uri}});
  }
  return Reply::Ok(bj::object{{"contents", std::move(contents).value()}});
}

Reply ListPrompts(const McpServer& server, const bj::object& params) {
  const auto& prompts = server.prompts();
  return ListPage(params, prompts.size(), server.options().page_size, "prompts", [&](size_t i) {
    const PromptDef& p = prompts[i];
    bj::object o{{"name", p.name}};
    PutIf(o, "title", p.title);
    PutIf(o, "description", p.description);
    bj::array args;
    for (const auto& a : p.arguments) {
      bj::object ao{{"name", a.name}};
      PutIf(ao, "description", a.description);
      ao["required"] = a.required;
      args.push_back(std::move(ao));
    }
    o["arguments"] = std::move(args);
    return o;
  });
}

Reply GetPrompt(const McpServer& server, const bj::object& params, RequestContext& ctx) {
  std::string_view name = Str(params, "name");
  const PromptDef* p = server.FindPrompt(name);
  if (!p) return Reply::Error(kInvalidParams, "Invalid params: unknown prompt \"" + std::string(name) + "\"");
  std::map<std::string, std::string> args;
  if (auto* a = params.if_contains("arguments"); a && a->is_object()) {
    for (const auto& [k, v] : a->as_object()) {
      if (!v.is_string()) {
        return Reply::Error(kInvalidParams, "Invalid params: prompt argument \"" + std::string(k) +
                                                "\" must be a string");
      }
      args[std::string(k)] = std::string(v.as_string());
    }
  }
  for (const auto& a : p->arguments) {
    if (a.required && !args.count(a.name)) {
      return Reply::Error(kInvalidParams,
                          "Invalid params: missing required argument \"" + a.name + "\"");
    }
  }
  auto r = p->get(args, ctx);
  if (!r.ok()) return Reply::Error(JsonRpcCodeFor(r.status().code()), r.status().message());
  return Reply::Ok(std::move(r).value());
}

Reply Complete(const McpServer& server, const bj::object& params) {
  const bj::value* ref = params.if_contains("ref");
  const bj::value* arg = params.if_contains("argument");
  if (!ref || !ref->is_object() || !arg || !arg->is_object()) {
    return Reply::Error(kInvalidParams, "Invalid params: \"ref\" and \"argument\" are required");
  }
  bj::object context_args;
  if (auto* c = params.if_contains("context"); c && c->is_object()) {
    if (auto* a = c->as_object().if_contains("arguments"); a && a->is_object()) {
      context_args = a->as_object();
    }
  }
  std::vector<std::string> values;
  if (server.completion()) {
    auto r = server.completion()(ref->as_object(), Str(arg->as_object(), "name"),
                                 Str(arg->as_object(), "value"), context_args);
    if (!r.ok()) return Reply::Error(JsonRpcCodeFor(r.status().code()), r.status().message());
    values = std::move(r).value();
  }
  constexpr size_t kMaxValues = 100;
  bj::array arr;
  for (size_t i = 0; i < values.size() && i < kMaxValues; ++i) arr.push_back(bj::string(values[i]));
  bj::object completion{{"values", std::move(arr)}, {"total", values.size()},
                        {"hasMore", values.size() > kMaxValues}};
  return Reply::Ok(bj::object{{"completion", std::move(completion)}});
}

Reply RunTool(const ToolDef& tool, const bj::object& arguments, RequestContext& ctx) {
  Status st = CheckArguments(tool.input_schema, arguments);
  if (!st.ok()) {
    return Reply::Ok(TextToolResult("Invalid arguments for tool " + tool.name + ": " + st.message(), true));
  }
  auto r = tool.handler(arguments, ctx);
  if (!r.ok()) return Reply::Ok(TextToolResult(r.status().message(), true));
  return Reply::Ok(std::move(r).value());
}

}  // namespace mcpreg::mcp
