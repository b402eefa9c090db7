// A file written once, front to back, whose SHA-256 is known when it is closed: the record
// files of a production, which may be far larger than memory. Written through the
// FileSystem seam in 64 KiB pieces; Close syncs it. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/file_system.h"
#include "core/sha256.h"
#include "core/status.h"

namespace custodian::production {

class HashedFile {
 public:
  // Creates the file (emptying one already there); the file system's error when it cannot.
  static Result<std::unique_ptr<HashedFile>> Create(FileSystem& fs, const std::string& path);

  // The file system's error when a piece cannot be written; every later call fails too.
  Status Write(std::string_view bytes);
  // Writes what is buffered, syncs and closes; returns the SHA-256 (hex) of everything written.
  Result<std::string> Close();
  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

 private:
  HashedFile(std::string path, std::unique_ptr<WritableFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}
  Status Flush();

  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_;
  Sha256Stream hash_;
  uint64_t size_ = 0;
  Status status_ = Status::Ok();  // the first failure
  bool closed_ = false;
};

}  // namespace custodian::production
