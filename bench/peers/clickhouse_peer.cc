// ClickHouse as a peer: Debian 12's clickhouse-server (18.16), started here on loopback
// with its own config in the work directory, spoken to only over its HTTP interface.
//
// The NDJSON file goes in as is (INSERT ... FORMAT JSONEachRow, one INSERT per batch) into
// a Null-engine table whose columns are the file's fields; two materialized views turn each
// inserted block into rows of
//   events       MergeTree PARTITION BY day ORDER BY (account_id, time)  one-account reads
//   events_by_ip MergeTree PARTITION BY day ORDER BY (addr, time)        reverse-IP reads
// 18.16 has no DateTime64 and its JSONEachRow reads DateTime only as 'YYYY-MM-DD hh:mm:ss',
// so the views parse the RFC 3339 text with parseDateTimeBestEffort (seconds) and keep the
// microseconds in a UInt32 column `us`; window bounds use both, so answers are exact.
// ClickHouse writes parts without fsync; Ingest, DropDay and ShredAccount sync the file
// system after each acknowledged statement so that "durable" means the same as elsewhere.
// Tuned for point lookups, as the other peers are: granules of 1024 rows (not 8192) and a
// 1 GiB cache of decompressed blocks.
// As `clickhouse-merged`, the ingest row also counts merging each day's parts into one
// (OPTIMIZE ... FINAL) after the last INSERT, as custodian-stream's counts sealing each day
// into a segment: ClickHouse merges its parts in the background after acknowledging them, as
// custodian seals the journaled days; this row puts the two on the same footing.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <httplib.h>

#include "bench/child_process.h"
#include "bench/csv_export.h"
#include "bench/peers/peers.h"
#include "core/ip_address.h"

namespace custodian::bench {
namespace {

constexpr char kBinary[] = "/usr/sbin/clickhouse-server";
constexpr auto kStartTimeout = std::chrono::seconds(60);
// The NDJSON goes in as is, into the Null table the two views read.
constexpr char kInsertPath[] = "/?query=INSERT%20INTO%20events_in%20FORMAT%20JSONEachRow";
constexpr auto kMutationTimeout = std::chrono::seconds(600);

constexpr char kKindEnum[] =
    "Enum8('login' = 1, 'logout' = 2, 'session_refresh' = 3, 'failed_login' = 4, "
    "'password_change' = 5, 'recovery' = 6)";

// From the text columns of events_in: 16 bytes for every address (IPv4 as
// ::ffff:a.b.c.d), the seconds, and the microseconds (the fraction's digits padded to six).
constexpr char kAddrFromText[] =
    "if(position(ip, ':') > 0, IPv6StringToNum(ip), IPv4ToIPv6(IPv4StringToNum(ip)))";
constexpr char kTimeFromText[] = "parseDateTimeBestEffort(ts)";
constexpr char kUsFromText[] =
    "toUInt32(substring(concat(extract(ts, '[.]([0-9]+)'), '000000'), 1, 6))";

std::vector<std::string> Schema() {
  const std::string kind = kKindEnum;
  const std::string granularity = "SETTINGS index_granularity = 1024";
  return {
      "CREATE TABLE events_in (account_id UInt64, ts String, kind String, ip String, "
      "port UInt16, user_agent String, device_id String) ENGINE = Null",
      "CREATE TABLE events (account_id UInt64, time DateTime, us UInt32, event_kind " + kind +
          ", addr FixedString(16), port UInt16, user_agent String, device_id String) "
          "ENGINE = MergeTree PARTITION BY toYYYYMMDD(time) ORDER BY (account_id, time) " +
          granularity,
      "CREATE TABLE events_by_ip (addr FixedString(16), time DateTime, us UInt32, "
      "account_id UInt64, port UInt16) "
      "ENGINE = MergeTree PARTITION BY toYYYYMMDD(time) ORDER BY (addr, time) " + granularity,
      // The views' output columns are named unlike the input's: 18.16 resolves an alias
      // before a column of the same name, so `... AS ts` would shadow the text `ts`.
      "CREATE MATERIALIZED VIEW events_mv TO events AS SELECT account_id, " +
          std::string(kTimeFromText) + " AS time, " + kUsFromText + " AS us, CAST(kind AS " +
          kind + ") AS event_kind, " + kAddrFromText +
          " AS addr, port, user_agent, device_id FROM events_in",
      "CREATE MATERIALIZED VIEW events_by_ip_mv TO events_by_ip AS SELECT " +
          std::string(kAddrFromText) + " AS addr, " + kTimeFromText + " AS time, " + kUsFromText +
          " AS us, account_id, port FROM events_in",
  };
}

// [from_us, to_us) over (time, us).
std::string Window(int64_t from_us, int64_t to_us) {
  const int64_t from_s = from_us / kMicrosPerSecond, from_frac = from_us % kMicrosPerSecond;
  const int64_t to_s = to_us / kMicrosPerSecond, to_frac = to_us % kMicrosPerSecond;
  std::string w = "time >= toDateTime(" + std::to_string(from_s) + ") AND time <= toDateTime(" +
                  std::to_string(to_s) + ") AND NOT (time = toDateTime(" +
                  std::to_string(to_s) + ") AND us >= " + std::to_string(to_frac) + ")";
  if (from_frac != 0) {
    w += " AND NOT (time = toDateTime(" + std::to_string(from_s) + ") AND us < " +
         std::to_string(from_frac) + ")";
  }
  return w;
}

std::string DayPartition(Date day) {
  std::string d = FormatDate(day);  // YYYY-MM-DD -> YYYYMMDD, the toYYYYMMDD partition id
  d.erase(7, 1);
  d.erase(4, 1);
  return d;
}

class ClickHousePeer final : public Peer {
 public:
  ClickHousePeer(ServiceUser user, bool merged) : user_(user), merged_(merged) {}
  ~ClickHousePeer() override { Stop(); }

  std::string name() const override { return merged_ ? "clickhouse-merged" : "clickhouse"; }

  Status Start(const std::string& workdir) override {
    dir_ = workdir;
    for (const char* sub : {"data", "tmp", "user_files", "format_schemas", "logs"}) {
      std::filesystem::create_directories(dir_ + "/" + sub);
    }
    const Result<int> http_port = FreeLoopbackPort();
    const Result<int> tcp_port = FreeLoopbackPort();
    if (!http_port.ok()) return http_port.status();
    if (!tcp_port.ok()) return tcp_port.status();
    if (Status s = WriteConfig(*http_port, *tcp_port); !s.ok()) return s;
    if (Status s = GiveTo(user_, dir_); !s.ok()) return s;
    if (Status s = server_.Start({kBinary, "--config-file=" + dir_ + "/config.xml"}, user_, dir_,
                                 dir_ + "/logs/stdout.log");
        !s.ok()) {
      return s;
    }
    data_fd_ = ::open((dir_ + "/data").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (data_fd_ < 0) return Status::IoError("open " + dir_ + "/data: " + std::strerror(errno));

    http_port_ = *http_port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *http_port);
    client_->set_keep_alive(true);  // one connection: query latency without a TCP handshake
    client_->set_tcp_nodelay(true);  // else Nagle and delayed ACKs add 40 ms to each query
    client_->set_connection_timeout(5);
    client_->set_read_timeout(600);
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (true) {
      if (auto res = client_->Get("/ping"); res && res->status == 200) break;
      if (!server_.Running()) {
        return Status::IoError("clickhouse-server exited:\n" + LogTail(dir_ + "/logs/error.log") +
                               LogTail(dir_ + "/logs/stdout.log"));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::IoError("clickhouse-server did not answer within 60 s:\n" +
                               LogTail(dir_ + "/logs/error.log"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (const std::string& ddl : Schema()) {
      if (Result<std::string> r = Query(ddl); !r.ok()) return r.status();
    }
    return Status::Ok();
  }

  // INSERTs of kIngestBatchEvents lines each, the file's bytes as they are.
  Result<uint64_t> Ingest(const std::string& ndjson_path) override {
    std::ifstream in(ndjson_path, std::ios::binary);
    if (!in) return Status::IoError("cannot open " + ndjson_path);
    std::string batch;  // whole lines, and the start of the next one while it is read
    uint64_t lines = 0;
    const auto send = [&]() -> Status {
      auto res = client_->Post(kInsertPath, batch.data(), batch.size(), "application/x-ndjson");
      batch.clear();
      lines = 0;
      if (Status s = Check(res, "INSERT"); !s.ok()) return s;
      return Sync();
    };
    std::vector<char> chunk(1 << 20);
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
      std::string_view data(chunk.data(), static_cast<size_t>(in.gcount()));
      for (size_t nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n')) {
        batch.append(data.substr(0, nl + 1));
        data.remove_prefix(nl + 1);
        if (++lines == kIngestBatchEvents) {
          if (Status s = send(); !s.ok()) return s;
        }
      }
      batch.append(data);
    }
    if (!batch.empty()) {
      if (Status s = send(); !s.ok()) return s;
    }
    if (merged_) {
      if (Status s = MergeEachDay(); !s.ok()) return s;
    }
    return QueryCount("SELECT count() FROM events");
  }

  // Merges each day's parts of both tables into one, timed, then syncs.
  Status MergeEachDay() {
    const auto acknowledged = std::chrono::steady_clock::now();
    Result<std::string> partitions = Query(
        "SELECT DISTINCT table, partition FROM system.parts WHERE active AND database = "
        "currentDatabase() AND table IN ('events', 'events_by_ip') FORMAT TabSeparated");
    if (!partitions.ok()) return partitions.status();
    size_t merged = 0;
    std::istringstream rows(*partitions);
    for (std::string table, partition; std::getline(rows, table, '\t') && std::getline(rows, partition);) {
      Result<std::string> r = Query("OPTIMIZE TABLE " + table + " PARTITION " + partition + " FINAL");
      if (!r.ok()) return r.status();
      ++merged;
    }
    if (Status s = Sync(); !s.ok()) return s;
    const std::chrono::duration<double> merging = std::chrono::steady_clock::now() - acknowledged;
    std::cout << "[" << name() << "] " << merged << " days of the two tables merged into a part each in "
              << merging.count() << " s after the last INSERT" << std::endl;
    return Status::Ok();
  }

  Result<uint64_t> BytesOnDisk() override {
    return QueryCount(
        "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = "
        "currentDatabase() AND table IN ('events', 'events_by_ip')");
  }

  Result<uint64_t> QueryAccount(uint64_t account, int64_t from_us, int64_t to_us) override {
    Result<std::string> rows = Query(
        "SELECT time, us, event_kind, IPv6NumToString(addr), port, user_agent, device_id "
        "FROM events WHERE account_id = " + std::to_string(account) + " AND " +
        Window(from_us, to_us) + " ORDER BY time, us FORMAT TabSeparated");
    if (!rows.ok()) return rows.status();
    return static_cast<uint64_t>(std::count(rows->begin(), rows->end(), '\n'));
  }

  // The server writes the CSV (FORMAT CSV); 18.16 keeps the microseconds in their own
  // column, so the time is two cells.
  Result<uint64_t> ExportAccountCsv(uint64_t account, int64_t from_us, int64_t to_us,
                                    const std::string& csv_path) override {
    auto csv = CsvExport::Create(csv_path);
    if (!csv.ok()) return csv.status();
    Result<std::string> rows = Query(
        "SELECT time, us, event_kind, IPv6NumToString(addr), port, user_agent, device_id "
        "FROM events WHERE account_id = " + std::to_string(account) + " AND " +
        Window(from_us, to_us) + " ORDER BY time, us FORMAT CSV");
    if (!rows.ok()) return rows.status();
    (*csv)->Raw(*rows);
    return (*csv)->Close();
  }

  Result<uint64_t> QueryIp(const std::string& ip, int64_t from_us, int64_t to_us) override {
    const std::optional<IpAddress> address = IpAddress::Parse(ip);
    if (!address) return Status::InvalidArgument("not an IP address");
    // The canonical form holds only hex digits, dots and colons: safe in a literal.
    const std::string literal = "'" + address->ToString() + "'";
    const std::string addr = address->is_v4() ? "IPv4ToIPv6(IPv4StringToNum(" + literal + "))"
                                              : "IPv6StringToNum(" + literal + ")";
    return QueryCount("SELECT uniqExact(account_id) FROM events_by_ip WHERE addr = " + addr +
                      " AND " + Window(from_us, to_us));
  }

  Status DropDay(Date day) override {
    for (const char* table : {"events", "events_by_ip"}) {
      Result<std::string> r =
          Query(std::string("ALTER TABLE ") + table + " DROP PARTITION " + DayPartition(day));
      if (!r.ok()) return r.status();
    }
    return Sync();
  }

  // A mutation on each table (18.16 runs them in the background, rewriting every part
  // that holds the account's rows); done when system.mutations says so.
  Status ShredAccount(uint64_t account) override {
    for (const char* table : {"events", "events_by_ip"}) {
      Result<std::string> r = Query(std::string("ALTER TABLE ") + table +
                                    " DELETE WHERE account_id = " + std::to_string(account));
      if (!r.ok()) return r.status();
    }
    const auto deadline = std::chrono::steady_clock::now() + kMutationTimeout;
    while (true) {
      Result<uint64_t> pending = QueryCount(
          "SELECT count() FROM system.mutations "
          "WHERE database = currentDatabase() AND NOT is_done");
      if (!pending.ok()) return pending.status();
      if (*pending == 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::IoError("clickhouse: the DELETE mutation did not finish within 600 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return Sync();
  }

  void Stop() override {
    client_.reset();
    server_.Stop(SIGTERM, std::chrono::seconds(30));
    if (data_fd_ >= 0) ::close(data_fd_);
    data_fd_ = -1;
  }

  std::optional<HttpInsert> HttpInsertTarget() const override {
    if (http_port_ == 0) return std::nullopt;
    return HttpInsert{http_port_, kInsertPath};
  }

 private:
  Status WriteConfig(int http_port, int tcp_port) {
    std::ofstream config(dir_ + "/config.xml");
    config << "<?xml version=\"1.0\"?>\n<yandex>\n"
           << "  <logger><level>warning</level><log>" << dir_ << "/logs/server.log</log>"
           << "<errorlog>" << dir_ << "/logs/error.log</errorlog><size>100M</size><count>1</count>"
           << "</logger>\n"
           << "  <listen_host>127.0.0.1</listen_host>\n"
           << "  <http_port>" << http_port << "</http_port>\n"
           << "  <tcp_port>" << tcp_port << "</tcp_port>\n"
           << "  <path>" << dir_ << "/data/</path>\n"
           << "  <tmp_path>" << dir_ << "/tmp/</tmp_path>\n"
           << "  <user_files_path>" << dir_ << "/user_files/</user_files_path>\n"
           << "  <format_schema_path>" << dir_ << "/format_schemas/</format_schema_path>\n"
           << "  <users_config>" << dir_ << "/users.xml</users_config>\n"
           << "  <default_profile>default</default_profile>\n"
           << "  <default_database>default</default_database>\n"
           << "  <timezone>UTC</timezone>\n"
           // The package's default (5 GB) is sized for a dedicated server.
           << "  <mark_cache_size>536870912</mark_cache_size>\n"
           // Decompressed blocks, 1 GiB like the other peers' caches: point lookups
           // otherwise decompress a whole block per part for a few rows.
           << "  <uncompressed_cache_size>1073741824</uncompressed_cache_size>\n"
           << "  <keep_alive_timeout>600</keep_alive_timeout>\n"
           << "</yandex>\n";
    std::ofstream users(dir_ + "/users.xml");
    users << "<?xml version=\"1.0\"?>\n<yandex>\n"
          << "  <profiles><default><max_memory_usage>8000000000</max_memory_usage>"
          << "<use_uncompressed_cache>1</use_uncompressed_cache></default>"
          << "</profiles>\n"
          << "  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>"
          << "<profile>default</profile><quota>default</quota></default></users>\n"
          << "  <quotas><default></default></quotas>\n"
          << "</yandex>\n";
    config.close();
    users.close();
    return config && users ? Status::Ok() : Status::IoError("cannot write the config in " + dir_);
  }

  static Status Check(const httplib::Result& res, const std::string& what) {
    if (!res) {
      return Status::IoError("clickhouse: " + what + ": " + httplib::to_string(res.error()));
    }
    if (res->status != 200) {
      return Status::IoError("clickhouse: " + what + ": HTTP " + std::to_string(res->status) +
                             ": " + res->body.substr(0, 500));
    }
    return Status::Ok();
  }

  // Runs one statement and returns its output.
  Result<std::string> Query(const std::string& sql) {
    auto res = client_->Post("/", sql, "text/plain");
    if (Status s = Check(res, sql.substr(0, 60)); !s.ok()) return s;
    return std::move(res->body);
  }

  // Runs a statement whose answer is one unsigned number.
  Result<uint64_t> QueryCount(const std::string& sql) {
    Result<std::string> text = Query(sql);
    if (!text.ok()) return text.status();
    if (!text->empty() && text->back() == '\n') text->pop_back();
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec != std::errc() || end != text->data() + text->size()) {
      return Status::IoError("clickhouse: not a number in answer to " + sql.substr(0, 60));
    }
    return n;
  }

  // 18.16 has no fsync of its own for parts: sync the file system that holds them.
  Status Sync() {
    if (::syncfs(data_fd_) == 0) return Status::Ok();
    return Status::IoError(std::string("syncfs: ") + std::strerror(errno));
  }

  ServiceUser user_;
  const bool merged_;
  std::string dir_;
  ChildProcess server_;
  std::unique_ptr<httplib::Client> client_;
  int data_fd_ = -1;
  int http_port_ = 0;
};

}  // namespace

namespace {

Result<std::unique_ptr<Peer>> MakeClickHouse(bool merged) {
  if (::access(kBinary, X_OK) != 0) {
    return Status::NotFound(std::string(kBinary) +
                            " is missing: scripts/setup-bench.sh installs clickhouse-server");
  }
  Result<ServiceUser> user = ServiceUserFor("clickhouse");
  if (!user.ok()) return user.status();
  return std::unique_ptr<Peer>(std::make_unique<ClickHousePeer>(*user, merged));
}

}  // namespace

Result<std::unique_ptr<Peer>> MakeClickHousePeer() { return MakeClickHouse(false); }

Result<std::unique_ptr<Peer>> MakeClickHouseMergedPeer() { return MakeClickHouse(true); }

}  // namespace custodian::bench
