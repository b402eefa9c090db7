// A file written once, front to back, whose SHA-256 is known when it is closed: the record
// files of a production, which may be far larger than memory. Buffered; Close syncs it.
// Not thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "core/status.h"

namespace custodian::production {

class HashedFile {
 public:
  static Result<std::unique_ptr<HashedFile>> Create(const std::string& path);
  ~HashedFile();

  Status Write(std::string_view bytes);
  // Flushes and syncs; returns the SHA-256 (hex) of everything written.
  Result<std::string> Close();
  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

 private:
  HashedFile(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  std::string path_;
  std::FILE* file_;
  Sha256Stream hash_;
  uint64_t size_ = 0;
  bool failed_ = false;
};

}  // namespace custodian::production
