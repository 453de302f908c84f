#include "core/work_pool.h"

#include <utility>

namespace mcpreg {

WorkPool::WorkPool(size_t threads, size_t max_queue) : max_queue_(max_queue) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

WorkPool::~WorkPool() { Stop(); }

bool WorkPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    // Tasks that idle threads are about to take do not count against max_queue_.
    if (queue_.size() >= idle_ + max_queue_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void WorkPool::Stop() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  wake_.notify_all();
  dropped.clear();  // destroy unrun tasks outside the lock
  std::call_once(joined_, [this] {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  });
}

size_t WorkPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkPool::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void WorkPool::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (stopping_) return;
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A task's failure is its own; the worker lives on.
    }
    task = nullptr;  // release what the task owns before taking the lock
    lock.lock();
    --running_;
  }
}

}  // namespace mcpreg
