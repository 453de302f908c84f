// A misbehaving HTTP peer on 127.0.0.1:0 for the outbound-fetch tests: it accepts connections
// and then, by mode, never answers, answers a header and stalls, dribbles one byte at a time,
// or closes at once. Counts accepted connections. Stop() (or the destructor) closes every
// socket, which also releases a client stuck on it.
//
// Thread-safety: connections() and Stop() from any thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mcpreg::testing {

class StallServer {
 public:
  enum class Mode { kSilent, kHeaderThenStall, kDribble, kCloseAtOnce };

  explicit StallServer(Mode mode,
                       std::chrono::milliseconds dribble_every = std::chrono::milliseconds(200))
      : mode_(mode), every_(dribble_every) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 64);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~StallServer() { Stop(); }

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_.load(); }

  void Stop() {
    if (stop_.exchange(true)) return;
    thread_.join();
    std::lock_guard lock(mu_);
    for (int c : clients_) ::close(c);
    clients_.clear();
    ::close(fd_);
  }

 private:
  void Run() {
    auto next_byte = std::chrono::steady_clock::now();
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          ++connections_;
          if (mode_ == Mode::kCloseAtOnce) {
            ::close(c);
          } else {
            if (mode_ == Mode::kHeaderThenStall) {
              std::string h =
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  "Content-Length: 1000\r\n\r\n{";
              ::send(c, h.data(), h.size(), MSG_NOSIGNAL);
            }
            std::lock_guard lock(mu_);
            clients_.push_back(c);
          }
        }
      }
      if (mode_ == Mode::kDribble && std::chrono::steady_clock::now() >= next_byte) {
        next_byte += every_;
        // A valid response, one byte at a time, long enough never to finish.
        static const std::string kResp =
            "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, ' ');
        std::lock_guard lock(mu_);
        for (size_t i = 0; i < clients_.size(); ++i) {
          if (sent_.size() <= i) sent_.push_back(0);
          if (sent_[i] < kResp.size()) {
            ::send(clients_[i], kResp.data() + sent_[i], 1, MSG_NOSIGNAL);
            ++sent_[i];
          }
        }
      }
    }
  }

  const Mode mode_;
  const std::chrono::milliseconds every_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<int> clients_;
  std::vector<size_t> sent_;
  std::thread thread_;
};

}  // namespace mcpreg::testing
