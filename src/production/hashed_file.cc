#include "production/hashed_file.h"

#include <memory>

namespace custodian::production {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 16;

}  // namespace

Result<std::unique_ptr<HashedFile>> HashedFile::Create(FileSystem& fs, const std::string& path) {
  auto file = fs.OpenAppend(path, /*truncate=*/true);
  if (!file.ok()) return file.status();
  return std::unique_ptr<HashedFile>(new HashedFile(path, std::move(file).value()));
}

Status HashedFile::Flush() {
  if (!status_.ok() || buffer_.empty()) return status_;
  status_ = file_->Append(buffer_);
  buffer_.clear();
  return status_;
}

Status HashedFile::Write(std::string_view bytes) {
  if (closed_) return Status::FailedPrecondition(path_ + ": closed already");
  if (!status_.ok()) return status_;
  buffer_.append(bytes);
  hash_.Update(bytes);
  size_ += bytes.size();
  return buffer_.size() >= kBufferBytes ? Flush() : Status::Ok();
}

Result<std::string> HashedFile::Close() {
  if (closed_) return Status::FailedPrecondition(path_ + ": closed already");
  closed_ = true;
  Status s = Flush();
  if (s.ok()) s = file_->Sync();
  const Status closed = file_->Close();
  if (s.ok()) s = closed;
  if (!s.ok()) return s;
  const Sha256Digest d = hash_.Finish();
  return HexEncode(d.data(), d.size());
}

}  // namespace custodian::production
