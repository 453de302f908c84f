// Session: one MCP conversation (a stdio process, or one Mcp-Session-Id on HTTP), or one
// stateless request of the modern era (Session::ServeStateless). It owns the
// lifecycle state machine (new -> initialized -> closed), the negotiated protocol version and
// client capabilities, the log level, in-flight requests (for cancellation) and the requests
// the server sent to the client (sampling, elicitation) awaiting answers.
//
// Transports feed it parsed messages with Dispatch() together with an Outbox for that exchange;
// the session writes any notifications and the single final response there. Handlers of
// ToolDef::blocking tools run on a thread of their own, so Dispatch never blocks on them and
// the transport can keep reading (the answer to a sampling request arrives as a new message).
//
// Thread-safety: all methods may be called from any thread. Create with Session::Create (it is
// shared with worker threads). The McpServer must outlive every session.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mcp/jsonrpc.h"
#include "mcp/modern.h"
#include "mcp/server.h"
#include "mcpreg/status.h"

namespace mcpreg::mcp {

// Where a session writes the messages of one exchange (one incoming request).
class Outbox {
 public:
  virtual ~Outbox() = default;
  // A notification or server->client request that belongs to the exchange, before its response.
  virtual void Send(std::string message) = 0;
  // The final response, called exactly once per request (errors included). Called with an empty
  // string when the request was cancelled: no response must then be sent.
  virtual void Finish(std::string response) = 0;
  // A handler's hint that the transport may drop the connection now and let the client resume
  // (SSE polling with `retry`). Transports without resumption ignore it.
  virtual void CloseConnection(std::chrono::milliseconds retry) {}
  // The JSON-RPC error code of the error response about to be given to Finish, for transports
  // whose status line depends on it (modern HTTP: -32021 is 400). Not called for results.
  virtual void NoteErrorCode(int code) {}
  // 2026-07-28: transports where a client cancels a request by going away (HTTP: closing the
  // request's response stream) call `cancel` when that happens before Finish. The session sets
  // it before a tool handler runs; the handler then sees RequestContext::cancelled().
  virtual void OnClientGone(std::function<void()> cancel) {}
};

// Bounds on what one client can make a session keep. Over a bound the request is refused with
// JSON-RPC -32602 (Invalid params) naming the limit; nothing is stored.
struct SessionLimits {
  // initialize: params.capabilities + params.clientInfo, as serialized JSON.
  size_t max_client_capabilities_bytes = 16 * 1024;
  size_t max_subscriptions = 256;            // resources/subscribe URIs held at once
  size_t max_subscription_uri_bytes = 2048;  // length of one subscribed URI
};

enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
std::string_view LogLevelName(LogLevel level);
std::optional<LogLevel> ParseLogLevel(std::string_view name);

class Session;
struct Reply;  // mcp/methods.h

// What a tool handler may do while it runs. Valid for the duration of the handler call.
class RequestContext {
 public:
  RequestContext(std::shared_ptr<Session> session, std::shared_ptr<Outbox> out,
                 boost::json::value id, boost::json::value progress_token,
                 std::shared_ptr<std::atomic<bool>> cancelled);

  const boost::json::value& request_id() const { return id_; }
  // True once the client sent notifications/cancelled for this request (or the session closed).
  bool cancelled() const { return cancelled_->load(); }
  // The client's declared capabilities from initialize.
  boost::json::object client_capabilities() const;

  // notifications/message, sent when `level` is at or above the session's level.
  void Log(LogLevel level, boost::json::value data, std::string_view logger = {});
  // notifications/progress; a no-op unless the request carried _meta.progressToken.
  void Progress(double progress, std::optional<double> total, std::string_view message = {});
  // Sends a request to the client on this exchange and waits for its answer. Errors:
  // FailedPrecondition when the client did not declare the capability (sampling, elicitation,
  // roots) -- in a modern request the whole call then fails with -32021 naming it, whatever the
  // handler returns -- or, in a modern request, always (server->client requests don't exist
  // there); Unavailable on timeout or when the session closes; InvalidArgument carrying the
  // client's error message when it answered with an error. REQUIRES: a blocking tool.
  Result<boost::json::value> Request(std::string_view method, boost::json::value params,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // See Outbox::CloseConnection.
  void CloseConnection(std::chrono::milliseconds retry) { out_->CloseConnection(retry); }
  // See Outbox::NoteErrorCode.
  void NoteErrorCode(int code) { out_->NoteErrorCode(code); }
  // The capability a modern request needed and did not declare (set by Request), or empty.
  const std::string& missing_capability() const { return missing_capability_; }

  // --- Input-required results (2026-07-28; mcp/input.h) ---
  // True in a 2026-07-28 request, where a handler asks the client for input by returning
  // InputRequired(...) instead of calling Request().
  bool modern() const;
  // Whether the client declared `capability` ("elicitation", "sampling", "roots", ...), in
  // initialize or in the request's _meta.
  bool ClientSupports(std::string_view capability) const;
  // The request's inputResponses (each value an object; the library refuses other shapes with
  // -32602 before the handler runs). Empty in a first round and in the legacy era.
  const boost::json::object& input_responses() const { return input_.responses; }
  const boost::json::value* input_response(std::string_view key) const {
    return input_.responses.if_contains(key);
  }
  // The payload the previous round sealed, verified by the library (a state that fails its
  // check is refused with -32602 before the handler runs); nullopt in a first round.
  const std::optional<std::string>& request_state() const { return input_.state; }
  // An input-required result: `input_requests` ({KEY: ElicitationInput(...) | SamplingInput(...)
  // | RootsInput()}) and, when given, `state` sealed for this method and name (at most
  // kMaxStatePayloadBytes). Ask only for what ClientSupports; the library answers -32021 for
  // the rest. REQUIRES: modern().
  boost::json::object InputRequired(boost::json::object input_requests,
                                    std::optional<std::string_view> state = std::nullopt) const;

  // Set by the session before the handler runs.
  struct Input {
    std::string scope;  // StateScope(method, name)
    boost::json::object responses;
    std::optional<std::string> state;
  };
  void SetInput(Input input) { input_ = std::move(input); }

 private:
  std::shared_ptr<Session> session_;
  std::shared_ptr<Outbox> out_;
  boost::json::value id_;
  boost::json::value progress_token_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::string missing_capability_;
  Input input_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  static std::shared_ptr<Session> Create(const McpServer& server, SessionLimits limits = {});
  ~Session();

  // Serves one modern-era (2026-07-28) request statelessly: validates its _meta and method
  // (mcp/modern.h CheckModernRequest; a failure is answered through out->Finish), then answers
  // it from a session that lives only for this request, with the client capabilities and log
  // level its _meta declares. Results carry resultType, _meta serverInfo and caching hints;
  // resource-not-found is -32602. The handler cannot send server->client requests (sampling,
  // elicitation): RequestContext::Request fails with FailedPrecondition. `out->Finish` is
  // called exactly once, possibly later on another thread (blocking tools).
  // REQUIRES: message is a request.
  // `parent`, when given, is the (stdio) session the request arrived on: a
  // notifications/cancelled it receives naming this request cancels it.
  // `checked`: the _meta the transport already validated with CheckModernRequest (it is not
  // checked again).
  static void ServeStateless(const McpServer& server, Message message, std::shared_ptr<Outbox> out,
                             std::shared_ptr<Session> parent = nullptr,
                             std::optional<ModernMeta> checked = std::nullopt);

  // Handles one message. For a request, `out->Finish` is called exactly once, possibly later on
  // another thread. Notifications and responses never touch `out` (it may be null). A request
  // carrying modern _meta (or server/discover) is handed to ServeStateless and leaves this
  // session's state alone, so one stdio process serves both eras.
  void Dispatch(Message message, std::shared_ptr<Outbox> out);
  // Parses `text` under the server's limits and dispatches it; a parse failure is answered
  // through out->Finish with the JSON-RPC error (id null unless it could be read).
  void HandleText(std::string_view text, std::shared_ptr<Outbox> out);

  // Server-initiated messages not tied to a request (e.g. notifications/resources/updated) are
  // given to this function; without one they are dropped.
  void SetNotifier(std::function<void(std::string)> fn);
  void Notify(std::string_view method, boost::json::value params);

  bool initialized() const;
  std::string protocol_version() const;  // empty before initialize
  boost::json::object client_capabilities() const;
  bool IsSubscribed(std::string_view uri) const;

  // Cancels in-flight requests and fails pending client requests; later requests are refused.
  void Close();
  // Blocks until no blocking handler is running, or `timeout` passes. Returns true when idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  friend class RequestContext;
  Session(const McpServer& server, SessionLimits limits) : server_(server), limits_(limits) {}

  void HandleRequest(Message& m, const std::shared_ptr<Outbox>& out);
  void HandleNotification(const Message& m);
  void HandleResponse(Message& m);
  void Initialize(const Message& m, const std::shared_ptr<Outbox>& out);
  Reply Subscribe(const std::string& method, const boost::json::object& params);
  void Listen(Message& m, const std::shared_ptr<Outbox>& out);
  void CallTool(Message& m, const std::shared_ptr<Outbox>& out);
  // Runs a tool handler and shapes its reply: CheckInputRequired, -32021 for a capability a
  // modern request needed, the error code noted on the context's outbox.
  Reply ToolReply(const ToolDef& tool, const boost::json::object& args, RequestContext& ctx) const;
  // Modern era: validates params.inputResponses and opens params.requestState for the scope
  // (method, name) into `ctx`; the -32602 error to answer when either is malformed or the
  // state fails its check. Legacy era: sets the scope only.
  std::optional<RpcError> ReadInput(const boost::json::object& params, std::string_view method,
                                    std::string_view name, RequestContext& ctx) const;
  // An input-required result from a handler: checked (mcp/input.h CheckInputRequests) and
  // turned into -32021 when it asks for a capability the client did not declare, or -32603
  // when malformed or in the legacy era. Other replies pass unchanged.
  Reply CheckInputRequired(Reply reply) const;
  void Finish(const std::shared_ptr<Outbox>& out, const std::string& key, std::string response);
  // The response to `method`: in a modern session the result is decorated (mcp/modern.h
  // DecorateModernResult) and resource-not-found becomes -32602.
  std::string EncodeFor(const boost::json::value& id, std::string_view method, Reply reply) const;
  std::shared_ptr<std::atomic<bool>> Track(const std::string& key);

  const McpServer& server_;
  const SessionLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  bool initialized_ = false;
  bool closed_ = false;
  bool modern_ = false;  // set once at creation by ServeStateless
  std::weak_ptr<Session> parent_;  // ServeStateless's `parent`: also tracks in-flight requests
  uint64_t events_id_ = 0;         // legacy: this session's ResourceEvents subscriber
  // What notifications/cancelled naming a request runs besides setting its flag (an open
  // subscriptions/listen of a modern request on this stdio process ends).
  std::map<std::string, std::function<void()>> cancel_hooks_;
  std::string version_;
  boost::json::object client_caps_;
  std::atomic<int> log_level_{int(LogLevel::kDebug)};
  std::map<std::string, bool, std::less<>> subscriptions_;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight_;  // key: encoded id
  std::map<int64_t, std::promise<Result<boost::json::value>>> pending_;
  int64_t next_request_id_ = 1;
  int running_workers_ = 0;
  std::function<void(std::string)> notifier_;
};

}  // namespace mcpreg::mcp
