#include "vault/segment.h"

#include <zstd.h>

#include <algorithm>

#include "core/coding.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTSEG2";            // indexes in chunks
constexpr std::string_view kFirstLayoutMagic = "CUSTSEG1";  // indexes whole, compressed
constexpr std::string_view kFooterMagic = "CUSTSEGF";
constexpr size_t kHeaderBytes = 8 + 8 + 16 + 16 + 4;  // magic, day, id, journal, crc
// Six sections' offset and length, the block and event counts, three fences' crcs, crc, magic.
constexpr size_t kFooterBytes = 6 * 16 + 4 + 8 + 3 * 4 + 4 + 8;
constexpr size_t kFirstLayoutFooterBytes = 6 * 8 + 3 * 4 + 4 + 8;
constexpr char kBlockAssociated[] = "custodian/block/v1";
constexpr size_t kMaxSectionBytes = 1ull << 32;
constexpr char kFirstLayoutAddressAssociated[] = "custodian/address-index/v1";

std::string FirstLayoutAddressData(const SegmentId& id) {
  std::string ad(kFirstLayoutAddressAssociated);
  ad.append(reinterpret_cast<const char*>(id.data()), id.size());
  return ad;
}

bool Decompress(std::string_view in, std::string& out) {
  Decoder d(in);
  const uint64_t size = d.Varint();
  if (!d.ok() || size > kMaxSectionBytes) return false;
  const std::string_view body = d.Bytes(d.left());
  out.resize(size);
  const size_t n = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
  return !ZSTD_isError(n) && n == size;
}

// The first chunk that may hold `key`: the one before the first whose fence entry is not
// `below` it (that chunk's first key may be `key`, and so may the previous chunk's last).
template <typename Fence, typename Key, typename Below>
size_t FirstChunkFor(const std::vector<Fence>& fence, const Key& key, Below below) {
  const auto it = std::lower_bound(fence.begin(), fence.end(), key, below);
  return it == fence.begin() ? 0 : static_cast<size_t>(it - fence.begin()) - 1;
}

}  // namespace

Nonce BlockNonce(const SegmentId& segment, uint64_t ordinal) {
  Nonce n{};
  std::copy(segment.begin(), segment.end(), n.begin());
  for (int i = 0; i < 8; ++i) n[16 + i] = static_cast<uint8_t>(ordinal >> (8 * i));
  return n;
}

std::string BlockAssociatedData(uint64_t account, Date day, const SegmentId& segment,
                                uint64_t ordinal) {
  std::string ad(kBlockAssociated);
  ad.push_back(1);  // block kind: access events
  PutFixed64(ad, account);
  PutFixed64(ad, static_cast<uint64_t>(day.days));
  ad.append(reinterpret_cast<const char*>(segment.data()), segment.size());
  PutFixed64(ad, ordinal);
  return ad;
}

SegmentBuilder::SegmentBuilder(Date day, const SegmentId& id, const JournalId& sealed_journal)
    : day_(day), id_(id), journal_(sealed_journal) {}

uint32_t SegmentBuilder::AddBlock(const Tag96& tag, uint32_t events, std::string_view sealed) {
  index_.push_back({tag.first, tag.second, events, sealed.size()});
  blocks_.append(sealed);
  return static_cast<uint32_t>(index_.size() - 1);
}

void SegmentBuilder::AddAddress(const AddressIndexEntry& entry) { addresses_.push_back(entry); }

void SegmentBuilder::AddEventId(const EventIdTag& tag) { event_ids_.push_back(tag); }

std::string SegmentBuilder::Finish(const SecretKey& index_key) {
  std::string out(kMagic);
  PutFixed64(out, static_cast<uint64_t>(day_.days));
  out.append(reinterpret_cast<const char*>(id_.data()), id_.size());
  out.append(reinterpret_cast<const char*>(journal_.data()), journal_.size());
  PutFixed32(out, Crc32c(out));
  out += blocks_;
  const EncodedIndexes x = EncodeIndexes(id_, index_key, kHeaderBytes, index_, addresses_, event_ids_);
  uint64_t events = 0;
  for (const BlockIndexEntry& b : index_) events += b.events;
  std::string footer;
  for (const std::string* section : x.sections()) {
    PutFixed64(footer, out.size());
    PutFixed64(footer, section->size());
    out += *section;
  }
  PutFixed32(footer, static_cast<uint32_t>(index_.size()));
  PutFixed64(footer, events);
  for (const std::string* fence : {&x.block_fence, &x.address_fence, &x.event_id_fence}) {
    PutFixed32(footer, Crc32c(*fence));
  }
  PutFixed32(footer, Crc32c(footer));
  footer += kFooterMagic;
  out += footer;
  return out;
}

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(FileSystem& fs, const std::string& path,
                                                           const SecretKey& index_key,
                                                           AddressChunkCache* address_chunks) {
  auto file = fs.OpenRead(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->path_ = path;
  r->index_key_ = index_key;
  r->address_chunks_ = address_chunks;
  r->file_ = std::move(file).value();
  const uint64_t size = r->file_->Size();
  if (size < kHeaderBytes) return r->Corrupt("ends at byte " + std::to_string(size) + ": too short to be a segment");
  std::string header;
  if (Status s = r->file_->Read(0, kHeaderBytes, header); !s.ok()) return s;
  const std::string_view magic = std::string_view(header).substr(0, 8);
  if ((magic != kMagic && magic != kFirstLayoutMagic) ||
      Crc32c(std::string_view(header).substr(0, kHeaderBytes - 4)) !=
          DecodeFixed32(header.data() + kHeaderBytes - 4)) {
    return r->Corrupt("the header at byte 0 is damaged");
  }
  r->day_ = Date{static_cast<int64_t>(DecodeFixed64(header.data() + 8))};
  std::copy(header.begin() + 16, header.begin() + 32, r->id_.begin());
  std::copy(header.begin() + 32, header.begin() + 48, r->journal_.begin());
  Status s = magic == kMagic ? r->OpenChunked() : r->OpenFirstLayout();
  if (!s.ok()) return s;
  return r;
}

Result<std::string> SegmentReader::ReadFooter(size_t footer_bytes) const {
  const uint64_t size = file_->Size();
  if (size < kHeaderBytes + footer_bytes) {
    return Corrupt("ends at byte " + std::to_string(size) + ": too short to be a segment");
  }
  std::string footer;
  if (Status s = file_->Read(size - footer_bytes, footer_bytes, footer); !s.ok()) return s;
  if (!std::string_view(footer).ends_with(kFooterMagic) ||
      Crc32c(std::string_view(footer).substr(0, footer_bytes - 12)) !=
          DecodeFixed32(footer.data() + footer_bytes - 12)) {
    return Corrupt("the footer at byte " + std::to_string(size - footer_bytes) + " is damaged");
  }
  return footer;
}

Status SegmentReader::OpenChunked() {
  auto read = ReadFooter(kFooterBytes);
  if (!read.ok()) return read.status();
  const std::string& footer = *read;
  const uint64_t footer_at = file_->Size() - kFooterBytes;
  const std::string where = "the footer at byte " + std::to_string(footer_at);
  Decoder d(footer);
  for (Extent& e : sections_) e.offset = d.Fixed64(), e.size = d.Fixed64();
  blocks_ = d.Fixed32();
  events_ = d.Fixed64();
  uint32_t fence_crcs[3];
  for (uint32_t& crc : fence_crcs) crc = d.Fixed32();
  // The sections lie one after another from the end of the blocks to the footer.
  blocks_end_ = sections_[0].offset;
  uint64_t at = blocks_end_;
  for (const Extent& e : sections_) {
    if (e.offset != at || e.size > footer_at - at) return Corrupt(where + " points outside the file");
    at += e.size;
  }
  if (blocks_end_ < kHeaderBytes || at != footer_at) return Corrupt(where + " points outside the file");
  std::string fences[3];
  const Section fence_sections[3] = {kBlockFence, kAddressFence, kEventIdFence};
  for (int i = 0; i < 3; ++i) {
    const Extent& e = sections_[fence_sections[i]];
    if (Status s = file_->Read(e.offset, e.size, fences[i]); !s.ok()) return s;
    if (Crc32c(fences[i]) != fence_crcs[i]) {
      return Corrupt("index fence " + std::to_string(i) + " at byte " + std::to_string(e.offset) +
                     " fails its checksum");
    }
  }
  return ReadFences(fences[0], fences[1], fences[2]);
}

Status SegmentReader::ReadFences(std::string_view block_fence, std::string_view address_fence,
                                 std::string_view event_id_fence) {
  if (!DecodeBlockFence(block_fence, blocks_, sections_[kBlockChunks].size, kHeaderBytes, blocks_end_,
                        block_fence_)) {
    return Corrupt("the block index's fence does not decode");
  }
  if (!DecodeAddressFence(id_, index_key_, address_fence, sections_[kAddressChunks].size, address_fence_)) {
    return Corrupt("the address index's fence fails authentication or does not decode");
  }
  const uint64_t id_bytes = sections_[kEventIdChunks].size;
  event_ids_ = id_bytes / 16;
  if (id_bytes % 16 != 0 || !DecodeEventIdFence(event_id_fence, event_ids_, event_id_fence_)) {
    return Corrupt("the event-id index's fence does not decode");
  }
  checked_block_chunks_.Reset(block_fence_.size());
  checked_event_id_chunks_.Reset(event_id_fence_.size());
  return Status::Ok();
}

Status SegmentReader::OpenFirstLayout() {
  auto read = ReadFooter(kFirstLayoutFooterBytes);
  if (!read.ok()) return read.status();
  const std::string& footer = *read;
  const uint64_t size = file_->Size();
  const uint64_t footer_at = size - kFirstLayoutFooterBytes;
  std::string sections[3];
  for (int i = 0; i < 3; ++i) {
    const uint64_t off = DecodeFixed64(footer.data() + 16 * i);
    const uint64_t len = DecodeFixed64(footer.data() + 16 * i + 8);
    if (off < kHeaderBytes || len > size || off + len > footer_at) {
      return Corrupt("the footer at byte " + std::to_string(footer_at) + " points outside the file");
    }
    std::string raw;
    if (Status s = file_->Read(off, len, raw); !s.ok()) return s;
    if (Crc32c(raw) != DecodeFixed32(footer.data() + 48 + 4 * i)) {
      return Corrupt("index section " + std::to_string(i) + " at byte " + std::to_string(off) +
                     " fails its checksum");
    }
    if (i == 1) {  // the sealed address index
      Nonce nonce;
      if (raw.size() < kNonceBytes) return Corrupt("address index damaged");
      std::copy(raw.begin(), raw.begin() + kNonceBytes, nonce.begin());
      std::string opened;
      if (!OpenTo(opened, index_key_, nonce, std::string_view(raw).substr(kNonceBytes),
                  FirstLayoutAddressData(id_))) {
        return Corrupt("address index fails authentication");
      }
      raw = std::move(opened);
    }
    if (!Decompress(raw, sections[i])) return Corrupt("index section " + std::to_string(i) + " does not decompress");
  }
  blocks_end_ = DecodeFixed64(footer.data());
  std::vector<BlockIndexEntry> blocks;
  Decoder d(sections[0]);
  uint64_t offset = kHeaderBytes;
  while (!d.done()) {
    BlockIndexEntry e;
    e.tag = d.Fixed64();
    e.check = d.Fixed32();
    e.length = d.Fixed32();
    e.events = static_cast<uint32_t>(d.Varint());
    offset += e.length;
    if (!d.ok() || offset > blocks_end_) return Corrupt("block index does not decode");
    events_ += e.events;
    blocks.push_back(e);
  }
  blocks_end_ = offset;
  blocks_ = static_cast<uint32_t>(blocks.size());
  std::vector<AddressIndexEntry> addresses;
  Decoder a(sections[1]);
  uint64_t tag = 0;
  while (!a.done()) {
    tag += a.Varint();
    const uint64_t block = a.Varint();
    const uint64_t first = a.Varint();
    const uint64_t last = first + a.Varint();
    if (!a.ok() || block >= blocks.size() || last >= kMicrosPerDay) {
      return Corrupt("address index does not decode");
    }
    addresses.push_back({tag, static_cast<uint32_t>(block), first, last});
  }
  if (sections[2].size() % 16 != 0) return Corrupt("event-id section does not decode");
  std::vector<EventIdTag> event_ids(sections[2].size() / 16);
  for (size_t i = 0; i < event_ids.size(); ++i) {
    std::copy(sections[2].begin() + 16 * i, sections[2].begin() + 16 * (i + 1), event_ids[i].begin());
  }
  // Kept in memory in the chunked layout, so that lookups take one path.
  const EncodedIndexes x = EncodeIndexes(id_, index_key_, kHeaderBytes, blocks, addresses, event_ids);
  in_memory_ = true;
  for (int i = 0; const std::string* section : x.sections()) {
    sections_[i++] = {index_memory_.size(), section->size()};
    index_memory_ += *section;
  }
  return ReadFences(x.block_fence, x.address_fence, x.event_id_fence);
}

void ChunkFlags::Reset(size_t chunks) {
  words_count_ = (chunks + 63) / 64;
  words_ = std::make_unique<std::atomic<uint64_t>[]>(words_count_);
}

size_t SegmentReader::memory_bytes() const {
  return sizeof(*this) + path_.capacity() + index_memory_.capacity() +
         checked_block_chunks_.bytes() + checked_event_id_chunks_.bytes() +
         block_fence_.capacity() * sizeof(BlockChunk) + address_fence_.capacity() * sizeof(AddressChunk) +
         event_id_fence_.capacity() * sizeof(EventIdChunk);
}

Result<std::string_view> SegmentReader::SectionBytes(Section s, uint64_t offset, uint64_t n,
                                                     std::string& scratch) const {
  const Extent& e = sections_[s];
  if (offset > e.size || n > e.size - offset) return Corrupt("an index chunk lies outside its section");
  if (in_memory_) return std::string_view(index_memory_).substr(e.offset + offset, n);
  std::string_view view;
  if (file_->View(e.offset + offset, n, view)) return view;
  if (Status st = file_->Read(e.offset + offset, n, scratch); !st.ok()) return st;
  return std::string_view(scratch);
}

uint32_t SegmentReader::BlocksIn(uint32_t chunk) const {
  return std::min(kBlocksPerChunk, blocks_ - chunk * kBlocksPerChunk);
}

Result<std::string_view> SegmentReader::CheckedBlockChunk(uint32_t chunk, std::string& scratch) const {
  const BlockChunk& f = block_fence_[chunk];
  const uint64_t end = chunk + 1 == block_fence_.size() ? sections_[kBlockChunks].size : block_fence_[chunk + 1].offset;
  auto bytes = SectionBytes(kBlockChunks, f.offset, end - f.offset, scratch);
  if (!bytes.ok() || checked_block_chunks_.Get(chunk)) return bytes;
  if (!BlockChunkChecks(*bytes, f, BlocksIn(chunk))) {
    return Corrupt("block index chunk " + std::to_string(chunk) + " fails its checksum or disagrees with its fence");
  }
  checked_block_chunks_.Set(chunk);
  return bytes;
}

Status SegmentReader::ReadBlockChunk(uint32_t chunk, const BlockFilter& only, std::vector<BlockRef>& out) const {
  std::string scratch;
  auto bytes = CheckedBlockChunk(chunk, scratch);
  if (!bytes.ok()) return bytes.status();
  const uint64_t end = chunk + 1 == block_fence_.size() ? blocks_end_ : block_fence_[chunk + 1].first_block;
  if (!DecodeBlockChunk(*bytes, block_fence_[chunk], chunk, BlocksIn(chunk), end, only, out)) {
    return Corrupt("block index chunk " + std::to_string(chunk) + " does not decode");
  }
  return Status::Ok();
}

Status SegmentReader::BlockTagsAt(std::span<const uint32_t> ordinals, std::vector<Tag96>& out) const {
  std::string scratch;
  std::string_view bytes;
  uint32_t read = UINT32_MAX;  // the chunk in `bytes`
  for (const uint32_t ordinal : ordinals) {
    if (ordinal >= blocks_) return Corrupt("no block " + std::to_string(ordinal));
    const uint32_t chunk = ordinal / kBlocksPerChunk;
    if (chunk != read) {
      auto checked = CheckedBlockChunk(chunk, scratch);
      if (!checked.ok()) return checked.status();
      bytes = *checked;
      read = chunk;
    }
    out.push_back(BlockChunkTag(bytes, BlocksIn(chunk), ordinal % kBlocksPerChunk));
  }
  return Status::Ok();
}

Status SegmentReader::FindBlocks(const Tag96& tag, std::vector<BlockRef>& out) const {
  // An account's blocks may run on from the first chunk that may hold them into the next.
  size_t chunk = FirstChunkFor(block_fence_, tag, [](const BlockChunk& c, const Tag96& t) {
    return std::tie(c.tag, c.check) < std::tie(t.first, t.second);
  });
  for (const size_t first = chunk; chunk < block_fence_.size(); ++chunk) {
    const BlockChunk& f = block_fence_[chunk];
    if (chunk != first && std::tie(f.tag, f.check) > std::tie(tag.first, tag.second)) break;
    if (Status s = ReadBlockChunk(static_cast<uint32_t>(chunk), {.tag = &tag, .ordinal = std::nullopt}, out); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<BlockRef> SegmentReader::BlockAt(uint32_t ordinal) const {
  if (ordinal >= blocks_) return Corrupt("no block " + std::to_string(ordinal));
  std::vector<BlockRef> refs;
  if (Status s = ReadBlockChunk(ordinal / kBlocksPerChunk, {.tag = nullptr, .ordinal = ordinal}, refs); !s.ok()) return s;
  return refs.at(0);
}

Status SegmentReader::ForEachBlock(const std::function<Status(const BlockRef&)>& visit) const {
  std::vector<BlockRef> refs;
  for (uint32_t chunk = 0; chunk < block_fence_.size(); ++chunk) {
    refs.clear();
    if (Status s = ReadBlockChunk(chunk, {}, refs); !s.ok()) return s;
    for (const BlockRef& b : refs) {
      if (Status s = visit(b); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status SegmentReader::FindAddress(uint64_t address_tag, std::vector<AddressUse>& out) const {
  size_t chunk = FirstChunkFor(address_fence_, address_tag,
                               [](const AddressChunk& c, uint64_t t) { return c.tag < t; });
  for (const size_t first = chunk; chunk < address_fence_.size(); ++chunk) {
    const AddressChunk& c = address_fence_[chunk];
    if (chunk != first && c.tag > address_tag) break;
    auto entries = OpenedAddressChunk(chunk);
    if (!entries.ok()) return entries.status();
    const auto by_tag = [](const AddressUse& u, uint64_t t) { return u.address_tag < t; };
    for (auto e = std::lower_bound((*entries)->begin(), (*entries)->end(), address_tag, by_tag);
         e != (*entries)->end() && e->address_tag == address_tag; ++e) {
      out.push_back(*e);
    }
  }
  return Status::Ok();
}

Result<AddressChunkCache::Chunk> SegmentReader::OpenedAddressChunk(size_t chunk) const {
  if (address_chunks_) {
    if (auto cached = address_chunks_->Find(cache_owner_, chunk)) return cached;
  }
  const AddressChunk& c = address_fence_[chunk];
  const uint64_t end = chunk + 1 == address_fence_.size() ? sections_[kAddressChunks].size : address_fence_[chunk + 1].offset;
  std::string scratch;
  auto sealed = SectionBytes(kAddressChunks, c.offset, end - c.offset, scratch);
  if (!sealed.ok()) return sealed.status();
  auto entries = std::make_shared<std::vector<AddressUse>>();
  if (!OpenAddressChunk(id_, index_key_, *sealed, chunk, c.tag, blocks_, *entries)) {
    return Corrupt("address index chunk " + std::to_string(chunk) + " fails authentication or does not decode");
  }
  AddressChunkCache::Chunk opened = std::move(entries);
  if (address_chunks_) address_chunks_->Insert(cache_owner_, chunk, opened);
  return opened;
}

Result<bool> SegmentReader::HasEventId(const EventIdTag& tag) const {
  const auto it = std::upper_bound(event_id_fence_.begin(), event_id_fence_.end(), tag,
                                   [](const EventIdTag& t, const EventIdChunk& c) { return t < c.first; });
  if (it == event_id_fence_.begin()) return false;
  const size_t chunk = static_cast<size_t>(it - event_id_fence_.begin()) - 1;
  const uint64_t first = chunk * kEventIdsPerChunk;
  const uint64_t count = std::min<uint64_t>(kEventIdsPerChunk, event_ids_ - first);
  std::string scratch;
  auto bytes = SectionBytes(kEventIdChunks, first * 16, count * 16, scratch);
  if (!bytes.ok()) return bytes.status();
  if (!checked_event_id_chunks_.Get(chunk)) {
    if (Crc32c(*bytes) != it[-1].crc) {
      return Corrupt("event-id index chunk " + std::to_string(chunk) + " fails its checksum");
    }
    checked_event_id_chunks_.Set(chunk);
  }
  // Sorted 16-byte tags: search them where they lie.
  uint64_t lo = 0, hi = count;
  while (lo < hi) {
    const uint64_t mid = (lo + hi) / 2;
    const int c = std::memcmp(bytes->data() + 16 * mid, tag.data(), 16);
    if (c == 0) return true;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return false;
}

Result<std::string_view> SegmentReader::Block(const BlockRef& b, std::string& scratch) const {
  std::string_view view;
  if (file_->View(b.offset, b.length, view)) return view;
  if (Status s = file_->Read(b.offset, b.length, scratch); !s.ok()) return s;
  return std::string_view(scratch);
}

}  // namespace custodian::vault
