// Sealed segments: the immutable, sorted form of a day partition's events
// (docs/vault_format.md, "Segments"). A segment holds one sealed block per account, an index
// of blocks by the account's keyed tag, an index of addresses by their keyed tag, and the
// keyed tags of the event ids it holds; checksummed sections and footer. Nothing in it is
// readable without the account keys except the day, block sizes and event counts.
// SegmentBuilder is used by one thread; a SegmentReader is immutable and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "core/time.h"
#include "vault/crypto.h"
#include "vault/journal.h"

namespace custodian::vault {

using SegmentId = std::array<uint8_t, 16>;
using Tag96 = std::pair<uint64_t, uint32_t>;  // an account's tag and check bits
using EventIdTag = std::array<uint8_t, 16>;

struct EventIdTagHash {
  size_t operator()(const EventIdTag& t) const {
    size_t h;
    std::memcpy(&h, t.data(), sizeof h);
    return h;
  }
};

// 24 bytes, held in memory for every block of every open segment: a block's length is not
// kept, since it runs to the next block's offset (the last one to the end of the blocks).
struct BlockIndexEntry {
  uint64_t tag = 0;
  uint32_t check = 0;
  uint32_t events = 0;
  uint64_t offset = 0;
};
static_assert(sizeof(BlockIndexEntry) == 24);

struct AddressIndexEntry {
  uint64_t address_tag = 0;
  uint32_t block = 0;  // ordinal in the block index
  // When the block's account used the address that day: its first and last event there, in
  // microseconds since the day's start. They let a lookup by address skip blocks that cannot
  // match without opening them; the section that holds them is sealed.
  uint64_t first = 0;
  uint64_t last = 0;
};

// The nonce of block `ordinal` of a segment: unique because segment ids are random.
Nonce BlockNonce(const SegmentId& segment, uint64_t ordinal);
// What every block's seal is bound to.
std::string BlockAssociatedData(uint64_t account, Date day, const SegmentId& segment,
                                uint64_t ordinal);

class SegmentBuilder {
 public:
  SegmentBuilder(Date day, const SegmentId& id, const JournalId& sealed_journal);
  // Blocks must be added in (tag, check) order; returns the block's ordinal.
  uint32_t AddBlock(const Tag96& tag, uint32_t events, std::string_view sealed);
  void AddAddress(const AddressIndexEntry& entry);
  void AddEventId(const EventIdTag& tag);
  // The segment's bytes, ready to write; `index_key` seals the address index.
  std::string Finish(const SecretKey& index_key);

 private:
  Date day_;
  SegmentId id_;
  JournalId journal_;
  std::string blocks_;
  std::vector<BlockIndexEntry> index_;
  // radix_[h] is the first block whose tag's top kRadixBits bits are >= h: a lookup searches
  // only the few blocks between radix_[h] and radix_[h + 1].
  static constexpr int kRadixBits = 12;
  std::vector<uint32_t> radix_;
  std::vector<AddressIndexEntry> addresses_;
  std::vector<EventIdTag> event_ids_;
};

class SegmentReader {
 public:
  // Opens and checks a segment file: header, footer and index sections (the address index
  // opened with `index_key`).
  static Result<std::unique_ptr<SegmentReader>> Open(FileSystem& fs, const std::string& path,
                                                     const SecretKey& index_key);

  Date day() const { return day_; }
  const SegmentId& id() const { return id_; }
  const JournalId& sealed_journal() const { return journal_; }
  const std::string& path() const { return path_; }
  uint64_t events() const { return events_; }
  const std::vector<BlockIndexEntry>& index() const { return index_; }

  // The ordinals [first, last) of the blocks whose tag is `tag` (normally at most one).
  std::pair<uint32_t, uint32_t> FindBlocks(const Tag96& tag) const;
  // The address index's entries for `address_tag` (a view of the reader's index).
  std::span<const AddressIndexEntry> FindAddress(uint64_t address_tag) const;
  bool HasEventId(const EventIdTag& tag) const;
  // "PATH: block N at byte X", for what is wrong with a block.
  std::string BlockWhere(uint32_t ordinal) const {
    return path_ + ": block " + std::to_string(ordinal) + " at byte " + std::to_string(index_[ordinal].offset);
  }
  // The sealed bytes of block `ordinal`: a view of the mapped file, or a copy in `scratch`.
  Result<std::string_view> Block(uint32_t ordinal, std::string& scratch) const;

 private:
  SegmentReader() = default;
  std::string path_;
  Date day_;
  SegmentId id_{};
  JournalId journal_{};
  uint64_t events_ = 0;
  std::unique_ptr<RandomAccessFile> file_;
  std::vector<BlockIndexEntry> index_;
  uint64_t blocks_end_ = 0;  // where the last block ends
  // radix_[h] is the first block whose tag's top kRadixBits bits are >= h: a lookup searches
  // only the few blocks between radix_[h] and radix_[h + 1].
  static constexpr int kRadixBits = 12;
  std::vector<uint32_t> radix_;
  std::vector<AddressIndexEntry> addresses_;
  std::vector<EventIdTag> event_ids_;
};

}  // namespace custodian::vault
