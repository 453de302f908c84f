#include "integration/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

extern char** environ;

namespace mcpreg::testing {
namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> v;
  for (auto& a : args) v.push_back(a.data());
  v.push_back(nullptr);
  return v;
}

std::string ReadAll(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, n);
  return s;
}

// The port of the first complete "listening on http://HOST:PORT" line in `log` (the server's
// own output), or 0 while there is none yet.
int ListenPort(const std::string& log) {
  static constexpr std::string_view kPrefix = "listening on http://";
  for (size_t at = log.find(kPrefix); at != std::string::npos; at = log.find(kPrefix, at + 1)) {
    size_t end = log.find_first_of(" \n", at + kPrefix.size());
    if (end == std::string::npos) return 0;  // the line is not complete yet
    std::string_view addr(log.data() + at + kPrefix.size(), end - at - kPrefix.size());
    size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == addr.size()) continue;
    int port = 0;
    for (char c : addr.substr(colon + 1)) {
      if (c < '0' || c > '9') {
        port = 0;
        break;
      }
      port = port * 10 + (c - '0');
    }
    if (port > 0) return port;
  }
  return 0;
}

}  // namespace

const char* BinaryPath() {
  const char* env = std::getenv("MCPREG_TEST_BINARY");
  return env && *env ? env : MCPREG_BINARY;
}

std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "mcpreg-test-XXXXXX").string();
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : std::string();
}

ServerProcess::ServerProcess(std::string db_path, std::vector<std::string> extra_args) {
  std::vector<std::string> args = {BinaryPath(),  "serve", "--listen",
                                   "127.0.0.1:0", "--db",  db_path};
  for (auto& a : extra_args) args.push_back(a);
  int pipefd[2];
  if (pipe(pipefd) != 0) return;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  auto argv = Argv(args);
  if (posix_spawn(&pid_, BinaryPath(), &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  stderr_fd_ = pipefd[0];
  if (pid_ < 0) return;

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stderr_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) > 0) {
      char buf[4096];
      ssize_t n = read(stderr_fd_, buf, sizeof buf);
      if (n <= 0) break;
      log_.append(buf, n);
      if (int port = ListenPort(log_); port > 0) {
        port_ = port;
        break;
      }
    }
  }
  // Keep draining stderr so the child never blocks on a full pipe.
  fcntl(stderr_fd_, F_SETFL, O_NONBLOCK);
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 150; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      char buf[4096];
      ssize_t n;
      while ((n = read(stderr_fd_, buf, sizeof buf)) > 0) log_.append(buf, n);
      close(stderr_fd_);
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  close(stderr_fd_);
  return -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  close(stderr_fd_);
}

ServerProcess::~ServerProcess() { Stop(); }

int RunCli(const std::vector<std::string>& in_args, std::string* out, std::string* err) {
  std::vector<std::string> args = {BinaryPath()};
  for (auto& a : in_args) args.push_back(a);
  int o[2], e[2];
  if (pipe(o) != 0 || pipe(e) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, o[1], 1);
  posix_spawn_file_actions_adddup2(&fa, e[1], 2);
  posix_spawn_file_actions_addclose(&fa, o[0]);
  posix_spawn_file_actions_addclose(&fa, e[0]);
  auto argv = Argv(args);
  pid_t pid;
  int rc = posix_spawn(&pid, BinaryPath(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(o[1]);
  close(e[1]);
  if (rc != 0) return -1;
  // Read stderr on a thread so neither pipe can fill up and block the child.
  std::string err_s;
  std::thread t([&] { err_s = ReadAll(e[0]); });
  std::string out_s = ReadAll(o[0]);
  t.join();
  close(o[0]);
  close(e[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) *out = out_s;
  if (err) *err = err_s;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace mcpreg::testing
