#include "app/refresher.h"

#include <chrono>

#include "core/log.h"

namespace mcpreg::app {

Refresher::Refresher(Store& store, service::RegistryService& registry,
                     service::GovernanceService* governance)
    : store_(store), registry_(registry), governance_(governance) {
  thread_ = std::thread([this] { Run(); });
}

void Refresher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Refresher::Run() {
  using std::chrono::steady_clock;
  auto catalog_at = steady_clock::now();
  auto governance_at = catalog_at;
  while (!stop_) {
    const unsigned changed = store_.WaitForChange(kWaitSlice);
    if (stop_) break;
    const auto now = steady_clock::now();
    if ((changed & Store::kVersionsChanged) != 0 || now - catalog_at >= kPeriod) {
      catalog_at = now;
      Status st = registry_.Refresh();
      if (!st.ok()) log::Warn("catalog refresh failed: " + st.message());
    }
    if (governance_ == nullptr) continue;
    if ((changed & Store::kGovernanceChanged) != 0 || now - governance_at >= kPeriod) {
      governance_at = now;
      Status st = governance_->Refresh();
      if (!st.ok()) log::Warn("governance refresh failed: " + st.message());
    }
  }
}

}  // namespace mcpreg::app
