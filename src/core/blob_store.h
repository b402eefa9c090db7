// Where an instance keeps its sealed files (production packages, process documents): named
// blobs, each written whole and replaced atomically, read back at offsets. DirectoryBlobs keeps
// them as files in a directory of the data directory (one server's disk, the embedded default);
// the case store keeps them as rows every server of the instance reads (cases/store/
// store_blobs.h). What goes in is sealed by its owner: a blob store never sees plaintext.
// Implementations are thread-safe; a writer or a reader is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"

namespace custodian {

// A blob being written. Nothing is visible under its name until Commit returns ok; a writer
// destroyed before that leaves the name as it was.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual Status Append(std::string_view data) = 0;
  // Durably replaces whatever the name held with what was appended.
  virtual Status Commit() = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // `name`: the owner's, of letters, digits, '-', '_' and '.' (it names a file in a directory).
  virtual Result<std::unique_ptr<BlobWriter>> Create(const std::string& name) = 0;
  // NotFound when there is no such blob.
  virtual Result<std::unique_ptr<RandomAccessFile>> Open(const std::string& name) = 0;
  virtual bool Exists(const std::string& name) = 0;
  // Ok when there was none.
  virtual Status Remove(const std::string& name) = 0;
  // How a problem names the blob: its file's path, or where in the store it is.
  virtual std::string Describe(const std::string& name) const = 0;
};

// Blobs as files of `dir` (made, mode 0700, on the first write), each written to a temporary
// file, synced and renamed over the old one.
class DirectoryBlobs : public BlobStore {
 public:
  explicit DirectoryBlobs(std::string dir, FileSystem& fs = PosixFileSystem())
      : dir_(std::move(dir)), fs_(fs) {}

  Result<std::unique_ptr<BlobWriter>> Create(const std::string& name) override;
  Result<std::unique_ptr<RandomAccessFile>> Open(const std::string& name) override;
  bool Exists(const std::string& name) override;
  Status Remove(const std::string& name) override;
  std::string Describe(const std::string& name) const override;
  // The blobs' names, sorted (none when the directory was never made).
  Result<std::vector<std::string>> Names();

 private:
  const std::string dir_;
  FileSystem& fs_;
};

// Copies blob `name` from `from` into `to`, a MiB at a time: true when copied; false when `to`
// held the same bytes already; FailedPrecondition, and nothing written, when it held others.
Result<bool> CopyBlob(BlobStore& from, BlobStore& to, const std::string& name);

}  // namespace custodian
