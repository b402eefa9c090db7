#include "vault/segment.h"

#include <zstd.h>

#include <algorithm>

#include "core/coding.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTSEG1";
constexpr std::string_view kFooterMagic = "CUSTSEGF";
constexpr size_t kHeaderBytes = 8 + 8 + 16 + 16 + 4;  // magic, day, id, journal, crc
constexpr size_t kFooterBytes = 6 * 8 + 3 * 4 + 4 + 8;
constexpr char kBlockAssociated[] = "custodian/block/v1";
constexpr size_t kMaxSectionBytes = 1ull << 32;

std::string Compress(const std::string& raw) {
  std::string out;
  PutVarint(out, raw.size());
  const size_t start = out.size();
  out.resize(start + ZSTD_compressBound(raw.size()));
  const size_t n = ZSTD_compress(out.data() + start, out.size() - start, raw.data(), raw.size(), 3);
  out.resize(start + n);
  return out;
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
  index_.push_back({tag.first, tag.second, events, kHeaderBytes + blocks_.size()});
  blocks_.append(sealed);
  return static_cast<uint32_t>(index_.size() - 1);
}

void SegmentBuilder::AddAddress(const AddressIndexEntry& entry) { addresses_.push_back(entry); }

namespace {

constexpr char kAddressIndexAssociated[] = "custodian/address-index/v1";

std::string AddressIndexAssociatedData(const SegmentId& id) {
  std::string ad(kAddressIndexAssociated);
  ad.append(reinterpret_cast<const char*>(id.data()), id.size());
  return ad;
}

}  // namespace

void SegmentBuilder::AddEventId(const EventIdTag& tag) { event_ids_.push_back(tag); }

std::string SegmentBuilder::Finish(const SecretKey& index_key) {
  std::sort(addresses_.begin(), addresses_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.address_tag, a.block) < std::tie(b.address_tag, b.block);
  });
  std::sort(event_ids_.begin(), event_ids_.end());
  std::string out(kMagic);
  PutFixed64(out, static_cast<uint64_t>(day_.days));
  out.append(reinterpret_cast<const char*>(id_.data()), id_.size());
  out.append(reinterpret_cast<const char*>(journal_.data()), journal_.size());
  PutFixed32(out, Crc32c(out));
  out += blocks_;

  std::string raw;
  for (size_t i = 0; i < index_.size(); ++i) {
    const BlockIndexEntry& e = index_[i];
    const uint64_t end = i + 1 < index_.size() ? index_[i + 1].offset : kHeaderBytes + blocks_.size();
    PutFixed64(raw, e.tag);
    PutFixed32(raw, e.check);
    PutFixed32(raw, static_cast<uint32_t>(end - e.offset));
    PutVarint(raw, e.events);
  }
  const std::string index = Compress(raw);
  raw.clear();
  uint64_t previous = 0;
  for (const AddressIndexEntry& a : addresses_) {
    PutVarint(raw, a.address_tag - previous);  // sorted: small deltas
    previous = a.address_tag;
    PutVarint(raw, a.block);
    PutVarint(raw, a.first);
    PutVarint(raw, a.last - a.first);
  }
  // The first and last times are finer than the day: the section is sealed.
  const Nonce nonce = RandomNonce();
  std::string sealed_addresses(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  SealTo(sealed_addresses, index_key, nonce, Compress(raw), AddressIndexAssociatedData(id_));
  const std::string addresses = std::move(sealed_addresses);
  raw.clear();
  for (const EventIdTag& t : event_ids_) raw.append(reinterpret_cast<const char*>(t.data()), t.size());
  const std::string event_ids = Compress(raw);

  std::string footer;
  uint64_t offset = out.size();
  for (const std::string* section : {&index, &addresses, &event_ids}) {
    PutFixed64(footer, offset);
    PutFixed64(footer, section->size());
    offset += section->size();
  }
  for (const std::string* section : {&index, &addresses, &event_ids}) {
    PutFixed32(footer, Crc32c(*section));
  }
  PutFixed32(footer, Crc32c(footer));
  footer += kFooterMagic;
  out += index;
  out += addresses;
  out += event_ids;
  out += footer;
  return out;
}

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(FileSystem& fs, const std::string& path,
                                                           const SecretKey& index_key) {
  auto file = fs.OpenRead(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->path_ = path;
  r->file_ = std::move(file).value();
  const uint64_t size = r->file_->Size();
  const auto corrupt = [&](const std::string& what) {
    return Status::Corruption(path + ": " + what);
  };
  if (size < kHeaderBytes + kFooterBytes) return corrupt("ends at byte " + std::to_string(size) + ": too short to be a segment");
  std::string header, footer;
  if (Status s = r->file_->Read(0, kHeaderBytes, header); !s.ok()) return s;
  if (Status s = r->file_->Read(size - kFooterBytes, kFooterBytes, footer); !s.ok()) return s;
  if (!std::string_view(header).starts_with(kMagic) ||
      Crc32c(std::string_view(header).substr(0, kHeaderBytes - 4)) !=
          DecodeFixed32(header.data() + kHeaderBytes - 4)) {
    return corrupt("the header at byte 0 is damaged");
  }
  if (!std::string_view(footer).ends_with(kFooterMagic) ||
      Crc32c(std::string_view(footer).substr(0, kFooterBytes - 12)) !=
          DecodeFixed32(footer.data() + kFooterBytes - 12)) {
    return corrupt("the footer at byte " + std::to_string(size - kFooterBytes) + " is damaged");
  }
  r->day_ = Date{static_cast<int64_t>(DecodeFixed64(header.data() + 8))};
  std::copy(header.begin() + 16, header.begin() + 32, r->id_.begin());
  std::copy(header.begin() + 32, header.begin() + 48, r->journal_.begin());

  std::string sections[3];
  for (int i = 0; i < 3; ++i) {
    const uint64_t off = DecodeFixed64(footer.data() + 16 * i);
    const uint64_t len = DecodeFixed64(footer.data() + 16 * i + 8);
    if (off < kHeaderBytes || len > size || off + len > size - kFooterBytes) {
      return corrupt("the footer at byte " + std::to_string(size - kFooterBytes) + " points outside the file");
    }
    std::string raw;
    if (Status s = r->file_->Read(off, len, raw); !s.ok()) return s;
    if (Crc32c(raw) != DecodeFixed32(footer.data() + 48 + 4 * i)) {
      return corrupt("index section " + std::to_string(i) + " at byte " + std::to_string(off) +
                     " fails its checksum");
    }
    if (i == 1) {  // the sealed address index
      Nonce nonce;
      if (raw.size() < kNonceBytes) return corrupt("address index damaged");
      std::copy(raw.begin(), raw.begin() + kNonceBytes, nonce.begin());
      std::string opened;
      if (!OpenTo(opened, index_key, nonce, std::string_view(raw).substr(kNonceBytes),
                  AddressIndexAssociatedData(r->id_))) {
        return corrupt("address index fails authentication");
      }
      raw = std::move(opened);
    }
    if (!Decompress(raw, sections[i])) return corrupt("index section " + std::to_string(i) + " does not decompress");
  }
  const uint64_t blocks_end = DecodeFixed64(footer.data());
  Decoder d(sections[0]);
  r->index_.reserve(sections[0].size() / 17);  // an entry takes 17 bytes or more
  uint64_t offset = kHeaderBytes;
  while (!d.done()) {
    BlockIndexEntry e;
    e.tag = d.Fixed64();
    e.check = d.Fixed32();
    const uint32_t length = d.Fixed32();
    e.events = static_cast<uint32_t>(d.Varint());
    e.offset = offset;
    offset += length;
    if (!d.ok() || offset > blocks_end) return corrupt("block index does not decode");
    r->events_ += e.events;
    r->index_.push_back(e);
  }
  r->blocks_end_ = offset;
  r->radix_.assign((1u << kRadixBits) + 1, 0);
  for (size_t h = 0, i = 0; h <= (1u << kRadixBits); ++h) {
    while (i < r->index_.size() && (r->index_[i].tag >> (64 - kRadixBits)) < h) ++i;
    r->radix_[h] = static_cast<uint32_t>(i);
  }
  Decoder a(sections[1]);
  uint64_t tag = 0;
  while (!a.done()) {
    tag += a.Varint();
    const uint64_t block = a.Varint();
    const uint64_t first = a.Varint();
    const uint64_t last = first + a.Varint();
    if (!a.ok() || block >= r->index_.size()) return corrupt("address index does not decode");
    r->addresses_.push_back({tag, static_cast<uint32_t>(block), first, last});
  }
  if (sections[2].size() % 16 != 0) return corrupt("event-id section does not decode");
  r->event_ids_.reserve(sections[2].size() / 16);
  for (size_t i = 0; i < sections[2].size(); i += 16) {
    EventIdTag t;
    std::copy(sections[2].begin() + i, sections[2].begin() + i + 16, t.begin());
    r->event_ids_.push_back(t);
  }
  return r;
}

std::pair<uint32_t, uint32_t> SegmentReader::FindBlocks(const Tag96& tag) const {
  const size_t h = tag.first >> (64 - kRadixBits);
  auto it = std::lower_bound(index_.begin() + radix_[h], index_.begin() + radix_[h + 1], tag,
                             [](const BlockIndexEntry& e, const Tag96& t) {
                               return std::tie(e.tag, e.check) < std::tie(t.first, t.second);
                             });
  const auto first = static_cast<uint32_t>(it - index_.begin());
  while (it != index_.end() && it->tag == tag.first && it->check == tag.second) ++it;
  return {first, static_cast<uint32_t>(it - index_.begin())};
}

std::span<const AddressIndexEntry> SegmentReader::FindAddress(uint64_t address_tag) const {
  const auto by_tag = [](const AddressIndexEntry& e, uint64_t t) { return e.address_tag < t; };
  auto begin = std::lower_bound(addresses_.begin(), addresses_.end(), address_tag, by_tag);
  auto end = begin;
  while (end != addresses_.end() && end->address_tag == address_tag) ++end;
  return std::span<const AddressIndexEntry>(addresses_)
      .subspan(static_cast<size_t>(begin - addresses_.begin()), static_cast<size_t>(end - begin));
}

bool SegmentReader::HasEventId(const EventIdTag& tag) const {
  return std::binary_search(event_ids_.begin(), event_ids_.end(), tag);
}

Result<std::string_view> SegmentReader::Block(uint32_t ordinal, std::string& scratch) const {
  const BlockIndexEntry& e = index_.at(ordinal);
  const uint64_t length = (ordinal + 1 < index_.size() ? index_[ordinal + 1].offset : blocks_end_) - e.offset;
  std::string_view view;
  if (file_->View(e.offset, length, view)) return view;
  if (Status s = file_->Read(e.offset, length, scratch); !s.ok()) return s;
  return std::string_view(scratch);
}

}  // namespace custodian::vault
