// The publishing client's stored credentials: the registry token that `mcpreg login oidc` obtains
// and `mcpreg publish` / `mcpreg status` reuse, kept in a small JSON file
// {"registry": URL, "registry_token": JWT, "expires_at": unix seconds}.
//
// Location: $MCPREG_TOKEN_FILE, else $XDG_CONFIG_HOME/mcpreg/token.json, else
// $HOME/.config/mcpreg/token.json. The file is created with mode 0600 (its directory 0700) and
// replaced atomically; a token file readable by group or others is refused when read, as ssh
// does with private keys. Tokens are secrets: no function here ever puts one in a message.
//
// Thread-safety: free functions; concurrent writers to one path are last-writer-wins.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "mcpreg/status.h"

namespace mcpreg::client {

// Reads an environment variable; nullopt when unset. Tests pass a map-backed lookup.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment (getenv); empty values count as unset.
EnvLookup ProcessEnv();

// Default registry when neither --registry nor $MCPREG_REGISTRY is given.
inline constexpr char kDefaultRegistry[] = "http://127.0.0.1:8080";

// Registry base URL without trailing slashes ("http://h:8080/" → "http://h:8080").
std::string NormalizeRegistryUrl(std::string url);

struct StoredToken {
  std::string registry;        // base URL the token was issued by
  std::string registry_token;  // the registry's JWT (secret)
  int64_t expires_at = 0;      // unix seconds
};

// The token file path from the environment (see the file comment). Errors: FailedPrecondition
// when none of MCPREG_TOKEN_FILE, XDG_CONFIG_HOME and HOME is set.
Result<std::string> TokenFilePath(const EnvLookup& env);

// Writes `token` to `path`, creating missing parent directories (mode 0700). The file is written
// to a temp file in the same directory with mode 0600, fsynced and renamed over `path`, so it is
// never visible half-written or with wider permissions. Errors: Unavailable (I/O).
Status WriteTokenFile(const std::string& path, const StoredToken& token);

// Reads the token at `path` and checks it is usable at `now_unix_seconds` (it must not expire
// within the next kExpirySlackSeconds, so a request is not sent with a token about to lapse).
// Errors: Unauthenticated when the file does not exist or the token has expired (both messages
// end with "run `mcpreg login oidc` first"); FailedPrecondition when the file is readable by
// group/others or is not a valid token file; Unavailable when it cannot be read.
inline constexpr int64_t kExpirySlackSeconds = 5;
Result<StoredToken> ReadTokenFile(const std::string& path, int64_t now_unix_seconds);

// The registry `mcpreg login oidc` logs in to: `flag` when set, else $MCPREG_REGISTRY, else
// kDefaultRegistry; normalized.
std::string LoginRegistry(const std::string& flag, const EnvLookup& env);

// The stored login publish/status use: the token file's token, checked as ReadTokenFile does,
// for the registry `flag` (or $MCPREG_REGISTRY) names, or for the token's own registry when
// neither is set. Errors: those of TokenFilePath/ReadTokenFile; Unauthenticated when the token
// was issued by another registry than the one asked for.
Result<StoredToken> LoadLogin(const std::string& flag, const EnvLookup& env,
                              int64_t now_unix_seconds);

}  // namespace mcpreg::client
