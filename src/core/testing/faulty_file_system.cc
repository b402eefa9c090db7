#include "core/testing/faulty_file_system.h"

namespace custodian::testing {
namespace {

class FaultyWritableFile : public WritableFile {
 public:
  FaultyWritableFile(FaultyFileSystem& fs, std::string path, std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
  Status Append(std::string_view data) override {
    if (Status s = fs_.BeforeAppend(path_); !s.ok()) {
      base_->Append(data.substr(0, data.size() / 2)).IgnoreError();  // a torn write
      return s;
    }
    return base_->Append(data);
  }
  Status WriteAt(uint64_t offset, std::string_view data) override {
    if (Status s = fs_.BeforeAppend(path_); !s.ok()) {
      base_->WriteAt(offset, data.substr(0, data.size() / 2)).IgnoreError();  // a torn write
      return s;
    }
    return base_->WriteAt(offset, data);
  }
  Status Sync() override {
    if (Status s = fs_.BeforeSync(path_); !s.ok()) return s;
    Status s = base_->Sync();
    if (s.ok()) fs_.Synced(path_, base_->Size());
    return s;
  }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultyFileSystem& fs_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

Status FaultyFileSystem::BeforeAppend(const std::string& path) {
  ++appends_;
  int left = appends_left_.load();
  while (left >= 0 && !appends_left_.compare_exchange_weak(left, left - 1)) {
  }
  if (left == 0) {
    return Status::IoError(path + (disk_full_ ? ": No space left on device (disk full)"
                                              : ": Input/output error"));
  }
  return Status::Ok();
}

Status FaultyFileSystem::BeforeSync(const std::string& path) {
  ++syncs_;
  int left = syncs_left_.load();
  while (left >= 0 && !syncs_left_.compare_exchange_weak(left, left - 1)) {
  }
  if (left == 0) return Status::IoError(path + ": Input/output error (fsync)");
  return Status::Ok();
}

void FaultyFileSystem::Synced(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  synced_[path] = size;
}

Result<std::unique_ptr<WritableFile>> FaultyFileSystem::OpenAppend(const std::string& path,
                                                                   bool truncate) {
  const bool existed = base_.Exists(path);
  auto f = base_.OpenAppend(path, truncate);
  if (!f.ok()) return f;
  {
    std::lock_guard lock(mu_);
    if (!synced_.count(path)) synced_[path] = existed && !truncate ? (*f)->Size() : 0;
    if (truncate) synced_[path] = 0;
  }
  return std::unique_ptr<WritableFile>(new FaultyWritableFile(*this, path, std::move(f).value()));
}

Result<std::unique_ptr<WritableFile>> FaultyFileSystem::Create(const std::string& path) {
  auto f = base_.Create(path);
  if (!f.ok()) return f;
  {
    std::lock_guard lock(mu_);
    synced_[path] = 0;
  }
  return std::unique_ptr<WritableFile>(new FaultyWritableFile(*this, path, std::move(f).value()));
}

Status FaultyFileSystem::WriteAt(const std::string& path, uint64_t offset, std::string_view data) {
  if (Status s = BeforeSync(path); !s.ok()) return s;
  return base_.WriteAt(path, offset, data);
}

Status FaultyFileSystem::WriteAtomically(const std::string& path, std::string_view data) {
  if (Status s = BeforeSync(path); !s.ok()) return s;
  Status s = base_.WriteAtomically(path, data);
  if (s.ok()) Synced(path, data.size());
  return s;
}

Status FaultyFileSystem::Truncate(const std::string& path, uint64_t size) {
  Status s = base_.Truncate(path, size);
  std::lock_guard lock(mu_);
  if (s.ok() && synced_.count(path) && synced_[path] > size) synced_[path] = size;
  return s;
}

Status FaultyFileSystem::Rename(const std::string& from, const std::string& to) {
  Status s = base_.Rename(from, to);
  std::lock_guard lock(mu_);
  if (s.ok() && synced_.count(from)) {
    synced_[to] = synced_[from];
    synced_.erase(from);
  }
  return s;
}

Status FaultyFileSystem::Remove(const std::string& path) {
  Status s = base_.Remove(path);
  std::lock_guard lock(mu_);
  synced_.erase(path);
  return s;
}

Status FaultyFileSystem::SyncDir(const std::string& path) {
  if (Status s = BeforeSync(path); !s.ok()) return s;
  return base_.SyncDir(path);
}

Status FaultyFileSystem::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  for (const auto& [path, size] : synced_) {
    if (!base_.Exists(path)) continue;
    auto current = base_.FileSize(path);
    if (current.ok() && *current > size) {
      if (Status s = base_.Truncate(path, size); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace custodian::testing
