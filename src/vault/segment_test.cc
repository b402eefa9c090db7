// A segment's indexes read a chunk at a time: every block, address use and event id found
// across chunk boundaries, first-layout segments still read, damage to a chunk reported as
// corruption naming it, and only the fences kept in memory.
#include "vault/segment.h"

#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <utility>

#include <gtest/gtest.h>

#include "core/coding.h"
#include "core/crc32c.h"
#include "core/file_system.h"

namespace custodian::vault {
namespace {

constexpr Date kDay{20'500};

std::string Fixed32(uint32_t v) {
  std::string out;
  PutFixed32(out, v);
  return out;
}

void PutFixed64Into(std::string& b, size_t at, uint64_t v) {
  std::string out;
  PutFixed64(out, v);
  b.replace(at, 8, out);
}

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_segment_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    RandomBytes(id_.data(), id_.size());
    index_key_ = SecretKey::Random();
    std::mt19937_64 random(7);
    // 1,000 accounts, the one at ordinal 62 with three blocks (across a chunk boundary).
    std::vector<Tag96> tags;
    for (int i = 0; i < 1000; ++i) tags.push_back({random(), static_cast<uint32_t>(random())});
    std::sort(tags.begin(), tags.end());
    for (size_t i = 0; i < tags.size(); ++i) {
      const int copies = i == 62 ? 3 : 1;
      for (int c = 0; c < copies; ++c) {
        Block b;
        b.tag = tags[i];
        b.events = static_cast<uint32_t>(1 + random() % 50);
        b.sealed = std::string(16 + random() % 300, static_cast<char>('a' + blocks_.size() % 26));
        blocks_.push_back(b);
      }
    }
    // Addresses: most used by one block, one by 100 blocks (across several chunks).
    const uint64_t busy = random();
    for (uint32_t b = 0; b < blocks_.size(); ++b) {
      const uint64_t first = random() % (kMicrosPerDay - 10 * kMicrosPerSecond);
      addresses_.push_back({random(), b, first, first + random() % (5 * kMicrosPerSecond)});
      if (b % 10 == 0) addresses_.push_back({busy, b, first, first + 7});
    }
    busy_ = busy;
    for (int i = 0; i < 700; ++i) {
      EventIdTag t;
      for (uint8_t& byte : t) byte = static_cast<uint8_t>(random());
      event_ids_.push_back(t);
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct Block {
    Tag96 tag;
    uint32_t events = 0;
    std::string sealed;
  };

  std::string WriteChunked() {
    SegmentBuilder builder(kDay, id_, JournalId{});
    for (const Block& b : blocks_) builder.AddBlock(b.tag, b.events, b.sealed);
    for (const AddressIndexEntry& a : addresses_) builder.AddAddress(a);
    for (const EventIdTag& t : event_ids_) builder.AddEventId(t);
    return Write("chunked.seg", builder.Finish(index_key_));
  }

  // The first layout, as custodian wrote it before the indexes were chunked: three sections,
  // each zstd-compressed whole, the address index sealed under a random nonce.
  std::string WriteFirstLayout() {
    const auto compress = [](const std::string& raw) {
      std::string out;
      PutVarint(out, raw.size());
      const size_t start = out.size();
      out.resize(start + ZSTD_compressBound(raw.size()));
      out.resize(start + ZSTD_compress(out.data() + start, out.size() - start, raw.data(), raw.size(), 3));
      return out;
    };
    std::string out("CUSTSEG1");
    PutFixed64(out, static_cast<uint64_t>(kDay.days));
    out.append(reinterpret_cast<const char*>(id_.data()), id_.size());
    out.append(16, '\0');
    PutFixed32(out, Crc32c(out));
    std::string raw;
    for (const Block& b : blocks_) {
      out += b.sealed;
      PutFixed64(raw, b.tag.first);
      PutFixed32(raw, b.tag.second);
      PutFixed32(raw, static_cast<uint32_t>(b.sealed.size()));
      PutVarint(raw, b.events);
    }
    const std::string index = compress(raw);
    auto sorted = addresses_;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return std::tie(a.address_tag, a.block) < std::tie(b.address_tag, b.block);
    });
    raw.clear();
    uint64_t previous = 0;
    for (const AddressIndexEntry& a : sorted) {
      PutVarint(raw, a.address_tag - previous);
      previous = a.address_tag;
      PutVarint(raw, a.block);
      PutVarint(raw, a.first);
      PutVarint(raw, a.last - a.first);
    }
    const Nonce nonce = RandomNonce();
    std::string addresses(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    std::string ad = "custodian/address-index/v1";
    ad.append(reinterpret_cast<const char*>(id_.data()), id_.size());
    SealTo(addresses, index_key_, nonce, compress(raw), ad);
    auto ids = event_ids_;
    std::sort(ids.begin(), ids.end());
    raw.clear();
    for (const EventIdTag& t : ids) raw.append(reinterpret_cast<const char*>(t.data()), t.size());
    const std::string event_ids = compress(raw);
    std::string footer;
    uint64_t offset = out.size();
    for (const std::string* s : {&index, &std::as_const(addresses), &event_ids}) {
      PutFixed64(footer, offset);
      PutFixed64(footer, s->size());
      offset += s->size();
    }
    for (const std::string* s : {&index, &std::as_const(addresses), &event_ids}) PutFixed32(footer, Crc32c(*s));
    PutFixed32(footer, Crc32c(footer));
    footer += "CUSTSEGF";
    out += index + addresses + event_ids + footer;
    return Write("first.seg", out);
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(PosixFileSystem().WriteAtomically(path, bytes).ok());
    return path;
  }

  std::unique_ptr<SegmentReader> Open(const std::string& path) {
    auto r = SegmentReader::Open(fs_, path, index_key_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Every block found by its tag, at its place, with its bytes; every address use and event
  // id found; and what is not there not found.
  void ExpectEverythingFound(const SegmentReader& r) {
    ASSERT_EQ(r.blocks(), blocks_.size());
    std::string scratch;
    std::vector<BlockRef> found;
    for (uint32_t ordinal = 0; ordinal < blocks_.size(); ++ordinal) {
      const Block& b = blocks_[ordinal];
      found.clear();
      ASSERT_TRUE(r.FindBlocks(b.tag, found).ok());
      const size_t copies = ordinal >= 62 && ordinal <= 64 ? 3 : 1;
      ASSERT_EQ(found.size(), copies) << ordinal;
      const auto it = std::find_if(found.begin(), found.end(), [&](const BlockRef& f) { return f.ordinal == ordinal; });
      ASSERT_NE(it, found.end()) << ordinal;
      EXPECT_EQ(it->events, b.events);
      EXPECT_EQ(*r.Block(*it, scratch), b.sealed) << ordinal;
      auto at = r.BlockAt(ordinal);
      ASSERT_TRUE(at.ok());
      EXPECT_EQ(at->offset, it->offset);
      EXPECT_EQ(at->tag, b.tag.first);
      std::vector<Tag96> tags;
      ASSERT_TRUE(r.BlockTagsAt(std::span(&ordinal, 1), tags).ok());
      EXPECT_EQ(tags, std::vector<Tag96>{b.tag});
    }
    found.clear();
    EXPECT_TRUE(r.FindBlocks({blocks_[5].tag.first, blocks_[5].tag.second + 1}, found).ok());
    EXPECT_TRUE(r.FindBlocks({0, 0}, found).ok());
    EXPECT_TRUE(r.FindBlocks({~0ull, ~0u}, found).ok());
    EXPECT_TRUE(found.empty());
    uint32_t visited = 0;
    ASSERT_TRUE(r.ForEachBlock([&](const BlockRef& b) {
                  EXPECT_EQ(b.ordinal, visited++);
                  return Status::Ok();
                }).ok());
    EXPECT_EQ(visited, blocks_.size());

    std::map<uint64_t, std::vector<AddressIndexEntry>> by_tag;
    for (const AddressIndexEntry& a : addresses_) by_tag[a.address_tag].push_back(a);
    ASSERT_EQ(by_tag[busy_].size(), 101u);
    std::vector<AddressUse> uses;
    for (const auto& [tag, entries] : by_tag) {
      uses.clear();
      ASSERT_TRUE(r.FindAddress(tag, uses).ok());
      ASSERT_EQ(uses.size(), entries.size()) << tag;
      for (size_t i = 0; i < uses.size(); ++i) {
        EXPECT_EQ(uses[i].block, entries[i].block);
        EXPECT_EQ(uses[i].first_second, entries[i].first / kMicrosPerSecond);
        EXPECT_EQ(uses[i].last_second, entries[i].last / kMicrosPerSecond);
      }
    }
    uses.clear();
    ASSERT_TRUE(r.FindAddress(busy_ + 1, uses).ok());
    EXPECT_TRUE(uses.empty());
    for (const EventIdTag& t : event_ids_) EXPECT_TRUE(*r.HasEventId(t));
    EventIdTag absent = event_ids_[3];
    absent[15] ^= 1;
    EXPECT_FALSE(*r.HasEventId(absent));
    EXPECT_FALSE(*r.HasEventId(EventIdTag{}));
  }

  std::string dir_;
  FileSystem& fs_ = PosixFileSystem();
  SegmentId id_{};
  SecretKey index_key_;
  std::vector<Block> blocks_;
  std::vector<AddressIndexEntry> addresses_;
  uint64_t busy_ = 0;
  std::vector<EventIdTag> event_ids_;
};

TEST_F(SegmentTest, EveryBlockAddressAndEventIdIsFoundAcrossChunks) {
  auto r = Open(WriteChunked());
  ASSERT_NE(r, nullptr);
  ExpectEverythingFound(*r);
  uint64_t events = 0;
  for (const Block& b : blocks_) events += b.events;
  EXPECT_EQ(r->events(), events);
}

TEST_F(SegmentTest, AFirstLayoutSegmentIsStillRead) {
  auto r = Open(WriteFirstLayout());
  ASSERT_NE(r, nullptr);
  ExpectEverythingFound(*r);
}

// What a reader keeps is the fences: a few bytes per chunk, not the index.
TEST_F(SegmentTest, AReaderKeepsOnlyTheFencesInMemory) {
  const std::string path = WriteChunked();
  auto r = Open(path);
  ASSERT_NE(r, nullptr);
  const size_t entries = blocks_.size() + addresses_.size() + event_ids_.size();
  EXPECT_LT(r->memory_bytes(), entries * 2) << "a whole index would take 24 to 32 bytes an entry";
  auto first = Open(WriteFirstLayout());
  EXPECT_GT(first->memory_bytes(), entries * 10) << "the first layout's index is kept whole";
}

TEST_F(SegmentTest, DamageToAChunkOrAFenceIsCorruptionNamingIt) {
  const std::string path = WriteChunked();
  const std::string bytes = *PosixFileSystem().ReadAll(path);
  const auto section = [&](int i) {
    const size_t footer = bytes.size() - 132;
    return std::pair<uint64_t, uint64_t>{DecodeFixed64(bytes.data() + footer + 16 * i),
                                         DecodeFixed64(bytes.data() + footer + 16 * i + 8)};
  };
  const auto damaged = [&](uint64_t at) {
    std::string b = bytes;
    b[at] ^= 0x10;
    return Write("damaged.seg", b);
  };
  {
    auto r = Open(damaged(section(0).first + 20));  // the first block chunk's tags
    std::vector<BlockRef> found;
    const Status s = r->FindBlocks(blocks_[1].tag, found);
    EXPECT_EQ(s.code(), Status::Code::kCorruption);
    EXPECT_NE(s.message().find("block index chunk 0 fails its checksum"), std::string::npos) << s.message();
  }
  {
    auto r = Open(damaged(section(2).first + 5));  // the first address chunk
    std::vector<AddressUse> uses;
    const Status s = r->FindAddress(0, uses);
    EXPECT_NE(s.message().find("address index chunk 0 fails authentication"), std::string::npos) << s.message();
  }
  {
    auto r = Open(damaged(section(4).first + 3));  // the first event-id chunk
    std::vector<EventIdTag> sorted = event_ids_;
    std::sort(sorted.begin(), sorted.end());
    auto has = r->HasEventId(sorted[0]);
    ASSERT_FALSE(has.ok());
    EXPECT_NE(has.status().message().find("event-id index chunk 0 fails its checksum"), std::string::npos);
  }
  for (int fence : {1, 3, 5}) {
    auto r = SegmentReader::Open(fs_, damaged(section(fence).first + 2), index_key_);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("index fence " + std::to_string(fence / 2) + " at byte "),
              std::string::npos)
        << r.status().message();
  }
  // A fence whose checksum was made to match still has to fit: a chunk offset past its section.
  {
    std::string b = bytes;
    const auto [at, size] = section(1);
    PutFixed64Into(b, at + 16, 1ull << 40);
    const size_t footer = b.size() - 132;
    std::string f = b.substr(footer, 132);
    f.replace(96 + 12, 4, Fixed32(Crc32c(b.substr(at, size))));
    f.replace(132 - 12, 4, Fixed32(Crc32c(f.substr(0, 132 - 12))));
    b.replace(footer, 132, f);
    auto r = SegmentReader::Open(fs_, Write("refenced.seg", b), index_key_);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("the block index's fence does not decode"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace custodian::vault
