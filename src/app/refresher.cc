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
  constexpr auto kPeriod = std::chrono::seconds(1);
  auto governance_at = steady_clock::now();
  while (!stop_) {
    const unsigned changed = store_.WaitForChange(kPeriod);
    if (stop_) break;
    // 0 = timed out, or the backend cannot tell: refresh on the timer.
    if (changed == 0 || (changed & Store::kVersionsChanged) != 0) {
      Status st = registry_.Refresh();
      if (!st.ok()) log::Warn("catalog refresh failed: " + st.message());
    }
    if (governance_ == nullptr) continue;
    const auto now = steady_clock::now();
    if ((changed & Store::kGovernanceChanged) != 0 || now - governance_at >= kPeriod) {
      governance_at = now;
      Status st = governance_->Refresh();
      if (!st.ok()) log::Warn("governance refresh failed: " + st.message());
    }
  }
}

}  // namespace mcpreg::app
