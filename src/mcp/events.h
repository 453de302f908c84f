// ResourceEvents: resource change notifications from the application to the clients that asked
// for them. The application (which knows when its resources change) calls ResourceUpdated(uri)
// and ResourcesListChanged(); the hub forwards each to every subscriber that wants it:
//   - legacy sessions (mcp/session.h): notifications/resources/updated for the URIs the session
//     subscribed with resources/subscribe, and notifications/resources/list_changed;
//   - 2026-07-28 subscriptions/listen requests: the kinds and URIs the listen asked for and the
//     server honored, each notification tagged with the listen's subscriptionId.
// A server whose application never calls Enable() has no events: it declares neither resource
// subscriptions nor list changes, and subscriptions/listen honors nothing.
//
// Bounds: at most `max_listeners` subscriptions/listen requests are open at once (a further one
// is refused); legacy sessions are bounded by their transport. Delivery runs on the caller's
// thread, outside the hub's lock; a subscriber's `deliver` must not block (transports queue).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mcpreg::mcp {

class ResourceEvents {
 public:
  struct Subscriber {
    // Whether notifications/resources/updated for `uri` is wanted.
    std::function<bool(std::string_view uri)> wants;
    bool list_changed = false;  // whether notifications/resources/list_changed is wanted
    // Sends one notification (method, params) to the client.
    std::function<void(std::string_view method, boost::json::object params)> deliver;
    // Called once by CloseAll (shutdown): end the subscription gracefully. May be empty.
    std::function<void()> end;
  };

  explicit ResourceEvents(size_t max_listeners = 1024) : max_listeners_(max_listeners) {}

  // Declares that the application reports changes. Call before serving.
  void Enable() { enabled_ = true; }
  bool enabled() const { return enabled_; }
  size_t max_listeners() const { return max_listeners_; }

  // Registers a subscriber; `listener` counts it against max_listeners. Returns its id, or 0
  // when listeners are at the bound (or the hub is closed): nothing was registered.
  uint64_t Add(Subscriber subscriber, bool listener);
  // Unregisters (no-op for an unknown id or 0). Its `end` is not called.
  void Remove(uint64_t id);

  void ResourceUpdated(std::string_view uri);
  void ResourcesListChanged();

  // Ends every subscription (their `end`), and refuses new ones. For shutdown.
  void CloseAll();

  size_t listeners() const;

 private:
  struct Entry {
    std::shared_ptr<const Subscriber> subscriber;
    bool listener = false;
  };
  std::vector<std::shared_ptr<const Subscriber>> Snapshot() const;

  const size_t max_listeners_;
  std::atomic<bool> enabled_{false};
  mutable std::mutex mu_;
  bool closed_ = false;
  uint64_t next_id_ = 1;
  size_t listeners_ = 0;
  std::map<uint64_t, Entry> entries_;
};

}  // namespace mcpreg::mcp
