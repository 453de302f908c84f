// McpChangeRelay: the registry's change feed (federation/changes.h) as MCP resource events
// (mcp/events.h). Each public change announces notifications/resources/updated for the
// server-version resources it touches (mcpreg://servers/{name}/versions/{version}; a change of
// every version of a name touches each of them) and one notifications/resources/list_changed
// per batch, to the legacy sessions subscribed to those URIs and the 2026-07-28
// subscriptions/listen requests that asked. Changes are announced from when the relay starts;
// public means what the feed's visibility rule lets anonymous readers see (governed mode: only
// listed versions).
//
// The relay is one long-poll waiter on the feed, re-armed after each page on the feed's thread:
// it costs no thread of its own, and the feed reads the store every ChangeFeedOptions::poll.
//
// Thread-safety: Start and Stop from one controlling thread; Stop before the feed stops.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "catalog/catalog.h"
#include "federation/changes.h"
#include "mcp/events.h"
#include "mcpreg/status.h"

namespace mcpreg::mcpapi {

class McpChangeRelay {
 public:
  // `feed`, `catalog` and `events` must outlive the relay. Enables `events`. Errors: those of
  // reading the newest change (the store's); the relay is then not running.
  static Result<std::unique_ptr<McpChangeRelay>> Start(federation::ChangeFeed& feed,
                                                       Store& store,
                                                       const catalog::Catalog& catalog,
                                                       mcp::ResourceEvents& events);
  ~McpChangeRelay() { Stop(); }
  // No announcement after it returns (one in progress on the feed's thread may finish).
  void Stop() { state_->stopped = true; }

  // Announces one page of changes (exposed for tests).
  static void Announce(const federation::ChangePage& page, const catalog::Catalog& catalog,
                       mcp::ResourceEvents& events);

 private:
  struct State {
    federation::ChangeFeed* feed;
    const catalog::Catalog* catalog;
    mcp::ResourceEvents* events;
    std::atomic<bool> stopped{false};
  };
  explicit McpChangeRelay(std::shared_ptr<State> state) : state_(std::move(state)) {}
  static void Arm(const std::shared_ptr<State>& state, int64_t after);
  std::shared_ptr<State> state_;
};

}  // namespace mcpreg::mcpapi
