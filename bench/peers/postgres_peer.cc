// PostgreSQL 15 as a peer: Debian's postgresql-15, a throwaway cluster made with initdb in
// the work directory and started here on loopback (docs/dependencies.md has the
// recipe; as root it runs as the `postgres` user, since initdb refuses root).
//
// One table partitioned by day (declarative, a partition created as its first event
// arrives), btree indexes on (account_id, ts) and (ip, ts), ip as inet and ts as
// timestamptz (microseconds, like the workload). Ingest parses the NDJSON here and streams
// COPY text through PQputCopyData, one COPY (a transaction) per batch; the parsing counts.
// fsync and synchronous_commit are on; memory and checkpoint settings are those of a
// tuned server (see Start), so that checkpoints do not dominate a short load.
#include <libpq-fe.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <memory>
#include <set>
#include <thread>

#include "bench/child_process.h"
#include "bench/csv_export.h"
#include "bench/event_reader.h"
#include "bench/peers/peers.h"

namespace custodian::bench {
namespace {

constexpr char kBinDir[] = CUSTODIAN_PG_BINDIR;
constexpr auto kStartTimeout = std::chrono::seconds(60);

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string PartitionName(Date day) {
  std::string d = FormatDate(day);
  d.erase(7, 1);
  d.erase(4, 1);
  return "events_" + d;
}

// The one unsigned number a query answered.
Result<uint64_t> SingleNumber(const PGresult* r) {
  uint64_t n = 0;
  if (PQntuples(r) == 1 && PQnfields(r) == 1) {
    const std::string_view text = PQgetvalue(r, 0, 0);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) return n;
  }
  return Status::IoError("postgres: expected one number");
}

// Appends `text` as a field of COPY's text format.
void AppendCopyText(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

class PostgresPeer final : public Peer {
 public:
  explicit PostgresPeer(ServiceUser user) : user_(user) {}
  ~PostgresPeer() override { Stop(); }

  std::string name() const override { return "postgres"; }

  Status Start(const std::string& workdir) override {
    dir_ = workdir;
    if (Status s = GiveTo(user_, dir_); !s.ok()) return s;
    const std::string bin = kBinDir;
    if (Status s = RunToCompletion({bin + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U",
                                    "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
                                   user_, dir_, dir_ + "/initdb.log", std::chrono::seconds(120));
        !s.ok()) {
      return s;
    }
    const Result<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    if (Status s = server_.Start(
            {bin + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(*port),
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir_,
             "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
             // A server tuned for the machine (24 GiB): caches like the other peers', and
             // checkpoints spaced as a DBA would for bulk loads.
             "-c", "shared_buffers=2GB", "-c", "max_wal_size=8GB", "-c", "checkpoint_timeout=30min",
             "-c", "timezone=UTC"},
            user_, dir_, dir_ + "/server.log");
        !s.ok()) {
      return s;
    }
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(*port) +
                                 " dbname=postgres user=postgres connect_timeout=5";
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (PQping(conninfo.c_str()) != PQPING_OK) {
      if (!server_.Running()) {
        return Status::IoError("postgres exited:\n" + LogTail(dir_ + "/server.log"));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::IoError("postgres did not answer within 60 s:\n" +
                               LogTail(dir_ + "/server.log"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) return Error("connect");
    for (const char* ddl : {
             "CREATE TYPE event_kind AS ENUM ('login', 'logout', 'session_refresh', "
             "'failed_login', 'password_change', 'recovery')",
             "CREATE TABLE events (account_id bigint NOT NULL, ts timestamptz NOT NULL, "
             "kind event_kind NOT NULL, ip inet NOT NULL, port integer, user_agent text, "
             "device_id text) PARTITION BY RANGE (ts)",
             "CREATE INDEX ON events (account_id, ts)",
             "CREATE INDEX ON events (ip, ts)",
         }) {
      if (Status s = Exec(ddl); !s.ok()) return s;
    }
    if (Status s = Prepare("account",
                           "SELECT ts, kind, ip, port, user_agent, device_id FROM events "
                           "WHERE account_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts");
        !s.ok()) {
      return s;
    }
    if (Status s = Prepare("ip",
                           "SELECT count(DISTINCT account_id) FROM events "
                           "WHERE ip = $1::inet AND ts >= $2 AND ts < $3");
        !s.ok()) {
      return s;
    }
    return Prepare("shred", "DELETE FROM events WHERE account_id = $1");
  }

  Result<uint64_t> Ingest(const std::string& ndjson_path) override {
    std::set<int64_t> partitions;
    std::string rows;
    uint64_t in_copy = 0;  // events sent in the open COPY
    bool copying = false;
    int64_t day = INT64_MIN;
    auto end_copy = [&]() -> Status {
      if (!copying) return Status::Ok();
      copying = false;
      in_copy = 0;
      if (Status s = PutCopyData(rows); !s.ok()) return s;
      if (PQputCopyEnd(conn_, nullptr) != 1) return Error("COPY end");
      return DrainResults("COPY");  // the COPY's commit: durable once it answers
    };
    Result<uint64_t> events = ReadEvents(ndjson_path, [&](const Event& e) -> Status {
      const int64_t event_day = Timestamp{e.ts_us}.UtcDate().days;
      if (event_day != day || in_copy == kIngestBatchEvents) {
        if (Status s = end_copy(); !s.ok()) return s;
        day = event_day;
        if (partitions.insert(day).second) {
          if (Status s = CreatePartition(Date{day}); !s.ok()) return s;
        }
      }
      if (!copying) {
        PgResult r(PQexec(conn_, "COPY events (account_id, ts, kind, ip, port, user_agent, "
                                 "device_id) FROM STDIN"),
                   &PQclear);
        if (PQresultStatus(r.get()) != PGRES_COPY_IN) return Error("COPY");
        copying = true;
      }
      rows += std::to_string(e.account_id);
      rows += '\t';
      rows += e.ts_text;  // RFC 3339, which timestamptz reads as is
      rows += '\t';
      rows += KindName(e.kind);
      rows += '\t';
      AppendCopyText(rows, e.ip);
      rows += '\t';
      rows += e.port ? std::to_string(*e.port) : "\\N";
      rows += '\t';
      AppendCopyText(rows, e.user_agent);
      rows += '\t';
      AppendCopyText(rows, e.device_id);
      rows += '\n';
      ++in_copy;
      return rows.size() >= (1 << 20) ? PutCopyData(rows) : Status::Ok();
    });
    if (!events.ok()) {
      if (copying) PQputCopyEnd(conn_, "benchmark input failed");
      static_cast<void>(DrainResults("COPY"));  // the error to report is the input's
      return events.status();
    }
    if (Status s = end_copy(); !s.ok()) return s;
    if (Status s = Exec("ANALYZE events"); !s.ok()) return s;  // what a loader does next
    return *events;
  }

  Result<uint64_t> BytesOnDisk() override {
    return QueryNumber(
        "SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint "
        "FROM pg_partition_tree('events') WHERE isleaf");
  }

  Result<uint64_t> QueryAccount(uint64_t account, int64_t from_us, int64_t to_us) override {
    const std::string id = std::to_string(account);
    const std::string from = FormatDateTimeMicros(Timestamp{from_us});
    const std::string to = FormatDateTimeMicros(Timestamp{to_us});
    const char* params[] = {id.c_str(), from.c_str(), to.c_str()};
    PgResult r(PQexecPrepared(conn_, "account", 3, params, nullptr, nullptr, 0), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return Error("account query");
    return static_cast<uint64_t>(PQntuples(r.get()));
  }

  // The server writes the CSV itself (COPY ... TO STDOUT), which is what one would use.
  Result<uint64_t> ExportAccountCsv(uint64_t account, int64_t from_us, int64_t to_us,
                                    const std::string& csv_path) override {
    auto csv = CsvExport::Create(csv_path);
    if (!csv.ok()) return csv.status();
    // The values are numbers and our own timestamps: safe in the statement.
    const std::string sql =
        "COPY (SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), kind, "
        "host(ip), port, user_agent, device_id FROM events WHERE account_id = " +
        std::to_string(account) + " AND ts >= '" + FormatDateTimeMicros(Timestamp{from_us}) +
        "' AND ts < '" + FormatDateTimeMicros(Timestamp{to_us}) +
        "' ORDER BY ts) TO STDOUT WITH (FORMAT csv)";
    PgResult r(PQexec(conn_, sql.c_str()), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) return Error("COPY TO");
    char* buffer = nullptr;
    int n;
    while ((n = PQgetCopyData(conn_, &buffer, 0)) > 0) {
      (*csv)->Raw(std::string_view(buffer, static_cast<size_t>(n)));
      PQfreemem(buffer);
    }
    if (n == -2) return Error("COPY TO");
    PgResult done(PQgetResult(conn_), &PQclear);
    if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) return Error("COPY TO");
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    return (*csv)->Close();
  }

  Result<uint64_t> QueryIp(const std::string& ip, int64_t from_us, int64_t to_us) override {
    const std::string from = FormatDateTimeMicros(Timestamp{from_us});
    const std::string to = FormatDateTimeMicros(Timestamp{to_us});
    const char* params[] = {ip.c_str(), from.c_str(), to.c_str()};
    PgResult r(PQexecPrepared(conn_, "ip", 3, params, nullptr, nullptr, 0), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return Error("reverse-IP query");
    return SingleNumber(r.get());
  }

  Status DropDay(Date day) override { return Exec("DROP TABLE " + PartitionName(day)); }

  // Deleted rows stay on disk as dead tuples until VACUUM reclaims them.
  Status ShredAccount(uint64_t account) override {
    const std::string id = std::to_string(account);
    const char* params[] = {id.c_str()};
    PgResult r(PQexecPrepared(conn_, "shred", 1, params, nullptr, nullptr, 0), &PQclear);
    return PQresultStatus(r.get()) == PGRES_COMMAND_OK ? Status::Ok() : Error("DELETE");
  }

  void Stop() override {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    server_.Stop(SIGINT, std::chrono::seconds(60));  // SIGINT: "fast" shutdown
  }

 private:
  Status Error(const std::string& what) const {
    return Status::IoError("postgres: " + what + ": " + PQerrorMessage(conn_));
  }

  Status Exec(const std::string& sql) {
    PgResult r(PQexec(conn_, sql.c_str()), &PQclear);
    const ExecStatusType status = PQresultStatus(r.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? Status::Ok()
                                                                    : Error(sql.substr(0, 60));
  }

  Status Prepare(const char* name, const char* sql) {
    PgResult r(PQprepare(conn_, name, sql, 0, nullptr), &PQclear);
    return PQresultStatus(r.get()) == PGRES_COMMAND_OK ? Status::Ok() : Error(sql);
  }

  Result<uint64_t> QueryNumber(const char* sql) {
    PgResult r(PQexec(conn_, sql), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return Error(sql);
    return SingleNumber(r.get());
  }

  Status CreatePartition(Date day) {
    return Exec("CREATE TABLE " + PartitionName(day) + " PARTITION OF events FOR VALUES FROM ('" +
                FormatDate(day) + " 00:00:00+00') TO ('" + FormatDate(day.PlusDays(1)) +
                " 00:00:00+00')");
  }

  Status PutCopyData(std::string& rows) {
    if (!rows.empty() && PQputCopyData(conn_, rows.data(), static_cast<int>(rows.size())) != 1) {
      return Error("COPY data");
    }
    rows.clear();
    return Status::Ok();
  }

  // Reads the results of the statement just ended; the first error among them, if any.
  Status DrainResults(const std::string& what) {
    Status status;
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult r(raw, &PQclear);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && status.ok()) {
        status = Status::IoError("postgres: " + what + ": " + PQresultErrorMessage(r.get()));
      }
    }
    return status;
  }

  ServiceUser user_;
  std::string dir_;
  ChildProcess server_;
  PGconn* conn_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Peer>> MakePostgresPeer() {
  const std::string bin = kBinDir;
  for (const char* program : {"/initdb", "/postgres"}) {
    if (::access((bin + program).c_str(), X_OK) != 0) {
      return Status::NotFound(bin + program +
                              " is missing: scripts/setup-bench.sh installs postgresql-15");
    }
  }
  Result<ServiceUser> user = ServiceUserFor("postgres");
  if (!user.ok()) return user.status();
  return std::unique_ptr<Peer>(std::make_unique<PostgresPeer>(*user));
}

}  // namespace custodian::bench
