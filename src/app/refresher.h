// Refresher: keeps a process's in-memory state (the catalog, the governance requests and
// evidence) caught up with writes other processes commit to the shared database. One thread
// loops on Store::WaitForChange(1 s): the catalog is refreshed when the versions bit is set or
// the wait timed out; governance when the governance bit is set, otherwise at most once per
// second (GovernanceService::Refresh reloads every request, too costly per version change).
// A failed refresh is logged as a warning and retried on the next round.
//
// Thread-safety: construct and destroy on one thread. The services it refreshes are safe for
// concurrent use.
#pragma once

#include <atomic>
#include <thread>

#include "mcpreg/store.h"
#include "service/governance_service.h"
#include "service/registry_service.h"

namespace mcpreg::app {

class Refresher {
 public:
  // Starts the thread. `governance` may be null (no governance state to refresh).
  // REQUIRES: the store and services outlive this object (or Stop()).
  Refresher(Store& store, service::RegistryService& registry,
            service::GovernanceService* governance);
  ~Refresher() { Stop(); }
  Refresher(const Refresher&) = delete;
  Refresher& operator=(const Refresher&) = delete;

  // Asks the thread to finish after its current wait (at most about a second) and joins it.
  // Idempotent.
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
