// Run `task(item, worker)` for item in [0, count) on `threads` std::threads, then
// `finish(worker)` on each of them once the items have run out (also after an error: it
// may wait for work the other threads still hand over).
// Items are handed out dynamically, so uneven blocks still keep every core busy.
// The first exception thrown by any task is rethrown on the calling thread.
#pragma once
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace rdm2 {

template <typename Task, typename Finish>
void parallelFor(int64_t count, int threads, Task&& task, Finish&& finish) {
  const int workers = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, count)));
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::mutex errorMutex;
  auto fail = [&] {
    std::lock_guard<std::mutex> lock(errorMutex);
    if (!error) error = std::current_exception();
    next.store(count);  // stop handing out work
  };
  auto run = [&](int worker) {
    for (;;) {
      const int64_t item = next.fetch_add(1);
      if (item >= count) break;
      try {
        task(item, worker);
      } catch (...) {
        fail();
        break;
      }
    }
    try {
      finish(worker);
    } catch (...) {
      fail();
    }
  };
  if (workers == 1) {
    run(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
    run(0);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
}

template <typename Task>
void parallelFor(int64_t count, int threads, Task&& task) {
  parallelFor(count, threads, std::forward<Task>(task), [](int) {});
}

}  // namespace rdm2
