#include "auth/jwt.h"

#include <boost/json.hpp>
#include <cmath>

#include "auth/encoding.h"
#include "core/json_out.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

constexpr size_t kMaxTokenBytes = 16 * 1024;

Status Fail(std::string what) { return Status::Unauthenticated(std::move(what)); }

Result<bj::object> DecodeSegment(std::string_view seg, std::string_view what) {
  std::optional<std::string> raw = Base64UrlDecode(seg);
  if (!raw) return Fail("malformed token: " + std::string(what) + " is not base64url");
  boost::system::error_code ec;
  bj::value v = bj::parse(*raw, ec);
  if (ec || !v.is_object()) {
    return Fail("malformed token: " + std::string(what) + " is not a JSON object");
  }
  return std::move(v.get_object());
}

// NumericDate (RFC 7519 §2): a JSON number, possibly fractional. Truncated to seconds.
std::optional<int64_t> AsSeconds(const bj::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    return v.get_uint64() > uint64_t(INT64_MAX) ? std::nullopt
                                                : std::optional<int64_t>(int64_t(v.get_uint64()));
  }
  if (v.is_double() && std::isfinite(v.get_double()) && std::fabs(v.get_double()) < 9e15) {
    return int64_t(std::floor(v.get_double()));
  }
  return std::nullopt;
}

Status CheckTimes(const bj::object& claims, int64_t now_s, int64_t leeway) {
  const bj::value* exp = claims.if_contains("exp");
  if (!exp) return Fail("token has no exp claim");
  std::optional<int64_t> e = AsSeconds(*exp);
  if (!e) return Fail("token exp claim is not a NumericDate");
  if (now_s - leeway >= *e) return Fail("token has expired");
  if (const bj::value* nbf = claims.if_contains("nbf")) {
    std::optional<int64_t> n = AsSeconds(*nbf);
    if (!n) return Fail("token nbf claim is not a NumericDate");
    if (now_s + leeway < *n) return Fail("token is not valid yet (nbf is in the future)");
  }
  if (const bj::value* iat = claims.if_contains("iat")) {
    std::optional<int64_t> i = AsSeconds(*iat);
    if (!i) return Fail("token iat claim is not a NumericDate");
    if (now_s + leeway < *i) return Fail("token was issued in the future (iat)");
  }
  return Status::OK();
}

Status CheckAudience(const bj::object& claims, const std::vector<std::string>& accepted) {
  if (accepted.empty()) return Status::OK();
  const bj::value* aud = claims.if_contains("aud");
  if (!aud) return Fail("token has no aud claim");
  auto ok = [&](const bj::value& v) {
    if (!v.is_string()) return false;
    for (const std::string& a : accepted) {
      if (v.get_string() == a) return true;
    }
    return false;
  };
  if (aud->is_string()) {
    if (ok(*aud)) return Status::OK();
  } else if (aud->is_array()) {
    for (const bj::value& v : aud->get_array()) {
      if (ok(v)) return Status::OK();
    }
  } else {
    return Fail("token aud claim is neither a string nor an array");
  }
  // Upstream's wording (PR #1229): "invalid audience: expected X, got [Y]". The token's
  // values are the caller's: at most 4, each cut to 200 bytes.
  std::string want;
  for (const std::string& a : accepted) want += (want.empty() ? "" : " or ") + a;
  std::string got;
  auto add_got = [&got](const bj::value& v) {
    std::string one = v.is_string() ? std::string(v.get_string()).substr(0, 200) : "?";
    got += (got.empty() ? "" : " ") + one;
  };
  if (aud->is_string()) {
    add_got(*aud);
  } else {
    const auto& arr = aud->get_array();
    for (size_t i = 0; i < arr.size() && i < 4; ++i) add_got(arr[i]);
    if (arr.size() > 4) got += " ...";
  }
  return Fail("invalid audience: expected " + want + ", got [" + got + "]");
}

}  // namespace

std::string Jwt::StringClaim(std::string_view name) const {
  const bj::value* v = claims.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Jwt::NumericDate(std::string_view name) const {
  const bj::value* v = claims.if_contains(name);
  if (!v) return 0;
  return AsSeconds(*v).value_or(0);
}

Result<Jwt> ParseJwt(std::string_view token) {
  if (token.empty()) return Fail("malformed token: empty");
  if (token.size() > kMaxTokenBytes) return Fail("malformed token: longer than 16 KiB");
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return Fail("malformed token: not three dot-separated segments (compact JWS)");
  }
  Jwt jwt;
  Result<bj::object> header = DecodeSegment(token.substr(0, d1), "header");
  if (!header.ok()) return header.status();
  Result<bj::object> claims = DecodeSegment(token.substr(d1 + 1, d2 - d1 - 1), "claims");
  if (!claims.ok()) return claims.status();
  std::optional<std::string> sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!sig) return Fail("malformed token: signature is not base64url");
  jwt.header = std::move(header).value();
  jwt.claims = std::move(claims).value();
  jwt.signature = std::move(*sig);
  jwt.signing_input = std::string(token.substr(0, d2));
  const bj::value* alg = jwt.header.if_contains("alg");
  if (!alg || !alg->is_string()) return Fail("malformed token: header has no alg");
  jwt.alg = std::string(alg->get_string());
  if (const bj::value* kid = jwt.header.if_contains("kid")) {
    if (!kid->is_string()) return Fail("malformed token: header kid is not a string");
    jwt.kid = std::string(kid->get_string());
  }
  return jwt;
}

Result<Jwt> VerifyJwt(std::string_view token, const JwtChecks& checks, KeyProvider& keys,
                      Micros now) {
  Result<Jwt> parsed = ParseJwt(token);
  if (!parsed.ok()) return parsed.status();
  Jwt& jwt = parsed.value();

  std::string alg_shown = jwt.alg.substr(0, 32);
  if (jwt.alg == "none" || jwt.alg.empty()) return Fail("unsecured tokens (alg none) are refused");
  if (jwt.alg.starts_with("HS")) {
    return Fail("symmetric algorithm " + alg_shown + " is refused; only public-key signatures");
  }
  std::optional<JwsAlg> alg = ParseJwsAlg(jwt.alg);
  bool allowed = false;
  for (JwsAlg a : checks.algorithms) allowed = allowed || (alg && a == *alg);
  if (!allowed) return Fail("token algorithm " + alg_shown + " is not allowed for this issuer");
  if (jwt.header.contains("crit")) return Fail("token header lists unsupported crit extensions");

  if (checks.require_kid && jwt.kid.empty()) return Fail("token header has no kid");
  Result<Key> key = keys.KeyFor(jwt.kid);
  if (!key.ok()) return key.status();
  MCPREG_RETURN_IF_ERROR(key->Verify(*alg, jwt.signing_input, jwt.signature));

  if (!checks.issuer.empty()) {
    std::string iss = jwt.StringClaim("iss");
    if (iss != checks.issuer) {
      return Fail("token issuer \"" + iss.substr(0, 200) + "\" is not \"" + checks.issuer + "\"");
    }
  }
  MCPREG_RETURN_IF_ERROR(CheckAudience(jwt.claims, checks.audiences));
  int64_t now_s = now >= 0 ? now / 1000000 : -((-now + 999999) / 1000000);
  MCPREG_RETURN_IF_ERROR(CheckTimes(jwt.claims, now_s, checks.leeway_seconds));
  return std::move(parsed).value();
}

Result<std::string> SignJwt(const Key& key, JwsAlg alg, std::string_view claims_json) {
  std::string header;
  json::JsonOut w(header);
  w.BeginObject().Key("alg").String(JwsAlgName(alg));
  w.StringIf("kid", key.kid());
  w.Key("typ").String("JWT").EndObject();
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(claims_json);
  Result<std::string> sig = key.Sign(alg, input);
  if (!sig.ok()) return sig.status();
  return input + "." + Base64UrlEncode(*sig);
}

}  // namespace mcpreg::auth
