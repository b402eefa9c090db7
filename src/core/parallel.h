// Runs independent pieces of work on a few threads: the caller's and up to threads - 1 more.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace custodian {

// Calls work(i) once for each i in [0, n), on min(threads, n) threads, the caller's among them;
// returns when every call has returned. `work` must be safe to call concurrently.
template <typename Work>
void Parallel(size_t n, size_t threads, Work work) {
  std::atomic<size_t> next{0};
  const auto loop = [&] {
    for (size_t i; (i = next++) < n;) work(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(threads, n); ++t) pool.emplace_back(loop);
  loop();
  for (auto& t : pool) t.join();
}

}  // namespace custodian
