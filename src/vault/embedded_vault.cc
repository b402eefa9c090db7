#include "vault/embedded_vault.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "vault/block_codec.h"
#include "vault/event_admission.h"
#include "vault/event_parser.h"
#include "vault/format_version.h"
#include "vault/ndjson_lines.h"
#include "core/parallel.h"
#include "core/sha256.h"
#include "vault/partition.h"
#include "vault/stored_order.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

std::string KeysDir(const std::string& dir) { return JoinPath(dir, "keys"); }
std::string DaysDir(const std::string& dir) { return JoinPath(dir, "vault/days"); }
std::string TrashDir(const std::string& dir) { return JoinPath(dir, "vault/trash"); }

// The files the vault appends to or replaces, as the lock record names them.
constexpr char kSlotsFile[] = "keys/accounts.slots";
constexpr char kDictionaryFile[] = "vault/strings.dict";
constexpr char kSubscribersFile[] = "vault/subscribers.log";
constexpr char kHoldsFile[] = "vault/holds.sealed";

// How often a reader reads again what a writer changed under it before it gives up.
constexpr int kReadAttempts = 20;

// A batch's day with this many accounts has its journal frames made on the vault's threads;
// below it, starting them costs more than they save.
constexpr size_t kParallelFramingAccounts = 2048;

uint64_t RandomId() {
  uint64_t id;
  RandomBytes(reinterpret_cast<uint8_t*>(&id), sizeof id);
  return id;
}


// Deletes a directory of files (a day moved aside); best effort, retried at the next open.
void RemoveTree(FileSystem& fs, const std::string& path) {
  if (auto names = fs.List(path); names.ok()) {
    for (const std::string& name : *names) fs.Remove(JoinPath(path, name)).IgnoreError();
  }
  fs.Remove(path).IgnoreError();
}

bool IsV6(uint8_t flags) { return flags & PackedEvent::kIpV6; }

IpAddress ToAddress(const std::array<uint8_t, 16>& ip, uint8_t flags) {
  if (IsV6(flags)) return IpAddress::V6(ip);
  return IpAddress::V4({ip[0], ip[1], ip[2], ip[3]});
}

std::string Window(Timestamp start, Timestamp end) {
  return "[" + FormatDateTime(start) + ", " + FormatDateTime(end) + ")";
}

}  // namespace

EmbeddedVault::EmbeddedVault(std::string dir, VaultOptions options, VaultKeys keys, const SecretKey& master)
    : dir_(std::move(dir)),
      options_(options),
      access_log_retention_days_(options.access_log_retention_days),
      subscriber_retention_days_(options.subscriber_retention_days),
      keys_(std::move(keys)),
      store_(std::make_unique<KeyStore>(*options_.fs, JoinPath(dir_, kSlotsFile), master,
                                        keys_.account_tags, options.key_cache_entries)),
      address_chunks_(options.index_cache_bytes),
      dictionary_(std::make_unique<StringDictionary>(*options_.fs, JoinPath(dir_, kDictionaryFile),
                                                     keys_.dictionary)),
      holds_(std::make_unique<HoldStore>(*options_.fs, JoinPath(dir_, kHoldsFile), keys_.metadata)),
      subscribers_(std::make_unique<SubscriberStore>(*options_.fs, JoinPath(dir_, kSubscribersFile),
                                                     *store_, keys_)),
      grants_(keys_.grants),
      id_(RandomId()) {}

PartitionContext EmbeddedVault::Context() {
  return PartitionContext{*options_.fs, *store_, keys_, options_.threads, &address_chunks_};
}

EmbeddedVault::~EmbeddedVault() = default;

void EmbeddedVault::SetRetention(int64_t access_log_days, int64_t subscriber_days) {
  access_log_retention_days_.store(access_log_days);
  subscriber_retention_days_.store(subscriber_days);
}

Status EmbeddedVault::Create(const std::string& dir, const SecretKey& master, FileSystem& fs) {
  const std::string keys_path = JoinPath(KeysDir(dir), "vault.keys");
  if (fs.Exists(keys_path)) return Status::InvalidArgument(dir + ": already holds a vault");
  for (const std::string& d : {KeysDir(dir), DaysDir(dir), TrashDir(dir)}) {
    if (Status s = fs.CreateDirs(d); !s.ok()) return s;
  }
  if (Status s = VaultKeys::Random().Save(fs, keys_path, master); !s.ok()) return s;
  if (Status s = WriteVaultFormat(fs, dir); !s.ok()) return s;
  // The lock file, with a record that knows of no file yet.
  auto lock = fs.TryLock(LockPath(dir));
  if (!lock.ok()) return lock.status();
  if (!*lock) return Status::Internal(LockPath(dir) + ": locked while the vault was being created");
  LockRecord record;
  record.generation = RandomId() >> 1;
  if (Status s = (*lock)->Rewrite(EncodeLockRecord(record), true); !s.ok()) return s;
  if (Status s = fs.SyncDir(JoinPath(dir, "vault")); !s.ok()) return s;
  if (Status s = fs.SyncDir(KeysDir(dir)); !s.ok()) return s;
  return fs.SyncDir(dir);
}

Result<std::unique_ptr<Vault>> EmbeddedVault::Open(const std::string& dir, const SecretKey& master,
                                           VaultOptions options) {
  FileSystem& fs = *options.fs;
  auto keys = VaultKeys::Load(fs, JoinPath(KeysDir(dir), "vault.keys"), master);
  if (!keys.ok()) return keys.status();
  // Read as a reader: a writer at work in another process may change files under it, and
  // then what was read is read again.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<EmbeddedVault> vault(new EmbeddedVault(dir, options, *keys, master));
    const LockRecord record = ReadLockRecord(fs, LockPath(dir));
    Status s = vault->CatchUp(CatchUpAccess::kRead, record);
    if (s.ok()) {
      vault->known_generation_ = record.generation;
      // What reading the segments' indexes took and let go (on several threads, each with a
      // malloc arena of its own) goes back to the system rather than staying resident.
      malloc_trim(0);
      return std::unique_ptr<Vault>(std::move(vault));
    }
    const LockRecord after = ReadLockRecord(fs, LockPath(dir));
    if (attempt >= kReadAttempts || after.generation == record.generation) return s;
  }
}

Status EmbeddedVault::BusyInThisProcess(std::chrono::milliseconds waited) {
  std::string holder;
  {
    std::lock_guard lock(writing_mu_);
    holder = writing_;
  }
  return Status::Unavailable(LockPath(dir_) + ": the vault's writer lock is held by this process (" +
                             holder + "); waited " +
                             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(waited).count()) +
                             " s for it ([vault] lock_wait_seconds in custodian.toml)");
}

Result<std::unique_ptr<WriterLock>> EmbeddedVault::BeginWrite(std::string_view operation, std::chrono::milliseconds wait) {
  auto lock = WriterLock::Acquire(*options_.fs, LockPath(dir_), operation, wait);
  if (!lock.ok()) return lock.status();
  std::lock_guard sync(sync_mu_);
  const LockRecord& record = (*lock)->record();
  // Unless this vault wrote the record last, another process (or a crash) changed files since.
  if (needs_recovery_ || !record.valid || record.publisher != id_ ||
      record.generation != known_generation_) {
    if (Status s = CatchUp(CatchUpAccess::kWrite, record); !s.ok()) {
      needs_recovery_ = true;
      return s;
    }
  }
  if (Status s = Publish(**lock, (*lock)->holder(), CollectMarks(), false); !s.ok()) {
    needs_recovery_ = true;
    return s;
  }
  // A vault of an older format: what this writer writes is of the newer one, so the version
  // is raised first (every older format stays readable: nothing else is rewritten).
  if (format_ < kVaultFormat) {
    if (Status s = WriteVaultFormat(*options_.fs, dir_); !s.ok()) {
      needs_recovery_ = true;
      return s;
    }
    format_ = kVaultFormat;
  }
  needs_recovery_ = false;
  return lock;
}

Status EmbeddedVault::EndWrite(WriterLock& lock, const Status& outcome) {
  std::lock_guard sync(sync_mu_);
  if (!outcome.ok()) {
    // What it left half done is for the next writer's catching up to finish or clean.
    needs_recovery_ = true;
    dictionary_->Rollback();
    store_->Rollback();
  }
  return Publish(lock, "", CollectMarks(), false);
}

Status EmbeddedVault::Publish(WriterLock& lock, const std::string& holder,
                      const std::map<std::string, FileMark>& marks, bool sync) {
  LockRecord record;
  record.valid = true;
  // Past every generation any process saw: from the record taken with the lock, or, when it
  // was damaged, from nowhere anyone has been.
  record.generation = lock.record().valid
                          ? std::max(lock.record().generation, known_generation_.load()) + 1
                          : RandomId() >> 1;
  record.publisher = id_;
  record.holder = holder;
  record.files = marks;
  // Known before it is published: a read in this process then never catches up with it.
  known_generation_ = record.generation;
  return lock.Publish(record, sync);
}

std::map<std::string, FileMark> EmbeddedVault::CollectMarks() {
  std::map<std::string, FileMark> marks;
  marks[kSlotsFile] = store_->mark();
  marks[kDictionaryFile] = dictionary_->mark();
  marks[kSubscribersFile] = subscribers_->mark();
  marks[kHoldsFile] = holds_->mark();
  std::vector<std::shared_ptr<Partition>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [day, p] : partitions_) all.push_back(p);
  }
  for (auto& p : all) {
    std::shared_lock lock(p->mutex());
    p->CollectMarksLocked(marks);
  }
  return marks;
}

std::set<std::string> EmbeddedVault::CommittedImports(FileSystem& fs, const std::string& dir) {
  std::set<std::string> segments;
  auto text = fs.ReadAll(JoinPath(dir, "vault/IMPORT"));
  if (!text.ok()) return segments;
  for (size_t pos = 0; pos < text->size();) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    if (nl > pos) segments.insert(JoinPath(dir, text->substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return segments;
}

Status EmbeddedVault::CatchUp(CatchUpAccess access, const LockRecord& record) {
  FileSystem& fs = *options_.fs;
  const bool writer = access == CatchUpAccess::kWrite;
  auto format = ReadVaultFormat(fs, dir_);
  if (!format.ok()) return format.status();
  format_ = *format;
  std::set<std::string> committed_imports;
  if (writer) {
    if (Status s = RecoverImport(fs, dir_); !s.ok()) return s;
    // Days a crash left in the trash are deleted again.
    if (Status s = fs.CreateDirs(TrashDir(dir_)); !s.ok()) return s;
    if (auto trash = fs.List(TrashDir(dir_)); trash.ok()) {
      for (const std::string& name : *trash) {
        if (!reaped_.insert(name).second) continue;
        reaper_.Add([fs = &fs, path = JoinPath(TrashDir(dir_), name)] { RemoveTree(*fs, path); });
      }
    }
  } else {
    committed_imports = CommittedImports(fs, dir_);
  }
  // Keys first (frames and versions need them), the dictionary last: whatever a reader read
  // that names a string, the string was written before it.
  auto reread = store_->CatchUp(record.Mark(kSlotsFile), access);
  if (!reread.ok()) return reread.status();
  if (Status s = holds_->CatchUp(record.Mark(kHoldsFile)); !s.ok()) return s;
  if (Status s = subscribers_->CatchUp(record.Mark(kSubscribersFile), access); !s.ok()) return s;

  auto names = fs.List(DaysDir(dir_));
  if (!names.ok()) return names.status();
  std::set<int64_t> days;
  for (const std::string& name : *names) {
    if (auto day = ParseDate(name); day.ok()) days.insert(day->days);
  }
  {
    std::lock_guard lock(mu_);
    for (auto it = partitions_.begin(); it != partitions_.end();) {
      it = days.count(it->first) ? std::next(it) : partitions_.erase(it);  // gone elsewhere
    }
  }
  const CatchUpContext context{access, &record, writer ? nullptr : &committed_imports};
  PartitionContext ctx = Context();
  for (int64_t day : days) {
    auto known = PartitionFor(Date{day}, false);
    if (!known.ok()) return known.status();
    Status s;
    if (*known) {
      std::unique_lock lock((*known)->mutex());
      s = (*known)->CatchUpLocked(context);
    } else {
      auto opened = Partition::Open(ctx, JoinPath(DaysDir(dir_), FormatDate(Date{day})), Date{day}, context);
      if (opened.ok()) {
        std::lock_guard lock(mu_);
        partitions_.emplace(day, std::shared_ptr<Partition>(std::move(opened).value()));
      }
      s = opened.status();
    }
    if (s.IsNotFound()) {  // the day went while it was read (another process's retention)
      std::lock_guard lock(mu_);
      partitions_.erase(day);
      continue;
    }
    if (!s.ok()) return s;
  }
  // Keys committed while the days were read, for the blocks of days read since.
  auto again = store_->CatchUp(record.Mark(kSlotsFile), access);
  if (!again.ok()) return again.status();
  if (*reread || *again) {
    // Keys destroyed elsewhere: their accounts' events leave the memtables too.
    std::vector<std::shared_ptr<Partition>> all;
    {
      std::lock_guard lock(mu_);
      for (auto& [d, p] : partitions_) all.push_back(p);
    }
    for (auto& p : all) {
      std::unique_lock lock(p->mutex());
      p->ForgetDeletedLocked();
    }
  }
  return dictionary_->CatchUp(record.Mark(kDictionaryFile), access);
}

Status EmbeddedVault::CatchUpForRead() {
  FileSystem& fs = *options_.fs;
  const auto current = [&](const LockRecord& r) {
    return r.valid && (r.publisher == id_ || r.generation == known_generation_.load());
  };
  if (current(ReadLockRecord(fs, LockPath(dir_)))) return Status::Ok();
  std::lock_guard sync(sync_mu_);
  for (int attempt = 0;; ++attempt) {
    const LockRecord record = ReadLockRecord(fs, LockPath(dir_));
    if (current(record)) return Status::Ok();
    Status s = CatchUp(CatchUpAccess::kRead, record);
    if (s.ok()) {
      known_generation_ = record.generation;
      return s;
    }
    // A writer changed files while they were read: read them again.
    const LockRecord after = ReadLockRecord(fs, LockPath(dir_));
    if (attempt >= kReadAttempts || after.generation == record.generation) return s;
  }
}

Result<std::shared_ptr<Partition>> EmbeddedVault::PartitionFor(Date day, bool create) {
  std::lock_guard lock(mu_);
  if (auto it = partitions_.find(day.days); it != partitions_.end()) return it->second;
  if (!create) return std::shared_ptr<Partition>();
  FileSystem& fs = *options_.fs;
  const std::string path = JoinPath(DaysDir(dir_), FormatDate(day));
  if (Status s = fs.CreateDirs(path); !s.ok()) return s;
  if (Status s = fs.SyncDir(DaysDir(dir_)); !s.ok()) return s;
  PartitionContext ctx = Context();
  auto p = Partition::Open(ctx, path, day, CatchUpContext{CatchUpAccess::kWrite});
  if (!p.ok()) return p.status();
  auto shared = std::shared_ptr<Partition>(std::move(p).value());
  partitions_.emplace(day.days, shared);
  return shared;
}

namespace {

// Hands parsed batches from the parsing thread to the committing one, one at a time, so that
// parsing the next batch overlaps committing this one.
class BatchQueue {
 public:
  // False once the consumer has stopped (after a failure).
  bool Push(std::unique_ptr<ParsedBatch> batch) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !pending_ || stopped_; });
    if (stopped_) return false;
    pending_ = std::move(batch);
    cv_.notify_all();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Null when closed and drained.
  std::unique_ptr<ParsedBatch> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return pending_ || closed_; });
    auto b = std::move(pending_);
    cv_.notify_all();
    return b;
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<ParsedBatch> pending_;
  bool closed_ = false;
  bool stopped_ = false;
};

// Puts a day's events, and their lines, in the order they are stored in. Done as a batch is
// parsed, off the committing thread, which holds the writer lock.
void SortForStoring(DayBatch& day) {
  const std::vector<StoredPosition> order = StoredOrder(day.events);
  std::vector<PackedEvent> events(order.size());
  std::vector<uint64_t> lines(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    events[i] = day.events[order[i].index];
    lines[i] = day.lines[order[i].index];
  }
  day.events = std::move(events);
  day.lines = std::move(lines);
}

}  // namespace

void EmbeddedVault::ParseBatches(std::string_view text, uint64_t first_line, IngestReport& report,
                         const std::function<bool(std::unique_ptr<ParsedBatch>)>& parsed) {
  const auto sorted = [](std::unique_ptr<ParsedBatch> batch) {
    for (auto& [day, b] : batch->days) SortForStoring(b);
    return batch;
  };
  EventAdmission admission(options_.clock->Now(), access_log_retention_days_.load(),
                           options_.future_tolerance_micros);
  auto batch = std::make_unique<ParsedBatch>();
  size_t batch_lines = 0;
  bool stopped = false;
  ForEachLine(text, first_line, [&](uint64_t line_number, std::string_view line) {
    if (Status s = admission.Admit(line); !s.ok()) {
      Reject(report, options_.max_listed_errors, line_number, s.message());
      return true;
    }
    const AccessEvent& event = admission.event();
    PackedEvent pe = PackWithoutStrings(event);
    // The dictionary's ids are given when the batch is committed, holding the writer lock:
    // until then a user agent is the batch's own string.
    if (event.user_agent) pe.user_agent = batch->pool.Intern(*event.user_agent);
    if (event.device_id) pe.device = batch->pool.Intern(*event.device_id);
    if (event.event_id) pe.event_id = batch->pool.Intern(*event.event_id);
    DayBatch& b = batch->days[event.ts.UtcDate().days];
    b.events.push_back(pe);
    b.lines.push_back(line_number);
    if (++batch_lines >= options_.batch_lines) {
      stopped = !parsed(sorted(std::move(batch)));
      batch = std::make_unique<ParsedBatch>();
      batch_lines = 0;
    }
    return !stopped;
  });
  if (!stopped && !batch->days.empty()) parsed(sorted(std::move(batch)));
}

Status EmbeddedVault::CommitBatch(ParsedBatch& batch, IngestReport& report) {
  // One batch, one hold of the writer lock: another process's writes go between batches.
  return Writing("ingest batch", [&](WriterLock&) {
    // The dictionary's ids, given under the lock. A batch holds few user agents, each in many
    // events: each is looked up in the dictionary once, by its id in the batch's pool.
    std::vector<uint32_t> agent_ids(batch.pool.size() + 1, 0);
    for (auto& [day, b] : batch.days) {
      for (PackedEvent& e : b.events) {
        if (!e.user_agent) continue;
        uint32_t& id = agent_ids[e.user_agent];
        if (!id) id = dictionary_->Intern(batch.pool.Get(e.user_agent));
        e.user_agent = id;
      }
    }
    for (auto& [day, b] : batch.days) {
      if (Status s = CommitDay(Date{day}, b.events, b.lines, batch.pool, report); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

namespace {

// Adds what `from` counted and listed to `to`, its errors in line order.
void MergeReport(IngestReport& to, IngestReport& from, size_t max_listed) {
  to.accepted += from.accepted;
  to.rejected += from.rejected;
  to.duplicates += from.duplicates;
  for (auto& e : from.errors) {
    if (to.errors.size() < max_listed) to.errors.push_back(std::move(e));
  }
  from = IngestReport();
  std::stable_sort(to.errors.begin(), to.errors.end(),
                   [](const IngestError& a, const IngestError& b) { return a.line < b.line; });
}

}  // namespace

Status EmbeddedVault::Ingest(std::string_view text, IngestReport& report, uint64_t first_line) {
  // The committing thread reports into its own report; the two are merged at the end.
  IngestReport committed;
  Status commit_status;
  BatchQueue queue;
  std::thread committer([&] {
    while (auto batch = queue.Pop()) {
      commit_status = CommitBatch(*batch, committed);
      if (!commit_status.ok()) {
        queue.Stop();
        return;
      }
    }
  });
  ParseBatches(text, first_line, report,
               [&](std::unique_ptr<ParsedBatch> batch) { return queue.Push(std::move(batch)); });
  queue.Close();
  committer.join();
  MergeReport(report, committed, options_.max_listed_errors);
  return commit_status;
}

ParsedEvents EmbeddedVault::ParseEvents(std::string_view text, uint64_t first_line) {
  ParsedEvents events;
  ParseBatches(text, first_line, events.rejected, [&](std::unique_ptr<ParsedBatch> batch) {
    events.batches.push_back(std::move(batch));
    return true;
  });
  return events;
}

Status EmbeddedVault::CommitEvents(ParsedEvents& events, IngestReport& report) {
  IngestReport committed;
  Status status;
  for (auto& batch : events.batches) {
    status = CommitBatch(*batch, committed);
    if (!status.ok()) break;
    batch.reset();
  }
  MergeReport(report, events.rejected, options_.max_listed_errors);
  MergeReport(report, committed, options_.max_listed_errors);
  return status;
}

Status EmbeddedVault::CommitDay(Date day, const std::vector<PackedEvent>& events,
                        const std::vector<uint64_t>& lines, const StringPool& pool,
                        IngestReport& report) {
  auto partition = PartitionFor(day, true);
  if (!partition.ok()) return partition.status();
  Partition& p = **partition;
  std::unique_lock lock(p.mutex());

  auto journal = p.JournalIdLocked();
  if (!journal.ok()) return journal.status();

  // The batch's accounts, each once: their keys from one call, and a nonce for each one's
  // frame from one draw.
  std::vector<uint64_t> batch_accounts;
  std::vector<size_t> group_starts;  // where each account's events start
  for (size_t i = 0; i < events.size(); ++i) {
    const uint64_t account = events[i].account_id;
    if (batch_accounts.empty() || batch_accounts.back() != account) {
      batch_accounts.push_back(account);
      group_starts.push_back(i);
    }
  }
  group_starts.push_back(events.size());
  std::vector<std::optional<SecretKey>> keys;
  if (Status s = store_->GetOrCreateMany(batch_accounts, keys); !s.ok()) return s;
  std::vector<Nonce> nonces(batch_accounts.size());
  RandomBytes(nonces.data(), nonces.size() * sizeof(Nonce));

  // Each account's frame is encoded and sealed on its own; a large batch's accounts are
  // framed in a few runs on the vault's threads, put back together in order.
  struct Run {
    std::vector<PackedEvent> stored;
    std::vector<EventIdTag> ids;
    std::vector<uint64_t> deleted_lines;  // events of accounts whose key was destroyed
    std::string frames;
    uint64_t duplicates = 0;
    Status status;  // an index that could not be read
  };
  const size_t runs_wanted = batch_accounts.size() >= kParallelFramingAccounts ? options_.threads : 1;
  std::vector<Run> runs(std::min(runs_wanted, batch_accounts.size()));
  Parallel(runs.size(), options_.threads, [&](size_t r) {
    Run& run = runs[r];
    const size_t from = batch_accounts.size() * r / runs.size();
    const size_t to = batch_accounts.size() * (r + 1) / runs.size();
    std::unordered_set<EventIdTag, EventIdTagHash> batch_ids;  // an id's tag names its account
    std::string plain;
    for (size_t a = from; a < to; ++a) {
      const uint64_t account = batch_accounts[a];
      if (!keys[a]) {
        for (size_t i = group_starts[a]; i < group_starts[a + 1]; ++i) run.deleted_lines.push_back(lines[i]);
        continue;
      }
      const size_t first = run.stored.size();
      for (size_t i = group_starts[a]; i < group_starts[a + 1]; ++i) {
        const PackedEvent& e = events[i];
        if (e.event_id) {
          const EventIdTag tag = EventIdTagOf(keys_.event_ids, account, pool.Get(e.event_id));
          auto stored = p.HasEventIdLocked(tag);
          if (!stored.ok()) {
            run.status = stored.status();
            return;
          }
          if (*stored || !batch_ids.insert(tag).second) {
            ++run.duplicates;
            continue;
          }
          run.ids.push_back(tag);
        }
        run.stored.push_back(e);
      }
      if (run.stored.size() == first) continue;
      plain.clear();
      EncodeBlock(std::span(run.stored).subspan(first), p.day_start(), pool, plain, /*compress=*/false);
      JournalFrame frame;
      frame.account_tag = AccountTag(keys_.account_tags, account).first;
      frame.nonce = nonces[a];
      SealTo(frame.sealed, *keys[a], frame.nonce, plain, Partition::JournalAssociatedData(account, day, *journal));
      EncodeJournalFrame(frame, run.frames);
    }
  });
  std::vector<PackedEvent> stored;
  std::vector<EventIdTag> ids;
  std::string frames;
  uint64_t duplicates = 0;
  for (Run& run : runs) {
    if (!run.status.ok()) return run.status;
    for (uint64_t line : run.deleted_lines) {
      Reject(report, options_.max_listed_errors, line, "account_id: the account was deleted");
    }
    if (stored.empty()) {
      stored = std::move(run.stored);
      ids = std::move(run.ids);
      frames = std::move(run.frames);
    } else {
      stored.insert(stored.end(), run.stored.begin(), run.stored.end());
      ids.insert(ids.end(), run.ids.begin(), run.ids.end());
      frames += run.frames;
    }
    duplicates += run.duplicates;
  }
  // Order matters: what the frames depend on (new strings, new keys) is durable first.
  if (Status s = dictionary_->Commit(); !s.ok()) return s;
  if (Status s = store_->CommitNew(); !s.ok()) return s;
  if (!frames.empty()) {
    if (Status s = p.AppendJournalLocked(frames); !s.ok()) return s;
  }
  p.AddToMemtableLocked(stored, pool, ids);
  report.accepted += stored.size() + duplicates;
  report.duplicates += duplicates;
  if (p.memtable_size() >= options_.seal_after_events) return p.SealLocked(options_.threads);
  return Status::Ok();
}

Status EmbeddedVault::Seal(std::optional<Date> before) {
  return Writing("seal", [&](WriterLock&) { return SealDays(before); });
}

Status EmbeddedVault::Recover() {
  return Writing("recovery", [](WriterLock&) { return Status::Ok(); });
}

Status EmbeddedVault::SealDays(std::optional<Date> before) {
  std::vector<std::shared_ptr<Partition>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [day, p] : partitions_) {
      if (!before || day < before->days) all.push_back(p);
    }
  }
  // Partitions seal independently: spread them over the cores, and a partition's blocks over
  // the cores left when there are fewer partitions than cores.
  std::mutex failure_mu;
  Status failure;
  const size_t each = std::max<size_t>(1, options_.threads / std::max<size_t>(1, all.size()));
  Parallel(all.size(), options_.threads, [&](size_t i) {
    std::unique_lock lock(all[i]->mutex());
    if (Status s = all[i]->SealLocked(each); !s.ok()) {
      std::lock_guard f(failure_mu);
      if (failure.ok()) failure = s;
    }
  });
  return failure;
}

Status EmbeddedVault::CheckGrant(const Grant& grant, std::optional<Category> category, Timestamp start,
                         Timestamp end) const {
  if (!grants_.Verify(grant, options_.clock->Now())) {
    return Status::InvalidArgument("the grant is not valid: altered, foreign or expired");
  }
  if (category && !grant.scope.categories.Contains(*category)) {
    return Status::InvalidArgument("the grant does not cover " + std::string(CategoryName(*category)));
  }
  if (start < grant.scope.start || end > grant.scope.end || !(start < end)) {
    return Status::InvalidArgument("the window " + Window(start, end) +
                                   " is outside the grant's window " +
                                   Window(grant.scope.start, grant.scope.end));
  }
  return Status::Ok();
}

std::optional<std::string_view> EmbeddedVault::Agent(uint32_t id) {
  if (!id) return std::nullopt;
  return dictionary_->Get(id);
}

AccessRecord EmbeddedVault::ToRecord(uint64_t account, int64_t ts, uint8_t kind, uint8_t flags,
                             const std::array<uint8_t, 16>& ip, uint16_t port,
                             std::optional<std::string_view> user_agent,
                             std::string_view device, bool has_device, bool with_device) {
  AccessRecord r;
  r.account_id = account;
  r.ts = Timestamp{ts};
  r.kind = static_cast<EventKind>(kind);
  r.ip = ToAddress(ip, flags);
  if (flags & PackedEvent::kHasPort) r.port = port;
  if (with_device) {
    r.user_agent = user_agent;
    if (has_device) r.device_id = std::string(device);
  }
  return r;
}

Status EmbeddedVault::VisitAccountDay(Partition& p, uint64_t account, const Tag96& tag,
                              const SecretKey& key, int64_t start, int64_t end, bool with_device,
                              std::vector<AccessRecord>& out) {
  std::string scratch_block, plain, scratch;
  // User agents repeat within an account: look each id up once.
  uint32_t last_agent = 0;
  std::string_view last_agent_text;
  const auto agent = [&](uint32_t id) -> std::optional<std::string_view> {
    if (!id) return std::nullopt;
    if (id != last_agent) last_agent = id, last_agent_text = dictionary_->Get(id);
    return last_agent_text;
  };
  std::vector<BlockRef> blocks;
  for (const auto& segment : p.segments()) {
    blocks.clear();
    if (Status s = segment->FindBlocks(tag, blocks); !s.ok()) return s;
    for (const BlockRef& block : blocks) {
      out.reserve(out.size() + block.events);
      auto sealed = segment->Block(block, scratch_block);
      if (!sealed.ok()) return sealed.status();
      if (!OpenTo(plain, key, BlockNonce(segment->id(), block.ordinal), *sealed,
                  BlockAssociatedData(account, p.day(), segment->id(), block.ordinal))) {
        return Status::Corruption(segment->BlockWhere(block) + " fails authentication");
      }
      Status s = DecodeBlock(plain, p.day_start(), scratch, [&](const BlockEvent& e) {
        if (e.ts >= start && e.ts < end) {
          out.push_back(ToRecord(account, e.ts, e.kind, e.flags, e.ip, e.port, agent(e.user_agent),
                                 e.device, e.has_device, with_device));
        }
      });
      if (!s.ok()) return Status::Corruption(segment->BlockWhere(block) + " does not decode");
    }
  }
  p.ForEachMemtableEventOf(account, [&](const PackedEvent& e) {
    if (e.ts < start || e.ts >= end) return;
    out.push_back(ToRecord(account, e.ts, e.kind, e.flags, e.ip, e.port, agent(e.user_agent),
                           e.device ? p.pool().Get(e.device) : std::string_view(),
                           e.device != 0, with_device));
  });
  return Status::Ok();
}

Status EmbeddedVault::ScanAccount(const Grant& grant, uint64_t account, Timestamp start, Timestamp end,
                          ReadAudit& audit, const std::function<void(const AccessRecord&)>& visit) {
  if (Status s = CheckGrant(grant, Category::kAccessLog, start, end); !s.ok()) return s;
  if (Status s = CatchUpForRead(); !s.ok()) return s;
  const auto& accounts = grant.scope.accounts;
  if (std::find(accounts.begin(), accounts.end(), account) == accounts.end()) {
    return Status::InvalidArgument("the grant does not name account " + std::to_string(account));
  }
  if (Status s = audit.RecordRead(grant, "access_log account " + std::to_string(account) + " " +
                                             Window(start, end));
      !s.ok()) {
    return s;
  }
  auto key = store_->Get(account);
  if (!key.ok()) {
    if (key.status().IsNotFound()) return Status::Ok();  // never seen, or deleted
    return key.status();
  }
  const bool with_device = grant.scope.categories.Contains(Category::kDevice);
  const Tag96 tag = AccountTag(keys_.account_tags, account);
  const auto by_time = [](const AccessRecord& a, const AccessRecord& b) { return a.ts < b.ts; };
  std::vector<AccessRecord> day;
  for (Date d = start.UtcDate(); d <= Timestamp{end.micros - 1}.UtcDate(); d = d.PlusDays(1)) {
    auto p = PartitionFor(d, false);
    if (!p.ok()) return p.status();
    if (!*p) continue;
    day.clear();
    {
      std::shared_lock lock((*p)->mutex());
      if (Status s = VisitAccountDay(**p, account, tag, *key, start.micros, end.micros, with_device, day);
          !s.ok()) {
        return s;
      }
    }
    // Blocks are in time order; late events in a second segment or the journal interleave.
    if (!std::is_sorted(day.begin(), day.end(), by_time)) {
      std::stable_sort(day.begin(), day.end(), by_time);
    }
    for (const AccessRecord& r : day) visit(r);
  }
  return Status::Ok();
}

Result<std::vector<AccessRecord>> EmbeddedVault::ReadAccount(const Grant& grant, uint64_t account,
                                                     Timestamp start, Timestamp end,
                                                     ReadAudit& audit) {
  std::vector<AccessRecord> out;
  Status s = ScanAccount(grant, account, start, end, audit,
                         [&](const AccessRecord& r) { out.push_back(r); });
  if (!s.ok()) return s;
  return out;
}

Status EmbeddedVault::CollectAddress(const Grant& grant, const IpEndpoint& address, Timestamp start,
                             Timestamp end, std::vector<uint64_t>& accounts,
                             std::map<uint64_t, std::vector<AccessRecord>>* by_account) {
  const bool records = by_account != nullptr;
  const std::array<uint8_t, 16> ip = PackedAddress(address.address);
  const bool v6 = !address.address.is_v4();
  const uint64_t tag = AddressTag(keys_.address_index, ip, v6);
  const bool with_device = grant.scope.categories.Contains(Category::kDevice);
  const auto matches = [&](const std::array<uint8_t, 16>& e_ip, uint8_t flags, uint16_t port,
                           int64_t ts) {
    return e_ip == ip && IsV6(flags) == v6 && ts >= start.micros && ts < end.micros &&
           (!address.port || ((flags & PackedEvent::kHasPort) && port == *address.port));
  };
  std::string scratch_block, plain, scratch;
  std::vector<AddressUse> uses;
  std::vector<uint32_t> certain_blocks;
  // Blocks whose account certainly matches: their tags, resolved to accounts at the end.
  std::vector<std::pair<uint64_t, uint32_t>> certain_tags;
  for (Date d = start.UtcDate(); d <= Timestamp{end.micros - 1}.UtcDate(); d = d.PlusDays(1)) {
    auto p = PartitionFor(d, false);
    if (!p.ok()) return p.status();
    if (!*p) continue;
    Partition& part = **p;
    std::shared_lock lock(part.mutex());
    for (const auto& segment : part.segments()) {
      uses.clear();
      certain_blocks.clear();
      if (Status s = segment->FindAddress(tag, uses); !s.ok()) return s;
      for (const AddressUse& use : uses) {
        // The index knows the second of the first and of the last use: a use in the window
        // is certain when one of those seconds lies wholly inside it; none is possible when
        // the uses end before it or begin after it.
        const int64_t first = part.day_start() + int64_t{use.first_second} * kMicrosPerSecond;
        const int64_t last = part.day_start() + int64_t{use.last_second} * kMicrosPerSecond;
        if (last + kMicrosPerSecond <= start.micros || first >= end.micros) continue;
        const auto inside = [&](int64_t second) {
          return second >= start.micros && second + kMicrosPerSecond <= end.micros;
        };
        const bool certain = !address.port && (inside(first) || inside(last));
        if (certain && !records) {
          certain_blocks.push_back(use.block);  // resolved below, in one go
          continue;
        }
        auto block = segment->BlockAt(use.block);
        if (!block.ok()) return block.status();
        std::vector<uint64_t> owners;
        const std::pair<uint64_t, uint32_t> tag96(block->tag, block->check);
        store_->AccountsOfTags(std::span(&tag96, 1), owners);
        for (uint64_t account : owners) {
          auto key = store_->Get(account);
          if (!key.ok()) continue;
          auto sealed = segment->Block(*block, scratch_block);
          if (!sealed.ok()) return sealed.status();
          if (!OpenTo(plain, *key, BlockNonce(segment->id(), block->ordinal), *sealed,
                      BlockAssociatedData(account, part.day(), segment->id(), block->ordinal))) {
            return Status::Corruption(segment->BlockWhere(*block) + " fails authentication");
          }
          Status s = DecodeBlock(plain, part.day_start(), scratch, [&](const BlockEvent& e) {
            if (!matches(e.ip, e.flags, e.port, e.ts)) return;
            accounts.push_back(account);
            if (records) {
              (*by_account)[account].push_back(ToRecord(account, e.ts, e.kind, e.flags, e.ip,
                                                        e.port, Agent(e.user_agent), e.device,
                                                        e.has_device, with_device));
            }
          });
          if (!s.ok()) return Status::Corruption(segment->BlockWhere(*block) + " does not decode");
        }
      }
      // The uses are in block order: each chunk of the block index is checked once.
      if (Status s = segment->BlockTagsAt(certain_blocks, certain_tags); !s.ok()) return s;
    }
    for (size_t i = 0; i < part.memtable_size(); ++i) {
      const PackedEvent& e = part.memtable_event(static_cast<uint32_t>(i));
      if (!matches(e.ip, e.flags, e.port, e.ts)) continue;
      accounts.push_back(e.account_id);
      if (records) {
        (*by_account)[e.account_id].push_back(
            ToRecord(e.account_id, e.ts, e.kind, e.flags, e.ip, e.port, Agent(e.user_agent),
                     e.device ? part.pool().Get(e.device) : std::string_view(), e.device != 0,
                     with_device));
      }
    }
  }
  std::sort(certain_tags.begin(), certain_tags.end());
  certain_tags.erase(std::unique(certain_tags.begin(), certain_tags.end()), certain_tags.end());
  store_->AccountsOfTags(certain_tags, accounts);
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return Status::Ok();
}

Status EmbeddedVault::CheckAddressGrant(const Grant& grant, const IpEndpoint& address, Timestamp start,
                                Timestamp end, ReadAudit& audit) {
  if (Status s = CheckGrant(grant, Category::kAccessLog, start, end); !s.ok()) return s;
  if (Status s = CatchUpForRead(); !s.ok()) return s;
  const auto& addresses = grant.scope.addresses;
  if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
    return Status::InvalidArgument("the grant does not name that address");
  }
  return audit.RecordRead(grant, "access_log address " + address.ToString() + " " +
                                     Window(start, end));
}

Result<std::vector<uint64_t>> EmbeddedVault::AccountsAtAddress(const Grant& grant,
                                                       const IpEndpoint& address, Timestamp start,
                                                       Timestamp end, ReadAudit& audit) {
  if (Status s = CheckAddressGrant(grant, address, start, end, audit); !s.ok()) return s;
  std::vector<uint64_t> accounts;
  if (Status s = CollectAddress(grant, address, start, end, accounts, nullptr); !s.ok()) return s;
  return accounts;
}

Result<AddressReadResult> EmbeddedVault::ReadAddress(const Grant& grant, const IpEndpoint& address,
                                             Timestamp start, Timestamp end, size_t max_accounts,
                                             ReadAudit& audit) {
  if (Status s = CheckAddressGrant(grant, address, start, end, audit); !s.ok()) return s;
  // Which accounts first, without opening what need not be opened: over the cap, nothing
  // more is read.
  std::vector<uint64_t> accounts;
  if (Status s = CollectAddress(grant, address, start, end, accounts, nullptr); !s.ok()) return s;
  AddressReadResult result;
  result.accounts = accounts.size();
  if (accounts.size() > max_accounts) {
    result.withheld = true;
    return result;
  }
  accounts.clear();
  std::map<uint64_t, std::vector<AccessRecord>> by_account;
  if (Status s = CollectAddress(grant, address, start, end, accounts, &by_account); !s.ok()) return s;
  for (auto& [account, records] : by_account) {
    std::stable_sort(records.begin(), records.end(),
                     [](const AccessRecord& a, const AccessRecord& b) { return a.ts < b.ts; });
    result.records.insert(result.records.end(), records.begin(), records.end());
  }
  return result;
}

Result<VaultStats> EmbeddedVault::Stats() {
  if (Status s = CatchUpForRead(); !s.ok()) return s;
  VaultStats stats;
  stats.accounts = store_->live_accounts();
  stats.subscriber_versions = subscribers_->versions();
  stats.deleted_accounts = store_->deleted_accounts();
  std::vector<std::shared_ptr<Partition>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [day, p] : partitions_) all.push_back(p);
  }
  stats.partitions = all.size();
  if (!all.empty()) {
    stats.oldest_day = all.front()->day();  // partitions_ is ordered by day
    stats.newest_day = all.back()->day();
  }
  stats.access_log_retention_days = access_log_retention_days_.load();
  stats.subscriber_retention_days = subscriber_retention_days_.load();
  const Timestamp now = options_.clock->Now();
  for (const Hold& h : holds_->List()) stats.active_holds += h.ActiveAt(now);
  for (auto& p : all) {
    std::shared_lock lock(p->mutex());
    for (const auto& s : p->segments()) stats.events += s->events();
    stats.segments += p->segments().size();
    const size_t open = p->memtable_size();
    stats.unsealed_events += open;
    stats.events += open;
  }
  FileSystem& fs = *options_.fs;
  std::vector<std::string> files = {JoinPath(dir_, "vault/strings.dict"),
                                    JoinPath(dir_, "vault/subscribers.log"),
                                    JoinPath(dir_, "vault/holds.sealed")};
  auto add_dir = [&](const std::string& d) -> Status {
    auto names = fs.List(d);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) files.push_back(JoinPath(d, name));
    return Status::Ok();
  };
  if (Status s = add_dir(KeysDir(dir_)); !s.ok()) return s;
  for (auto& p : all) {
    if (Status s = add_dir(JoinPath(DaysDir(dir_), FormatDate(p->day()))); !s.ok()) return s;
  }
  for (const std::string& f : files) {
    if (auto size = fs.FileSize(f); size.ok()) stats.bytes_on_disk += *size;
  }
  return stats;
}

Status EmbeddedVault::PlaceHold(const Hold& hold) {
  return Writing("hold placement", [&](WriterLock&) {
    if (store_->IsDeleted(hold.account)) {
      return Status::NotFound("account " + std::to_string(hold.account) + " was deleted");
    }
    return holds_->Place(hold);
  });
}

Status EmbeddedVault::ExtendHold(const std::string& id, Timestamp expires) {
  return Writing("hold extension", [&](WriterLock&) { return holds_->Extend(id, expires); });
}

std::vector<Hold> EmbeddedVault::Holds() {
  // Holds placed by another process count only once read; on a failure, those known.
  CatchUpForRead().IgnoreError();
  return holds_->List();
}

Status EmbeddedVault::ReleaseHold(const std::string& id) {
  return Writing("hold release", [&](WriterLock&) -> Status {
    std::optional<Hold> hold;
    for (const Hold& h : holds_->List()) {
      if (h.id == id) hold = h;
    }
    if (!hold) return Status::NotFound("no hold " + id);
    if (Status s = holds_->Release(id); !s.ok()) return s;
    // A deletion that waited for this hold goes ahead once no other hold covers the account.
    const auto pending = holds_->PendingDeletions();
    if (std::find(pending.begin(), pending.end(), hold->account) != pending.end() &&
        holds_->ActiveFor(hold->account, options_.clock->Now()).empty()) {
      if (Status s = DestroyAccount(hold->account); !s.ok()) return s;
      return holds_->RemovePendingDeletion(hold->account);
    }
    return Status::Ok();
  });
}

Status EmbeddedVault::DestroyAccount(uint64_t account) {
  std::vector<std::shared_ptr<Partition>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [day, p] : partitions_) all.push_back(p);
  }
  if (Status s = store_->Destroy(account); !s.ok() && !s.IsNotFound()) return s;
  for (auto& p : all) {
    std::unique_lock lock(p->mutex());
    p->ForgetAccountLocked(account);
  }
  return Status::Ok();
}

Result<DeletionOutcome> EmbeddedVault::DeleteAccount(uint64_t account) {
  return Writing("account deletion", [&](WriterLock&) -> Result<DeletionOutcome> {
    if (store_->IsDeleted(account)) return DeletionOutcome::kDeleted;
    if (!store_->Get(account).ok()) {
      return Status::NotFound("the vault holds nothing for account " + std::to_string(account));
    }
    if (!holds_->ActiveFor(account, options_.clock->Now()).empty()) {
      if (Status s = holds_->AddPendingDeletion(account); !s.ok()) return s;
      return DeletionOutcome::kDeferred;
    }
    if (Status s = DestroyAccount(account); !s.ok()) return s;
    return DeletionOutcome::kDeleted;
  });
}

Result<RetentionReport> EmbeddedVault::RunRetention() {
  return Writing("retention run", [&](WriterLock& lock) { return RetainLocked(lock); });
}

Result<RetentionReport> EmbeddedVault::RetainLocked(WriterLock& lock) {
  RetentionReport report;
  const Timestamp now = options_.clock->Now();
  auto expired = holds_->Expire(now);
  if (!expired.ok()) return expired.status();
  report.holds_expired = expired->size();
  for (uint64_t account : holds_->PendingDeletions()) {
    if (!holds_->ActiveFor(account, now).empty()) continue;
    if (Status s = DestroyAccount(account); !s.ok()) return s;
    if (Status s = holds_->RemovePendingDeletion(account); !s.ok()) return s;
    ++report.deletions_completed;
  }
  const Date cutoff = now.UtcDate().PlusDays(-access_log_retention_days_.load());
  std::vector<std::shared_ptr<Partition>> expiring;
  {
    std::lock_guard lock(mu_);
    for (auto& [day, p] : partitions_) {
      if (day < cutoff.days) expiring.push_back(p);
    }
  }
  const std::vector<Hold> holds = holds_->List();
  for (auto& p : expiring) {
    std::vector<uint64_t> held;
    for (const Hold& h : holds) {
      if (h.Covers(p->day())) held.push_back(h.account);
    }
    std::unique_lock lock(p->mutex());
    if (held.empty()) {
      // Constant time: the day's directory moves aside and leaves the map; freeing its files
      // and indexes (time that grows with the day) happens on the reaper's thread.
      std::array<uint8_t, 8> suffix;
      RandomBytes(suffix.data(), suffix.size());
      const std::string trash = JoinPath(TrashDir(dir_), FormatDate(p->day()) + "." +
                                                              HexEncode(suffix.data(), suffix.size()));
      if (Status s = p->MoveToTrashLocked(trash); !s.ok()) return s;
      {
        std::lock_guard map_lock(mu_);
        partitions_.erase(p->day().days);
      }
      lock.unlock();
      reaped_.insert(trash.substr(trash.rfind('/') + 1));
      reaper_.Add([p = std::move(p), trash, fs = options_.fs]() mutable {
        p.reset();
        RemoveTree(*fs, trash);
      });
      ++report.partitions_deleted;
    } else {
      Status s = p->RetainOnlyLocked([&](uint64_t account) {
        return std::find(held.begin(), held.end(), account) != held.end();
      });
      if (!s.ok()) return s;
      ++report.partitions_kept_for_holds;
    }
  }
  // Subscriber history: held accounts keep theirs whole.
  const Timestamp subscriber_cutoff =
      Timestamp{now.micros - subscriber_retention_days_.load() * kMicrosPerDay};
  // While the log is rewritten, the lock record must not promise its old length (durably: a
  // crash in between would leave a shorter file than the record says).
  std::map<std::string, FileMark> marks = CollectMarks();
  auto compacted = subscribers_->Compact(
      subscriber_cutoff, [&](uint64_t account) { return !holds_->ActiveFor(account, now).empty(); },
      [&](const FileMark& rewriting) {
        marks[kSubscribersFile] = rewriting;
        return Publish(lock, lock.holder(), marks, true);
      });
  if (!compacted.ok()) return compacted.status();
  report.subscriber_versions_deleted = *compacted;
  return report;
}

Status EmbeddedVault::IngestSubscribers(std::string_view text, IngestReport& report, uint64_t first_line) {
  SubscriberParser parser;
  std::vector<SubscriberVersion> batch;
  std::vector<uint64_t> lines;
  const auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    Status s = Writing("subscriber batch", [&](WriterLock&) -> Status {
      std::vector<SubscriberVersion> kept;
      std::vector<uint64_t> rejected;
      for (size_t i = 0; i < batch.size(); ++i) {
        auto key = store_->GetOrCreate(batch[i].account_id);
        if (!key.ok()) {
          if (!key.status().IsNotFound()) return key.status();
          rejected.push_back(lines[i]);
          continue;
        }
        kept.push_back(batch[i]);
      }
      if (Status c = store_->CommitNew(); !c.ok()) return c;
      if (Status a = subscribers_->Append(kept); !a.ok()) return a;
      for (uint64_t line : rejected) {
        Reject(report, options_.max_listed_errors, line, "account_id: the account was deleted");
      }
      report.accepted += kept.size();
      return Status::Ok();
    });
    batch.clear();
    lines.clear();
    return s;
  };
  Status failure;
  ForEachLine(text, first_line, [&](uint64_t line_number, std::string_view line) {
    SubscriberVersion v;
    if (Status s = parser.Parse(line, v); !s.ok()) {
      Reject(report, options_.max_listed_errors, line_number, s.message());
      return true;
    }
    batch.push_back(std::move(v));
    lines.push_back(line_number);
    if (batch.size() >= options_.batch_lines) failure = flush();
    return failure.ok();
  });
  if (failure.ok()) failure = flush();
  std::stable_sort(report.errors.begin(), report.errors.end(),
                   [](const IngestError& a, const IngestError& b) { return a.line < b.line; });
  return failure;
}

namespace {

// The versions of `all` (sorted by effective_from) in force at some time in [start, end).
std::vector<SubscriberVersion> InForce(std::vector<SubscriberVersion> all, Timestamp start,
                                       Timestamp end) {
  std::vector<SubscriberVersion> out;
  for (size_t i = 0; i < all.size(); ++i) {
    const bool started = all[i].effective_from < end;
    const bool not_yet_superseded = i + 1 == all.size() || all[i + 1].effective_from > start;
    if (started && not_yet_superseded) out.push_back(std::move(all[i]));
  }
  return out;
}

}  // namespace

Result<std::vector<SubscriberVersion>> EmbeddedVault::ReadSubscriber(const Grant& grant, uint64_t account,
                                                             Timestamp start, Timestamp end,
                                                             ReadAudit& audit) {
  if (Status s = CheckGrant(grant, Category::kBasicSubscriber, start, end); !s.ok()) return s;
  if (Status s = CatchUpForRead(); !s.ok()) return s;
  const auto& accounts = grant.scope.accounts;
  if (std::find(accounts.begin(), accounts.end(), account) == accounts.end()) {
    return Status::InvalidArgument("the grant does not name account " + std::to_string(account));
  }
  if (Status s = audit.RecordRead(grant, "basic_subscriber account " + std::to_string(account) +
                                             " " + Window(start, end));
      !s.ok()) {
    return s;
  }
  auto versions = subscribers_->VersionsOf(account);
  if (!versions.ok()) return versions.status();
  return InForce(std::move(versions).value(), start, end);
}

Result<std::vector<uint64_t>> EmbeddedVault::ResolveIdentifier(const Grant& grant,
                                                       const GrantIdentifier& identifier,
                                                       Timestamp start, Timestamp end,
                                                       ReadAudit& audit) {
  // Resolving reveals no category's data, only which accounts: no category to check.
  if (Status s = CheckGrant(grant, std::nullopt, start, end); !s.ok()) return s;
  if (Status s = CatchUpForRead(); !s.ok()) return s;
  const auto& named = grant.scope.identifiers;
  if (std::find(named.begin(), named.end(), identifier) == named.end()) {
    return Status::InvalidArgument("the grant does not name that " + identifier.type);
  }
  std::optional<std::string> normalized;
  IdentifierType type;
  if (identifier.type == "username") {
    type = IdentifierType::kUsername;
    normalized = NormalizeUsername(identifier.value);
  } else if (identifier.type == "email") {
    type = IdentifierType::kEmail;
    normalized = NormalizeEmail(identifier.value);
  } else if (identifier.type == "phone") {
    type = IdentifierType::kPhone;
    normalized = NormalizePhone(identifier.value);
  } else {
    return Status::InvalidArgument("an identifier is a username, email or phone");
  }
  if (Status s = audit.RecordRead(grant, "resolve " + identifier.type + " " + Window(start, end));
      !s.ok()) {
    return s;
  }
  std::vector<uint64_t> out;
  if (!normalized) return out;
  for (uint64_t account : subscribers_->CandidatesFor(type, *normalized)) {
    auto versions = subscribers_->VersionsOf(account);
    if (!versions.ok()) return versions.status();
    for (const SubscriberVersion& v : InForce(std::move(versions).value(), start, end)) {
      const bool held =
          type == IdentifierType::kUsername ? v.username && NormalizeUsername(*v.username) == *normalized
          : type == IdentifierType::kEmail
              ? std::find(v.emails.begin(), v.emails.end(), *normalized) != v.emails.end()
              : std::find(v.phones.begin(), v.phones.end(), *normalized) != v.phones.end();
      if (held) {
        out.push_back(account);
        break;
      }
    }
  }
  return out;
}

}  // namespace custodian::vault
