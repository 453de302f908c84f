#include "auth/registry_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "auth/encoding.h"
#include "auth/jwt.h"
#include "core/json_out.h"

namespace mcpreg::auth {
namespace {

namespace bj = boost::json;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

Result<Key> ReadKeyFile(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Status::Internal(Errno("cannot stat", path));
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(path + " is not a regular file");
  if (st.st_mode & 077) {
    return Status::FailedPrecondition("registry key file " + path +
                                      " is accessible by group or others; run chmod 600 on it");
  }
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) return Status::Internal(Errno("cannot read", path));
  return RegistryKeyFromHex(std::string_view(buf, size_t(n)), "registry key file " + path);
}

}  // namespace

Result<std::string> NewRegistryKeyHex() {
  Result<Key> fresh = Key::Generate(KeyType::kEd25519);
  if (!fresh.ok()) return fresh.status();
  return HexEncode(fresh->Ed25519Seed());
}

Result<Key> RegistryKeyFromHex(std::string_view text, std::string_view source) {
  auto space = [](char c) { return isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  std::optional<std::string> seed = HexDecode(text);
  if (!seed || seed->size() != 32) {
    return Status::FailedPrecondition(std::string(source) +
                                      " must hold 64 hex characters (an Ed25519 seed)");
  }
  return Key::Ed25519FromSeed(*seed);
}

Result<Key> LoadOrCreateRegistryKey(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      Result<Key> key = ReadKeyFile(fd, path);
      close(fd);
      return key;
    }
    if (errno != ENOENT) return Status::Unavailable(Errno("cannot open", path));

    // Create: write a temporary file, then link() it into place, which fails if another
    // process won the race; that process's key is then loaded instead.
    Result<std::string> fresh = NewRegistryKeyHex();
    if (!fresh.ok()) return fresh.status();
    std::string text = *fresh + "\n";
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    int out = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) return Status::Unavailable(Errno("cannot create", tmp));
    bool ok = write(out, text.data(), text.size()) == ssize_t(text.size()) && fsync(out) == 0;
    close(out);
    if (!ok) {
      unlink(tmp.c_str());
      return Status::Unavailable(Errno("cannot write", tmp));
    }
    int linked = link(tmp.c_str(), path.c_str());
    int link_errno = errno;
    unlink(tmp.c_str());
    if (linked == 0) return Key::Ed25519FromSeed(*HexDecode(text.substr(0, 64)));
    if (link_errno != EEXIST) {
      errno = link_errno;
      return Status::Unavailable(Errno("cannot create", path));
    }
  }
  return Status::Unavailable("cannot create or load registry key " + path);
}

std::string TokenResponseJson(const IssuedToken& token) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("registry_token").String(token.registry_token);
  w.Key("expires_at").Int(token.expires_at).EndObject();
  return out;
}

RegistryTokens::RegistryTokens(Key key, const Clock& clock, int64_t ttl_seconds)
    : key_(std::move(key)), clock_(clock), ttl_seconds_(ttl_seconds) {}

Result<IssuedToken> RegistryTokens::Issue(const Principal& principal) const {
  const std::string& auth_method = principal.auth_method;
  const std::vector<Permission>& permissions = principal.permissions;
  const int64_t now = clock_.Now() / 1000000;
  const int64_t exp = now + ttl_seconds_;
  std::string claims;
  json::JsonOut w(claims);
  w.BeginObject();
  w.Key("iss").String(kRegistryIssuer);
  w.Key("exp").Int(exp).Key("nbf").Int(now).Key("iat").Int(now);
  w.Key("auth_method").String(auth_method);
  w.Key("auth_method_sub").String(principal.subject);
  w.Key("permissions").BeginArray();
  for (const Permission& p : permissions) {
    w.BeginObject().Key("action").String(p.action).Key("resource").String(p.resource).EndObject();
  }
  w.EndArray();
  // mcpreg's claims, after upstream's so that its claim prefix stays byte-identical.
  if (!principal.issuer.empty()) w.Key("auth_method_iss").String(principal.issuer);
  if (principal.rule_permissions >= 0)
    w.Key("rule_permissions")
        .Int(std::min<int64_t>(principal.rule_permissions, int64_t(permissions.size())));
  w.EndObject();
  Result<std::string> token = SignJwt(key_, JwsAlg::kEdDSA, claims);
  if (!token.ok())
    return Status::Internal("cannot sign registry token: " + token.status().message());
  return IssuedToken{std::move(token).value(), exp};
}

Result<Principal> RegistryTokens::Verify(std::string_view token) const {
  JwtChecks checks;
  checks.issuer = std::string(kRegistryIssuer);
  checks.algorithms = {JwsAlg::kEdDSA};
  checks.leeway_seconds = 0;
  checks.require_kid = false;
  SingleKeyProvider keys(key_);
  Result<Jwt> jwt = VerifyJwt(token, checks, keys, clock_.Now());
  if (!jwt.ok()) return jwt.status();
  Principal p;
  p.auth_method = jwt->StringClaim("auth_method");
  p.subject = jwt->StringClaim("auth_method_sub");
  if (p.auth_method.empty()) return Status::Unauthenticated("registry token has no auth_method");
  const bj::value* iss = jwt->claims.if_contains("auth_method_iss");
  if (iss && (!iss->is_string() || iss->get_string().empty()))
    return Status::Unauthenticated("registry token has a malformed auth_method_iss");
  if (iss) {
    p.issuer = std::string(iss->get_string());
  } else if (p.auth_method != "dns" && p.auth_method != "http") {
    return Status::Unauthenticated("registry token carries no issuer; exchange a new one");
  }
  const bj::value* perms = jwt->claims.if_contains("permissions");
  if (perms && perms->is_array()) {
    for (const bj::value& v : perms->get_array()) {
      const bj::object* o = v.if_object();
      const bj::value* a = o ? o->if_contains("action") : nullptr;
      const bj::value* r = o ? o->if_contains("resource") : nullptr;
      if (!a || !a->is_string() || !r || !r->is_string()) {
        return Status::Unauthenticated("registry token has a malformed permission");
      }
      p.permissions.push_back({std::string(a->get_string()), std::string(r->get_string())});
    }
  } else if (perms && !perms->is_null()) {
    return Status::Unauthenticated("registry token permissions is not an array");
  }
  if (const bj::value* n = jwt->claims.if_contains("rule_permissions")) {
    if (!n->is_int64() || n->get_int64() < 0 || n->get_int64() > int64_t(p.permissions.size()))
      return Status::Unauthenticated("registry token has a malformed rule_permissions");
    p.rule_permissions = static_cast<int>(n->get_int64());
  }
  return p;
}

}  // namespace mcpreg::auth
