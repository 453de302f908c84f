// WorkPool: a fixed set of threads that run work which may block (outbound HTTP, DNS), so that
// it never runs on the HTTP server's I/O threads. The queue is bounded: Submit refuses work
// beyond `max_queue` waiting items instead of growing, and the caller answers 503.
//
// Thread-safety: Submit and Stop may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mcpreg {

class WorkPool {
 public:
  // REQUIRES: threads >= 1.
  WorkPool(size_t threads, size_t max_queue);
  ~WorkPool();  // Stop()
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `fn` to run on a pool thread. False (and `fn` is dropped unrun) when `max_queue`
  // items already wait or the pool is stopping.
  bool Submit(std::function<void()> fn);
  // Stops taking work, runs what is queued, joins the threads. Idempotent.
  void Stop();

  size_t queued() const;

 private:
  void Run();
  const size_t max_queue_;
  std::mutex stop_mu_;  // serialises Stop() (joins)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mcpreg
