// A FileSystem for tests that wraps a real one and fails on demand: the Nth append (as a
// torn write that leaves half its bytes, or as a full disk), the Nth sync; and that can
// simulate a crash by cutting every file back to what was last synced. It counts the I/O
// it sees. Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "core/file_system.h"

namespace custodian::testing {

class FaultyFileSystem : public FileSystem {
 public:
  explicit FaultyFileSystem(FileSystem& base = PosixFileSystem()) : base_(base) {}

  // The append after `n` more succeed fails (an Append or a WriteAt); `disk_full` says how.
  // -1: none fails.
  void FailAppendAfter(int n, bool disk_full = false) {
    appends_left_ = n;
    disk_full_ = disk_full;
  }
  // The sync after `n` more succeed fails (fdatasync, directory syncs, atomic writes).
  void FailSyncAfter(int n) { syncs_left_ = n; }
  void Heal() {
    appends_left_ = -1;
    syncs_left_ = -1;
  }
  // Cuts every file appended through this file system back to its last synced size, as a
  // power cut would.
  Status DropUnsyncedData();

  int appends() const { return appends_; }
  int syncs() const { return syncs_; }

  Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path, bool truncate) override;
  Result<std::unique_ptr<WritableFile>> Create(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& path) override {
    return base_.OpenRead(path);
  }
  Result<std::string> ReadAll(const std::string& path) override { return base_.ReadAll(path); }
  Status WriteAt(const std::string& path, uint64_t offset, std::string_view data) override;
  Status WriteAtomically(const std::string& path, std::string_view data) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status CreateDirs(const std::string& path) override { return base_.CreateDirs(path); }
  Status SyncDir(const std::string& path) override;
  Result<std::vector<std::string>> List(const std::string& dir) override { return base_.List(dir); }
  bool Exists(const std::string& path) override { return base_.Exists(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_.FileSize(path); }
  Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) override {
    return base_.TryLock(path);
  }

  // Used by the files it hands out.
  Status BeforeAppend(const std::string& path);
  Status BeforeSync(const std::string& path);
  void Synced(const std::string& path, uint64_t size);

 private:
  FileSystem& base_;
  std::atomic<int> appends_left_{-1};
  std::atomic<int> syncs_left_{-1};
  std::atomic<bool> disk_full_{false};
  std::atomic<int> appends_{0};
  std::atomic<int> syncs_{0};
  std::mutex mu_;
  std::map<std::string, uint64_t> synced_;  // GUARDED_BY(mu_): path → durable size
};

}  // namespace custodian::testing
