// The embedded vault: the vault (vault.h) on the instance's own disk, in day partitions
// (DESIGN.md, Vault; docs/vault_format.md). Ingest makes events durable before it returns;
// reads take a grant the case workflow issued and are audited before any data leaves.
// Several processes may open one vault (`custodian serve`, a CLI ingest, a retention timer):
// each write takes the vault's writer lock for its duration and first reads what the others
// wrote; reads never change a file (docs/vault_format.md, "Writers and readers").
// Thread-safe: ingest, sealing and reads may run concurrently from many threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "core/file_system.h"
#include "core/status.h"
#include "vault/access_event.h"
#include "vault/grant.h"
#include "vault/holds.h"
#include "vault/ingest_report.h"
#include "vault/key_store.h"
#include "vault/packed_event.h"
#include "vault/parsed_events.h"
#include "vault/reaper.h"
#include "vault/segment.h"
#include "vault/segment_writer.h"
#include "vault/string_pool.h"
#include "vault/string_dictionary.h"
#include "vault/subscriber_store.h"
#include "vault/vault_keys.h"
#include "vault/vault.h"
#include "vault/writer_lock.h"

namespace custodian::vault {

class Partition;

struct VaultOptions {
  // The access log's retention: older events are refused at ingest (and, by retention,
  // deleted). 90 days is the default promise; services publish their own.
  int64_t access_log_retention_days = 90;
  // Subscriber record versions are kept this long after a newer version superseded them (an
  // account's latest version stays while the account does).
  int64_t subscriber_retention_days = 365;
  // How far ahead of the clock an event may be (clock skew between services).
  int64_t future_tolerance_micros = kMicrosPerDay;
  // An open partition holding this many events is sealed into a segment.
  size_t seal_after_events = 4'000'000;
  // A bulk import reads its input this many bytes at a time, sealing what it read before it
  // reads on: it bounds the import's memory (about a third of the bytes read).
  size_t import_round_bytes = size_t{8} << 30;
  // Lines parsed between durable commits: bigger batches mean fewer fsyncs.
  size_t batch_lines = 1 << 16;
  // How long a write waits for another writer of the vault (another process's batch, import
  // or retention run) to let the writer lock go before it fails, naming the holder.
  std::chrono::milliseconds lock_wait = std::chrono::seconds(60);
  // Account keys kept unwrapped in memory at most ([vault] key_cache_entries).
  size_t key_cache_entries = KeyStore::kDefaultCacheEntries;
  // Bytes of opened address-index chunks kept in memory at most ([vault] index_cache_mib).
  size_t index_cache_bytes = AddressChunkCache::kDefaultBytes;
  // At most this many line errors are listed in a report (all are counted).
  size_t max_listed_errors = 1000;
  // Threads for sealing partitions (ingest always uses two: one parses, one commits).
  size_t threads = std::max(2u, std::thread::hardware_concurrency());
  Clock* clock = &SystemClock();
  FileSystem* fs = &PosixFileSystem();
};

class EmbeddedVault final : public Vault {
 public:
  // Lays out a new vault under `dir` (which must be empty or missing), with its keys wrapped
  // by `master`.
  static Status Create(const std::string& dir, const SecretKey& master,
                       FileSystem& fs = PosixFileSystem());
  // Opens the vault under `dir`: keys, segments, and journals replayed. Changes no file: a
  // torn tail is left to the next write (which cuts it, holding the writer lock), an
  // interrupted import or retention run to the next write too; anything else damaged is
  // Corruption naming the file and the byte.
  static Result<std::unique_ptr<Vault>> Open(const std::string& dir, const SecretKey& master,
                                             VaultOptions options = {});
  ~EmbeddedVault() override;

  Status Ingest(std::string_view ndjson, IngestReport& report, uint64_t first_line) override;
  ParsedEvents ParseEvents(std::string_view ndjson, uint64_t first_line) override;
  Status CommitEvents(ParsedEvents& events, IngestReport& report) override;
  Status Import(std::string_view ndjson, IngestReport& report,
                const std::function<void(uint64_t bytes, uint64_t lines)>& progress) override;
  Status IngestSubscribers(std::string_view ndjson, IngestReport& report, uint64_t first_line) override;
  Status Seal(std::optional<Date> before) override;
  Status Recover() override;
  const GrantAuthority& grants() const override { return grants_; }
  Result<std::vector<AccessRecord>> ReadAccount(const Grant& grant, uint64_t account,
                                                Timestamp start, Timestamp end, ReadAudit& audit) override;
  Status ScanAccount(const Grant& grant, uint64_t account, Timestamp start, Timestamp end,
                     ReadAudit& audit, const std::function<void(const AccessRecord&)>& visit) override;
  Result<std::vector<uint64_t>> AccountsAtAddress(const Grant& grant, const IpEndpoint& address,
                                                  Timestamp start, Timestamp end,
                                                  ReadAudit& audit) override;
  Result<AddressReadResult> ReadAddress(const Grant& grant, const IpEndpoint& address,
                                        Timestamp start, Timestamp end, size_t max_accounts,
                                        ReadAudit& audit) override;
  Result<std::vector<SubscriberVersion>> ReadSubscriber(const Grant& grant, uint64_t account,
                                                        Timestamp start, Timestamp end,
                                                        ReadAudit& audit) override;
  Result<std::vector<uint64_t>> ResolveIdentifier(const Grant& grant,
                                                  const GrantIdentifier& identifier,
                                                  Timestamp start, Timestamp end,
                                                  ReadAudit& audit) override;
  Result<VaultStats> Stats() override;
  Status PlaceHold(const Hold& hold) override;
  Status ReleaseHold(const std::string& id) override;
  Status ExtendHold(const std::string& id, Timestamp expires) override;
  std::vector<Hold> Holds() override;
  Result<DeletionOutcome> DeleteAccount(uint64_t account) override;
  void WaitForDeletions() override { reaper_.Drain(); }
  Result<RetentionReport> RunRetention() override;
  void SetRetention(int64_t access_log_days, int64_t subscriber_days) override;

 private:
  EmbeddedVault(std::string dir, VaultOptions options, VaultKeys keys, const SecretKey& master);
  // What the vault's partitions read and write with.
  PartitionContext Context();
  // Runs `write(lock)` holding the writer lock, after catching up with the files; says what
  // it wrote in the lock record afterwards, whatever the outcome.
  template <typename Write>
  auto Writing(std::string_view operation, Write&& write) -> decltype(write(std::declval<WriterLock&>()));
  Result<std::unique_ptr<WriterLock>> BeginWrite(std::string_view operation, std::chrono::milliseconds wait);
  // Why a writer of this process gave up waiting for another one of it, after `waited`.
  Status BusyInThisProcess(std::chrono::milliseconds waited);
  Status EndWrite(WriterLock& lock, const Status& outcome);
  // Writes the lock record: this vault's marks of every file, the holder (empty when done).
  Status Publish(WriterLock& lock, const std::string& holder,
                 const std::map<std::string, FileMark>& marks, bool sync);
  std::map<std::string, FileMark> CollectMarks();
  // Brings what is in memory up to what the files hold; with kWrite (the writer lock held)
  // also finishes or cleans up what a crashed writer left.
  Status CatchUp(CatchUpAccess access, const LockRecord& record);
  // Before a read: catches up unless nothing was written since the last time.
  Status CatchUpForRead();
  Result<std::shared_ptr<Partition>> PartitionFor(Date day, bool create);
  // Import, holding the writer lock.
  Status ImportLocked(std::string_view ndjson, IngestReport& report,
                      const std::function<void(uint64_t bytes, uint64_t lines)>& progress);
  // A day of a bulk import, sealed into a pending segment on up to `threads` threads
  // (vault_import.cc).
  struct ImportedDay;
  ImportedDay SealImportedDay(Date day, const std::vector<PackedEvent>& events,
                              const std::vector<uint64_t>& lines, const StringSource& strings,
                              std::unordered_set<EventIdTag, EventIdTagHash>& imported_ids,
                              size_t threads);
  // Finishes committing a bulk import that a crash interrupted after its commit point.
  static Status RecoverImport(FileSystem& fs, const std::string& dir);
  // The segments (final paths) that a committed, unfinished import left pending.
  static std::set<std::string> CommittedImports(FileSystem& fs, const std::string& dir);
  // RunRetention, holding the writer lock.
  Result<RetentionReport> RetainLocked(WriterLock& lock);
  // Seal, holding the writer lock.
  Status SealDays(std::optional<Date> before);
  // Parses `ndjson` into batches of Options::batch_lines lines, handing each to `parsed`
  // (which returns false to stop); refused lines go to `report`.
  void ParseBatches(std::string_view ndjson, uint64_t first_line, IngestReport& report,
                    const std::function<bool(std::unique_ptr<ParsedBatch>)>& parsed);
  // Makes a batch durable under one hold of the writer lock.
  Status CommitBatch(ParsedBatch& batch, IngestReport& report);
  // Makes one day's events of a batch durable; they are in their stored order
  // (stored_order.h, as ParseBatches leaves them), their user agents dictionary ids, their
  // device and event ids in `pool`.
  Status CommitDay(Date day, const std::vector<PackedEvent>& events,
                   const std::vector<uint64_t>& lines, const StringPool& pool,
                   IngestReport& report);
  // Checks that `grant` is valid now, covers [start, end) and, when given, `category`.
  Status CheckGrant(const Grant& grant, std::optional<Category> category, Timestamp start,
                    Timestamp end) const;
  Status CheckAddressGrant(const Grant& grant, const IpEndpoint& address, Timestamp start,
                           Timestamp end, ReadAudit& audit);
  // The accounts seen at the address in the window, into `accounts` (sorted, distinct); and,
  // when `by_account` is given, their events there.
  Status CollectAddress(const Grant& grant, const IpEndpoint& address, Timestamp start,
                        Timestamp end, std::vector<uint64_t>& accounts,
                        std::map<uint64_t, std::vector<AccessRecord>>* by_account);
  // The user agent of a dictionary id (0: none).
  std::optional<std::string_view> Agent(uint32_t id);
  AccessRecord ToRecord(uint64_t account, int64_t ts, uint8_t kind, uint8_t flags,
                        const std::array<uint8_t, 16>& ip, uint16_t port,
                        std::optional<std::string_view> user_agent,
                        std::string_view device, bool has_device, bool with_device);
  // Destroys `account`'s key and forgets its unsealed events.
  Status DestroyAccount(uint64_t account);
  // Visits `account`'s events on `day` in [start, end).
  Status VisitAccountDay(Partition& p, uint64_t account, const Tag96& tag, const SecretKey& key,
                         int64_t start, int64_t end, bool with_device,
                         std::vector<AccessRecord>& out);

  const std::string dir_;
  const VaultOptions options_;
  // The retention periods in force: options_'s until SetRetention.
  std::atomic<int64_t> access_log_retention_days_;
  std::atomic<int64_t> subscriber_retention_days_;
  const VaultKeys keys_;
  const std::unique_ptr<KeyStore> store_;
  AddressChunkCache address_chunks_;
  const std::unique_ptr<StringDictionary> dictionary_;
  const std::unique_ptr<HoldStore> holds_;
  const std::unique_ptr<SubscriberStore> subscribers_;
  const GrantAuthority grants_;

  // Who this vault object is in the lock record: a write it published needs no catching up.
  const uint64_t id_;
  std::timed_mutex turns_;  // held by this process's writer, around the file lock
  std::mutex writing_mu_;
  std::string writing_;     // GUARDED_BY(writing_mu_): that writer's operation
  // Serializes catching up (a writer's, readers') and the lock record's writes.
  std::mutex sync_mu_;
  // The generation of the lock record last published or caught up with.
  std::atomic<uint64_t> known_generation_{0};
  bool needs_recovery_ = true;  // GUARDED_BY(sync_mu_): a write failed, or none ran yet
  int format_ = 0;  // GUARDED_BY(sync_mu_): the vault's format version, as last read or written
  std::set<std::string> reaped_;  // trash handed to the reaper (by writers, one at a time)
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<Partition>> partitions_;  // GUARDED_BY(mu_): by day
  // Last member: destroyed first, so it finishes its deletions while the rest still stands.
  Reaper reaper_;
};

namespace detail {
inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}
}  // namespace detail

template <typename Write>
auto EmbeddedVault::Writing(std::string_view operation, Write&& write)
    -> decltype(write(std::declval<WriterLock&>())) {
  // Writers of this process take turns here, each woken as the last one leaves: the file
  // lock's polling (with pauses up to 50 ms) is only for writers in other processes.
  const auto asked = std::chrono::steady_clock::now();
  std::unique_lock turn(turns_, std::defer_lock);
  if (!turn.try_lock_for(options_.lock_wait)) return BusyInThisProcess(options_.lock_wait);
  {
    std::lock_guard holder(writing_mu_);
    writing_ = operation;
  }
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - asked);
  auto lock = BeginWrite(operation, std::max(std::chrono::milliseconds(0), options_.lock_wait - waited));
  if (!lock.ok()) return lock.status();
  auto result = write(**lock);
  Status ended = EndWrite(**lock, detail::StatusOf(result));
  if (detail::StatusOf(result).ok() && !ended.ok()) return ended;
  return result;
}

}  // namespace custodian::vault
