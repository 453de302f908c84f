// Starts the real `mcpreg` binary as a child process for integration tests: `serve` on
// 127.0.0.1:0 with a temp database, waits for the "listening on" log line and exposes the port.
// Stops it with SIGTERM on destruction (and checks it exits).
#pragma once

#include <string>
#include <vector>

namespace mcpreg::testing {

class ServerProcess {
 public:
  // `extra_args` are appended to `mcpreg serve --listen 127.0.0.1:0 --db <db>`.
  explicit ServerProcess(std::string db_path, std::vector<std::string> extra_args = {});
  ~ServerProcess();

  bool started() const { return port_ != 0; }
  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Sends SIGTERM and waits; returns the exit status (or -1 when it had to be killed).
  int Stop();
  // SIGKILL: the process dies mid-whatever (crash test); waits for it.
  void Kill();
  const std::string& log() const { return log_; }

 private:
  int pid_ = -1;
  int port_ = 0;
  int stderr_fd_ = -1;
  std::string log_;
};

// Runs `mcpreg <args>` to completion; returns the exit code and captures stdout/stderr.
int RunCli(const std::vector<std::string>& args, std::string* out, std::string* err);

// The binary the helpers run: $MCPREG_TEST_BINARY when set (e.g. to run a suite against another
// build), else the one built with the tests.
const char* BinaryPath();

// A fresh temporary directory removed at process exit.
std::string TempDir();

}  // namespace mcpreg::testing
