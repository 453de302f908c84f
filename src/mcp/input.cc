#include "mcp/input.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "auth/encoding.h"
#include "core/sha256.h"

namespace mcpreg::mcp {
namespace bj = boost::json;
namespace {

constexpr std::string_view kDomain = "mcpreg/mcp/requestState/v1\n";
constexpr size_t kKeyBytes = 32;
constexpr size_t kExpiryBytes = 8;

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Status Refused(std::string why) {
  return Status::InvalidArgument("requestState " + std::move(why) +
                                 "; call again without requestState and inputResponses");
}

}  // namespace

RequestStateCodec::RequestStateCodec(std::string key, std::chrono::seconds ttl)
    : key_(std::move(key)), ttl_(ttl) {
  if (key_.size() < kKeyBytes) {
    key_.resize(kKeyBytes);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), int(kKeyBytes)) != 1) {
      std::abort();  // no randomness: nothing could be sealed safely
    }
  }
}

std::string RequestStateCodec::Mac(std::string_view scope, std::string_view body) const {
  std::string data;
  data.reserve(kDomain.size() + scope.size() + 1 + body.size());
  data.append(kDomain).append(scope).append("\n").append(body);
  return HmacSha256(key_, data);
}

std::string RequestStateCodec::Seal(std::string_view scope, std::string_view payload,
                                    std::chrono::system_clock::time_point now) const {
  uint64_t expiry = uint64_t(UnixSeconds(now + ttl_));
  std::string raw(kExpiryBytes, '\0');
  for (size_t i = 0; i < kExpiryBytes; ++i) raw[i] = char((expiry >> (8 * (7 - i))) & 0xff);
  raw.append(payload);
  std::string body = auth::Base64UrlEncode(raw);
  return body + "." + auth::Base64UrlEncode(Mac(scope, body));
}

Result<std::string> RequestStateCodec::Open(std::string_view scope, std::string_view token,
                                            std::chrono::system_clock::time_point now) const {
  if (token.size() > kMaxRequestStateBytes) {
    return Refused("exceeds " + std::to_string(kMaxRequestStateBytes) + " bytes");
  }
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return Refused("is malformed");
  std::string_view body = token.substr(0, dot);
  auto mac = auth::Base64UrlDecode(token.substr(dot + 1));
  std::string expected = Mac(scope, body);
  if (!mac || mac->size() != expected.size() ||
      CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
    return Refused("failed its integrity check (altered, or issued for another request)");
  }
  auto raw = auth::Base64UrlDecode(body);
  if (!raw || raw->size() < kExpiryBytes) return Refused("is malformed");
  uint64_t expiry = 0;
  for (size_t i = 0; i < kExpiryBytes; ++i) expiry = (expiry << 8) | uint8_t((*raw)[i]);
  if (int64_t(expiry) < UnixSeconds(now)) return Refused("has expired");
  return raw->substr(kExpiryBytes);
}

std::string StateScope(std::string_view method, std::string_view name) {
  std::string s(method);
  s += '\n';
  s += name;
  return s;
}

std::string_view CapabilityForInput(std::string_view method) {
  if (method == "elicitation/create") return "elicitation";
  if (method == "sampling/createMessage") return "sampling";
  if (method == "roots/list") return "roots";
  return {};
}

bj::object ElicitationInput(std::string_view message, bj::object requested_schema) {
  return bj::object{{"method", "elicitation/create"},
                    {"params", bj::object{{"message", message},
                                          {"requestedSchema", std::move(requested_schema)}}}};
}

bj::object SamplingInput(std::string_view user_text, int max_tokens) {
  bj::object content{{"type", "text"}, {"text", user_text}};
  bj::array messages{bj::object{{"role", "user"}, {"content", std::move(content)}}};
  return bj::object{{"method", "sampling/createMessage"},
                    {"params", bj::object{{"messages", std::move(messages)},
                                          {"maxTokens", max_tokens}}}};
}

bj::object RootsInput() {
  return bj::object{{"method", "roots/list"}, {"params", bj::object{}}};
}

std::optional<bj::object> AcceptedElicitation(const bj::value* response) {
  if (!response || !response->is_object()) return std::nullopt;
  const bj::object& r = response->as_object();
  auto* action = r.if_contains("action");
  auto* content = r.if_contains("content");
  if (!action || *action != "accept" || !content || !content->is_object()) return std::nullopt;
  return content->as_object();
}

std::optional<std::string> SampledText(const bj::value* response) {
  if (!response || !response->is_object()) return std::nullopt;
  auto* content = response->as_object().if_contains("content");
  if (!content || !content->is_object()) return std::nullopt;
  auto* type = content->as_object().if_contains("type");
  auto* text = content->as_object().if_contains("text");
  if (!type || *type != "text" || !text || !text->is_string()) return std::nullopt;
  return std::string(text->as_string());
}

std::optional<bj::array> ListedRoots(const bj::value* response) {
  if (!response || !response->is_object()) return std::nullopt;
  auto* roots = response->as_object().if_contains("roots");
  if (!roots || !roots->is_array()) return std::nullopt;
  for (const auto& r : roots->as_array()) {
    if (!r.is_object() || !r.as_object().contains("uri")) return std::nullopt;
  }
  return roots->as_array();
}

Status CheckInputRequests(const bj::object& result, const bj::object& client_capabilities,
                          bj::object* missing) {
  auto* requests = result.if_contains("inputRequests");
  if (!requests || !requests->is_object() || requests->as_object().empty()) {
    return Status::Internal("input-required result without inputRequests");
  }
  if (requests->as_object().size() > kMaxInputRequests) {
    return Status::Internal("input-required result with more than " +
                            std::to_string(kMaxInputRequests) + " inputRequests");
  }
  for (const auto& [key, entry] : requests->as_object()) {
    const bj::object* e = entry.if_object();
    const bj::value* method = e ? e->if_contains("method") : nullptr;
    const bj::value* params = e ? e->if_contains("params") : nullptr;
    std::string_view cap =
        method && method->is_string() ? CapabilityForInput(method->as_string()) : "";
    if (cap.empty() || !params || !params->is_object()) {
      return Status::Internal("inputRequests[\"" + std::string(key) + "\"] is malformed");
    }
    if (!client_capabilities.contains(cap) && missing) (*missing)[cap] = bj::object{};
  }
  if (auto* state = result.if_contains("requestState"); state && !state->is_string()) {
    return Status::Internal("requestState must be a string");
  }
  return Status::OK();
}

}  // namespace mcpreg::mcp
