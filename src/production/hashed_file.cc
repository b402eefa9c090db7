#include "production/hashed_file.h"

#include <unistd.h>

#include <memory>

namespace custodian::production {

Result<std::unique_ptr<HashedFile>> HashedFile::Create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wbx");
  if (!f) return Status::IoError(path + ": cannot create");
  return std::unique_ptr<HashedFile>(new HashedFile(path, f));
}

HashedFile::~HashedFile() {
  if (file_) std::fclose(file_);
}

Status HashedFile::Write(std::string_view bytes) {
  if (!file_ || failed_) return Status::IoError(path_ + ": not writable");
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    failed_ = true;
    return Status::IoError(path_ + ": write failed (disk full?)");
  }
  hash_.Update(bytes);
  size_ += bytes.size();
  return Status::Ok();
}

Result<std::string> HashedFile::Close() {
  if (!file_) return Status::IoError(path_ + ": closed already");
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (failed_ || !flushed || !closed) return Status::IoError(path_ + ": write failed");
  const Sha256Digest d = hash_.Finish();
  return HexEncode(d.data(), d.size());
}

}  // namespace custodian::production
