// A scripted HTTP server for the publishing-client tests: an HttpServer on 127.0.0.1:0 that
// answers each (method, path) with a canned reply and records every request it saw. Stands in
// for the registry and for the GitHub Actions / Azure Pipelines token endpoints.
//
// Thread-safety: On() before requests are sent; Requests() from any thread.
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/encoding.h"
#include "transport/http_server.h"

namespace mcpreg::testing {

class FakeRegistry {
 public:
  using Reply = std::function<http::HttpResponse(const http::HttpRequest&)>;

  FakeRegistry() {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    o.max_body_bytes = 16 * 1024 * 1024;
    server_ = std::make_unique<http::HttpServer>(
        o, [this](http::HttpRequest&& req, std::shared_ptr<http::Responder> r) {
          Reply reply;
          {
            std::lock_guard<std::mutex> lock(mu_);
            seen_.push_back(req);
            auto it = routes_.find({req.method, req.path});
            if (it != routes_.end()) reply = it->second;
          }
          r->Send(reply ? reply(req)
                        : Json(404, R"({"title":"Not Found","status":404,"detail":"no route"})"));
        });
    started_ = server_->Start().ok();
  }
  ~FakeRegistry() { server_->Stop(std::chrono::milliseconds(500)); }

  bool started() const { return started_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // `path` is the undecoded request path (without the query).
  void On(std::string method, std::string path, Reply reply) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[{std::move(method), std::move(path)}] = std::move(reply);
  }
  void On(std::string method, std::string path, int status, std::string body) {
    On(std::move(method), std::move(path),
       [status, body](const http::HttpRequest&) { return Json(status, body); });
  }

  std::vector<http::HttpRequest> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  static http::HttpResponse Json(int status, std::string body) {
    http::HttpResponse resp;
    resp.status = status;
    resp.Set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
    resp.body = std::move(body);
    return resp;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Reply> routes_;
  std::vector<http::HttpRequest> seen_;
  std::unique_ptr<http::HttpServer> server_;
  bool started_ = false;
};

// Sets environment variables for one test (child processes inherit them) and restores them on
// destruction. Not thread-safe: use from the test's main thread only.
class ScopedEnv {
 public:
  void Set(const std::string& k, const std::string& v) {
    Save(k);
    ::setenv(k.c_str(), v.c_str(), 1);
  }
  void Unset(const std::string& k) {
    Save(k);
    ::unsetenv(k.c_str());
  }
  ~ScopedEnv() {
    for (auto& [k, v] : saved_) {
      if (v)
        ::setenv(k.c_str(), v->c_str(), 1);
      else
        ::unsetenv(k.c_str());
    }
  }

 private:
  void Save(const std::string& k) {
    if (saved_.count(k)) return;
    const char* v = std::getenv(k.c_str());
    saved_[k] = v ? std::optional<std::string>(v) : std::nullopt;
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

// An unsigned JWT-shaped string whose payload carries `iss` (for issuer-based routing).
inline std::string FakeJwt(const std::string& iss) {
  return auth::Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." +
         auth::Base64UrlEncode(R"({"iss":")" + iss + R"(","sub":"repo:acme/x"})") + ".c2ln";
}

}  // namespace mcpreg::testing
