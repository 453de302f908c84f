#include "mcp/session.h"

#include <boost/json/serialize.hpp>
#include <set>
#include <thread>

#include "core/json_out.h"
#include "mcp/methods.h"
#include "mcp/input.h"
#include "mcp/modern.h"

namespace mcpreg::mcp {
namespace bj = boost::json;
namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info",     "notice", "warning",
                                            "error", "critical", "alert",  "emergency"};

std::string IdKey(const bj::value& id) {
  std::string k;
  json::AppendValue(k, id);
  return k;
}

const bj::object& EmptyObject() {
  static const bj::object kEmpty;
  return kEmpty;
}

const bj::object& ParamsOf(const Message& m) {
  return m.params.is_object() ? m.params.as_object() : EmptyObject();
}

// Above kEmergency: no notifications/message at all (a modern request without a logLevel).
constexpr int kLoggingOff = int(LogLevel::kEmergency) + 1;

// The capability a server->client method needs the client to have declared.
std::string_view CapabilityFor(std::string_view method) {
  if (method.rfind("sampling/", 0) == 0) return "sampling";
  if (method.rfind("elicitation/", 0) == 0) return "elicitation";
  if (method.rfind("roots/", 0) == 0) return "roots";
  return {};
}

bool IsInputRequired(const Reply& r) {
  if (r.error || !r.result.is_object()) return false;
  auto* type = r.result.as_object().if_contains("resultType");
  return type && *type == "input_required";
}

}  // namespace

std::string_view LogLevelName(LogLevel level) { return kLevelNames[int(level)]; }

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (int i = 0; i < 8; ++i) {
    if (kLevelNames[i] == name) return LogLevel(i);
  }
  return std::nullopt;
}

// --- RequestContext ------------------------------------------------------------------------

RequestContext::RequestContext(std::shared_ptr<Session> session, std::shared_ptr<Outbox> out,
                               bj::value id, bj::value progress_token,
                               std::shared_ptr<std::atomic<bool>> cancelled)
    : session_(std::move(session)),
      out_(std::move(out)),
      id_(std::move(id)),
      progress_token_(std::move(progress_token)),
      cancelled_(std::move(cancelled)) {}

bj::object RequestContext::client_capabilities() const { return session_->client_capabilities(); }

void RequestContext::Log(LogLevel level, bj::value data, std::string_view logger) {
  if (int(level) < session_->log_level_.load()) return;
  bj::object params{{"level", LogLevelName(level)}};
  if (!logger.empty()) params["logger"] = logger;
  params["data"] = std::move(data);
  out_->Send(EncodeNotification("notifications/message", params));
}

void RequestContext::Progress(double progress, std::optional<double> total,
                              std::string_view message) {
  if (progress_token_.is_null()) return;
  bj::object params{{"progressToken", progress_token_}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  out_->Send(EncodeNotification("notifications/progress", params));
}

Result<bj::value> RequestContext::Request(std::string_view method, bj::value params,
                                          std::chrono::milliseconds timeout) {
  std::string_view cap = CapabilityFor(method);
  if (session_->modern_) {
    if (!cap.empty() && !session_->client_capabilities().contains(cap)) {
      missing_capability_ = std::string(cap);
      return Status::FailedPrecondition("the client does not support " + std::string(cap));
    }
    // The modern era has no server->client requests; a handler returns InputRequired instead.
    return Status::FailedPrecondition("the server cannot send " + std::string(method) +
                                      " to a 2026-07-28 client; it asks through an "
                                      "input-required result instead");
  }
  if (!cap.empty() && !session_->client_capabilities().contains(cap)) {
    return Status::FailedPrecondition("the client does not support " + std::string(cap));
  }
  int64_t id;
  std::future<Result<bj::value>> answer;
  {
    std::lock_guard lock(session_->mu_);
    if (session_->closed_) return Status::Unavailable("session closed");
    id = session_->next_request_id_++;
    answer = session_->pending_[id].get_future();
  }
  out_->Send(EncodeRequest(bj::value(id), method, params));
  if (answer.wait_for(timeout) != std::future_status::ready) {
    std::lock_guard lock(session_->mu_);
    session_->pending_.erase(id);
    return Status::Unavailable("no answer from the client to " + std::string(method));
  }
  return answer.get();
}

bool RequestContext::modern() const { return session_->modern_; }

bool RequestContext::ClientSupports(std::string_view capability) const {
  std::lock_guard lock(session_->mu_);
  return session_->client_caps_.contains(capability);
}

bj::object RequestContext::InputRequired(bj::object input_requests,
                                         std::optional<std::string_view> state) const {
  bj::object r{{"resultType", "input_required"}, {"inputRequests", std::move(input_requests)}};
  if (state) {
    r["requestState"] = session_->server_.state_codec().Seal(input_.scope, *state,
                                                             std::chrono::system_clock::now());
  }
  return r;
}

// --- Session -------------------------------------------------------------------------------

std::shared_ptr<Session> Session::Create(const McpServer& server, SessionLimits limits) {
  return std::shared_ptr<Session>(new Session(server, limits));
}

Session::~Session() {
  if (events_id_ != 0) server_.events().Remove(events_id_);
}

void Session::ServeStateless(const McpServer& server, Message message,
                             std::shared_ptr<Outbox> out, std::shared_ptr<Session> parent,
                             std::optional<ModernMeta> checked) {
  ModernMeta meta;
  if (checked) {
    meta = std::move(*checked);
  } else if (auto error = CheckModernRequest(message, &meta)) {
    return out->Finish(EncodeError(message.id, *error));
  }
  // Stateless sessions are recycled, one spare per thread: constructing and destroying one per
  // request (mutex, condition variable, maps, two allocations) measurably cost more than all
  // the rest of the modern era's extra work (bench/mcp/README.md). A session still referenced
  // when the request returns (a blocking handler's thread) is never reused.
  thread_local std::shared_ptr<Session> spare;
  std::shared_ptr<Session> s;
  if (spare && &spare->server_ == &server && spare.use_count() == 1) {
    s = std::move(spare);
  } else {
    s = std::shared_ptr<Session>(new Session(server, SessionLimits{}));
    s->modern_ = true;
    s->initialized_ = true;
  }
  s->version_ = std::move(meta.version);
  s->client_caps_ = std::move(meta.client_capabilities);
  s->log_level_.store(meta.log_level ? int(*ParseLogLevel(*meta.log_level)) : kLoggingOff);
  s->parent_ = parent;
  s->HandleRequest(message, out);
  if (s.use_count() != 1) return;  // a worker still runs: this one stays its own
  std::lock_guard lock(s->mu_);
  if (s->closed_ || !s->in_flight_.empty() || !s->pending_.empty() || !s->cancel_hooks_.empty() ||
      s->running_workers_ != 0 || s->events_id_ != 0) {
    return;  // anything left behind: not reusable
  }
  s->parent_.reset();
  s->client_caps_.clear();
  spare = std::move(s);
}

std::optional<RpcError> Session::ReadInput(const bj::object& params, std::string_view method,
                                          std::string_view name, RequestContext& ctx) const {
  RequestContext::Input input;
  input.scope = StateScope(method, name);
  if (!modern_) {  // the legacy era has no input-required results: nothing to read
    ctx.SetInput(std::move(input));
    return std::nullopt;
  }
  if (auto* responses = params.if_contains("inputResponses")) {
    if (!responses->is_object()) {
      return RpcError{kInvalidParams, "Invalid params: \"inputResponses\" must be an object",
                      nullptr};
    }
    for (const auto& [key, value] : responses->as_object()) {
      if (!value.is_object()) {
        return RpcError{kInvalidParams,
                        "Invalid params: inputResponses[\"" + std::string(key) +
                            "\"] must be an object (the client's result for that input request)",
                        nullptr};
      }
    }
    input.responses = responses->as_object();
  }
  if (auto* state = params.if_contains("requestState")) {
    if (!state->is_string()) {
      return RpcError{kInvalidParams, "Invalid params: \"requestState\" must be a string",
                      nullptr};
    }
    auto payload = server_.state_codec().Open(input.scope, state->as_string(),
                                              std::chrono::system_clock::now());
    if (!payload.ok()) {
      return RpcError{kInvalidParams, "Invalid params: " + payload.status().message(), nullptr};
    }
    input.state = std::move(payload).value();
  }
  ctx.SetInput(std::move(input));
  return std::nullopt;
}

Reply Session::CheckInputRequired(Reply r) const {
  if (!IsInputRequired(r)) return r;
  if (!modern_) {
    return Reply::Error(kInternalError,
                        "Internal error: the handler asked for client input in a request of the "
                        "legacy era");
  }
  bj::object missing;
  Status st = CheckInputRequests(r.result.as_object(), client_capabilities(), &missing);
  if (!st.ok()) return Reply::Error(kInternalError, "Internal error: " + st.message());
  if (!missing.empty()) {
    std::string names;
    for (const auto& [cap, v] : missing) names += (names.empty() ? "" : ", ") + std::string(cap);
    return Reply::Error(kMissingRequiredClientCapability,
                        "Missing required client capability: " + names,
                        bj::object{{"requiredCapabilities", std::move(missing)}});
  }
  return r;
}

std::string Session::EncodeFor(const bj::value& id, std::string_view method, Reply r) const {
  if (r.error) {
    if (modern_ && r.error->code == kResourceNotFound) r.error->code = kInvalidParams;
    return EncodeError(id, *r.error);
  }
  if (modern_ && r.result.is_object()) {
    // The common case appends the constant members pre-serialized; otherwise decorate.
    std::string_view suffix = ModernResultSuffix(server_, method, r.result.as_object());
    if (!suffix.empty()) return EncodeResult(id, r.result, suffix);
    DecorateModernResult(server_, method, r.result.as_object());
  }
  return EncodeResult(id, r.result);
}

bool Session::initialized() const {
  std::lock_guard lock(mu_);
  return initialized_;
}
std::string Session::protocol_version() const {
  std::lock_guard lock(mu_);
  return version_;
}
bj::object Session::client_capabilities() const {
  std::lock_guard lock(mu_);
  return client_caps_;
}
bool Session::IsSubscribed(std::string_view uri) const {
  std::lock_guard lock(mu_);
  return subscriptions_.find(uri) != subscriptions_.end();
}

void Session::SetNotifier(std::function<void(std::string)> fn) {
  std::lock_guard lock(mu_);
  notifier_ = std::move(fn);
}

void Session::Notify(std::string_view method, bj::value params) {
  std::function<void(std::string)> fn;
  {
    std::lock_guard lock(mu_);
    fn = notifier_;
  }
  if (fn) fn(EncodeNotification(method, params));
}

void Session::Close() {
  std::map<int64_t, std::promise<Result<bj::value>>> pending;
  uint64_t events_id = 0;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    std::swap(events_id, events_id_);
    for (auto& [k, flag] : in_flight_) flag->store(true);
    pending.swap(pending_);
  }
  for (auto& [id, p] : pending) p.set_value(Status::Unavailable("session closed"));
  if (events_id != 0) server_.events().Remove(events_id);
}

bool Session::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [&] { return running_workers_ == 0; });
}

void Session::HandleText(std::string_view text, std::shared_ptr<Outbox> out) {
  auto parsed = ParseMessage(text, server_.options().limits);
  if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
    if (out) out->Finish(EncodeError(failure->id, failure->error));
    return;
  }
  Dispatch(std::get<Message>(std::move(parsed)), std::move(out));
}

void Session::Dispatch(Message message, std::shared_ptr<Outbox> out) {
  switch (message.kind) {
    case MessageKind::kRequest:
      HandleRequest(message, out);
      break;
    case MessageKind::kNotification:
      HandleNotification(message);
      break;
    case MessageKind::kResponse:
      HandleResponse(message);
      break;
  }
}

std::shared_ptr<std::atomic<bool>> Session::Track(const std::string& key) {
  auto flag = std::make_shared<std::atomic<bool>>(false);
  {
    std::lock_guard lock(mu_);
    in_flight_[key] = flag;
  }
  if (auto parent = parent_.lock()) {  // so that the parent's notifications/cancelled finds it
    std::lock_guard lock(parent->mu_);
    parent->in_flight_[key] = flag;
  }
  return flag;
}

void Session::Finish(const std::shared_ptr<Outbox>& out, const std::string& key,
                     std::string response) {
  bool cancelled = false;
  std::shared_ptr<std::atomic<bool>> flag;
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(key);
    if (it != in_flight_.end()) {
      flag = it->second;
      cancelled = flag->load();
      in_flight_.erase(it);
    }
  }
  if (auto parent = parent_.lock(); parent && flag) {
    std::lock_guard lock(parent->mu_);
    auto it = parent->in_flight_.find(key);
    if (it != parent->in_flight_.end() && it->second == flag) parent->in_flight_.erase(it);
  }
  // A cancelled request gets no response (the spec's SHOULD); the transport still learns the
  // exchange is over.
  out->Finish(cancelled ? std::string() : std::move(response));
}

void Session::HandleRequest(Message& m, const std::shared_ptr<Outbox>& out) {
  const std::string& method = m.method;
  if (!modern_ && IsModernRequest(m)) {
    return ServeStateless(server_, std::move(m), out, shared_from_this());
  }
  if (method == "initialize") return Initialize(m, out);
  if (method == "ping") return out->Finish(EncodeResult(m.id, bj::object{}));
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      return out->Finish(EncodeError(m.id, {kInvalidRequest, "Session closed", nullptr}));
    }
    if (!initialized_) {
      return out->Finish(EncodeError(
          m.id, {kInvalidRequest, "Session not initialized: send initialize first", nullptr}));
    }
  }
  const bj::object& params = ParamsOf(m);
  Reply reply;
  if (method == "tools/call") {
    return CallTool(m, out);
  } else if (method == "server/discover") {
    reply = Reply::Ok(DiscoverResult(server_));  // only reached in a modern session
  } else if (method == "subscriptions/listen" && modern_) {
    return Listen(m, out);
  } else if (method == "tools/list") {
    reply = ListTools(server_, params);
  } else if (method == "resources/list") {
    reply = ListResources(server_, params);
  } else if (method == "resources/templates/list") {
    reply = ListTemplates(server_, params);
  } else if (method == "resources/read") {
    reply = ReadResource(server_, params);
  } else if (method == "resources/subscribe" || method == "resources/unsubscribe") {
    reply = Subscribe(method, params);
  } else if (method == "prompts/list") {
    reply = ListPrompts(server_, params);
  } else if (method == "prompts/get") {
    RequestContext ctx(shared_from_this(), out, m.id, nullptr,
                       std::make_shared<std::atomic<bool>>(false));
    auto* name = params.if_contains("name");
    if (auto error = ReadInput(
            params, method,
            name && name->is_string() ? std::string_view(name->as_string()) : std::string_view(),
            ctx)) {
      reply = Reply::Error(error->code, error->message);
    } else {
      reply = CheckInputRequired(GetPrompt(server_, params, ctx));
    }
  } else if (method == "completion/complete") {
    reply = Complete(server_, params);
  } else if (method == "logging/setLevel") {
    auto* level = params.if_contains("level");
    auto parsed = level && level->is_string() ? ParseLogLevel(level->as_string()) : std::nullopt;
    if (!parsed) {
      reply = Reply::Error(kInvalidParams, "Invalid params: unknown log level");
    } else {
      log_level_.store(int(*parsed));
      reply = Reply::Ok(bj::object{});
    }
  } else {
    reply = Reply::Error(kMethodNotFound, "Method not found: " + method);
  }
  if (reply.error) out->NoteErrorCode(reply.error->code);
  out->Finish(EncodeFor(m.id, method, std::move(reply)));
}

// subscriptions/listen: honors what the server's ResourceEvents can deliver -- resource list
// changes and updates of named resources -- and nothing else (tools and prompts are fixed at
// start-up, so their lists never change). It acknowledges with the honored set first; with
// nothing honored it then ends the subscription at once, holding nothing open. Otherwise the
// request stays open, bounded by the hub's max_listeners and the session's subscription limits,
// until the client ends it (HTTP: closing the stream; stdio: notifications/cancelled naming it)
// or the server shuts down (ResourceEvents::CloseAll: the result is sent then).
void Session::Listen(Message& m, const std::shared_ptr<Outbox>& out) {
  auto refuse = [&](int code, std::string message) {
    out->NoteErrorCode(code);
    out->Finish(EncodeError(m.id, {code, std::move(message), nullptr}));
  };
  const bj::object& params = ParamsOf(m);
  auto* filter = params.if_contains("notifications");
  if (!filter || !filter->is_object()) {
    return refuse(kInvalidParams, "Invalid params: \"notifications\" must be an object");
  }
  ResourceEvents& events = server_.events();
  bj::object honored;
  auto uris = std::make_shared<std::set<std::string, std::less<>>>();
  if (events.enabled()) {
    auto* list = filter->as_object().if_contains("resourcesListChanged");
    if (list && list->is_bool() && list->as_bool()) honored["resourcesListChanged"] = true;
    if (auto* subs = filter->as_object().if_contains("resourceSubscriptions")) {
      if (!subs->is_array()) {
        return refuse(kInvalidParams, "Invalid params: \"resourceSubscriptions\" must be an array");
      }
      if (subs->as_array().size() > limits_.max_subscriptions) {
        return refuse(kInvalidParams, "Invalid params: at most " +
                                          std::to_string(limits_.max_subscriptions) +
                                          " resourceSubscriptions per listen");
      }
      bj::array kept;
      for (const auto& u : subs->as_array()) {
        if (!u.is_string() || u.as_string().empty() ||
            u.as_string().size() > limits_.max_subscription_uri_bytes) {
          return refuse(kInvalidParams,
                        "Invalid params: each resourceSubscriptions entry must be a URI of at most " +
                            std::to_string(limits_.max_subscription_uri_bytes) + " bytes");
        }
        if (uris->insert(std::string(u.as_string())).second) kept.push_back(u);
      }
      if (!kept.empty()) honored["resourceSubscriptions"] = std::move(kept);
    }
  }
  bj::object tag{{kMetaSubscriptionId, m.id}};
  std::string result = EncodeFor(m.id, "subscriptions/listen", Reply::Ok(bj::object{{"_meta", tag}}));
  std::string ack = EncodeNotification("notifications/subscriptions/acknowledged",
                                       bj::object{{"notifications", honored}, {"_meta", tag}});
  if (honored.empty()) {
    out->Send(std::move(ack));
    return out->Finish(std::move(result));
  }
  // Ends the subscription once: `response` empty = the client went away (nothing to send).
  struct State {
    std::atomic<bool> ended{false};
    std::atomic<uint64_t> id{0};
  };
  auto state = std::make_shared<State>();
  ResourceEvents::Subscriber sub;
  sub.wants = [uris](std::string_view uri) { return uris->find(uri) != uris->end(); };
  sub.list_changed = honored.contains("resourcesListChanged");
  sub.deliver = [out, tag](std::string_view method, bj::object p) {
    p["_meta"] = tag;
    out->Send(EncodeNotification(method, p));
  };
  sub.end = [out, state, result] {
    if (!state->ended.exchange(true)) out->Finish(result);
  };
  uint64_t id = events.Add(std::move(sub), /*listener=*/true);
  if (id == 0) {
    return refuse(kTransportError, "Server busy: " + std::to_string(events.max_listeners()) +
                                   " subscriptions/listen requests are open; try again later");
  }
  state->id = id;
  // The outbox keeps this callback (OnClientGone), so it must not own the outbox: a cycle
  // would leak both. The hub's subscriber owns it while the listen is open.
  auto stop = [&events, weak_out = std::weak_ptr<Outbox>(out), state] {
    if (state->ended.exchange(true)) return;
    auto o = weak_out.lock();
    events.Remove(state->id);
    if (o) o->Finish(std::string());
  };
  out->OnClientGone(stop);
  if (auto parent = parent_.lock()) {
    std::lock_guard lock(parent->mu_);
    parent->cancel_hooks_[IdKey(m.id)] = stop;
  }
  out->Send(std::move(ack));
}

Reply Session::Subscribe(const std::string& method, const bj::object& params) {
  auto* uri = params.if_contains("uri");
  if (!uri || !uri->is_string()) {
    return Reply::Error(kInvalidParams, "Invalid params: \"uri\" is required");
  }
  std::string_view u = uri->as_string();
  std::lock_guard lock(mu_);
  if (method == "resources/unsubscribe") {
    if (auto it = subscriptions_.find(u); it != subscriptions_.end()) subscriptions_.erase(it);
    return Reply::Ok(bj::object{});
  }
  if (u.size() > limits_.max_subscription_uri_bytes) {
    return Reply::Error(kInvalidParams, "Invalid params: \"uri\" exceeds " +
                                            std::to_string(limits_.max_subscription_uri_bytes) +
                                            " bytes");
  }
  if (subscriptions_.find(u) == subscriptions_.end() &&
      subscriptions_.size() >= limits_.max_subscriptions) {
    return Reply::Error(kInvalidParams, "Invalid params: a session may hold at most " +
                                            std::to_string(limits_.max_subscriptions) +
                                            " subscriptions; unsubscribe first");
  }
  subscriptions_[std::string(u)] = true;
  return Reply::Ok(bj::object{});
}

void Session::Initialize(const Message& m, const std::shared_ptr<Outbox>& out) {
  const bj::object& params = ParamsOf(m);
  // What the session keeps of the client (its capabilities) is bounded; clientInfo counts too,
  // so that a later use of it cannot become unbounded unnoticed.
  size_t declared = 0;
  for (const char* key : {"capabilities", "clientInfo"}) {
    if (auto* v = params.if_contains(key)) declared += bj::serialize(*v).size();
  }
  if (declared > limits_.max_client_capabilities_bytes) {
    return out->Finish(
        EncodeError(m.id, {kInvalidParams,
                           "Invalid params: capabilities and clientInfo exceed " +
                               std::to_string(limits_.max_client_capabilities_bytes) + " bytes",
                           nullptr}));
  }
  auto* requested = params.if_contains("protocolVersion");
  if (!requested || !requested->is_string()) {
    return out->Finish(EncodeError(
        m.id, {kInvalidParams, "Invalid params: \"protocolVersion\" is required", nullptr}));
  }
  std::string version(requested->as_string());
  // Echo a version we speak; otherwise offer our newest and let the client decide.
  if (!IsSupportedVersion(version)) version = std::string(kSupportedVersions[0]);
  {
    std::lock_guard lock(mu_);
    if (initialized_) {
      return out->Finish(
          EncodeError(m.id, {kInvalidRequest, "Invalid Request: already initialized", nullptr}));
    }
    initialized_ = true;
    version_ = version;
    if (auto* caps = params.if_contains("capabilities"); caps && caps->is_object()) {
      client_caps_ = caps->as_object();
    }
  }
  const ServerOptions& o = server_.options();
  bj::object info{{"name", o.info.name}, {"version", o.info.version}};
  if (!o.info.title.empty()) info["title"] = o.info.title;
  if (!o.info.description.empty()) info["description"] = o.info.description;
  bj::object result{{"protocolVersion", version},
                    {"capabilities", server_.Capabilities()},
                    {"serverInfo", std::move(info)}};
  if (!o.instructions.empty()) result["instructions"] = o.instructions;
  if (server_.events().enabled()) {
    // Resource updates for the URIs this session subscribes to, and list changes.
    std::weak_ptr<Session> weak = weak_from_this();
    ResourceEvents::Subscriber sub;
    sub.wants = [weak](std::string_view uri) {
      auto self = weak.lock();
      return self && self->IsSubscribed(uri);
    };
    sub.list_changed = true;
    sub.deliver = [weak](std::string_view method, bj::object params) {
      if (auto self = weak.lock()) self->Notify(method, std::move(params));
    };
    uint64_t id = server_.events().Add(std::move(sub), /*listener=*/false);
    std::lock_guard lock(mu_);
    events_id_ = id;
  }
  out->Finish(EncodeResult(m.id, result));
}

Reply Session::ToolReply(const ToolDef& tool, const bj::object& args, RequestContext& ctx) const {
  Reply r = CheckInputRequired(RunTool(tool, args, ctx));
  if (modern_ && !ctx.missing_capability().empty()) {
    const std::string& cap = ctx.missing_capability();
    r = Reply::Error(kMissingRequiredClientCapability,
                     "Missing required client capability: " + cap,
                     bj::object{{"requiredCapabilities", bj::object{{cap, bj::object{}}}}});
  }
  if (r.error) ctx.NoteErrorCode(r.error->code);
  return r;
}

void Session::CallTool(Message& m, const std::shared_ptr<Outbox>& out) {
  const bj::object& params = ParamsOf(m);
  auto* name = params.if_contains("name");
  const ToolDef* tool = name && name->is_string() ? server_.FindTool(name->as_string()) : nullptr;
  if (!tool) {
    std::string n = name && name->is_string() ? std::string(name->as_string()) : "";
    return out->Finish(
        EncodeError(m.id, {kInvalidParams, "Invalid params: unknown tool \"" + n + "\"", nullptr}));
  }
  auto* a = params.if_contains("arguments");
  if (a && !a->is_null() && !a->is_object()) {
    return out->Finish(EncodeError(
        m.id, {kInvalidParams, "Invalid params: \"arguments\" must be an object", nullptr}));
  }
  // Move-constructed, so the arguments stay in the message's arena (mcp/jsonrpc.h ParseMessage).
  bj::object args = a && a->is_object() ? bj::object(std::move(a->as_object())) : bj::object();
  bj::value token = nullptr;
  if (auto* meta = params.if_contains("_meta"); meta && meta->is_object()) {
    if (auto* t = meta->as_object().if_contains("progressToken")) token = *t;
  }
  if (modern_ && !tool->blocking) {
    // A stateless request whose handler runs inline cannot be cancelled while it runs: stdio
    // reads the next message only afterwards, and an HTTP client that leaves merely loses the
    // answer. Nothing is tracked, which keeps this path lighter than a legacy session's.
    static const auto kNeverCancelled = std::make_shared<std::atomic<bool>>(false);
    RequestContext ctx(shared_from_this(), out, m.id, std::move(token), kNeverCancelled);
    if (auto error = ReadInput(params, "tools/call", tool->name, ctx)) {
      out->NoteErrorCode(error->code);
      return out->Finish(EncodeError(m.id, *error));
    }
    Reply r = ToolReply(*tool, args, ctx);
    return out->Finish(EncodeFor(m.id, "tools/call", std::move(r)));
  }
  std::string key = IdKey(m.id);
  auto cancelled = Track(key);
  if (modern_) out->OnClientGone([cancelled] { cancelled->store(true); });
  auto ctx = std::make_shared<RequestContext>(shared_from_this(), out, m.id, std::move(token),
                                              cancelled);
  if (auto error = ReadInput(params, "tools/call", tool->name, *ctx)) {
    out->NoteErrorCode(error->code);
    return Finish(out, key, EncodeError(m.id, *error));
  }
  auto run = [self = shared_from_this(), tool, out, key, id = m.id, args = std::move(args),
              ctx = std::move(ctx)]() mutable {
    Reply r = self->ToolReply(*tool, args, *ctx);
    self->Finish(out, key, self->EncodeFor(id, "tools/call", std::move(r)));
  };
  if (!tool->blocking) return run();
  {
    std::lock_guard lock(mu_);
    ++running_workers_;
  }
  std::thread([self = shared_from_this(), run = std::move(run)]() mutable {
    run();
    std::lock_guard lock(self->mu_);
    if (--self->running_workers_ == 0) self->idle_cv_.notify_all();
  }).detach();
}

void Session::HandleNotification(const Message& m) {
  if (m.method == "notifications/cancelled") {
    const bj::object& params = ParamsOf(m);
    if (auto* id = params.if_contains("requestId")) {
      std::string key = IdKey(*id);
      std::function<void()> hook;
      {
        std::lock_guard lock(mu_);
        auto it = in_flight_.find(key);
        if (it != in_flight_.end()) it->second->store(true);
        if (auto h = cancel_hooks_.find(key); h != cancel_hooks_.end()) {
          hook = std::move(h->second);
          cancel_hooks_.erase(h);
        }
      }
      if (hook) hook();
    }
  }
  // notifications/initialized, roots/list_changed, progress: nothing to do.
}

void Session::HandleResponse(Message& m) {
  if (!m.id.is_int64()) return;
  std::promise<Result<bj::value>> p;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(m.id.as_int64());
    if (it == pending_.end()) return;  // late or unknown: ignore
    p = std::move(it->second);
    pending_.erase(it);
  }
  if (m.error) {
    p.set_value(Status::InvalidArgument("client error " + std::to_string(m.error->code) + ": " +
                                        m.error->message));
  } else {
    p.set_value(std::move(m.result));
  }
}

}  // namespace mcpreg::mcp
