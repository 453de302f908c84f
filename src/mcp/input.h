// Input-required results (MRTR, SEP-2322) of the 2026-07-28 era. A tools/call or prompts/get
// handler that needs something only the client can give -- an elicitation, a sampling, the
// client's roots -- does not send a server->client request (the modern era has none). It returns
//   {resultType:"input_required", inputRequests:{KEY:{method, params}}, requestState?}
// and the client calls the same method again with `inputResponses:{KEY: <the answer>}` and the
// echoed `requestState`. Handlers build such results with RequestContext::InputRequired
// (mcp/session.h) and read the answers from RequestContext::input_responses().
//
// The request state is the only state of a multi-round request, and the client holds it. The
// codec seals a handler's payload with HMAC-SHA-256 under the server's key, bound to a scope
// (the method and the tool or prompt name) and to an expiry, so a client can neither forge nor
// alter it, replay it into another tool, nor keep it past the expiry. It protects integrity,
// not confidentiality: the payload is readable by the client, so it must hold nothing the client
// may not see. Replicas that share a key accept each other's state.
//
// Thread-safety: RequestStateCodec is immutable after construction; the free functions are pure.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "mcpreg/status.h"

namespace mcpreg::mcp {

// Bounds on what a request may carry and what a result may ask for.
inline constexpr size_t kMaxRequestStateBytes = 8 * 1024;  // an echoed requestState, as sent
inline constexpr size_t kMaxStatePayloadBytes = 4 * 1024;  // what a handler may seal
inline constexpr size_t kMaxInputRequests = 16;            // entries of one inputRequests

class RequestStateCodec {
 public:
  // `key` of at least 32 bytes, else 32 random bytes are drawn (state then only verifies in
  // this process). `ttl`: how long a sealed state is accepted.
  RequestStateCodec(std::string key, std::chrono::seconds ttl);

  // "<base64url(expiry || payload)>.<base64url(HMAC)>", the HMAC over a domain tag, `scope` and
  // the first part. REQUIRES: payload.size() <= kMaxStatePayloadBytes.
  std::string Seal(std::string_view scope, std::string_view payload,
                   std::chrono::system_clock::time_point now) const;
  // The payload of a state sealed by Seal with the same key and scope and not expired.
  // InvalidArgument naming the reason otherwise (too long, malformed, failed its integrity
  // check -- which includes another scope --, expired). Compares MACs in constant time.
  Result<std::string> Open(std::string_view scope, std::string_view token,
                           std::chrono::system_clock::time_point now) const;

 private:
  std::string Mac(std::string_view scope, std::string_view body) const;
  std::string key_;
  std::chrono::seconds ttl_;
};

// The scope a state is bound to: "<method>\n<name>" (the tool or prompt name).
std::string StateScope(std::string_view method, std::string_view name);

// The client capability an input request method needs: "elicitation" for elicitation/create,
// "sampling" for sampling/createMessage, "roots" for roots/list; empty for any other method
// (which an inputRequests entry may not name).
std::string_view CapabilityForInput(std::string_view method);

// Input request builders ({method, params}).
boost::json::object ElicitationInput(std::string_view message, boost::json::object requested_schema);
boost::json::object SamplingInput(std::string_view user_text, int max_tokens);
boost::json::object RootsInput();

// Reading answers. Each returns nullopt when `response` is not the expected shape, so a
// handler can ask again rather than fail.
// The `content` of an elicitation answered with action "accept".
std::optional<boost::json::object> AcceptedElicitation(const boost::json::value* response);
// The text of a sampling answer ({role, content:{type:"text", text}, ...}).
std::optional<std::string> SampledText(const boost::json::value* response);
// The `roots` array of a roots/list answer.
std::optional<boost::json::array> ListedRoots(const boost::json::value* response);

// Checks the inputRequests of an input-required result a handler returned: a non-empty object
// of at most kMaxInputRequests entries, each {method: one of the three above, params: object}.
// Returns Internal for a malformed result (a server bug). Otherwise OK, and `missing` receives
// the capabilities named by the entries that `client_capabilities` does not declare.
Status CheckInputRequests(const boost::json::object& result,
                          const boost::json::object& client_capabilities,
                          boost::json::object* missing);

}  // namespace mcpreg::mcp
