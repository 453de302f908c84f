// CaptureOutbox: an mcp::Outbox for tests that keeps everything a session writes for one
// exchange (notifications, the response, how often Finish ran, the client-gone hook).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "mcp/session.h"

namespace mcpreg::testing {

class CaptureOutbox : public mcp::Outbox {
 public:
  void Send(std::string m) override {
    std::lock_guard l(mu);
    sent.push_back(std::move(m));
  }
  void Finish(std::string r) override {
    std::lock_guard l(mu);
    response = std::move(r);
    ++finished;
  }
  void OnClientGone(std::function<void()> cancel) override { gone = std::move(cancel); }
  std::vector<std::string> Sent() {
    std::lock_guard l(mu);
    return sent;
  }
  boost::json::object Json() { return boost::json::parse(response).as_object(); }

  std::mutex mu;
  std::vector<std::string> sent;
  std::string response;
  int finished = 0;  // Finish calls (a session makes exactly one per request)
  std::function<void()> gone;
};

}  // namespace mcpreg::testing
