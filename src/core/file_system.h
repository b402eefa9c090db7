// The file-system seam: every byte custodian stores goes through a FileSystem, so that tests
// can swap in one that fails a write, an fsync, or fills the disk, and check which I/O
// happened. PosixFileSystem is the real one. Implementations are thread-safe; a file object
// is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace custodian {

// A file written at its end. Nothing is durable until Sync() returns ok.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Overwrites (or extends) the file at `offset`, for formats that go back to fill in a
  // header (a zip's local headers); only on files from FileSystem::Create.
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  virtual Status Sync() = 0;  // fdatasync
  virtual Status Close() = 0;
  virtual uint64_t Size() const = 0;
};

// A file read at any offset.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly n bytes at offset into out; Corruption if the file is shorter.
  virtual Status Read(uint64_t offset, size_t n, std::string& out) const = 0;
  // The n bytes at offset without copying them, when the file is mapped into memory; false
  // otherwise (then use Read). Valid while the file object lives.
  virtual bool View(uint64_t /*offset*/, size_t /*n*/, std::string_view& /*out*/) const {
    return false;
  }
  virtual uint64_t Size() const = 0;
};

// An exclusive advisory lock on a file (flock), held until the object is destroyed or the
// process ends. flock locks belong to an open file description, so two holders exclude each
// other even within one process.
class FileLock {
 public:
  virtual ~FileLock() = default;
  // Replaces the locked file's contents in place (never by rename: the lock is on the file);
  // `sync` makes them durable before it returns.
  virtual Status Rewrite(std::string_view contents, bool sync) = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens `path` for appending, creating it (mode 0600) if missing; truncate empties it.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path,
                                                           bool truncate) = 0;
  // Creates `path` empty (mode 0600, replacing a file there) for writing at any offset:
  // Append writes at its end, WriteAt anywhere.
  virtual Result<std::unique_ptr<WritableFile>> Create(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& path) = 0;
  virtual Result<std::string> ReadAll(const std::string& path) = 0;
  // Overwrites bytes in place and makes them durable (key slots).
  virtual Status WriteAt(const std::string& path, uint64_t offset, std::string_view data) = 0;
  // Replaces `path` with `data` so that a crash leaves either the old or the new bytes:
  // write a temporary file, fsync it, rename it over `path`, fsync the directory.
  virtual Status WriteAtomically(const std::string& path, std::string_view data) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status CreateDirs(const std::string& path) = 0;  // mode 0700
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;  // names, sorted
  virtual bool Exists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Takes the lock on `path` (created, mode 0600, when missing) when no one holds it; null
  // when another holder has it. Never waits.
  virtual Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) = 0;
};

// The real file system (POSIX calls, EINTR retried).
FileSystem& PosixFileSystem();

std::string JoinPath(std::string_view dir, std::string_view name);

// Appends `data` to the file at `path` and syncs it (creating the file, and syncing its
// directory, when `expected_size` is 0 and it is missing). The file must be `expected_size`
// bytes long, as its writer read it under the lock that makes it the only writer: a file of
// another length is refused (Internal) and left as it is, never cut to fit. On failure the
// file is cut back to `expected_size`, so that it does not end in garbage.
Status AppendDurably(FileSystem& fs, const std::string& path, uint64_t expected_size,
                     std::string_view data);

// Makes what the file at `path` holds durable (fdatasync).
Status SyncFile(FileSystem& fs, const std::string& path);

}  // namespace custodian
