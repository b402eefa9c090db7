// Sealed segments: the immutable, sorted form of a day partition's events
// (docs/vault_format.md, "Segments"). A segment holds one sealed block per account and the
// indexes of segment_index.h: blocks by the account's keyed tag, addresses by their keyed tag,
// the keyed tags of the event ids it holds. Nothing in it is readable without the account
// keys except the day, block sizes and event counts. A reader keeps only the indexes' fences
// in memory and reads a chunk per lookup. SegmentBuilder is used by one thread; a
// SegmentReader is immutable and thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "core/time.h"
#include "vault/address_chunk_cache.h"
#include "vault/crypto.h"
#include "vault/journal.h"
#include "vault/segment_index.h"

namespace custodian::vault {

struct EventIdTagHash {
  size_t operator()(const EventIdTag& t) const {
    size_t h;
    std::memcpy(&h, t.data(), sizeof h);
    return h;
  }
};

// The nonce of block `ordinal` of a segment: unique because segment ids are random.
Nonce BlockNonce(const SegmentId& segment, uint64_t ordinal);
// What every block's seal is bound to.
std::string BlockAssociatedData(uint64_t account, Date day, const SegmentId& segment,
                                uint64_t ordinal);

// One flag per chunk, set by any thread, never cleared.
class ChunkFlags {
 public:
  void Reset(size_t chunks);
  bool Get(size_t chunk) const {
    return (words_[chunk / 64].load(std::memory_order_acquire) >> (chunk % 64)) & 1;
  }
  void Set(size_t chunk) const {
    words_[chunk / 64].fetch_or(uint64_t{1} << (chunk % 64), std::memory_order_release);
  }
  size_t bytes() const { return words_count_ * sizeof(uint64_t); }

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  size_t words_count_ = 0;
};

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
  std::vector<AddressIndexEntry> addresses_;
  std::vector<EventIdTag> event_ids_;
};

class SegmentReader {
 public:
  // Opens and checks a segment file: header, footer and the indexes' fences (the address
  // fence opened with `index_key`, which the reader keeps to open address chunks). A segment
  // of the first layout has no chunks: its indexes are read whole and kept, chunked, in memory.
  // Opened address chunks are kept in `address_chunks`, if given.
  static Result<std::unique_ptr<SegmentReader>> Open(FileSystem& fs, const std::string& path,
                                                     const SecretKey& index_key,
                                                     AddressChunkCache* address_chunks = nullptr);

  Date day() const { return day_; }
  const SegmentId& id() const { return id_; }
  const JournalId& sealed_journal() const { return journal_; }
  const std::string& path() const { return path_; }
  uint64_t events() const { return events_; }
  uint32_t blocks() const { return blocks_; }
  size_t address_chunks() const { return address_fence_.size(); }
  // The bytes the reader keeps in memory: its fences (and a first-layout segment's indexes).
  size_t memory_bytes() const;

  // Appends the blocks whose tag is `tag` (normally at most one). A chunk that fails its
  // checksum is Corruption, as everything below.
  Status FindBlocks(const Tag96& tag, std::vector<BlockRef>& out) const;
  Result<BlockRef> BlockAt(uint32_t ordinal) const;
  // Appends the account tags of the blocks `ordinals` (sorted), each read where it lies,
  // nothing decoded, each chunk checked at most once.
  Status BlockTagsAt(std::span<const uint32_t> ordinals, std::vector<Tag96>& out) const;
  Status ForEachBlock(const std::function<Status(const BlockRef&)>& visit) const;
  // Appends the index's uses of the address tagged `address_tag`, by block.
  Status FindAddress(uint64_t address_tag, std::vector<AddressUse>& out) const;
  Result<bool> HasEventId(const EventIdTag& tag) const;
  // "PATH: block N at byte X", for what is wrong with a block.
  std::string BlockWhere(const BlockRef& block) const {
    return path_ + ": block " + std::to_string(block.ordinal) + " at byte " + std::to_string(block.offset);
  }
  // The sealed bytes of a block: a view of the mapped file, or a copy in `scratch`.
  Result<std::string_view> Block(const BlockRef& block, std::string& scratch) const;

 private:
  SegmentReader() = default;
  // The indexes' six sections, in segment_index.h's order: in the file, or (first layout) in
  // index_memory_.
  enum Section { kBlockChunks, kBlockFence, kAddressChunks, kAddressFence, kEventIdChunks, kEventIdFence };
  struct Extent {
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  // The footer of `footer_bytes` at the end of the file, its magic and crc checked.
  Result<std::string> ReadFooter(size_t footer_bytes) const;
  Status OpenFirstLayout();
  Status OpenChunked();
  Status ReadFences(std::string_view block_fence, std::string_view address_fence,
                    std::string_view event_id_fence);
  // Bytes [offset, offset + n) of section `s`.
  Result<std::string_view> SectionBytes(Section s, uint64_t offset, uint64_t n, std::string& scratch) const;
  // Address chunk `chunk`'s entries: from the cache, or opened (and then cached).
  Result<AddressChunkCache::Chunk> OpenedAddressChunk(size_t chunk) const;
  Status ReadBlockChunk(uint32_t chunk, const BlockFilter& only, std::vector<BlockRef>& out) const;
  uint32_t BlocksIn(uint32_t chunk) const;
  // The bytes of block chunk `chunk`, checked against its fence.
  Result<std::string_view> CheckedBlockChunk(uint32_t chunk, std::string& scratch) const;
  Status Corrupt(const std::string& what) const { return Status::Corruption(path_ + ": " + what); }

  std::string path_;
  Date day_;
  SegmentId id_{};
  JournalId journal_{};
  SecretKey index_key_;
  AddressChunkCache* address_chunks_ = nullptr;
  uint64_t cache_owner_ = AddressChunkCache::NewOwner();
  uint64_t events_ = 0;
  uint32_t blocks_ = 0;
  uint64_t event_ids_ = 0;
  uint64_t blocks_end_ = 0;  // where the last block ends
  std::unique_ptr<RandomAccessFile> file_;
  Extent sections_[6];
  bool in_memory_ = false;    // the indexes are in index_memory_
  std::string index_memory_;  // a first-layout segment's indexes, re-encoded
  std::vector<BlockChunk> block_fence_;
  std::vector<AddressChunk> address_fence_;
  std::vector<EventIdChunk> event_id_fence_;
  // Which block and event-id chunks passed their checks: the file never changes, so each is
  // checked when first read, as the whole index once was at open (an address chunk is
  // authenticated whenever it is opened).
  ChunkFlags checked_block_chunks_, checked_event_id_chunks_;
};

}  // namespace custodian::vault
