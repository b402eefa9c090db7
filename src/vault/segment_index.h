// A segment's indexes in chunks (docs/vault_format.md, "Segment indexes"): blocks by account
// tag, addresses by address tag, event ids. Each index is a run of small chunks and a fence
// naming each chunk's first key, so that a reader keeps only the fences in memory and reads
// one chunk per lookup from the mapped file. Chunks of the block and event-id indexes carry a
// checksum in their fence entry; address chunks, and the address fence, are sealed, since the
// times they hold are finer than the day.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "vault/crypto.h"

namespace custodian::vault {

using SegmentId = std::array<uint8_t, 16>;
using Tag96 = std::pair<uint64_t, uint32_t>;  // an account's tag and check bits
using EventIdTag = std::array<uint8_t, 16>;

inline constexpr uint32_t kBlocksPerChunk = 64;
inline constexpr uint32_t kAddressesPerChunk = 64;
inline constexpr uint32_t kEventIdsPerChunk = 256;

// What is sealed under the index key, by kind: each address chunk, and the address fence.
enum SealedPart : uint8_t { kAddressChunk = 1, kAddressFence = 2 };
// The nonce of sealed part `number` of that kind: unique under the index key, since segment
// ids are random and within a segment the kind and number tell every sealed part apart; and
// never a block's nonce either (segment id ‖ ordinal, whose last byte is 0), though those are
// under other keys.
Nonce IndexNonce(const SegmentId& id, SealedPart kind, uint64_t number);

// A block as the writer lists it, in (tag, check) order.
struct BlockIndexEntry {
  uint64_t tag = 0;
  uint32_t check = 0;
  uint32_t events = 0;
  uint64_t length = 0;  // of the sealed block
};

// A block as a lookup finds it: where it lies in the file.
struct BlockRef {
  uint32_t ordinal = 0;
  uint32_t events = 0;
  uint64_t tag = 0;
  uint32_t check = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// An account's use of an address on the day, as the writer lists it: its first and last
// event there, in microseconds since the day's start.
struct AddressIndexEntry {
  uint64_t address_tag = 0;
  uint32_t block = 0;  // ordinal in the block index
  uint64_t first = 0;
  uint64_t last = 0;
};

// The same use as the index keeps it: to the second (the first event there lies in
// [first_second, first_second + 1 s), and likewise the last), which lets a lookup by address
// skip blocks that cannot match without opening them.
struct AddressUse {
  uint64_t address_tag = 0;
  uint32_t block = 0;
  uint32_t first_second = 0;
  uint32_t last_second = 0;
};

// The six sections the indexes take in a segment file, in this order.
struct EncodedIndexes {
  std::string block_chunks, block_fence;
  std::string address_chunks, address_fence;  // both sealed under the index key
  std::string event_id_chunks, event_id_fence;
  // The six, in that order: as a segment file lays them out.
  std::array<const std::string*, 6> sections() const {
    return {&block_chunks, &block_fence, &address_chunks, &address_fence, &event_id_chunks, &event_id_fence};
  }
};

// Encodes the indexes of segment `id` whose first block starts at byte `first_block_offset`.
// `addresses` and `event_ids` are sorted here.
EncodedIndexes EncodeIndexes(const SegmentId& id, const SecretKey& index_key,
                             uint64_t first_block_offset, std::span<const BlockIndexEntry> blocks,
                             std::vector<AddressIndexEntry>& addresses,
                             std::vector<EventIdTag>& event_ids);

// What a reader keeps in memory of a segment's indexes: the fences.
struct BlockChunk {
  uint64_t tag = 0;  // of the chunk's first block
  uint32_t check = 0;
  uint32_t crc = 0;     // of the chunk's bytes
  uint64_t offset = 0;  // of the chunk in the block-chunk section
  uint64_t first_block = 0;  // the file offset of the chunk's first block
};
struct AddressChunk {
  uint64_t tag = 0;     // of the chunk's first entry
  uint64_t offset = 0;  // of the chunk in the address-chunk section
};
struct EventIdChunk {
  EventIdTag first{};
  uint32_t crc = 0;
};

// The fences decoded and checked against the sections' sizes; false when they do not fit.
bool DecodeBlockFence(std::string_view in, uint32_t blocks, uint64_t chunks_size,
                      uint64_t first_block_offset, uint64_t blocks_end, std::vector<BlockChunk>& out);
bool DecodeAddressFence(const SegmentId& id, const SecretKey& index_key, std::string_view sealed,
                        uint64_t chunks_size, std::vector<AddressChunk>& out);
bool DecodeEventIdFence(std::string_view in, uint64_t event_ids, std::vector<EventIdChunk>& out);

// Which blocks of a chunk a decoding keeps: an account's, the one of an ordinal, or all.
struct BlockFilter {
  const Tag96* tag = nullptr;
  std::optional<uint32_t> ordinal;
};
// Decodes block chunk `chunk` (which BlockChunkChecks passed) and appends the refs of
// the blocks `only` names, their ordinals and file offsets included. `end` is where the
// chunk's last block ends.
bool DecodeBlockChunk(std::string_view bytes, const BlockChunk& fence, uint32_t chunk,
                      uint32_t count, uint64_t end, const BlockFilter& only, std::vector<BlockRef>& out);
// Whether a block chunk of `count` blocks matches its fence (checksum, first tag).
bool BlockChunkChecks(std::string_view bytes, const BlockChunk& fence, uint32_t count);
// The tag of the block at `position` < `count` in a chunk that checks.
Tag96 BlockChunkTag(std::string_view bytes, uint32_t count, uint32_t position);
// Opens address chunk `chunk`, whose first tag is `first_tag`, into its entries; false when it
// does not open or decode.
bool OpenAddressChunk(const SegmentId& id, const SecretKey& index_key, std::string_view sealed,
                      uint64_t chunk, uint64_t first_tag, uint32_t blocks, std::vector<AddressUse>& out);

}  // namespace custodian::vault
