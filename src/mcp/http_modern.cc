#include "mcp/http_modern.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>

#include "mcp/modern.h"
#include "mcp/session.h"

namespace mcpreg::mcp {
namespace {

http::Headers SseHeaders() {
  return {{"Content-Type", "text/event-stream"},
          {"Cache-Control", "no-cache"},
          {"X-Accel-Buffering", "no"}};
}

// The Outbox of one modern (stateless) request: JSON, or a plain SSE stream (no event ids, no
// resumption: the 2026-07-28 revision has none) once anything precedes the response.
class StatelessHttpOutbox : public Outbox {
 public:
  StatelessHttpOutbox(std::shared_ptr<http::Responder> responder, bool accept_json)
      : responder_(std::move(responder)), accept_json_(accept_json) {}

  void Send(std::string message) override {
    std::lock_guard lock(mu_);
    if (done_) return;
    OpenSse();
    stream_->Write("data: " + message + "\n\n");
  }
  void NoteErrorCode(int code) override {
    std::lock_guard lock(mu_);
    error_code_ = code;
  }
  // Closing the response stream is how a 2026-07-28 client cancels over HTTP. Only an open SSE
  // stream can tell; a request answered with plain JSON has nothing to close before its answer.
  void OnClientGone(std::function<void()> cancel) override {
    std::lock_guard lock(mu_);
    if (!gone_) gone_ = std::make_shared<Gone>();
    std::lock_guard gone_lock(gone_->mu);
    gone_->cancel = std::move(cancel);
  }
  void Finish(std::string response) override {
    std::lock_guard lock(mu_);
    if (done_) return;
    done_ = true;
    if (gone_) gone_->finished = true;  // our own Close below is not the client going away
    if (!stream_ && response.empty()) {
      http::HttpResponse r;
      r.status = 202;
      return responder_->Send(std::move(r));
    }
    if (!stream_ && accept_json_) {
      http::HttpResponse r;
      // The spec gives -32021 its own status; other handler errors are ordinary responses.
      if (error_code_ == kMissingRequiredClientCapability) r.status = 400;
      r.Set("Content-Type", "application/json");
      r.body = std::move(response);
      return responder_->Send(std::move(r));
    }
    OpenSse();
    if (!response.empty()) stream_->Write("data: " + response + "\n\n");
    stream_->Close();
  }

 private:
  void OpenSse() {
    if (stream_) return;
    stream_ = responder_->Stream(200, SseHeaders());
    if (!gone_) gone_ = std::make_shared<Gone>();
    stream_->OnClose([gone = gone_] {
      std::function<void()> cancel;
      {
        std::lock_guard lock(gone->mu);
        if (gone->finished) return;
        cancel = gone->cancel;
      }
      if (cancel) cancel();
    });
  }
  struct Gone {
    std::mutex mu;
    std::atomic<bool> finished{false};
    std::function<void()> cancel;
  };
  std::shared_ptr<http::Responder> responder_;
  const bool accept_json_;
  std::mutex mu_;
  bool done_ = false;
  int error_code_ = 0;
  std::shared_ptr<http::ResponseStream> stream_;
  std::shared_ptr<Gone> gone_;  // made when needed (an SSE stream, or a cancellable handler)
};

http::HttpResponse RpcErrorResponse(int status, const boost::json::value& id, const RpcError& e) {
  http::HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json");
  r.body = EncodeError(id, e);
  return r;
}

// A header value without the optional whitespace around it (RFC 9110 §5.5).
std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// The Mcp-Name a modern request must carry: params.name of tools/call and prompts/get,
// params.uri of resources/read; nullopt for other methods or when the body has no such string.
std::optional<std::string_view> NameOf(const Message& msg) {
  std::string_view key = msg.method == "resources/read"                             ? "uri"
                         : msg.method == "tools/call" || msg.method == "prompts/get" ? "name"
                                                                                     : "";
  if (key.empty() || !msg.params.is_object()) return std::nullopt;
  auto* v = msg.params.as_object().if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->as_string());
}

// SEP-2243: Mcp-Method always, Mcp-Name for the named methods, each equal (after trimming
// optional whitespace, case-sensitively) to the body. Returns the -32020 message, or empty.
std::string CheckRoutingHeaders(const http::HttpRequest& req, const Message& msg) {
  auto method = req.Header("Mcp-Method");
  if (!method) return "Bad Request: Mcp-Method header is required";
  if (TrimOws(*method) != msg.method) return "Bad Request: Mcp-Method header does not match the body";
  auto body_name = NameOf(msg);
  auto name = req.Header("Mcp-Name");
  if (body_name && !name) return "Bad Request: Mcp-Name header is required for " + msg.method;
  if (name && (!body_name || TrimOws(*name) != *body_name)) {
    return "Bad Request: Mcp-Name header does not match the body";
  }
  return {};
}

// SEP-2243 Mcp-Param-* headers of a tools/call (modern.h CheckParamHeaders); an unknown tool
// or malformed arguments are left to the session, which names them.
std::string CheckToolParamHeaders(const McpServer& server, const http::HttpRequest& req,
                                  const Message& msg) {
  if (msg.method != "tools/call") return {};
  auto name = NameOf(msg);
  const ToolDef* tool = name ? server.FindTool(*name) : nullptr;
  if (!tool) return {};
  static const boost::json::object kNoArguments;
  auto* args = msg.params.as_object().if_contains("arguments");
  return CheckParamHeaders(*tool, args && args->is_object() ? args->as_object() : kNoArguments,
                           [&](std::string_view h) { return req.Header(h); });
}

}  // namespace

bool HasModernVersionHeader(const http::HttpRequest& req) {
  auto v = req.Header("MCP-Protocol-Version");
  return v && IsModernVersion(TrimOws(*v));
}


void ServeModernHttp(const McpServer& server, const http::HttpRequest& req, Message msg,
                     bool accept_json, const std::shared_ptr<http::Responder>& responder) {
  auto header = req.Header("MCP-Protocol-Version");
  if (!header) {
    return responder->Send(RpcErrorResponse(
        400, msg.id, {kHeaderMismatch, "Bad Request: MCP-Protocol-Version header is required",
                      nullptr}));
  }
  std::string_view header_version = TrimOws(*header);
  ModernMeta meta_checked;
  auto error = CheckModernRequest(msg, &meta_checked);
  if (error && error->code == kInvalidParams) {
    return responder->Send(RpcErrorResponse(400, msg.id, *error));
  }
  // _meta now names a version (a string): the header must repeat it, whether or not we speak it.
  const auto& meta = msg.params.as_object().at("_meta").as_object();
  if (meta.at(kMetaProtocolVersion).as_string() != header_version) {
    return responder->Send(RpcErrorResponse(
        400, msg.id,
        {kHeaderMismatch, "Bad Request: MCP-Protocol-Version header does not match _meta",
         nullptr}));
  }
  if (std::string mismatch = CheckRoutingHeaders(req, msg); !mismatch.empty()) {
    return responder->Send(RpcErrorResponse(400, msg.id, {kHeaderMismatch, mismatch, nullptr}));
  }
  if (std::string mismatch = CheckToolParamHeaders(server, req, msg); !mismatch.empty()) {
    return responder->Send(RpcErrorResponse(400, msg.id, {kHeaderMismatch, mismatch, nullptr}));
  }
  if (error) {
    return responder->Send(RpcErrorResponse(ModernHttpStatusFor(error->code), msg.id, *error));
  }
  Session::ServeStateless(server, std::move(msg),
                          std::make_shared<StatelessHttpOutbox>(responder, accept_json), nullptr,
                          std::move(meta_checked));
}


}  // namespace mcpreg::mcp
