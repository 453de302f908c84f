#include "cli/snapshot_check.h"

#include <cstdio>

#include "auth/fetcher.h"
#include "federation/jwks_source.h"

namespace mcpreg::cli {

int CheckSnapshot(const std::string& cmd, std::string_view envelope, const std::string& jwks,
                  federation::VerifiedSnapshot* out) {
  auto fetcher = auth::NewHttpFetcher();
  auto keys = federation::LoadJwks(jwks, fetcher.get());
  if (!keys.ok()) {
    std::fprintf(stderr, "mcpreg %s: %s\n", cmd.c_str(), keys.status().message().c_str());
    return ExitCodeFor(keys.status().code());
  }
  auto verified = federation::VerifySnapshot(envelope, *keys, SystemClock::Instance().Now());
  if (!verified.ok()) {
    std::fprintf(stderr, "mcpreg %s: snapshot refused: %s\n", cmd.c_str(),
                 verified.status().message().c_str());
    return 1;
  }
  *out = std::move(*verified);
  return 0;
}

std::string VerifiedLine(const federation::VerifiedSnapshot& s) {
  return "verified: " + std::to_string(s.info.servers) + " servers, generation " +
         std::to_string(s.info.generation) + ", signed by " + s.kid + ", expires " +
         FormatRfc3339(s.info.expires_at);
}

}  // namespace mcpreg::cli
