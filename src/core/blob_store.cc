#include "core/blob_store.h"

#include <algorithm>

namespace custodian {
namespace {

class FileBlobWriter : public BlobWriter {
 public:
  FileBlobWriter(FileSystem& fs, std::string dir, std::string path, std::unique_ptr<WritableFile> file)
      : fs_(fs), dir_(std::move(dir)), path_(std::move(path)), file_(std::move(file)) {}
  ~FileBlobWriter() override {
    if (file_) Discard(Status::Ok()).IgnoreError();
  }

  Status Append(std::string_view data) override {
    if (!file_) return Status::FailedPrecondition(path_ + ": already committed or discarded");
    if (Status s = file_->Append(data); !s.ok()) return Discard(s);
    return Status::Ok();
  }

  Status Commit() override {
    if (!file_) return Status::FailedPrecondition(path_ + ": already committed or discarded");
    if (Status s = file_->Sync(); !s.ok()) return Discard(s);
    if (Status s = file_->Close(); !s.ok()) return Discard(s);
    file_.reset();
    if (Status s = fs_.Rename(Temporary(), path_); !s.ok()) {
      fs_.Remove(Temporary()).IgnoreError();
      return s;
    }
    return fs_.SyncDir(dir_);
  }

 private:
  std::string Temporary() const { return path_ + ".tmp"; }
  // Drops the temporary file; returns `why`.
  Status Discard(Status why) {
    file_->Close().IgnoreError();
    file_.reset();
    fs_.Remove(Temporary()).IgnoreError();
    return why;
  }

  FileSystem& fs_;
  const std::string dir_;
  const std::string path_;
  std::unique_ptr<WritableFile> file_;
};

}  // namespace

std::string DirectoryBlobs::Describe(const std::string& name) const { return JoinPath(dir_, name); }

Result<std::unique_ptr<BlobWriter>> DirectoryBlobs::Create(const std::string& name) {
  if (Status s = fs_.CreateDirs(dir_); !s.ok()) return s;
  const std::string path = Describe(name);
  auto file = fs_.OpenAppend(path + ".tmp", /*truncate=*/true);
  if (!file.ok()) return file.status();
  return std::unique_ptr<BlobWriter>(
      std::make_unique<FileBlobWriter>(fs_, dir_, path, std::move(file).value()));
}

Result<std::unique_ptr<RandomAccessFile>> DirectoryBlobs::Open(const std::string& name) {
  const std::string path = Describe(name);
  if (!fs_.Exists(path)) return Status::NotFound(path + ": no such file");
  return fs_.OpenRead(path);
}

bool DirectoryBlobs::Exists(const std::string& name) { return fs_.Exists(Describe(name)); }

Result<std::vector<std::string>> DirectoryBlobs::Names() {
  if (!fs_.Exists(dir_)) return std::vector<std::string>{};
  auto listed = fs_.List(dir_);
  if (!listed.ok()) return listed.status();
  std::vector<std::string> names;
  for (std::string& name : *listed) {
    if (!name.ends_with(".tmp")) names.push_back(std::move(name));
  }
  return names;
}

Status DirectoryBlobs::Remove(const std::string& name) {
  if (!Exists(name)) return Status::Ok();
  return fs_.Remove(Describe(name));
}

Result<bool> CopyBlob(BlobStore& from, BlobStore& to, const std::string& name) {
  constexpr size_t kPiece = 1 << 20;
  auto in = from.Open(name);
  if (!in.ok()) return in.status();
  const uint64_t size = (*in)->Size();
  std::string piece, theirs;
  if (to.Exists(name)) {
    auto held = to.Open(name);
    if (!held.ok()) return held.status();
    bool same = (*held)->Size() == size;
    for (uint64_t at = 0; same && at < size; at += kPiece) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kPiece, size - at));
      if (Status s = (*in)->Read(at, n, piece); !s.ok()) return s;
      if (Status s = (*held)->Read(at, n, theirs); !s.ok()) return s;
      same = piece == theirs;
    }
    if (same) return false;
    return Status::FailedPrecondition(to.Describe(name) + " holds other bytes than " + from.Describe(name));
  }
  auto out = to.Create(name);
  if (!out.ok()) return out.status();
  for (uint64_t at = 0; at < size; at += kPiece) {
    if (Status s = (*in)->Read(at, static_cast<size_t>(std::min<uint64_t>(kPiece, size - at)), piece); !s.ok()) {
      return s;
    }
    if (Status s = (*out)->Append(piece); !s.ok()) return s;
  }
  if (Status s = (*out)->Commit(); !s.ok()) return s;
  return true;
}

}  // namespace custodian
