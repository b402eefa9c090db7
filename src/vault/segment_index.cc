#include "vault/segment_index.h"

#include <algorithm>
#include <tuple>

#include "core/coding.h"
#include "core/crc32c.h"
#include "core/time.h"

namespace custodian::vault {
namespace {

constexpr uint64_t kSecondsPerDay = kMicrosPerDay / kMicrosPerSecond;
constexpr size_t kBlockFenceEntry = 8 + 4 + 4 + 8 + 8;
constexpr size_t kAddressFenceEntry = 8 + 8;
constexpr size_t kEventIdFenceEntry = 16 + 4;
constexpr char kAddressIndexAssociated[] = "custodian/address-index/v2";

std::string IndexAssociatedData(const SegmentId& id, SealedPart kind, uint64_t number) {
  std::string ad(kAddressIndexAssociated);
  ad.append(reinterpret_cast<const char*>(id.data()), id.size());
  ad.push_back(static_cast<char>(kind));
  PutFixed64(ad, number);
  return ad;
}

}  // namespace

Nonce IndexNonce(const SegmentId& id, SealedPart kind, uint64_t number) {
  Nonce n{};
  std::copy(id.begin(), id.end(), n.begin());
  for (int i = 0; i < 7; ++i) n[16 + i] = static_cast<uint8_t>(number >> (8 * i));
  n[23] = 0x80 | kind;  // a block's nonce has its ordinal here, and ordinals are 32 bits
  return n;
}

namespace {

uint64_t ChunksOf(uint64_t items, uint64_t per_chunk) { return (items + per_chunk - 1) / per_chunk; }

}  // namespace

EncodedIndexes EncodeIndexes(const SegmentId& id, const SecretKey& index_key,
                             uint64_t first_block_offset, std::span<const BlockIndexEntry> blocks,
                             std::vector<AddressIndexEntry>& addresses,
                             std::vector<EventIdTag>& event_ids) {
  EncodedIndexes x;
  // Blocks: the tags and check bits as fixed columns (searched in place), then each block's
  // length and event count.
  uint64_t block_offset = first_block_offset;
  std::string chunk;
  for (size_t begin = 0; begin < blocks.size(); begin += kBlocksPerChunk) {
    const auto run = blocks.subspan(begin, std::min<size_t>(kBlocksPerChunk, blocks.size() - begin));
    chunk.clear();
    for (const BlockIndexEntry& b : run) PutFixed64(chunk, b.tag);
    for (const BlockIndexEntry& b : run) PutFixed32(chunk, b.check);
    for (const BlockIndexEntry& b : run) PutVarint(chunk, b.length), PutVarint(chunk, b.events);
    PutFixed64(x.block_fence, run.front().tag);
    PutFixed32(x.block_fence, run.front().check);
    PutFixed32(x.block_fence, Crc32c(chunk));
    PutFixed64(x.block_fence, x.block_chunks.size());
    PutFixed64(x.block_fence, block_offset);
    for (const BlockIndexEntry& b : run) block_offset += b.length;
    x.block_chunks += chunk;
  }

  std::sort(addresses.begin(), addresses.end(), [](const auto& a, const auto& b) {
    return std::tie(a.address_tag, a.block) < std::tie(b.address_tag, b.block);
  });
  std::string fence;
  for (size_t begin = 0, number = 0; begin < addresses.size(); begin += kAddressesPerChunk, ++number) {
    const size_t end = std::min<size_t>(begin + kAddressesPerChunk, addresses.size());
    chunk.clear();
    uint64_t previous = addresses[begin].address_tag;
    for (size_t i = begin; i < end; ++i) {
      const AddressIndexEntry& a = addresses[i];
      const uint64_t first = a.first / kMicrosPerSecond;
      PutVarint(chunk, a.address_tag - previous);  // sorted: small deltas
      previous = a.address_tag;
      PutVarint(chunk, a.block);
      PutVarint(chunk, first);
      PutVarint(chunk, a.last / kMicrosPerSecond - first);
    }
    PutFixed64(fence, addresses[begin].address_tag);
    PutFixed64(fence, x.address_chunks.size());
    SealTo(x.address_chunks, index_key, IndexNonce(id, kAddressChunk, number), chunk,
           IndexAssociatedData(id, kAddressChunk, number));
  }
  SealTo(x.address_fence, index_key, IndexNonce(id, kAddressFence, 0), fence,
         IndexAssociatedData(id, kAddressFence, 0));

  std::sort(event_ids.begin(), event_ids.end());
  for (size_t begin = 0; begin < event_ids.size(); begin += kEventIdsPerChunk) {
    const size_t end = std::min<size_t>(begin + kEventIdsPerChunk, event_ids.size());
    const size_t start = x.event_id_chunks.size();
    for (size_t i = begin; i < end; ++i) {
      x.event_id_chunks.append(reinterpret_cast<const char*>(event_ids[i].data()), 16);
    }
    x.event_id_fence.append(reinterpret_cast<const char*>(event_ids[begin].data()), 16);
    PutFixed32(x.event_id_fence, Crc32c(std::string_view(x.event_id_chunks).substr(start)));
  }
  return x;
}

bool DecodeBlockFence(std::string_view in, uint32_t blocks, uint64_t chunks_size,
                      uint64_t first_block_offset, uint64_t blocks_end, std::vector<BlockChunk>& out) {
  const uint64_t chunks = ChunksOf(blocks, kBlocksPerChunk);
  if (in.size() != chunks * kBlockFenceEntry) return false;
  out.resize(chunks);
  Decoder d(in);
  for (uint64_t c = 0; c < chunks; ++c) {
    BlockChunk& f = out[c];
    f.tag = d.Fixed64();
    f.check = d.Fixed32();
    f.crc = d.Fixed32();
    f.offset = d.Fixed64();
    f.first_block = d.Fixed64();
    const bool first = c == 0;
    if (first ? f.offset != 0 || f.first_block != first_block_offset
              : f.offset <= out[c - 1].offset || f.first_block < out[c - 1].first_block ||
                    std::tie(f.tag, f.check) < std::tie(out[c - 1].tag, out[c - 1].check)) {
      return false;
    }
    if (f.offset >= chunks_size || f.first_block > blocks_end) return false;
  }
  return d.ok();
}

bool DecodeAddressFence(const SegmentId& id, const SecretKey& index_key, std::string_view sealed,
                        uint64_t chunks_size, std::vector<AddressChunk>& out) {
  std::string plain;
  if (!OpenTo(plain, index_key, IndexNonce(id, kAddressFence, 0), sealed,
              IndexAssociatedData(id, kAddressFence, 0)) ||
      plain.size() % kAddressFenceEntry != 0) {
    return false;
  }
  out.resize(plain.size() / kAddressFenceEntry);
  Decoder d(plain);
  for (size_t c = 0; c < out.size(); ++c) {
    out[c].tag = d.Fixed64();
    out[c].offset = d.Fixed64();
    if (c == 0 ? out[c].offset != 0
               : out[c].offset <= out[c - 1].offset || out[c].tag < out[c - 1].tag) {
      return false;
    }
    if (out[c].offset >= chunks_size) return false;
  }
  return true;
}

bool DecodeEventIdFence(std::string_view in, uint64_t event_ids, std::vector<EventIdChunk>& out) {
  if (in.size() != ChunksOf(event_ids, kEventIdsPerChunk) * kEventIdFenceEntry) return false;
  out.resize(in.size() / kEventIdFenceEntry);
  Decoder d(in);
  for (EventIdChunk& c : out) {
    const std::string_view first = d.Bytes(16);
    std::copy(first.begin(), first.end(), c.first.begin());
    c.crc = d.Fixed32();
  }
  return d.ok();
}

bool DecodeBlockChunk(std::string_view bytes, const BlockChunk& fence, uint32_t chunk,
                      uint32_t count, uint64_t end, const BlockFilter& only, std::vector<BlockRef>& out) {
  if (bytes.size() < count * 12u) return false;
  const auto tag_at = [&](uint32_t i) { return DecodeFixed64(bytes.data() + 8 * i); };
  const auto check_at = [&](uint32_t i) { return DecodeFixed32(bytes.data() + 8 * count + 4 * i); };
  if (only.tag) {
    // The tags lie in a column, sorted: an account the chunk does not hold costs a search.
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
      const uint32_t mid = (lo + hi) / 2;
      if (std::pair(tag_at(mid), check_at(mid)) < *only.tag) lo = mid + 1; else hi = mid;
    }
    if (lo == count || tag_at(lo) != only.tag->first || check_at(lo) != only.tag->second) return true;
  }
  Decoder d(bytes.substr(count * 12u));
  uint64_t offset = fence.first_block;
  for (uint32_t i = 0; i < count; ++i) {
    BlockRef b;
    b.ordinal = chunk * kBlocksPerChunk + i;
    b.tag = tag_at(i);
    b.check = check_at(i);
    b.length = d.Varint();
    b.events = static_cast<uint32_t>(d.Varint());
    b.offset = offset;
    offset += b.length;
    if (!d.ok() || offset > end) return false;
    const bool wanted = only.tag ? b.tag == only.tag->first && b.check == only.tag->second
                                 : !only.ordinal || *only.ordinal == b.ordinal;
    if (wanted) out.push_back(b);
  }
  return d.done() && offset == end;
}

bool BlockChunkChecks(std::string_view bytes, const BlockChunk& fence, uint32_t count) {
  return bytes.size() >= count * 12u && Crc32c(bytes) == fence.crc &&
         DecodeFixed64(bytes.data()) == fence.tag && DecodeFixed32(bytes.data() + 8 * count) == fence.check;
}

Tag96 BlockChunkTag(std::string_view bytes, uint32_t count, uint32_t position) {
  return {DecodeFixed64(bytes.data() + 8 * position), DecodeFixed32(bytes.data() + 8 * count + 4 * position)};
}

bool OpenAddressChunk(const SegmentId& id, const SecretKey& index_key, std::string_view sealed,
                      uint64_t chunk, uint64_t first_tag, uint32_t blocks, std::vector<AddressUse>& out) {
  std::string plain;
  if (!OpenTo(plain, index_key, IndexNonce(id, kAddressChunk, chunk), sealed,
              IndexAssociatedData(id, kAddressChunk, chunk))) {
    return false;
  }
  Decoder d(plain);
  uint64_t tag = first_tag;
  while (!d.done()) {
    tag += d.Varint();
    const uint64_t block = d.Varint();
    const uint64_t first = d.Varint();
    const uint64_t last = first + d.Varint();
    if (!d.ok() || block >= blocks || last >= kSecondsPerDay) return false;
    out.push_back({tag, static_cast<uint32_t>(block), static_cast<uint32_t>(first), static_cast<uint32_t>(last)});
  }
  return true;
}

}  // namespace custodian::vault
