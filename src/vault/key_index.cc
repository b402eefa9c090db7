#include "vault/key_index.h"

#include <algorithm>
#include <string_view>

#include "core/coding.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

// "CUSTKIX1" ‖ covered (8) ‖ crc of those (4); blocks of 12-byte entries (tag 8 ‖ slot 4);
// per block its first tag (8) and crc (4); the crc of that table (4) ‖ "CUSTKIXF".
constexpr std::string_view kMagic = "CUSTKIX1";
constexpr std::string_view kTrailerMagic = "CUSTKIXF";
constexpr size_t kHeaderBytes = 8 + 8 + 4;
constexpr size_t kEntryBytes = 12;
constexpr size_t kFenceBytes = 12;
constexpr size_t kTrailerBytes = 4 + 8;

size_t Blocks(uint64_t covered) {
  return static_cast<size_t>((covered + KeyIndex::kEntriesPerBlock - 1) / KeyIndex::kEntriesPerBlock);
}

// The index file at `path`, opened: NotFound when there is none.
Result<std::unique_ptr<RandomAccessFile>> OpenIndex(FileSystem& fs, const std::string& path) {
  if (!fs.Exists(path)) return Status::NotFound(path + ": no index");
  return fs.OpenRead(path);
}

// The slots the index in `file` covers, as its header says; Corruption when the header is
// damaged.
Result<uint64_t> HeaderCovered(const std::string& path, const RandomAccessFile& file) {
  std::string header;
  if (file.Size() < kHeaderBytes) return Status::Corruption(path + ": shorter than its header");
  if (Status s = file.Read(0, kHeaderBytes, header); !s.ok()) return s;
  if (!std::string_view(header).starts_with(kMagic) ||
      DecodeFixed32(header.data() + 16) != Crc32c(std::string_view(header).substr(0, 16))) {
    return Status::Corruption(path + ": the header at byte 0 is damaged");
  }
  return DecodeFixed64(header.data() + 8);
}

}  // namespace

Result<uint64_t> KeyIndex::Covered(FileSystem& fs, const std::string& path) {
  auto file = OpenIndex(fs, path);
  if (!file.ok()) return file.status();
  return HeaderCovered(path, **file);
}

Result<std::unique_ptr<KeyIndex>> KeyIndex::Load(FileSystem& fs, const std::string& path) {
  auto file = OpenIndex(fs, path);
  if (!file.ok()) return file.status();
  auto covered = HeaderCovered(path, **file);
  if (!covered.ok()) return covered.status();
  const size_t blocks = Blocks(*covered);
  const uint64_t table = kHeaderBytes + *covered * kEntryBytes;
  const uint64_t size = table + blocks * kFenceBytes + kTrailerBytes;
  if ((*file)->Size() != size) {
    return Status::Corruption(path + ": " + std::to_string((*file)->Size()) + " bytes long, not the " +
                              std::to_string(size) + " its header's " + std::to_string(*covered) +
                              " slots make");
  }
  std::string fences;
  if (Status s = (*file)->Read(table, blocks * kFenceBytes + kTrailerBytes, fences); !s.ok()) return s;
  const std::string_view f(fences);
  if (!f.ends_with(kTrailerMagic) ||
      DecodeFixed32(f.data() + blocks * kFenceBytes) != Crc32c(f.substr(0, blocks * kFenceBytes))) {
    return Status::Corruption(path + ": the block table at byte " + std::to_string(table) + " is damaged");
  }
  std::unique_ptr<KeyIndex> index(new KeyIndex());
  index->path_ = path;
  index->covered_ = *covered;
  index->first_tags_.resize(blocks);
  index->crcs_.resize(blocks);
  for (size_t b = 0; b < blocks; ++b) {
    index->first_tags_[b] = DecodeFixed64(f.data() + b * kFenceBytes);
    index->crcs_[b] = DecodeFixed32(f.data() + b * kFenceBytes + 8);
  }
  index->file_ = std::move(file).value();
  return index;
}

Status KeyIndex::Write(FileSystem& fs, const std::string& path, const std::vector<Entry>& entries,
                       uint64_t covered) {
  if (entries.size() != covered) {
    return Status::Internal(path + ": " + std::to_string(entries.size()) + " entries for " +
                            std::to_string(covered) + " slots");
  }
  std::string out(kMagic);
  PutFixed64(out, covered);
  PutFixed32(out, Crc32c(out));
  std::string table;
  for (size_t first = 0; first < entries.size(); first += kEntriesPerBlock) {
    const size_t block_start = out.size();
    const size_t end = std::min(entries.size(), first + kEntriesPerBlock);
    for (size_t i = first; i < end; ++i) {
      PutFixed64(out, entries[i].first);
      PutFixed32(out, entries[i].second);
    }
    PutFixed64(table, entries[first].first);
    PutFixed32(table, Crc32c(std::string_view(out).substr(block_start)));
  }
  out += table;
  PutFixed32(out, Crc32c(table));
  out += kTrailerMagic;
  return fs.WriteAtomically(path, out);
}

Status KeyIndex::ReadBlock(size_t b, std::vector<Entry>& out) const {
  const uint64_t first = static_cast<uint64_t>(b) * kEntriesPerBlock;
  const size_t count = static_cast<size_t>(std::min<uint64_t>(kEntriesPerBlock, covered_ - first));
  const uint64_t offset = kHeaderBytes + first * kEntryBytes;
  std::string scratch;
  std::string_view bytes;
  if (!file_->View(offset, count * kEntryBytes, bytes)) {
    if (Status s = file_->Read(offset, count * kEntryBytes, scratch); !s.ok()) return s;
    bytes = scratch;
  }
  if (Crc32c(bytes) != crcs_[b]) {
    return Status::Corruption(path_ + ": the block at byte " + std::to_string(offset) +
                              " fails its checksum");
  }
  for (size_t i = 0; i < count; ++i) {
    out.emplace_back(DecodeFixed64(bytes.data() + i * kEntryBytes),
                     DecodeFixed32(bytes.data() + i * kEntryBytes + 8));
  }
  return Status::Ok();
}

Status KeyIndex::Find(uint64_t tag, std::vector<size_t>& slots) const {
  // Entries of one tag may end the block before the first that starts with it.
  const auto lo = std::lower_bound(first_tags_.begin(), first_tags_.end(), tag);
  const auto hi = std::upper_bound(first_tags_.begin(), first_tags_.end(), tag);
  const size_t from = lo == first_tags_.begin() ? 0 : static_cast<size_t>(lo - first_tags_.begin()) - 1;
  std::vector<Entry> entries;
  for (size_t b = from; b < static_cast<size_t>(hi - first_tags_.begin()); ++b) {
    entries.clear();
    if (Status s = ReadBlock(b, entries); !s.ok()) return s;
    auto it = std::lower_bound(entries.begin(), entries.end(), Entry{tag, 0});
    for (; it != entries.end() && it->first == tag; ++it) slots.push_back(it->second);
  }
  return Status::Ok();
}

Status KeyIndex::All(std::vector<Entry>& out) const {
  out.reserve(out.size() + covered_);
  for (size_t b = 0; b < first_tags_.size(); ++b) {
    if (Status s = ReadBlock(b, out); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace custodian::vault
