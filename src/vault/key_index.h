// The key store's index (docs/vault_format.md, "Account keys at scale"): the keyed tags of
// the slots [0, covered) of keys/accounts.slots, sorted, in checksummed blocks of 256
// entries, with each block's first tag and checksum kept in memory. Derived from the slots
// alone and replaced whole (written aside, synced, renamed): a reader opens the index a writer
// made and reads only the slots past it, instead of every slot of the file; a lookup reads one
// block. It holds tags and slot numbers, nothing the slots file does not already show.
// Immutable once loaded; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"

namespace custodian::vault {

class KeyIndex {
 public:
  using Entry = std::pair<uint64_t, uint32_t>;  // a slot's tag and its number

  // The index at `path`: NotFound when there is none, Corruption naming the byte when its
  // header, block table or layout is damaged.
  static Result<std::unique_ptr<KeyIndex>> Load(FileSystem& fs, const std::string& path);
  // How many slots an index at `path` covers (its header alone), or none.
  static Result<uint64_t> Covered(FileSystem& fs, const std::string& path);
  // Writes `entries` (every slot of [0, covered), sorted) as the index at `path`.
  static Status Write(FileSystem& fs, const std::string& path, const std::vector<Entry>& entries,
                      uint64_t covered);

  uint64_t covered() const { return covered_; }
  // Appends to `slots` the numbers of the slots whose tag is `tag`; Corruption when a block it
  // reads fails its checksum.
  Status Find(uint64_t tag, std::vector<size_t>& slots) const;
  // Appends every entry, in order, to `out` (for a merge).
  Status All(std::vector<Entry>& out) const;

  static constexpr size_t kEntriesPerBlock = 256;

 private:
  KeyIndex() = default;
  // Block `b`'s entries into `out`, its checksum checked.
  Status ReadBlock(size_t b, std::vector<Entry>& out) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t covered_ = 0;
  std::vector<uint64_t> first_tags_;  // of each block
  std::vector<uint32_t> crcs_;        // of each block's bytes
};

}  // namespace custodian::vault
