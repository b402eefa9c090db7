// RocksDB as a peer: Debian's librocksdb, linked in, one database in the work directory.
//
// Two column families a day, so that dropping a day is dropping its families (RocksDB's
// DeleteRange cannot cut a day out of keys that lead with the account):
//   a-YYYYMMDD  account (8, big-endian) | ts (8, big-endian, sign flipped) | seq (8)
//               -> kind | flags | port | ip (4 or 16) | user agent | device id
//   i-YYYYMMDD  ip (16, IPv4 as ::ffff:a.b.c.d) | ts | account  -> empty
// seq is the event's line in the file (two events of an account may share a microsecond).
// Prefix bloom filters (the account, the address) let a 30-day query skip the days an
// account was not seen. Each batch is one WriteBatch written with sync=true (WAL fsync).
// Compression: zstd when the library has it (Debian's does), else lz4.
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "bench/csv_export.h"
#include "bench/event_reader.h"
#include "bench/peers/peers.h"
#include "core/ip_address.h"

namespace custodian::bench {
namespace {

void PutBigEndian(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t GetBigEndian(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Timestamps sort as unsigned bytes once the sign bit is flipped.
uint64_t OrderedTs(int64_t ts_us) { return static_cast<uint64_t>(ts_us) ^ (uint64_t{1} << 63); }

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(const char*& p, const char* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    v |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) return true;
  }
  return false;
}

std::string AccountKey(uint64_t account, int64_t ts_us, uint64_t seq) {
  std::string key;
  PutBigEndian(key, account);
  PutBigEndian(key, OrderedTs(ts_us));
  PutBigEndian(key, seq);
  return key;
}

// The address's own bytes: 4 for IPv4, 16 for IPv6.
std::string_view RawBytes(const IpAddress& ip) {
  return {reinterpret_cast<const char*>(ip.bytes().data()), ip.is_v4() ? 4u : 16u};
}

// 16 bytes for every address (IPv4 as ::ffff:a.b.c.d), so that the reverse index has a
// fixed-length prefix; `raw` is 4 or 16 bytes.
std::string Address16(std::string_view raw) {
  if (raw.size() == 16) return std::string(raw);
  return std::string(10, '\0') + "\xff\xff" + std::string(raw);
}

std::string IpKey(const std::string& address16, int64_t ts_us, uint64_t account) {
  std::string key = address16;
  PutBigEndian(key, OrderedTs(ts_us));
  PutBigEndian(key, account);
  return key;
}

enum ValueFlags : uint8_t { kHasPort = 1, kV6 = 2 };

std::string EncodeValue(const Event& e, const IpAddress& ip) {
  std::string v;
  v.push_back(static_cast<char>(e.kind));
  v.push_back(static_cast<char>((e.port ? kHasPort : 0) | (ip.is_v4() ? 0 : kV6)));
  const uint16_t port = e.port.value_or(0);
  v.push_back(static_cast<char>(port >> 8));
  v.push_back(static_cast<char>(port));
  v.append(RawBytes(ip));
  PutVarint(v, e.user_agent.size());
  v.append(e.user_agent);
  PutVarint(v, e.device_id.size());
  v.append(e.device_id);
  return v;
}

// The fields a production reads back; false when the value is not one EncodeValue made.
struct StoredEvent {
  uint8_t kind = 0;
  uint16_t port = 0;
  bool has_port = false;
  std::string_view ip, user_agent, device_id;
};

bool DecodeValue(std::string_view value, StoredEvent& out) {
  const char* p = value.data();
  const char* end = p + value.size();
  if (value.size() < 4) return false;
  out.kind = static_cast<uint8_t>(p[0]);
  const auto flags = static_cast<uint8_t>(p[1]);
  out.port = static_cast<uint16_t>((static_cast<uint8_t>(p[2]) << 8) | static_cast<uint8_t>(p[3]));
  out.has_port = flags & kHasPort;
  p += 4;
  const size_t ip_len = flags & kV6 ? 16 : 4;
  if (static_cast<size_t>(end - p) < ip_len) return false;
  out.ip = {p, ip_len};
  p += ip_len;
  uint64_t len;
  if (!GetVarint(p, end, len) || static_cast<uint64_t>(end - p) < len) return false;
  out.user_agent = {p, len};
  p += len;
  if (!GetVarint(p, end, len) || static_cast<uint64_t>(end - p) != len) return false;
  out.device_id = {p, len};
  return true;
}

std::string DayName(Date day) {
  std::string d = FormatDate(day);
  d.erase(7, 1);
  d.erase(4, 1);
  return d;
}

class RocksDbPeer final : public Peer {
 public:
  ~RocksDbPeer() override { Stop(); }

  std::string name() const override { return "rocksdb"; }

  Status Start(const std::string& workdir) override {
    dir_ = workdir + "/db";
    const auto supported = rocksdb::GetSupportedCompressions();
    const bool zstd =
        std::find(supported.begin(), supported.end(), rocksdb::kZSTD) != supported.end();
    cache_ = rocksdb::NewLRUCache(1 << 30);  // 1 GiB, like the other peers' caches

    rocksdb::Options options;
    options.create_if_missing = true;
    options.IncreaseParallelism(2);
    options.db_write_buffer_size = 512 << 20;  // all families' memtables together
    options.max_total_wal_size = 512 << 20;    // flush the old days' families, drop their WAL
    rocksdb::DB* db = nullptr;
    if (Status s = Check(rocksdb::DB::Open(options, dir_, &db), "open"); !s.ok()) return s;
    db_.reset(db);

    for (const size_t prefix : {size_t{8}, size_t{16}}) {
      rocksdb::ColumnFamilyOptions& cf = prefix == 8 ? account_options_ : ip_options_;
      cf.compression = zstd ? rocksdb::kZSTD : rocksdb::kLZ4Compression;
      cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(prefix));
      cf.memtable_prefix_bloom_size_ratio = 0.05;
      rocksdb::BlockBasedTableOptions table;
      table.block_cache = cache_;
      table.block_size = 16 << 10;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.whole_key_filtering = false;  // every lookup is by prefix
      cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    }
    return Status::Ok();
  }

  Result<uint64_t> Ingest(const std::string& ndjson_path) override {
    rocksdb::WriteBatch batch;
    rocksdb::WriteOptions sync;
    sync.sync = true;
    uint64_t seq = 0;
    Result<uint64_t> events = ReadEvents(ndjson_path, [&](const Event& e) -> Status {
      const std::optional<IpAddress> ip = IpAddress::Parse(e.ip);
      if (!ip) return Status::InvalidArgument("line " + std::to_string(seq + 1) + ": bad ip");
      Result<Families> day = FamiliesFor(Timestamp{e.ts_us}.UtcDate());
      if (!day.ok()) return day.status();
      ++seq;
      batch.Put(day->by_account, AccountKey(e.account_id, e.ts_us, seq), EncodeValue(e, *ip));
      batch.Put(day->by_ip, IpKey(Address16(RawBytes(*ip)), e.ts_us, e.account_id),
                rocksdb::Slice());
      if (seq % kIngestBatchEvents != 0) return Status::Ok();
      Status s = Check(db_->Write(sync, &batch), "write");
      batch.Clear();
      return s;
    });
    if (!events.ok()) return events.status();
    if (batch.Count() > 0) {
      if (Status s = Check(db_->Write(sync, &batch), "write"); !s.ok()) return s;
    }
    return *events;
  }

  // After a flush and a full compaction, the steady state of a store that was loaded.
  Result<uint64_t> BytesOnDisk() override {
    for (const auto& [day, f] : days_) {
      for (rocksdb::ColumnFamilyHandle* cf : {f.by_account, f.by_ip}) {
        if (Status s = Check(db_->Flush(rocksdb::FlushOptions(), cf), "flush"); !s.ok()) return s;
        const rocksdb::Status compacted =
            db_->CompactRange(rocksdb::CompactRangeOptions(), cf, nullptr, nullptr);
        if (Status s = Check(compacted, "compact"); !s.ok()) return s;
      }
    }
    uint64_t bytes = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      const std::string file = entry.path().filename().string();
      if (file.ends_with(".sst") || file.ends_with(".log")) bytes += entry.file_size(ec);
    }
    if (ec) return Status::IoError("listing " + dir_ + ": " + ec.message());
    return bytes;
  }

  Result<uint64_t> QueryAccount(uint64_t account, int64_t from_us, int64_t to_us) override {
    uint64_t rows = 0;
    if (Status s = ScanAccount(account, from_us, to_us, [&](const rocksdb::Iterator&, const StoredEvent&) { ++rows; });
        !s.ok()) {
      return s;
    }
    return rows;
  }

  Result<uint64_t> ExportAccountCsv(uint64_t account, int64_t from_us, int64_t to_us,
                                    const std::string& csv_path) override {
    auto csv = CsvExport::Create(csv_path);
    if (!csv.ok()) return csv.status();
    Status s = ScanAccount(account, from_us, to_us, [&](const rocksdb::Iterator& iter, const StoredEvent& event) {
      std::array<uint8_t, 16> bytes{};
      std::copy(event.ip.begin(), event.ip.end(), bytes.begin());
      const IpAddress ip = event.ip.size() == 4 ? IpAddress::V4({bytes[0], bytes[1], bytes[2], bytes[3]})
                                                : IpAddress::V6(bytes);
      const int64_t ts = static_cast<int64_t>(GetBigEndian(iter.key().data() + 8) ^ (uint64_t{1} << 63));
      (*csv)->Row(ts, KindName(static_cast<EventKind>(event.kind)), ip,
                  event.has_port ? std::optional<uint16_t>(event.port) : std::nullopt, event.user_agent,
                  event.device_id);
    });
    if (!s.ok()) return s;
    return (*csv)->Close();
  }

  Result<uint64_t> QueryIp(const std::string& ip, int64_t from_us, int64_t to_us) override {
    const std::optional<IpAddress> address = IpAddress::Parse(ip);
    if (!address) return Status::InvalidArgument("not an IP address");
    const std::string a16 = Address16(RawBytes(*address));
    const std::string start = IpKey(a16, from_us, 0);
    const std::string limit = IpKey(a16, to_us, 0);
    const rocksdb::Slice limit_slice(limit);
    rocksdb::ReadOptions read;
    read.iterate_upper_bound = &limit_slice;
    read.prefix_same_as_start = true;
    std::vector<uint64_t> accounts;
    for (auto it = days_.lower_bound(Timestamp{from_us}.UtcDate().days);
         it != days_.end() && it->first * kMicrosPerDay < to_us; ++it) {
      std::unique_ptr<rocksdb::Iterator> iter(db_->NewIterator(read, it->second.by_ip));
      for (iter->Seek(start); iter->Valid(); iter->Next()) {
        accounts.push_back(GetBigEndian(iter->key().data() + 24));
      }
      if (Status s = Check(iter->status(), "read"); !s.ok()) return s;
    }
    std::sort(accounts.begin(), accounts.end());
    return static_cast<uint64_t>(std::unique(accounts.begin(), accounts.end()) - accounts.begin());
  }

  Status DropDay(Date day) override {
    const auto it = days_.find(day.days);
    if (it == days_.end()) return Status::NotFound("rocksdb: no such day");
    for (rocksdb::ColumnFamilyHandle* cf : {it->second.by_account, it->second.by_ip}) {
      if (Status s = Check(db_->DropColumnFamily(cf), "drop"); !s.ok()) return s;
      if (Status s = Check(db_->DestroyColumnFamilyHandle(cf), "drop"); !s.ok()) return s;
    }
    days_.erase(it);
    return Status::Ok();
  }

  // Reads the account's events to find its reverse-index entries, deletes those one by
  // one and its own rows with one DeleteRange per day, in one synced batch.
  Status ShredAccount(uint64_t account) override {
    std::string start, limit;
    PutBigEndian(start, account);
    limit = start + std::string(17, '\xff');  // past every 24-byte key with this prefix
    const rocksdb::Slice limit_slice(limit);
    rocksdb::ReadOptions read;
    read.iterate_upper_bound = &limit_slice;
    read.prefix_same_as_start = true;
    rocksdb::WriteBatch batch;
    for (const auto& [day, f] : days_) {
      std::unique_ptr<rocksdb::Iterator> iter(db_->NewIterator(read, f.by_account));
      for (iter->Seek(start); iter->Valid(); iter->Next()) {
        StoredEvent event;
        if (!DecodeValue(iter->value().ToStringView(), event)) {
          return Status::Corruption("rocksdb: a stored event does not decode");
        }
        const int64_t ts =
            static_cast<int64_t>(GetBigEndian(iter->key().data() + 8) ^ (uint64_t{1} << 63));
        batch.Delete(f.by_ip, IpKey(Address16(event.ip), ts, account));
      }
      if (Status s = Check(iter->status(), "read"); !s.ok()) return s;
      batch.DeleteRange(f.by_account, start, limit);
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return Check(db_->Write(sync, &batch), "write");
  }

  void Stop() override {
    if (db_ == nullptr) return;
    for (const auto& [day, f] : days_) {
      static_cast<void>(db_->DestroyColumnFamilyHandle(f.by_account));
      static_cast<void>(db_->DestroyColumnFamilyHandle(f.by_ip));
    }
    days_.clear();
    static_cast<void>(db_->Close());
    db_.reset();
  }

 private:
  // Calls `each(iterator, event)` for every event of `account` in [from_us, to_us), day by
  // day, in time order.
  template <typename Each>
  Status ScanAccount(uint64_t account, int64_t from_us, int64_t to_us, Each&& each) {
    const std::string start = AccountKey(account, from_us, 0);
    const std::string limit = AccountKey(account, to_us, 0);
    const rocksdb::Slice limit_slice(limit);
    rocksdb::ReadOptions read;
    read.iterate_upper_bound = &limit_slice;
    read.prefix_same_as_start = true;
    for (auto it = days_.lower_bound(Timestamp{from_us}.UtcDate().days);
         it != days_.end() && it->first * kMicrosPerDay < to_us; ++it) {
      std::unique_ptr<rocksdb::Iterator> iter(db_->NewIterator(read, it->second.by_account));
      for (iter->Seek(start); iter->Valid(); iter->Next()) {
        StoredEvent event;
        if (!DecodeValue(iter->value().ToStringView(), event)) {
          return Status::Corruption("rocksdb: a stored event does not decode");
        }
        each(*iter, event);
      }
      if (Status s = Check(iter->status(), "read"); !s.ok()) return s;
    }
    return Status::Ok();
  }

  struct Families {
    rocksdb::ColumnFamilyHandle* by_account = nullptr;
    rocksdb::ColumnFamilyHandle* by_ip = nullptr;
  };

  static Status Check(const rocksdb::Status& s, const char* what) {
    if (s.ok()) return Status::Ok();
    return Status::IoError(std::string("rocksdb: ") + what + ": " + s.ToString());
  }

  // The day's families, created on its first event.
  Result<Families> FamiliesFor(Date day) {
    if (const auto it = days_.find(day.days); it != days_.end()) return it->second;
    Families f;
    const std::string name = DayName(day);
    if (Status s = Check(db_->CreateColumnFamily(account_options_, "a-" + name, &f.by_account),
                         "create family");
        !s.ok()) {
      return s;
    }
    if (Status s = Check(db_->CreateColumnFamily(ip_options_, "i-" + name, &f.by_ip),
                         "create family");
        !s.ok()) {
      return s;
    }
    days_.emplace(day.days, f);
    return f;
  }

  std::string dir_;
  std::shared_ptr<rocksdb::Cache> cache_;
  rocksdb::ColumnFamilyOptions account_options_;
  rocksdb::ColumnFamilyOptions ip_options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<int64_t, Families> days_;  // by days since the epoch
};

}  // namespace

Result<std::unique_ptr<Peer>> MakeRocksDbPeer() {
  return std::unique_ptr<Peer>(std::make_unique<RocksDbPeer>());
}

}  // namespace custodian::bench
