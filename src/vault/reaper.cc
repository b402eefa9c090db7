#include "vault/reaper.h"

namespace custodian::vault {

Reaper::Reaper() : thread_([this] { Run(); }) {}

Reaper::~Reaper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Reaper::Add(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_all();
}

void Reaper::Drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return tasks_.empty() && running_ == 0; });
}

void Reaper::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return !tasks_.empty() || stopping_; });
    if (tasks_.empty()) return;  // stopping, and nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // what it held goes here too, off the caller's path
    lock.lock();
    --running_;
    cv_.notify_all();
  }
}

}  // namespace custodian::vault
