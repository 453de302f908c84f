#include "mcp/jsonrpc.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <cstring>

#include "core/json_out.h"

namespace mcpreg::mcp {
namespace {

namespace bj = boost::json;

ParseFailure Fail(int code, std::string message, bj::value id = nullptr) {
  return ParseFailure{RpcError{code, std::move(message), nullptr}, std::move(id)};
}

bool ValidId(const bj::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

}  // namespace

std::variant<Message, ParseFailure> ParseMessage(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Fail(kInvalidRequest, "Message too large: " + std::to_string(text.size()) +
                                     " bytes (limit " + std::to_string(limits.max_bytes) + ")");
  }
  bj::parse_options opts;
  opts.max_depth = limits.max_depth;
  boost::system::error_code ec;
  bj::value v = bj::parse(text, ec, {}, opts);
  if (ec) {
    if (ec == bj::error::too_deep) {
      return Fail(kParseError, "Parse error: JSON nested deeper than " +
                                   std::to_string(limits.max_depth) + " levels");
    }
    return Fail(kParseError, "Parse error: " + ec.message());
  }
  if (v.is_array()) return Fail(kInvalidRequest, "Invalid Request: batches are not supported");
  if (!v.is_object()) return Fail(kInvalidRequest, "Invalid Request: message must be an object");
  bj::object& o = v.as_object();

  bj::value id = nullptr;
  bool has_id = false;
  if (auto* p = o.if_contains("id")) {
    has_id = true;
    if (ValidId(*p)) id = *p;
  }
  auto* version = o.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->as_string() != "2.0") {
    return Fail(kInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"", id);
  }
  if (has_id && !ValidId(o.at("id"))) {
    return Fail(kInvalidRequest, "Invalid Request: \"id\" must be a string or an integer");
  }

  Message m;
  if (auto* method = o.if_contains("method")) {
    if (!method->is_string() || method->as_string().empty()) {
      return Fail(kInvalidRequest, "Invalid Request: \"method\" must be a non-empty string", id);
    }
    m.method = std::string(method->as_string());
    if (auto* params = o.if_contains("params"); params && !params->is_null()) {
      if (!params->is_object()) {
        return Fail(kInvalidRequest, "Invalid Request: \"params\" must be an object", id);
      }
      m.params = std::move(*params);
    }
    m.kind = has_id ? MessageKind::kRequest : MessageKind::kNotification;
    m.id = std::move(id);
    return m;
  }

  // A response (to a server-initiated request).
  auto* result = o.if_contains("result");
  auto* error = o.if_contains("error");
  if (!has_id || (result != nullptr) == (error != nullptr)) {
    return Fail(kInvalidRequest,
                "Invalid Request: expected \"method\", or \"id\" with exactly one of "
                "\"result\"/\"error\"",
                id);
  }
  m.kind = MessageKind::kResponse;
  m.id = std::move(id);
  if (result) {
    m.result = std::move(*result);
  } else {
    if (!error->is_object()) return Fail(kInvalidRequest, "Invalid Request: bad \"error\"", m.id);
    RpcError e;
    const bj::object& eo = error->as_object();
    if (auto* c = eo.if_contains("code"); c && c->is_int64()) e.code = int(c->as_int64());
    if (auto* msg = eo.if_contains("message"); msg && msg->is_string()) {
      e.message = std::string(msg->as_string());
    }
    if (auto* d = eo.if_contains("data")) e.data = *d;
    m.error = std::move(e);
  }
  return m;
}

namespace {

// Appends JSON text `text` as a JSON string. REQUIRES: `text` is valid JSON (we produced or
// parsed it) and NUL-terminated: then the only characters to escape are '"', '\\' and the
// whitespace '\n', '\r', '\t' between tokens, each in two bytes. This string is the bulk of a
// large tool result, so it is scanned with strcspn (vectorized in glibc) and copied in runs.
void AppendJsonTextAsString(std::string& out, const char* text, size_t size) {
  static constexpr char kSpecial[] = "\"\\\n\r\t";
  size_t pos = out.size();
  out.resize(pos + 2 * size + 2);
  char* d = out.data() + pos;
  *d++ = '"';
  const char* p = text;
  const char* end = text + size;
  while (p < end) {
    size_t run = std::strcspn(p, kSpecial);
    if (run > size_t(end - p)) run = size_t(end - p);
    std::memcpy(d, p, run);
    d += run;
    p += run;
    if (p >= end) break;
    char c = *p++;
    *d++ = '\\';
    *d++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c;
  }
  *d++ = '"';
  out.resize(size_t(d - out.data()));
}

// True when `content` is the single text block RawStructuredToolResult made from `raw`.
bool IsTextCopyOf(const bj::value& content, std::string_view raw) {
  const bj::array* a = content.if_array();
  if (!a || a->size() != 1 || !(*a)[0].is_object()) return false;
  const bj::object& block = (*a)[0].as_object();
  const bj::value* text = block.if_contains("text");
  return block.size() == 2 && text && text->is_string() && text->as_string() == raw;
}

}  // namespace

std::string EncodeResult(const bj::value& id, const bj::value& result) {
  std::string out;
  out.reserve(64);
  out += R"({"jsonrpc":"2.0","id":)";
  json::AppendValue(out, id);
  out += R"(,"result":)";
  const bj::object* obj = result.if_object();
  const bj::value* raw = obj ? obj->if_contains(kRawStructuredKey) : nullptr;
  if (!raw || !raw->is_string()) {
    json::AppendValue(out, result);
    out += '}';
    return out;
  }
  // A RawStructuredToolResult: splice the pre-serialized structuredContent.
  out.reserve(out.size() + 2 * raw->as_string().size() + 64);
  out += '{';
  bool first = true;
  for (const auto& [key, value] : *obj) {
    if (!first) out += ',';
    first = false;
    if (&value == raw) {
      out += R"("structuredContent":)";
      out.append(raw->as_string().data(), raw->as_string().size());
      continue;
    }
    if (key == "content" && IsTextCopyOf(value, raw->as_string())) {
      out += R"("content":[{"type":"text","text":)";
      AppendJsonTextAsString(out, raw->as_string().c_str(), raw->as_string().size());
      out += "}]";
      continue;
    }
    json::AppendString(out, key);
    out += ':';
    json::AppendValue(out, value);
  }
  out += "}}";
  return out;
}

std::string EncodeError(const bj::value& id, const RpcError& error) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("jsonrpc").String("2.0").Key("id").Value(id);
  w.Key("error").BeginObject().Key("code").Int(error.code).Key("message").String(error.message);
  if (!error.data.is_null()) w.Key("data").Value(error.data);
  w.EndObject().EndObject();
  return out;
}

std::string EncodeNotification(std::string_view method, const bj::value& params) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("jsonrpc").String("2.0").Key("method").String(method);
  if (!params.is_null()) w.Key("params").Value(params);
  w.EndObject();
  return out;
}

std::string EncodeRequest(const bj::value& id, std::string_view method, const bj::value& params) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("jsonrpc").String("2.0").Key("id").Value(id).Key("method").String(method);
  if (!params.is_null()) w.Key("params").Value(params);
  w.EndObject();
  return out;
}

}  // namespace mcpreg::mcp
