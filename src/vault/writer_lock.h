// The vault's writer lock and the record it holds (docs/vault_format.md, "Writers and
// readers"). Writers of one vault, in one process or several (`custodian serve`, a CLI
// ingest, a retention timer), take the lock on DATA/vault/LOCK for one operation at a time (a
// batch, an import, a retention run), never for a process's life. The file holds, in text:
// a generation that every write of the record advances, which process wrote it last, who
// holds the lock now (pid, command, operation), and for each file the vault appends to, the
// length committed (synced) to it and an epoch that changes when the file changes otherwise
// (rewritten, or a key slot overwritten). Readers never take the lock; they read the record
// to learn whether their view is current and where a file's committed part ends.
// Free functions are safe from any thread; a WriterLock is used by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/file_system.h"
#include "core/status.h"

namespace custodian::vault {

// Whether the one catching up with the files holds the writer lock: only then may it change
// them (cut a torn tail, finish an interrupted commit, delete what a crash left).
enum class CatchUpAccess { kRead, kWrite };

struct FileMark {
  uint64_t committed = 0;  // bytes synced; a file is never shorter (0: unknown)
  uint64_t epoch = 0;      // changes when the file changes other than by an append
  bool operator==(const FileMark&) const = default;
};

struct LockRecord {
  bool valid = false;  // false: no record, or a damaged one (nothing is known)
  uint64_t generation = 0;
  uint64_t publisher = 0;  // the vault object (random id) that wrote the record
  std::string holder;      // who holds the lock, or empty
  std::map<std::string, FileMark> files;  // by path within the data directory

  FileMark Mark(const std::string& file) const {
    auto it = files.find(file);
    return it == files.end() ? FileMark{} : it->second;
  }
};

// The lock file of the vault in `dir` (the data directory).
std::string LockPath(const std::string& dir);

std::string EncodeLockRecord(const LockRecord& record);
// Invalid (not an error) when `text` is not a whole record.
LockRecord DecodeLockRecord(std::string_view text);

// Reads the record without the lock: a record being rewritten is read again; invalid when
// the file is missing or stays damaged.
LockRecord ReadLockRecord(FileSystem& fs, const std::string& path);

// Names this process in the lock record while it holds the lock ("custodian serve"); the
// program's name by default.
void SetLockHolderCommand(std::string command);

class WriterLock {
 public:
  // Takes the lock, waiting up to `wait` for its holder to let it go; Unavailable naming the
  // holder (as the record says) when it did not. `operation` says what for.
  static Result<std::unique_ptr<WriterLock>> Acquire(FileSystem& fs, const std::string& path,
                                                      std::string_view operation,
                                                      std::chrono::milliseconds wait);

  // The record as it was when the lock was taken.
  const LockRecord& record() const { return record_; }
  // What the holder field says of this lock's holder.
  const std::string& holder() const { return holder_; }
  // Writes `record` (synced when `sync`).
  Status Publish(const LockRecord& record, bool sync);

 private:
  WriterLock(std::unique_ptr<FileLock> lock, LockRecord record, std::string holder)
      : lock_(std::move(lock)), record_(std::move(record)), holder_(std::move(holder)) {}
  std::unique_ptr<FileLock> lock_;
  LockRecord record_;
  std::string holder_;
};

}  // namespace custodian::vault
