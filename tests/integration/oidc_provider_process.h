// Starts tests/oidc_provider (the `mcpreg_test_oidc` binary) as a child process for tests of
// sign-in: waits for its "listening on http://127.0.0.1:PORT" line on stdout and exposes the
// issuer URL. Stops it with SIGTERM on destruction.
//
//   testing::OidcProviderProcess idp({"--user", "alice", "--claims", R"({"groups":["r"]})"});
//   ASSERT_TRUE(idp.started());
//   ... config: issuer: idp.issuer(), discovery: true ...
#pragma once

#include <string>
#include <vector>

namespace mcpreg::testing {

class OidcProviderProcess {
 public:
  // `args` are passed to mcpreg_test_oidc (see the top of tests/oidc_provider/main.cc).
  explicit OidcProviderProcess(std::vector<std::string> args = {});
  ~OidcProviderProcess();
  OidcProviderProcess(const OidcProviderProcess&) = delete;
  OidcProviderProcess& operator=(const OidcProviderProcess&) = delete;

  bool started() const { return !issuer_.empty(); }
  // "http://127.0.0.1:PORT", "" when it did not start.
  const std::string& issuer() const { return issuer_; }
  void Stop();

 private:
  int pid_ = -1;
  std::string issuer_;
};

// The fixture binary: $MCPREG_TEST_OIDC when set, else the one built with the tests.
const char* OidcProviderPath();

}  // namespace mcpreg::testing
