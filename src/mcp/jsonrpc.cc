#include "mcp/jsonrpc.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

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

std::string EncodeResult(const bj::value& id, const bj::value& result) {
  std::string out;
  out.reserve(64);
  out += R"({"jsonrpc":"2.0","id":)";
  json::AppendValue(out, id);
  out += R"(,"result":)";
  json::AppendValue(out, result);
  out += '}';
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
