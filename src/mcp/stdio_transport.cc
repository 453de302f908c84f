#include "mcp/stdio_transport.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "mcp/session.h"

namespace mcpreg::mcp {
namespace {

// Serializes whole lines onto the output descriptor.
class LineWriter {
 public:
  explicit LineWriter(int fd) : fd_(fd) {}
  void Write(std::string message) {
    if (message.empty()) return;
    message += '\n';
    std::lock_guard lock(mu_);
    const char* p = message.data();
    size_t left = message.size();
    while (left > 0 && !failed_) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        break;
      }
      p += n;
      left -= size_t(n);
    }
  }
  bool failed() const { return failed_.load(); }

 private:
  int fd_;
  std::mutex mu_;
  std::atomic<bool> failed_{false};
};

class StdioOutbox : public Outbox {
 public:
  explicit StdioOutbox(std::shared_ptr<LineWriter> w) : w_(std::move(w)) {}
  void Send(std::string message) override { w_->Write(std::move(message)); }
  void Finish(std::string response) override { w_->Write(std::move(response)); }

 private:
  std::shared_ptr<LineWriter> w_;
};

}  // namespace

Status RunStdio(const McpServer& server, int in_fd, int out_fd, StdioOptions options) {
  auto writer = std::make_shared<LineWriter>(out_fd);
  auto outbox = std::make_shared<StdioOutbox>(writer);
  auto session = Session::Create(server);
  session->SetNotifier([writer](std::string m) { writer->Write(std::move(m)); });
  const size_t max_line = server.options().limits.max_bytes;

  std::string line;
  bool discarding = false;  // inside an oversized line: drop bytes until its newline
  char buf[64 * 1024];
  Status result = Status::OK();
  auto handle_line = [&](std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
    session->HandleText(text, outbox);
  };
  for (;;) {
    ssize_t n = ::read(in_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = Status::Unavailable(std::string("reading stdin: ") + std::strerror(errno));
      break;
    }
    if (n == 0) {
      if (!discarding && !line.empty()) handle_line(line);
      break;
    }
    std::string_view chunk(buf, size_t(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      std::string_view piece = chunk.substr(0, nl);
      if (!discarding) {
        if (line.size() + piece.size() > max_line) {
          discarding = true;
          line.clear();
          writer->Write(EncodeError(nullptr, {kInvalidRequest,
                                              "Message too large (limit " +
                                                  std::to_string(max_line) + " bytes)",
                                              nullptr}));
        } else {
          line.append(piece);
        }
      }
      if (nl == std::string_view::npos) break;
      if (!discarding) handle_line(line);
      line.clear();
      discarding = false;
      chunk.remove_prefix(nl + 1);
    }
    if (writer->failed()) {
      result = Status::Unavailable("writing stdout failed");
      break;
    }
  }
  session->WaitIdle(options.drain_timeout);
  session->Close();
  session->WaitIdle(options.drain_timeout);
  return result;
}

}  // namespace mcpreg::mcp
