// A Peer is one store under benchmark: custodian's vault, or a well-known engine holding
// the same access events in plaintext. vault_bench drives each peer through the same
// steps on the same NDJSON file and times them (bench/README.md):
//   Start -> Ingest -> BytesOnDisk -> QueryAccount* -> QueryIp* -> DropDay -> ShredAccount* -> Stop
// Not thread-safe: one thread drives a peer, one call at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace custodian::bench {

// Every peer makes what it ingested durable at least once per this many events (a
// commit, a synced write batch, an acknowledged INSERT), so that ingest rates compare.
inline constexpr uint64_t kIngestBatchEvents = 100'000;

class Peer {
 public:
  virtual ~Peer() = default;

  // "clickhouse", "postgres", "sqlite", "rocksdb", "custodian": what --peers names.
  virtual std::string name() const = 0;

  // Starts the peer's server on 127.0.0.1 (a free port, everything inside `workdir`), or
  // opens the embedded store in `workdir`. `workdir` exists, is empty and belongs to the
  // peer until Stop; the driver deletes it afterwards.
  virtual Status Start(const std::string& workdir) = 0;

  // Stores every event of the NDJSON file at `ndjson_path` and returns how many it stored.
  // Returns only once they are durable (committed, synced); the driver times the call.
  virtual Result<uint64_t> Ingest(const std::string& ndjson_path) = 0;

  // The bytes the stored events take on disk (data and indexes; for servers, the tables,
  // not the server's own catalog and logs).
  virtual Result<uint64_t> BytesOnDisk() = 0;

  // Fetches every event of `account` with from_us <= ts < to_us in time order (all of ts,
  // kind, ip, port, user_agent and device_id, as a production would) and returns how many
  // there were.
  virtual Result<uint64_t> QueryAccount(uint64_t account, int64_t from_us, int64_t to_us) = 0;

  // Writes the events QueryAccount fetches, in time order, to a CSV file at `csv_path`
  // (csv_export.h) and syncs it; returns how many. production_bench times it against a
  // production. FailedPrecondition for a peer that does not export.
  virtual Result<uint64_t> ExportAccountCsv(uint64_t account, int64_t from_us, int64_t to_us,
                                            const std::string& csv_path) {
    (void)account, (void)from_us, (void)to_us, (void)csv_path;
    return Status::FailedPrecondition(name() + " does not export CSV");
  }

  // Returns how many distinct accounts were seen at `ip` (text form) with
  // from_us <= ts < to_us.
  virtual Result<uint64_t> QueryIp(const std::string& ip, int64_t from_us, int64_t to_us) = 0;

  // Deletes every event of the UTC day `day`, as retention does; durable on return.
  virtual Status DropDay(Date day) = 0;

  // Makes every event of `account` unreadable for good; durable on return. Plaintext peers
  // must delete the rows (and their index entries); custodian destroys the account's key.
  virtual Status ShredAccount(uint64_t account) = 0;
  // Where clients post NDJSON batches over HTTP, for a started peer that takes them so
  // (http_ingest_bench): its loopback port and the request's path. None for the others.
  struct HttpInsert {
    int port = 0;
    std::string path;
  };
  virtual std::optional<HttpInsert> HttpInsertTarget() const { return std::nullopt; }

  // Stops the server or closes the store. Safe to call when Start failed or never ran, and
  // more than once; the driver always calls it, and destructors call it too.
  virtual void Stop() = 0;
};

}  // namespace custodian::bench
