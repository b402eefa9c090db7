#include "vault/partition.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/coding.h"
#include "core/parallel.h"
#include "core/sha256.h"
#include "vault/block_codec.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kJournalPrefix = "journal-";
constexpr std::string_view kSegmentPrefix = "seg-";
constexpr char kJournalAssociated[] = "custodian/journal/v1";
constexpr char kRetentionIntent[] = "RETENTION";

std::string Hex(const std::array<uint8_t, 16>& id) { return HexEncode(id.data(), id.size()); }

// Appends `e`'s fields to a packed event, interning its strings into `pool`.
PackedEvent Pack(const BlockEvent& e, uint64_t account, StringPool& pool) {
  PackedEvent p;
  p.account_id = account;
  p.ts = e.ts;
  p.kind = e.kind;
  p.flags = e.flags;
  p.ip = e.ip;
  p.port = e.port;
  p.user_agent = e.user_agent;
  if (e.has_device) p.device = pool.Intern(e.device);
  if (e.has_event_id) p.event_id = pool.Intern(e.event_id);
  return p;
}

}  // namespace

std::string Partition::JournalAssociatedData(uint64_t account, Date day, const JournalId& id) {
  std::string ad(kJournalAssociated);
  PutFixed64(ad, account);
  PutFixed64(ad, static_cast<uint64_t>(day.days));
  ad.append(reinterpret_cast<const char*>(id.data()), id.size());
  return ad;
}

std::string DayFilePath(Date day, std::string_view name) {
  return "vault/days/" + FormatDate(day) + "/" + std::string(name);
}

namespace {

// The id a segment's file name carries ("seg-<32 hex digits>.seg", maybe with a suffix).
std::optional<SegmentId> SegmentIdOfName(std::string_view name) {
  if (!name.starts_with(kSegmentPrefix) || name.size() < kSegmentPrefix.size() + 32) return std::nullopt;
  SegmentId id;
  for (size_t i = 0; i < id.size(); ++i) {
    uint8_t byte = 0;
    for (char c : name.substr(kSegmentPrefix.size() + 2 * i, 2)) {
      byte <<= 4;
      if (c >= '0' && c <= '9') byte |= c - '0';
      else if (c >= 'a' && c <= 'f') byte |= c - 'a' + 10;
      else return std::nullopt;
    }
    id[i] = byte;
  }
  return id;
}

}  // namespace

Result<std::unique_ptr<Partition>> Partition::Open(const PartitionContext& ctx,
                                                   const std::string& dir, Date day,
                                                   const CatchUpContext& catch_up) {
  std::unique_ptr<Partition> p(new Partition(ctx, dir, day));
  std::unique_lock lock(p->mu_);
  if (Status s = p->CatchUpLocked(catch_up); !s.ok()) return s;
  lock.unlock();
  return p;
}

void Partition::ResetLocked() {
  segments_.clear();
  journals_.clear();
  current_.clear();
  ClearMemtableLocked();
}

bool Partition::HasSegment(const SegmentId& id) const {
  return std::any_of(segments_.begin(), segments_.end(), [&](const auto& s) { return s->id() == id; });
}

Status Partition::CatchUpLocked(const CatchUpContext& catch_up) {
  for (int pass = 0; pass < 3; ++pass) {
    bool again = false;
    Status s = CatchUpPass(catch_up, again);
    if (!s.ok()) {
      ResetLocked();  // nothing half-read stays: the next call reads the day afresh
      return s;
    }
    if (!again) return Status::Ok();
    ResetLocked();
  }
  return Status::IoError(dir_ + ": changed while it was read; try again");
}

std::set<std::string> Partition::RetainedAway() {
  std::set<std::string> away;
  auto text = ctx_.fs.ReadAll(JoinPath(dir_, kRetentionIntent));
  if (!text.ok()) return away;
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text->size();) {
    const size_t nl = text->find('\n', pos);
    lines.push_back(text->substr(pos, (nl == std::string::npos ? text->size() : nl) - pos));
    pos = nl == std::string::npos ? text->size() : nl + 1;
  }
  // The run let go of the files it lists once its new segment is in place.
  if (lines.empty() || (!lines[0].empty() && !ctx_.fs.Exists(JoinPath(dir_, lines[0])))) return away;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i] != lines[0]) away.insert(lines[i]);
  }
  return away;
}

Status Partition::CatchUpPass(const CatchUpContext& catch_up, bool& again) {
  const bool writer = catch_up.access == CatchUpAccess::kWrite;
  FileSystem& fs = ctx_.fs;
  if (!fs.Exists(dir_)) return Status::NotFound(dir_ + ": no longer in the vault");
  if (writer) {
    if (Status s = RecoverRetention(); !s.ok()) return s;
  }
  const std::set<std::string> away = writer ? std::set<std::string>{} : RetainedAway();
  auto names = fs.List(dir_);
  if (!names.ok()) {
    if (!fs.Exists(dir_)) return Status::NotFound(dir_ + ": no longer in the vault");
    return names.status();
  }
  const std::set<std::string> present(names->begin(), names->end());
  std::map<SegmentId, std::string> segments;  // on disk, by id
  std::vector<std::string> journals;
  for (const std::string& name : *names) {
    if (away.count(name)) continue;
    const std::string path = JoinPath(dir_, name);
    if (name.ends_with(".tmp")) {
      // A segment whose sealing did not finish: its journal still holds the events.
      if (writer) {
        if (Status s = fs.Remove(path); !s.ok()) return s;
      }
    } else if (name.ends_with(kPendingSegmentSuffix)) {
      const std::string final_name = name.substr(0, name.size() - kPendingSegmentSuffix.size());
      const std::string final_path = JoinPath(dir_, final_name);
      if (writer) {
        // The writer finished every committed import before: this one never committed.
        if (Status s = fs.Remove(path); !s.ok()) return s;
      } else if (catch_up.committed_imports && catch_up.committed_imports->count(final_path) &&
                 !present.count(final_name)) {
        auto id = SegmentIdOfName(name);
        if (!id) return Status::Corruption(path + ": not a segment's name");
        segments[*id] = path;
      }
    } else if (name.starts_with(kSegmentPrefix)) {
      auto id = SegmentIdOfName(name);
      if (!id) return Status::Corruption(path + ": not a segment's name");
      segments[*id] = path;
    } else if (name.starts_with(kJournalPrefix) && name.ends_with(".log")) {
      journals.push_back(name);
    }
  }

  // A segment read before and gone now: the day was reduced elsewhere (retention).
  for (const auto& segment : segments_) {
    if (!segments.count(segment->id())) {
      again = true;
      return Status::Ok();
    }
  }
  // The segments not read before, read at once: each is a file of its own.
  std::vector<std::pair<SegmentId, std::string>> unread;
  for (const auto& [id, path] : segments) {
    if (!HasSegment(id)) unread.emplace_back(id, path);
  }
  std::vector<Result<std::unique_ptr<SegmentReader>>> opened;
  for (size_t i = 0; i < unread.size(); ++i) opened.emplace_back(Status::Internal("not read"));
  Parallel(unread.size(), ctx_.threads, [&](size_t i) {
    opened[i] = SegmentReader::Open(fs, unread[i].second, ctx_.vault_keys.metadata, ctx_.address_chunks);
  });
  for (size_t i = 0; i < unread.size(); ++i) {
    const auto& [id, path] = unread[i];
    if (!opened[i].ok()) return opened[i].status();
    if ((*opened[i])->day() != day_) return Status::Corruption(path + ": belongs to another day");
    if ((*opened[i])->id() != id) return Status::Corruption(path + ": holds another segment than its name says");
    segments_.push_back(std::move(opened[i]).value());
  }

  // A journal read before and gone now was sealed or reduced elsewhere.
  for (const auto& [name, journal] : journals_) {
    if (std::find(journals.begin(), journals.end(), name) == journals.end()) {
      again = true;
      return Status::Ok();
    }
  }
  for (const std::string& name : journals) {
    const std::string path = JoinPath(dir_, name);
    const uint64_t committed = catch_up.record ? catch_up.record->Mark(DayFilePath(day_, name)).committed : 0;
    auto known = journals_.find(name);
    uint64_t from = 0;
    if (known != journals_.end()) {
      from = known->second.end;
      auto size = fs.FileSize(path);
      if (!size.ok()) return size.status();
      if (*size < from) {  // cut back below what was read (a failed append undone): read again
        again = true;
        return Status::Ok();
      }
    }
    auto contents = ReadJournal(fs, path, from, committed);
    if (!contents.ok()) return contents.status();
    if (contents->torn_creation) {
      if (writer) {
        if (Status s = fs.Remove(path); !s.ok()) return s;
      }
      continue;
    }
    if (contents->day != day_) return Status::Corruption(path + ": belongs to another day");
    const bool sealed = std::any_of(segments_.begin(), segments_.end(), [&](const auto& s) {
      return s->sealed_journal() == contents->id;
    });
    if (sealed) {
      // Its events are in a segment now. Read before: they are in the memtable too.
      if (known != journals_.end()) {
        again = true;
        return Status::Ok();
      }
      // Sealed, but the crash came before it was removed.
      if (writer) {
        if (Status s = fs.Remove(path); !s.ok()) return s;
      }
      continue;
    }
    if (Status s = ReplayFrames(path, *contents); !s.ok()) return s;
    if (contents->torn_tail && writer) {
      if (Status s = fs.Truncate(path, contents->valid_bytes); !s.ok()) return s;
    }
    journals_[name] = {contents->id, contents->valid_bytes};
    if (writer && contents->valid_bytes > committed) {
      // Frames past the committed length (a writer that crashed before saying so): durable
      // before a record says they are.
      if (Status s = SyncFile(fs, path); !s.ok()) return s;
    }
  }
  if (!journals_.count(current_)) current_ = journals_.empty() ? "" : journals_.begin()->first;
  return Status::Ok();
}

Status Partition::ReplayFrames(const std::string& path, const JournalContents& contents) {
  std::string plain, scratch;
  for (const JournalFrame& frame : contents.frames) {
    const std::string where = path + ": the frame at byte " + std::to_string(frame.offset);
    if (!ctx_.keys.KnowsTag(frame.account_tag)) {
      // A reader may meet a frame before the key another process committed for it.
      if (Status s = ctx_.keys.Refresh(); !s.ok()) return s;
      if (!ctx_.keys.KnowsTag(frame.account_tag)) {
        return Status::Corruption(where + " names an account the key store does not hold");
      }
    }
    bool opened = false;
    for (uint64_t account : ctx_.keys.AccountsOfTag(frame.account_tag)) {
      auto key = ctx_.keys.Get(account);
      if (!key.ok()) continue;
      if (!OpenTo(plain, *key, frame.nonce, frame.sealed,
                  JournalAssociatedData(account, day_, contents.id))) {
        continue;
      }
      opened = true;
      std::vector<PackedEvent> events;
      std::vector<EventIdTag> ids;
      Status s = DecodeBlock(plain, day_start(), scratch, [&](const BlockEvent& e) {
        events.push_back(Pack(e, account, pool_));
        if (e.has_event_id) ids.push_back(EventIdTagOf(ctx_.vault_keys.event_ids, account, e.event_id));
      });
      if (!s.ok()) return Status::Corruption(where + ": its events do not decode");
      for (const PackedEvent& e : events) AppendToMemtableLocked(e);
      event_ids_.insert(ids.begin(), ids.end());
      break;
    }
    // No live key opens it: the account was deleted (its key destroyed), or the frame was
    // altered. A tag with no live account is the former; one with live accounts the latter.
    if (!opened && !ctx_.keys.AccountsOfTag(frame.account_tag).empty()) {
      return Status::Corruption(where + " fails authentication");
    }
  }
  return Status::Ok();
}

Result<bool> Partition::HasEventIdLocked(const EventIdTag& tag) const {
  if (event_ids_.count(tag)) return true;
  for (const auto& s : segments_) {
    auto has = s->HasEventId(tag);
    if (!has.ok() || *has) return has;
  }
  return false;
}

Result<JournalId> Partition::JournalIdLocked() {
  if (current_.empty()) {
    JournalId id;
    RandomBytes(id.data(), id.size());
    const std::string name = std::string(kJournalPrefix) + Hex(id) + ".log";
    if (Status s = CreateJournal(ctx_.fs, JoinPath(dir_, name), day_, id); !s.ok()) return s;
    journals_[name] = {id, kJournalHeaderBytes};
    current_ = name;
  }
  return journals_.at(current_).id;
}

Status Partition::AppendJournalLocked(std::string_view frames) {
  auto it = journals_.find(current_);
  if (it == journals_.end()) return Status::Internal("no open journal");
  if (Status s = AppendDurably(ctx_.fs, JoinPath(dir_, current_), it->second.end, frames); !s.ok()) {
    return s;
  }
  it->second.end += frames.size();
  return Status::Ok();
}

void Partition::CollectMarksLocked(std::map<std::string, FileMark>& marks) const {
  for (const auto& [name, journal] : journals_) marks[DayFilePath(day_, name)] = {journal.end, 0};
}

void Partition::AddToMemtableLocked(std::span<const PackedEvent> events, const StringPool& pool,
                                    std::span<const EventIdTag> event_ids) {
  for (PackedEvent e : events) {
    if (e.device) e.device = pool_.Intern(pool.Get(e.device));
    if (e.event_id) e.event_id = pool_.Intern(pool.Get(e.event_id));
    AppendToMemtableLocked(e);
  }
  event_ids_.insert(event_ids.begin(), event_ids.end());
}

void Partition::AppendToMemtableLocked(const PackedEvent& e) {
  const auto i = static_cast<uint32_t>(memtable_.size());
  memtable_.push_back(e);
  next_.push_back(kEndOfChain);
  bool added;
  Chain& chain = by_account_.FindOrAdd(e.account_id, Chain{i, i, 0}, added);
  if (!added) next_[chain.last] = i;
  chain.last = i;
  ++chain.count;
}

void Partition::ForgetAccountLocked(uint64_t account) {
  if (!by_account_.Find(account)) return;
  std::vector<PackedEvent> kept;
  kept.reserve(memtable_.size());
  for (const PackedEvent& e : memtable_) {
    if (e.account_id != account) kept.push_back(e);
  }
  memtable_.clear();
  next_.clear();
  by_account_.Clear();
  for (const PackedEvent& e : kept) AppendToMemtableLocked(e);
}

void Partition::ForgetDeletedLocked() {
  std::vector<uint64_t> deleted;
  by_account_.ForEach([&](uint64_t account, const Chain&) {
    if (ctx_.keys.IsDeleted(account)) deleted.push_back(account);
  });
  for (uint64_t account : deleted) ForgetAccountLocked(account);
}

Result<std::string> Partition::WriteSegmentLocked(const SegmentId& id, const JournalId& sealed,
                                                  size_t threads) {
  // The memtable's events, gathered by account in the order of the accounts' tags.
  struct Group {
    Tag96 tag;
    uint64_t account;
    Chain events;
  };
  std::vector<Group> groups;
  groups.reserve(by_account_.size());
  by_account_.ForEach([&](uint64_t account, const Chain& events) {
    groups.push_back({AccountTag(ctx_.vault_keys.account_tags, account), account, events});
  });
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return std::tie(a.tag, a.account) < std::tie(b.tag, b.account);
  });
  std::vector<PackedEvent> events;
  events.reserve(memtable_.size());
  std::vector<AccountEvents> accounts;
  accounts.reserve(groups.size());
  for (const Group& g : groups) {
    const size_t first = events.size();
    for (uint32_t i = g.events.first; i != kEndOfChain; i = next_[i]) events.push_back(memtable_[i]);
    std::stable_sort(events.begin() + first, events.end(),
                     [](const PackedEvent& a, const PackedEvent& b) { return a.ts < b.ts; });
    accounts.push_back({g.tag, g.account, {}, std::nullopt});
  }
  std::vector<uint64_t> ids;
  ids.reserve(groups.size());
  for (const Group& g : groups) ids.push_back(g.account);
  std::vector<std::optional<SecretKey>> keys;
  if (Status s = ctx_.keys.GetMany(ids, keys); !s.ok()) return s;
  size_t first = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    accounts[i].events = std::span(events).subspan(first, groups[i].events.count);
    accounts[i].key = std::move(keys[i]);
    first += groups[i].events.count;
  }
  const std::string path = JoinPath(dir_, SegmentFileName(id));
  if (Status s = WriteSegmentFile(ctx_, path, day_, id, sealed, accounts, pool_, threads); !s.ok()) return s;
  return path;
}

Status Partition::OpenSegment(const std::string& path) {
  auto reader = SegmentReader::Open(ctx_.fs, path, ctx_.vault_keys.metadata, ctx_.address_chunks);
  if (!reader.ok()) return reader.status();
  segments_.push_back(std::move(reader).value());
  return Status::Ok();
}

Status Partition::AdoptSegmentLocked(const std::string& path) {
  const std::string name = path.substr(path.rfind('/') + 1);
  if (auto id = SegmentIdOfName(name); id && HasSegment(*id)) return Status::Ok();  // read already
  return OpenSegment(path);
}

void Partition::ClearMemtableLocked() {
  memtable_.clear();
  memtable_.shrink_to_fit();
  next_.clear();
  next_.shrink_to_fit();
  by_account_.Clear();
  event_ids_.clear();
  pool_ = StringPool();
}

Status Partition::SealLocked(size_t threads) {
  if (by_account_.empty()) return Status::Ok();
  auto path = WriteSegmentLocked(RandomSegmentId(), current_.empty() ? JournalId{} : journals_.at(current_).id,
                                 threads);
  if (!path.ok()) return path.status();
  if (Status s = OpenSegment(*path); !s.ok()) return s;
  // The segment names the journal it sealed, so a crash before this removal is harmless.
  // (A day holds one journal at a time: whoever holds the writer lock appends to the one
  // there is.)
  for (const auto& [name, journal] : journals_) {
    if (Status r = ctx_.fs.Remove(JoinPath(dir_, name)); !r.ok()) return r;
  }
  if (!journals_.empty()) ctx_.fs.SyncDir(dir_).IgnoreError();  // the segment already names it
  journals_.clear();
  current_.clear();
  ClearMemtableLocked();
  return Status::Ok();
}

Status Partition::RetainOnlyLocked(const std::function<bool(uint64_t)>& keep) {
  // Gather the kept accounts' events: from the memtable, and decrypted from the segments.
  std::vector<uint64_t> let_go;
  by_account_.ForEach([&](uint64_t account, const Chain&) {
    if (!keep(account)) let_go.push_back(account);
  });
  for (uint64_t account : let_go) by_account_.Erase(account);
  std::string scratch_block, plain, scratch;
  for (const auto& segment : segments_) {
    Status s = segment->ForEachBlock([&](const BlockRef& block) -> Status {
      for (uint64_t account : ctx_.keys.AccountsOfTag(block.tag)) {
        if (AccountTag(ctx_.vault_keys.account_tags, account).second != block.check || !keep(account)) {
          continue;
        }
        auto key = ctx_.keys.Get(account);
        if (!key.ok()) continue;
        auto sealed = segment->Block(block, scratch_block);
        if (!sealed.ok()) return sealed.status();
        if (!OpenTo(plain, *key, BlockNonce(segment->id(), block.ordinal), *sealed,
                    BlockAssociatedData(account, day_, segment->id(), block.ordinal))) {
          return Status::Corruption(segment->BlockWhere(block) + " fails authentication");
        }
        Status d = DecodeBlock(plain, day_start(), scratch, [&](const BlockEvent& e) {
          AppendToMemtableLocked(Pack(e, account, pool_));
        });
        if (!d.ok()) return Status::Corruption(segment->BlockWhere(block) + " does not decode");
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
  }
  // Everything now in a file of the day but the new segment goes. The intent is durable
  // before the new segment appears, so a crash leaves a state the next open can finish.
  auto names = ctx_.fs.List(dir_);
  if (!names.ok()) return names.status();
  const SegmentId id = RandomSegmentId();
  const std::string new_segment = by_account_.empty() ? "" : SegmentFileName(id);
  std::string intent = new_segment + "\n";
  for (const std::string& name : *names) intent += name + "\n";
  if (Status s = ctx_.fs.WriteAtomically(JoinPath(dir_, kRetentionIntent), intent); !s.ok()) {
    return s;
  }
  if (!new_segment.empty()) {
    // Re-sealed under a new random segment id: fresh nonces for every block.
    auto path = WriteSegmentLocked(id, JournalId{}, 1);
    if (!path.ok()) return path.status();
  }
  for (const std::string& name : *names) {
    if (Status s = ctx_.fs.Remove(JoinPath(dir_, name)); !s.ok()) return s;
  }
  if (Status s = ctx_.fs.Remove(JoinPath(dir_, kRetentionIntent)); !s.ok()) return s;
  ctx_.fs.SyncDir(dir_).IgnoreError();
  ResetLocked();
  if (!new_segment.empty()) return OpenSegment(JoinPath(dir_, new_segment));
  return Status::Ok();
}

Status Partition::RecoverRetention() {
  const std::string intent = JoinPath(dir_, kRetentionIntent);
  if (!ctx_.fs.Exists(intent)) return Status::Ok();
  auto text = ctx_.fs.ReadAll(intent);
  if (!text.ok()) return text.status();
  // The intent was written after the new segment was in place: finish removing the rest.
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text->size();) {
    const size_t nl = text->find('\n', pos);
    lines.push_back(text->substr(pos, (nl == std::string::npos ? text->size() : nl) - pos));
    pos = nl == std::string::npos ? text->size() : nl + 1;
  }
  if (lines.empty() || (!lines[0].empty() && !ctx_.fs.Exists(JoinPath(dir_, lines[0])))) {
    // The new segment never appeared: nothing was removed; retention will run again.
    return ctx_.fs.Remove(intent);
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty() || lines[i] == lines[0] || lines[i] == kRetentionIntent) continue;
    const std::string path = JoinPath(dir_, lines[i]);
    if (ctx_.fs.Exists(path)) {
      if (Status s = ctx_.fs.Remove(path); !s.ok()) return s;
    }
  }
  return ctx_.fs.Remove(intent);
}

Status Partition::MoveToTrashLocked(const std::string& trash_dir) {
  if (Status s = ctx_.fs.Rename(dir_, trash_dir); !s.ok()) return s;
  if (Status s = ctx_.fs.SyncDir(dir_.substr(0, dir_.rfind('/'))); !s.ok()) return s;
  return ctx_.fs.SyncDir(trash_dir.substr(0, trash_dir.rfind('/')));
}

}  // namespace custodian::vault
