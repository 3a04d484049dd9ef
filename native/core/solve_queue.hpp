// Batches of gathered window Grams waiting for their eigensolve, shared by the threads of
// one batch analysis.
//
// A block's windows need its rows in order (the ring of rows and the Gram are sequential
// state), but once a batch of windows is gathered, its eigensolve depends on nothing else.
// The blocks are fixed by the data, never by the thread count, and a batch is solved by the
// same code whichever thread takes it, so results are bit-identical for any thread count;
// the queue only decides who does the work. A thread whose blocks have run out solves the
// batches the others produce, so the last, uneven blocks no longer leave a core idle. A batch
// travels only when a thread is waiting for one (moving 16 gathered 64 x 64 matrices to
// another core costs more than nothing), and memory stays bounded: past `limit` waiting
// batches a producer solves the oldest itself.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "aligned_buffer.hpp"

namespace rdm2 {

// A window waiting in a batch.
struct PendingWindow {
  int64_t window;  // index j
  int64_t start;   // first row
  int scaleExp;
};

// Up to `lanes` windows' matrices, lane-interleaved, and which windows they are.
struct LaneBatch {
  AlignedBuffer a;
  std::vector<PendingWindow> pending;
};

class SolveQueue {
 public:
  SolveQueue(int producers, std::size_t limit) : producers_(producers), limit_(limit) {}

  // Hands a batch over. Returns the oldest waiting batch when more than `limit` wait (the
  // caller solves it), else null.
  std::unique_ptr<LaneBatch> put(std::unique_ptr<LaneBatch> batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_.push_back(std::move(batch));
    std::unique_ptr<LaneBatch> own;
    if (waiting_.size() > limit_) {
      own = std::move(waiting_.front());
      waiting_.pop_front();
    }
    lock.unlock();
    ready_.notify_one();
    return own;
  }

  // Whether a thread is waiting for a batch (a hint: a producer that finds none solves its
  // batch itself).
  bool wanted() const { return idle_.load(std::memory_order_relaxed) > 0; }

  // The next batch to solve, waiting while any producer is still at work; null once every
  // producer is done and nothing waits.
  std::unique_ptr<LaneBatch> take() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (waiting_.empty() && producers_ > 0) {
      idle_.fetch_add(1, std::memory_order_relaxed);
      ready_.wait(lock, [&] { return !waiting_.empty() || producers_ == 0; });
      idle_.fetch_sub(1, std::memory_order_relaxed);
    }
    if (waiting_.empty()) return nullptr;
    std::unique_ptr<LaneBatch> batch = std::move(waiting_.front());
    waiting_.pop_front();
    return batch;
  }

  // A producer has no blocks left (called once per producer, also after an error).
  void producerDone() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --producers_;
    }
    ready_.notify_all();
  }

  // A solved batch's storage, for the next one a producer fills.
  void recycle(std::unique_ptr<LaneBatch> batch) {
    batch->pending.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    spare_.push_back(std::move(batch));
  }
  std::unique_ptr<LaneBatch> spare() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spare_.empty()) return nullptr;
    std::unique_ptr<LaneBatch> batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<LaneBatch>> waiting_;
  std::vector<std::unique_ptr<LaneBatch>> spare_;
  int producers_;
  std::size_t limit_;
  std::atomic<int> idle_{0};
};

}  // namespace rdm2
