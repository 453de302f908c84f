#include "client/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/json_out.h"
#include "mcpreg/clock.h"

namespace mcpreg::client {
namespace {

constexpr char kLoginHint[] = "run `mcpreg login oidc` first";

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Creates every missing directory of `dir` with mode 0700 (existing ones are left alone: the
// user may keep ~/.config at 0755).
Status MakeDirs(const std::filesystem::path& dir) {
  if (dir.empty()) return Status::OK();
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::OK();
  MCPREG_RETURN_IF_ERROR(MakeDirs(dir.parent_path()));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Unavailable(Errno("cannot create directory", dir.string()));
  return Status::OK();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(Errno("cannot write", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::string NormalizeRegistryUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<std::string> TokenFilePath(const EnvLookup& env) {
  if (auto p = env("MCPREG_TOKEN_FILE")) return *p;
  if (auto x = env("XDG_CONFIG_HOME")) return *x + "/mcpreg/token.json";
  if (auto h = env("HOME")) return *h + "/.config/mcpreg/token.json";
  return Status::FailedPrecondition(
      "cannot locate the token file: set MCPREG_TOKEN_FILE, XDG_CONFIG_HOME or HOME");
}

Status WriteTokenFile(const std::string& path, const StoredToken& token) {
  std::filesystem::path target(path);
  MCPREG_RETURN_IF_ERROR(MakeDirs(target.parent_path()));

  std::string body;
  json::JsonOut w(body);
  w.BeginObject();
  w.Key("registry").String(token.registry);
  w.Key("registry_token").String(token.registry_token);
  w.Key("expires_at").Int(token.expires_at);
  w.EndObject();
  body += '\n';

  std::random_device rd;
  std::string tmp = path + ".tmp." + std::to_string(rd());
  // O_EXCL + 0600 at creation: the secret is never readable by others, whatever the umask.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(Errno("cannot create", tmp));
  Status st = WriteAll(fd, body, tmp);
  if (st.ok() && ::fchmod(fd, 0600) != 0) st = Status::Unavailable(Errno("cannot chmod", tmp));
  if (st.ok() && ::fsync(fd) != 0) st = Status::Unavailable(Errno("cannot sync", tmp));
  if (::close(fd) != 0 && st.ok()) st = Status::Unavailable(Errno("cannot close", tmp));
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    st = Status::Unavailable(Errno("cannot replace", path));
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Result<StoredToken> ReadTokenFile(const std::string& path, int64_t now_unix_seconds) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Status::Unauthenticated("not logged in (no token file at " + path +
                                     "): " + kLoginHint);
    return Status::Unavailable(Errno("cannot open token file", path));
  }
  struct stat sb {};
  if (::fstat(fd, &sb) != 0) {
    Status st = Status::Unavailable(Errno("cannot stat token file", path));
    ::close(fd);
    return st;
  }
  if ((sb.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(sb.st_mode & 07777));
    return Status::FailedPrecondition("token file " + path +
                                      " is accessible by other users (mode " + mode +
                                      "): run `chmod 600 " + path + "` or log in again");
  }
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Status::Unavailable(Errno("cannot read token file", path));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 1024 * 1024) break;  // a token file is tiny; don't slurp a wrong file
  }
  ::close(fd);

  const std::string bad = "token file " + path + " is not valid (" + kLoginHint + ")";
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return Status::FailedPrecondition(bad + ": not a JSON object");
  const auto& o = v.get_object();
  StoredToken t;
  const auto* reg = o.if_contains("registry");
  const auto* tok = o.if_contains("registry_token");
  const auto* exp = o.if_contains("expires_at");
  if (reg == nullptr || !reg->is_string() || reg->get_string().empty())
    return Status::FailedPrecondition(bad + ": missing \"registry\"");
  if (tok == nullptr || !tok->is_string() || tok->get_string().empty())
    return Status::FailedPrecondition(bad + ": missing \"registry_token\"");
  if (exp == nullptr || !(exp->is_int64() || exp->is_uint64()))
    return Status::FailedPrecondition(bad + ": missing \"expires_at\"");
  t.registry = NormalizeRegistryUrl(std::string(reg->get_string()));
  t.registry_token = std::string(tok->get_string());
  t.expires_at = exp->is_int64() ? exp->get_int64() : static_cast<int64_t>(exp->get_uint64());
  if (t.expires_at <= now_unix_seconds + kExpirySlackSeconds) {
    return Status::Unauthenticated("the registry token for " + t.registry + " expired at " +
                                   FormatRfc3339(t.expires_at * 1000000) + ": " + kLoginHint);
  }
  return t;
}

std::string LoginRegistry(const std::string& flag, const EnvLookup& env) {
  if (!flag.empty()) return NormalizeRegistryUrl(flag);
  if (auto e = env("MCPREG_REGISTRY")) return NormalizeRegistryUrl(*e);
  return kDefaultRegistry;
}

Result<StoredToken> LoadLogin(const std::string& flag, const EnvLookup& env,
                              int64_t now_unix_seconds) {
  auto path = TokenFilePath(env);
  if (!path.ok()) return path.status();
  auto token = ReadTokenFile(*path, now_unix_seconds);
  if (!token.ok()) return token.status();
  std::optional<std::string> wanted;
  if (!flag.empty())
    wanted = NormalizeRegistryUrl(flag);
  else if (auto e = env("MCPREG_REGISTRY"))
    wanted = NormalizeRegistryUrl(*e);
  if (wanted && *wanted != token->registry) {
    return Status::Unauthenticated("the stored registry token is for " + token->registry +
                                   ", not " + *wanted + ": run `mcpreg login oidc --registry " +
                                   *wanted + "` first");
  }
  return token;
}

}  // namespace mcpreg::client
