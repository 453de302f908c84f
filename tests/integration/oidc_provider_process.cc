#include "integration/oidc_provider_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

extern char** environ;

namespace mcpreg::testing {

const char* OidcProviderPath() {
  const char* env = std::getenv("MCPREG_TEST_OIDC");
  return env && *env ? env : MCPREG_TEST_OIDC;
}

OidcProviderProcess::OidcProviderProcess(std::vector<std::string> args) {
  args.insert(args.begin(), OidcProviderPath());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipefd[2];
  if (pipe(pipefd) != 0) return;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  if (posix_spawn(&pid_, OidcProviderPath(), &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  std::string out;
  static constexpr std::string_view kPrefix = "listening on ";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd p{pipefd[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[512];
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
    size_t at = out.find(kPrefix), eol = out.find('\n');
    if (at != std::string::npos && eol != std::string::npos && eol > at) {
      issuer_ = out.substr(at + kPrefix.size(), eol - at - kPrefix.size());
      break;
    }
  }
  close(pipefd[0]);  // it prints nothing else on stdout
}

void OidcProviderProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

OidcProviderProcess::~OidcProviderProcess() { Stop(); }

}  // namespace mcpreg::testing
