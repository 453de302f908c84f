// Target jwt: the bytes are either a compact JWT (what arrives in an Authorization header or an
// OIDC token exchange) or a JWK Set / single JWK (what an issuer's jwks_uri returns); every
// input is tried as all of them:
//   - auth::ParseJwt, then auth::VerifyJwt against the fixed key set of
//     tests/fixtures/auth/jwks.json (issuer https://issuer.example, audience mcp-registry, at a
//     time inside the fixture tokens' validity), and the registry-token verifier
//     (RegistryTokens::Verify with a fixed Ed25519 key);
//   - auth::JwkSet::Parse and auth::Key::FromJwk; when a set parses, the fixture tokens are
//     verified against it (so the fuzzer can reach the signature checks with its own keys).
// Checked: a token that verifies names an allowed alg and the expected issuer.
#include <string>
#include <vector>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "auth/registry_token.h"
#include "fuzz/fuzz_common.h"

using namespace mcpreg;

namespace {

class SetProvider final : public auth::KeyProvider {
 public:
  explicit SetProvider(const auth::JwkSet* set) : set_(set) {}
  Result<auth::Key> KeyFor(std::string_view kid) override {
    if (const auth::Key* k = set_->Find(kid)) return *k;
    return Status::Unauthenticated("unknown kid");
  }

 private:
  const auth::JwkSet* set_;
};

struct Fixtures {
  auth::JwkSet set;
  std::vector<std::string> tokens;
  auth::JwtChecks checks;
  Micros now = 1760000100LL * 1000000;  // inside the fixture tokens' [nbf, exp]
  std::unique_ptr<auth::RegistryTokens> registry;
};

const Fixtures& TheFixtures() {
  static Fixtures* f = [] {
    auto* f = new Fixtures;
    auto set = auth::JwkSet::Parse(fuzz::ReadSourceFile("tests/fixtures/auth/jwks.json"));
    fuzz::Check(set.ok(), "fixture JWKS parses");
    f->set = std::move(*set);
    for (const char* t : {"rs256", "es256", "eddsa"}) {
      std::string tok = fuzz::ReadSourceFile(std::string("tests/fixtures/auth/") + t + ".jwt");
      while (!tok.empty() && (tok.back() == '\n' || tok.back() == '\r')) tok.pop_back();
      f->tokens.push_back(tok);
    }
    f->checks.issuer = "https://issuer.example";
    f->checks.audiences = {"mcp-registry"};
    SetProvider p(&f->set);
    for (const auto& t : f->tokens)
      fuzz::Check(auth::VerifyJwt(t, f->checks, p, f->now).ok(), "fixture tokens verify");
    auto key = auth::Key::Ed25519FromSeed(std::string(32, '\x07'));
    fuzz::Check(key.ok(), "fixed Ed25519 seed");
    static ManualClock clock(f->now);
    f->registry = std::make_unique<auth::RegistryTokens>(*key, clock);
    return f;
  }();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixtures& fx = TheFixtures();
  std::string_view text = fuzz::AsView(data, size);

  // As a token.
  (void)auth::ParseJwt(text);
  SetProvider fixture_keys(&fx.set);
  auto verified = auth::VerifyJwt(text, fx.checks, fixture_keys, fx.now);
  if (verified.ok()) {
    auto alg = auth::ParseJwsAlg(verified->alg);
    fuzz::Check(alg.has_value(), "a verified token has an allowed alg");
    fuzz::Check(verified->StringClaim("iss") == fx.checks.issuer, "verified iss matches");
  }
  auth::JwtChecks loose;
  loose.require_kid = false;
  (void)auth::VerifyJwt(text, loose, fixture_keys, fx.now);
  (void)fx.registry->Verify(text);

  // As keys.
  (void)auth::Key::FromJwk(text);
  auto set = auth::JwkSet::Parse(text);
  if (set.ok()) {
    set->ToJson();
    SetProvider theirs(&*set);
    for (const auto& t : fx.tokens) (void)auth::VerifyJwt(t, fx.checks, theirs, fx.now);
  }
  return 0;
}
