// SQLite as a peer: one database file in the work directory.
//
// A WITHOUT ROWID table keyed (account_id, ts, seq), where seq is the event's line in the
// file (two events of an account may share a microsecond), and an index on (ip, ts), which
// carries the key and so answers reverse-IP queries alone. ts is microseconds, ip the 4 or
// 16 address bytes. WAL with synchronous=FULL: a commit is durable when it returns.
// Inserts are prepared and committed once per batch. SQLite has no partitions: dropping a
// day is a DELETE over a range of ts, which the key does not lead with (a full scan).
#include <sqlite3.h>
#include <sys/stat.h>

#include <memory>

#include "bench/csv_export.h"
#include "bench/event_reader.h"
#include "bench/peers/peers.h"
#include "core/ip_address.h"

namespace custodian::bench {
namespace {

using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

class SqlitePeer final : public Peer {
 public:
  ~SqlitePeer() override { Stop(); }

  std::string name() const override { return "sqlite"; }

  Status Start(const std::string& workdir) override {
    path_ = workdir + "/events.db";
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
      return Error("open");
    }
    for (const char* sql : {
             "PRAGMA journal_mode = WAL",
             "PRAGMA synchronous = FULL",
             "PRAGMA cache_size = -1048576",  // 1 GiB, like the other peers' caches
             "CREATE TABLE events (account_id INTEGER NOT NULL, ts INTEGER NOT NULL, "
             "seq INTEGER NOT NULL, kind INTEGER NOT NULL, ip BLOB NOT NULL, port INTEGER, "
             "user_agent TEXT NOT NULL, device_id TEXT NOT NULL, "
             "PRIMARY KEY (account_id, ts, seq)) WITHOUT ROWID",
             "CREATE INDEX events_by_ip ON events (ip, ts)",
         }) {
      if (Status s = Exec(sql); !s.ok()) return s;
    }
    const std::pair<Statement*, const char*> statements[] = {
        {&insert_, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
        {&by_account_,
         "SELECT ts, kind, ip, port, user_agent, device_id FROM events "
         "WHERE account_id = ? AND ts >= ? AND ts < ? ORDER BY ts"},
        {&by_ip_,
         "SELECT count(DISTINCT account_id) FROM events WHERE ip = ? AND ts >= ? AND ts < ?"},
        {&drop_day_, "DELETE FROM events WHERE ts >= ? AND ts < ?"},
        {&shred_, "DELETE FROM events WHERE account_id = ?"},
    };
    for (const auto& [statement, sql] : statements) {
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) return Error(sql);
      statement->reset(raw);
    }
    return Status::Ok();
  }

  Result<uint64_t> Ingest(const std::string& ndjson_path) override {
    uint64_t in_transaction = 0;
    uint64_t seq = 0;
    if (Status s = Exec("BEGIN"); !s.ok()) return s;
    Result<uint64_t> events = ReadEvents(ndjson_path, [&](const Event& e) -> Status {
      const std::optional<IpAddress> ip = IpAddress::Parse(e.ip);
      if (!ip) return Status::InvalidArgument("line " + std::to_string(seq + 1) + ": bad ip");
      sqlite3_stmt* st = insert_.get();
      sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(e.account_id));
      sqlite3_bind_int64(st, 2, e.ts_us);
      sqlite3_bind_int64(st, 3, static_cast<sqlite3_int64>(++seq));
      sqlite3_bind_int(st, 4, static_cast<int>(e.kind));
      sqlite3_bind_blob(st, 5, ip->bytes().data(), ip->is_v4() ? 4 : 16, SQLITE_STATIC);
      if (e.port) {
        sqlite3_bind_int(st, 6, *e.port);
      } else {
        sqlite3_bind_null(st, 6);
      }
      sqlite3_bind_text(st, 7, e.user_agent.data(), static_cast<int>(e.user_agent.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(st, 8, e.device_id.data(), static_cast<int>(e.device_id.size()),
                        SQLITE_STATIC);
      const int rc = sqlite3_step(st);
      sqlite3_reset(st);
      if (rc != SQLITE_DONE) return Error("insert");
      if (++in_transaction == kIngestBatchEvents) {
        in_transaction = 0;
        if (Status s = Exec("COMMIT"); !s.ok()) return s;
        return Exec("BEGIN");
      }
      return Status::Ok();
    });
    if (!events.ok()) {
      static_cast<void>(Exec("ROLLBACK"));  // the error to report is the input's
      return events.status();
    }
    if (Status s = Exec("COMMIT"); !s.ok()) return s;
    return *events;
  }

  Result<uint64_t> BytesOnDisk() override {
    uint64_t bytes = 0;
    for (const std::string& file : {path_, path_ + "-wal"}) {
      struct stat st;
      if (::stat(file.c_str(), &st) == 0) bytes += static_cast<uint64_t>(st.st_size);
    }
    return bytes;
  }

  Result<uint64_t> QueryAccount(uint64_t account, int64_t from_us, int64_t to_us) override {
    sqlite3_stmt* st = by_account_.get();
    sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(account));
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    uint64_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      // Fetch every column, as a production would: the text and blob calls copy nothing
      // but do materialise the values from the page.
      sqlite3_column_int64(st, 0);
      sqlite3_column_int(st, 1);
      sqlite3_column_blob(st, 2);
      sqlite3_column_int(st, 3);
      sqlite3_column_text(st, 4);
      sqlite3_column_text(st, 5);
      ++rows;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return Error("account query");
    return rows;
  }

  Result<uint64_t> ExportAccountCsv(uint64_t account, int64_t from_us, int64_t to_us,
                                    const std::string& csv_path) override {
    auto csv = CsvExport::Create(csv_path);
    if (!csv.ok()) return csv.status();
    sqlite3_stmt* st = by_account_.get();
    sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(account));
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const auto* ip = static_cast<const uint8_t*>(sqlite3_column_blob(st, 2));
      std::array<uint8_t, 16> bytes{};
      const int ip_len = sqlite3_column_bytes(st, 2);
      std::copy(ip, ip + std::min(ip_len, 16), bytes.begin());
      const IpAddress address =
          ip_len == 4 ? IpAddress::V4({bytes[0], bytes[1], bytes[2], bytes[3]}) : IpAddress::V6(bytes);
      std::optional<uint16_t> port;
      if (sqlite3_column_type(st, 3) != SQLITE_NULL) port = static_cast<uint16_t>(sqlite3_column_int(st, 3));
      const auto text = [&](int column) {
        return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(st, column)),
                                static_cast<size_t>(sqlite3_column_bytes(st, column)));
      };
      (*csv)->Row(sqlite3_column_int64(st, 0), KindName(static_cast<EventKind>(sqlite3_column_int(st, 1))),
                  address, port, text(4), text(5));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return Error("account export");
    return (*csv)->Close();
  }

  Result<uint64_t> QueryIp(const std::string& ip, int64_t from_us, int64_t to_us) override {
    const std::optional<IpAddress> address = IpAddress::Parse(ip);
    if (!address) return Status::InvalidArgument("not an IP address");
    sqlite3_stmt* st = by_ip_.get();
    sqlite3_bind_blob(st, 1, address->bytes().data(), address->is_v4() ? 4 : 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    const int rc = sqlite3_step(st);
    const uint64_t accounts = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) return Error("reverse-IP query");
    return accounts;
  }

  Status DropDay(Date day) override {
    sqlite3_bind_int64(drop_day_.get(), 1, day.days * kMicrosPerDay);
    sqlite3_bind_int64(drop_day_.get(), 2, day.PlusDays(1).days * kMicrosPerDay);
    return StepDone(drop_day_.get(), "DELETE of a day");
  }

  Status ShredAccount(uint64_t account) override {
    sqlite3_bind_int64(shred_.get(), 1, static_cast<sqlite3_int64>(account));
    return StepDone(shred_.get(), "DELETE of an account");
  }

  void Stop() override {
    for (Statement* st : {&insert_, &by_account_, &by_ip_, &drop_day_, &shred_}) st->reset();
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::IoError("sqlite: " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "no database"));
  }

  Status Exec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok()
                                                                           : Error(sql);
  }

  Status StepDone(sqlite3_stmt* st, const char* what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? Status::Ok() : Error(what);
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  Statement insert_{nullptr, &sqlite3_finalize};
  Statement by_account_{nullptr, &sqlite3_finalize};
  Statement by_ip_{nullptr, &sqlite3_finalize};
  Statement drop_day_{nullptr, &sqlite3_finalize};
  Statement shred_{nullptr, &sqlite3_finalize};
};

}  // namespace

Result<std::unique_ptr<Peer>> MakeSqlitePeer() {
  return std::unique_ptr<Peer>(std::make_unique<SqlitePeer>());
}

}  // namespace custodian::bench
