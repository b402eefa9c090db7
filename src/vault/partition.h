// One UTC day of the access log: its sealed segments, its open journal and the events of that
// journal held in memory (the memtable) until they are sealed into a new segment. Several
// processes may write the day, one at a time under the vault's writer lock: CatchUpLocked
// reads what the others did (new frames, new segments, a day sealed or reduced elsewhere).
// Thread-safe: ingest, sealing and catching up take the partition's lock exclusively, reads
// share it.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/file_system.h"
#include "core/int_map.h"
#include "core/time.h"
#include "vault/journal.h"
#include "vault/key_store.h"
#include "vault/packed_event.h"
#include "vault/segment.h"
#include "vault/segment_writer.h"
#include "vault/string_pool.h"
#include "vault/vault_keys.h"
#include "vault/writer_lock.h"

namespace custodian::vault {

// What a partition catching up needs to know of the vault as a whole.
struct CatchUpContext {
  CatchUpAccess access = CatchUpAccess::kRead;
  const LockRecord* record = nullptr;  // committed lengths of the journals
  // Readers only: the segments (final paths) of a committed bulk import whose pending files
  // are not renamed yet; they are read under their pending names.
  const std::set<std::string>* committed_imports = nullptr;
};

// The path of a day's file within the data directory, as the lock record names it.
std::string DayFilePath(Date day, std::string_view name);

class Partition {
 public:
  // Opens the day directory `dir`: its segments, and replays its journals into memory.
  static Result<std::unique_ptr<Partition>> Open(const PartitionContext& ctx, const std::string& dir,
                                                 Date day, const CatchUpContext& catch_up);

  Date day() const { return day_; }
  const std::string& dir() const { return dir_; }
  int64_t day_start() const { return day_.days * kMicrosPerDay; }
  std::shared_mutex& mutex() { return mu_; }

  // --- With the lock held exclusively.

  // Reads what changed in the day's directory since the last call; with kWrite access also
  // finishes what a crash interrupted there (a retention run, a sealing) and cuts a torn
  // journal tail. NotFound when the directory is gone (another process's retention).
  Status CatchUpLocked(const CatchUpContext& catch_up);
  // True when an event with this id tag is already stored in the partition.
  Result<bool> HasEventIdLocked(const EventIdTag& tag) const;
  // Appends sealed frames to the open journal and syncs them (JournalIdLocked first).
  Status AppendJournalLocked(std::string_view frames);
  // The open journal's id (creating the journal when there is none).
  Result<JournalId> JournalIdLocked();
  // Adds durable events to the memtable; strings come from `pool`.
  void AddToMemtableLocked(std::span<const PackedEvent> events, const StringPool& pool,
                           std::span<const EventIdTag> event_ids);
  // Seals the memtable into a new segment and drops the journal. No-op when empty. The
  // blocks are sealed on up to `threads` threads.
  Status SealLocked(size_t threads = 1);
  // Removes every event of `account` from the memtable (its key is being destroyed).
  void ForgetAccountLocked(uint64_t account);
  // Removes the events of accounts the key store now says were deleted.
  void ForgetDeletedLocked();
  // Past retention: keeps only the events of accounts for which `keep` is true, re-sealed
  // into one new segment, and deletes everything else of the day (docs/vault_format.md,
  // "Retention"). Crash-safe: an interrupted run is finished or undone by the next writer.
  Status RetainOnlyLocked(const std::function<bool(uint64_t)>& keep);
  // Adds a segment file already in place in the day's directory (a bulk import's), unless a
  // catching up read it already.
  Status AdoptSegmentLocked(const std::string& path);
  // Takes the whole day out of the vault in constant time: its directory is renamed to
  // `trash_dir` (synced). Deleting the files, and this object, is left to the caller's reaper.
  Status MoveToTrashLocked(const std::string& trash_dir);
  // The committed length of each journal, by its path within the data directory.
  void CollectMarksLocked(std::map<std::string, FileMark>& marks) const;

  // --- With the lock held, shared or exclusive.

  size_t memtable_events() const { return memtable_.size(); }
  const std::vector<std::unique_ptr<SegmentReader>>& segments() const { return segments_; }
  // Calls `f(event)` for each of `account`'s events in the memtable, in the order added.
  template <typename F>
  void ForEachMemtableEventOf(uint64_t account, F&& f) const {
    const Chain* chain = by_account_.Find(account);
    if (!chain) return;
    for (uint32_t i = chain->first; i != kEndOfChain; i = next_[i]) f(memtable_[i]);
  }
  const PackedEvent& memtable_event(uint32_t i) const { return memtable_[i]; }
  const StringPool& pool() const { return pool_; }
  size_t memtable_size() const { return memtable_.size(); }

  static std::string JournalAssociatedData(uint64_t account, Date day, const JournalId& id);

 private:
  // A journal of the day, read up to `end`.
  struct Journal {
    JournalId id{};
    uint64_t end = 0;
  };

  Partition(const PartitionContext& ctx, std::string dir, Date day)
      : ctx_(ctx), dir_(std::move(dir)), day_(day) {}
  // One pass of CatchUpLocked; `again` when what was read before no longer holds (a journal
  // sealed or a segment removed elsewhere): everything must be read again.
  Status CatchUpPass(const CatchUpContext& catch_up, bool& again);
  Status ReplayFrames(const std::string& path, const JournalContents& contents);
  // Finishes or undoes a retention run that a crash interrupted.
  Status RecoverRetention();
  // The names a retention run that stopped half-way (RETENTION) has already let go of.
  std::set<std::string> RetainedAway();
  void ClearMemtableLocked();
  // Forgets everything read: the next pass reads the day afresh.
  void ResetLocked();
  // Writes the memtable as a segment file (synced, renamed into place); returns its path.
  Result<std::string> WriteSegmentLocked(const SegmentId& id, const JournalId& sealed_journal,
                                         size_t threads);
  // Opens the segment at `path` and serves it.
  Status OpenSegment(const std::string& path);
  bool HasSegment(const SegmentId& id) const;

  PartitionContext ctx_;
  const std::string dir_;
  const Date day_;
  std::shared_mutex mu_;
  std::vector<std::unique_ptr<SegmentReader>> segments_;
  std::map<std::string, Journal> journals_;  // by file name: the day's unsealed journals
  std::string current_;                      // the one appended to (a name in journals_)
  // An account's events in the memtable, chained through next_: a vector of its own for each
  // account would be an allocation for most events of a sparse day.
  struct Chain {
    uint32_t first = 0;
    uint32_t last = 0;
    uint32_t count = 0;
  };
  static constexpr uint32_t kEndOfChain = UINT32_MAX;
  // Adds an event to the memtable, at the end of its account's chain.
  void AppendToMemtableLocked(const PackedEvent& e);

  std::vector<PackedEvent> memtable_;
  std::vector<uint32_t> next_;  // per memtable event: the next of its account's, or kEndOfChain
  StringPool pool_;
  IntMap<Chain> by_account_;
  std::unordered_set<EventIdTag, EventIdTagHash> event_ids_;
};

}  // namespace custodian::vault
