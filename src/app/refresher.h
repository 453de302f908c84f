// Refresher: keeps a process's in-memory state (the catalog, the governance requests and
// evidence) caught up with writes other processes commit to the shared database. One thread
// loops on Store::WaitForChange: the catalog is refreshed as soon as the versions bit is set,
// and otherwise once a second passed without a refresh (the timer SQLite relies on, and a
// safety net for a missed notification); governance as soon as the governance bit is set,
// otherwise at most once per second (GovernanceService::Refresh reloads every request, too
// costly to run per version change). A failed refresh is logged as a warning and retried on the
// next round.
//
// Each wait lasts kWaitSlice, not the whole second: a wait cannot be interrupted (SQLite's just
// sleeps), so the slice bounds how long Stop() — and so a server's shutdown — takes.
//
// Thread-safety: construct and destroy on one thread. The services it refreshes are safe for
// concurrent use.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "mcpreg/store.h"
#include "service/governance_service.h"
#include "service/registry_service.h"

namespace mcpreg::app {

class Refresher {
 public:
  static constexpr std::chrono::milliseconds kPeriod{1000};     // refresh at least this often
  static constexpr std::chrono::milliseconds kWaitSlice{200};  // one WaitForChange
  // Starts the thread. `governance` may be null (no governance state to refresh).
  // REQUIRES: the store and services outlive this object (or Stop()).
  Refresher(Store& store, service::RegistryService& registry,
            service::GovernanceService* governance);
  ~Refresher() { Stop(); }
  Refresher(const Refresher&) = delete;
  Refresher& operator=(const Refresher&) = delete;

  // Asks the thread to finish after its current wait (at most kWaitSlice, plus a refresh in
  // progress) and joins it. Idempotent.
  void Stop();

 private:
  void Run();

  Store& store_;
  service::RegistryService& registry_;
  service::GovernanceService* governance_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mcpreg::app
