// Deletes, on a thread of its own, what the vault has already let go of: whole days past
// retention, moved aside in constant time, whose files and in-memory indexes take time
// proportional to their size to free. Work handed over is done before the reaper is
// destroyed. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace custodian::vault {

class Reaper {
 public:
  Reaper();
  ~Reaper();  // finishes every task handed over, then stops
  void Add(std::function<void()> task);
  // Waits until every task handed over so far is done (tests, shutdown).
  void Drain();

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mu_)
  size_t running_ = 0;                        // GUARDED_BY(mu_)
  bool stopping_ = false;                     // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace custodian::vault
