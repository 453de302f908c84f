// WorkPool: a fixed set of worker threads fed from a bounded queue. For work that may block
// (outbound calls such as token exchanges that fetch JWKS or namespace proofs) so that it never
// runs on, or stalls, the I/O threads; when the pool is saturated, callers are told at once
// (Submit returns false) instead of queueing without limit.
//
// Stop() semantics: new submissions are refused; tasks still queued are dropped without running
// (they are destroyed, so anything they own is released — e.g. a pending response is destroyed
// and its connection closed); tasks already running are waited for; then the threads are
// joined. Dropping rather than draining keeps shutdown prompt when each queued task could take
// up to an outbound deadline. Stop() is idempotent and is called by the destructor.
//
// Thread-safety: Submit, Stop, queued and running are safe from any thread. A task must not
// call Stop() on its own pool (it would wait for itself).
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
  // REQUIRES: threads >= 1. max_queue is the number of tasks that may wait for a thread
  // (tasks running do not count); 0 means a task is accepted only when a thread is idle.
  explicit WorkPool(size_t threads, size_t max_queue);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task` to run on a worker thread. False (and `task` is destroyed unrun) when the
  // queue is full or the pool is stopped. An exception escaping a task is caught and dropped.
  bool Submit(std::function<void()> task);

  // See the header comment. Idempotent.
  void Stop();

  size_t queued() const;   // tasks waiting for a thread
  size_t running() const;  // tasks on a thread now

 private:
  void Work();

  const size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  size_t idle_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::once_flag joined_;
};

}  // namespace mcpreg
