#include "api/mcp/change_relay.h"

#include <chrono>
#include <thread>

#include "api/mcp/registry_tools.h"
#include "core/log.h"

namespace mcpreg::mcpapi {

Result<std::unique_ptr<McpChangeRelay>> McpChangeRelay::Start(federation::ChangeFeed& feed,
                                                              Store& store,
                                                              const catalog::Catalog& catalog,
                                                              mcp::ResourceEvents& events) {
  auto latest = federation::LatestChangeSeq(store);
  if (!latest.ok()) return latest.status();
  events.Enable();
  auto state = std::make_shared<State>();
  state->feed = &feed;
  state->catalog = &catalog;
  state->events = &events;
  Arm(state, *latest);
  return std::unique_ptr<McpChangeRelay>(new McpChangeRelay(state));
}

void McpChangeRelay::Arm(const std::shared_ptr<State>& state, int64_t after) {
  if (state->stopped) return;
  Status st = state->feed->Wait(
      after, federation::kMaxChangesLimit, std::chrono::seconds(federation::kMaxWaitSeconds),
      [state, after](Result<federation::ChangePage> page) {
        if (state->stopped) return;
        int64_t next = after;
        if (page.ok()) {
          Announce(*page, *state->catalog, *state->events);
          next = std::max(after, page->next);
        }
        Arm(state, next);
      });
  if (!st.ok() && !state->stopped) {
    // The feed is stopping (shutdown) or full of long-polls: announcements pause. A full feed
    // frees up within kMaxWaitSeconds; try again then, off the feed's thread.
    if (st.code() == Code::kFailedPrecondition) return;
    log::Warn("mcp change relay: " + st.message() + "; retrying");
    std::thread([state, after] {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      Arm(state, after);
    }).detach();
  }
}

void McpChangeRelay::Announce(const federation::ChangePage& page, const catalog::Catalog& catalog,
                              mcp::ResourceEvents& events) {
  if (page.changes.empty()) return;
  for (const auto& c : page.changes) {
    if (!c.version.empty()) {
      events.ResourceUpdated(ServerVersionUri(c.name, c.version));
      continue;
    }
    for (const auto& e : catalog.Versions(c.name, /*include_deleted=*/true)) {
      events.ResourceUpdated(ServerVersionUri(c.name, e->meta.version));
    }
  }
  events.ResourcesListChanged();
}

}  // namespace mcpreg::mcpapi
