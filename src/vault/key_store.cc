#include "vault/key_store.h"

#include <sodium.h>

#include <algorithm>

#include "core/coding.h"
#include "core/crc32c.h"
#include "core/int_map.h"
#include "vault/record_log.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

enum SlotState : uint8_t { kLive = 1, kDeleted = 2 };
constexpr char kAssociated[] = "custodian/account-key/v1";
constexpr size_t kWrappedBytes = kNonceBytes + 8 + kKeyBytes + kTagBytes;
static_assert(16 + kWrappedBytes == KeyStore::kSlotBytes);
constexpr size_t kCountChunkSlots = 1 << 14;  // slots read at a time when counting

std::string AssociatedData(uint64_t tag) {
  std::string ad(kAssociated);
  PutFixed64(ad, tag);
  return ad;
}

// Bytes 4..7 of a slot hold the crc of the slot with them zero (zero in slots written before
// there was a crc: those are not checked).
constexpr size_t kCrcAt = 4;

uint32_t SlotCrc(std::string_view slot) {
  std::string copy(slot);
  std::fill(copy.begin() + kCrcAt, copy.begin() + kCrcAt + 4, '\0');
  return std::max<uint32_t>(Crc32c(copy), 1);  // never 0, which means "none"
}

}  // namespace

std::string KeyStore::SlotBytes(const Slot& s) {
  std::string b(1, static_cast<char>(s.state));
  b.append(7, '\0');
  PutFixed64(b, s.tag);
  b += s.wrapped;
  b.resize(kSlotBytes, '\0');
  const uint32_t crc = SlotCrc(b);
  std::string c;
  PutFixed32(c, crc);
  b.replace(kCrcAt, 4, c);
  return b;
}

Result<KeyStore::Slot> KeyStore::ParseSlot(const std::string& path, uint64_t offset, std::string_view raw) {
  const std::string where = path + ": the slot at byte " + std::to_string(offset);
  const uint32_t crc = DecodeFixed32(raw.data() + kCrcAt);
  if (crc != 0 && crc != SlotCrc(raw)) return Status::Corruption(where + " fails its checksum");
  Slot slot;
  slot.state = static_cast<uint8_t>(raw[0]);
  slot.tag = DecodeFixed64(raw.data() + 8);
  if (slot.state == kLive) {
    slot.wrapped.assign(raw.substr(16, kWrappedBytes));
  } else if (slot.state != kDeleted) {
    return Status::Corruption(where + " has an unknown state");
  }
  return slot;
}

uint64_t KeyStore::TagOf(uint64_t account) const { return AccountTag(tags_, account).first; }

Result<std::unique_ptr<KeyStore>> KeyStore::Open(FileSystem& fs, const std::string& path,
                                                 const SecretKey& wrap, const ShortKey& tags,
                                                 size_t cache_entries, size_t index_after_slots) {
  auto store = std::make_unique<KeyStore>(fs, path, wrap, tags, cache_entries);
  store->index_after_slots_ = index_after_slots;
  if (auto read = store->CatchUp({}, CatchUpAccess::kWrite); !read.ok()) return read.status();
  return store;
}

Result<bool> KeyStore::CatchUp(const FileMark& mark, CatchUpAccess access) {
  std::lock_guard lock(mu_);
  if (!pending_.empty()) {
    return Status::Internal(path_ + ": caught up while keys were waiting to be committed");
  }
  const bool writer = access == CatchUpAccess::kWrite;
  // A slot overwritten elsewhere is a key destroyed: no cached key is trusted any longer.
  bool again = mark.epoch != mark_.epoch;
  if (again) {
    cache_.Clear();
    tail_.ForgetOwners();
  }
  if (!read_once_) {
    // An index that does not load is no index: the slots are read instead, and a writer
    // writes a new one.
    if (auto loaded = KeyIndex::Load(fs_, index_path_); loaded.ok()) index_ = std::move(loaded).value();
  }
  uint64_t first = std::max<uint64_t>(durable_slots_, index_ ? index_->covered() : 0);
  FileTail tail;
  if (fs_.Exists(path_)) {
    auto read = ReadTail(fs_, path_, first * kSlotBytes);
    if (!read.ok()) return read.status();
    tail = std::move(read).value();
  }
  if (tail.size < first * kSlotBytes) {
    // Shorter than what was read or indexed: forget both, read it all, and judge that.
    again = true;
    first = 0;
    index_.reset();
    tail_.Clear();
    cache_.Clear();
    file_.reset();
    durable_slots_ = 0;
    if (fs_.Exists(path_)) {
      auto read = ReadTail(fs_, path_, 0);
      if (!read.ok()) return read.status();
      tail = std::move(read).value();
    }
  }
  auto scan = ScanSlots(path_, tail.size, mark.committed, kSlotBytes);
  if (!scan.ok()) return scan.status();
  std::vector<std::pair<uint64_t, size_t>> read;
  for (uint64_t off = first * kSlotBytes; off < scan->end; off += kSlotBytes) {
    auto slot = ParseSlot(path_, off, std::string_view(tail.bytes).substr(off - first * kSlotBytes, kSlotBytes));
    if (!slot.ok()) return slot.status();
    read.emplace_back(slot->tag, static_cast<size_t>(off / kSlotBytes));
  }
  if (scan->torn_tail && writer) {
    // A slot a crash cut short while it was appended: it was never committed.
    if (Status s = fs_.Truncate(path_, scan->end); !s.ok()) return s;
  }
  for (const auto& [tag, index] : read) tail_.Add(tag, index);
  durable_slots_ = std::max<size_t>(durable_slots_, scan->end / kSlotBytes);
  if (writer && durable_slots_ * kSlotBytes > mark.committed) {
    // Slots past the committed length (a writer that crashed before saying so): make them
    // durable before a record says they are.
    if (Status s = SyncFile(fs_, path_); !s.ok()) return s;
  }
  mark_ = {durable_slots_ * kSlotBytes, mark.epoch};
  read_once_ = true;
  ++slot_changes_;
  AdoptIndexLocked();
  if (writer) {
    if (Status s = MaybeIndexLocked(); !s.ok()) return s;
  }
  return again;
}

void KeyStore::AdoptIndexLocked() {
  auto covered = KeyIndex::Covered(fs_, index_path_);
  if (!covered.ok() || *covered <= (index_ ? index_->covered() : 0) || *covered > durable_slots_) return;
  auto loaded = KeyIndex::Load(fs_, index_path_);
  if (!loaded.ok()) return;
  UseIndexLocked(std::move(loaded).value());
}

void KeyStore::UseIndexLocked(std::unique_ptr<KeyIndex> index) {
  ++slot_changes_;
  index_ = std::move(index);
  tail_.EraseBelow(index_->covered());
}

Status KeyStore::MaybeIndexLocked() {
  const uint64_t covered = index_ ? index_->covered() : 0;
  if (durable_slots_ - covered <= std::max<uint64_t>(index_after_slots_, covered / 8)) {
    return Status::Ok();
  }
  std::vector<KeyIndex::Entry> entries;
  if (index_) {
    if (Status s = index_->All(entries); !s.ok()) return s;
  }
  const size_t indexed = entries.size();
  tail_.ForEach([&](uint64_t tag, uint64_t slot) {
    if (slot < durable_slots_) entries.emplace_back(tag, static_cast<uint32_t>(slot));
  });
  std::sort(entries.begin() + static_cast<ptrdiff_t>(indexed), entries.end());
  std::inplace_merge(entries.begin(), entries.begin() + static_cast<ptrdiff_t>(indexed), entries.end());
  if (Status s = KeyIndex::Write(fs_, index_path_, entries, durable_slots_); !s.ok()) return s;
  auto loaded = KeyIndex::Load(fs_, index_path_);
  if (!loaded.ok()) return loaded.status();
  UseIndexLocked(std::move(loaded).value());
  return Status::Ok();
}

Status KeyStore::Refresh() {
  FileMark mark;
  {
    std::lock_guard lock(mu_);
    mark = mark_;
  }
  return CatchUp(mark, CatchUpAccess::kRead).status();
}

FileMark KeyStore::mark() {
  std::lock_guard lock(mu_);
  return mark_;
}

bool KeyStore::KnowsTag(uint64_t tag) {
  std::lock_guard lock(mu_);
  std::vector<size_t> slots;
  return SlotsOfTagLocked(tag, slots).ok() && !slots.empty();
}

void KeyStore::Rollback() {
  std::lock_guard lock(mu_);
  RollbackLocked();
}

void KeyStore::RollbackLocked() {
  for (size_t i = 0; i < pending_.size(); ++i) tail_.Erase(pending_[i].tag, durable_slots_ + i);
  cache_.EraseSlotsFrom(durable_slots_);
  pending_.clear();
  ++slot_changes_;
}

Status KeyStore::OpenFileLocked() {
  if (file_) return Status::Ok();
  auto opened = fs_.OpenRead(path_);
  if (!opened.ok()) return opened.status();
  file_ = std::move(opened).value();
  return Status::Ok();
}

Result<KeyStore::Slot> KeyStore::ReadSlotLocked(size_t index) {
  if (index >= durable_slots_) {
    if (index - durable_slots_ < pending_.size()) return pending_[index - durable_slots_];
    return Status::Internal(path_ + ": no slot " + std::to_string(index));
  }
  if (Status s = OpenFileLocked(); !s.ok()) return s;
  std::string raw;
  if (Status s = file_->Read(index * kSlotBytes, kSlotBytes, raw); !s.ok()) return s;
  return ParseSlot(path_, index * kSlotBytes, raw);
}

Result<KeyCache::Entry> KeyStore::OpenSlotLocked(size_t index, const Slot& slot) {
  if (const KeyCache::Entry* cached = cache_.FindSlot(index)) return *cached;
  Nonce nonce;
  std::copy(slot.wrapped.begin(), slot.wrapped.begin() + kNonceBytes, nonce.begin());
  std::string plain;
  if (!OpenTo(plain, wrap_, nonce, std::string_view(slot.wrapped).substr(kNonceBytes),
              AssociatedData(slot.tag))) {
    return Status::Corruption(path_ + ": key slot " + std::to_string(index) +
                              " does not open under this master key");
  }
  KeyCache::Entry entry;
  entry.account = DecodeFixed64(plain.data());
  entry.check = AccountTag(tags_, entry.account).second;
  entry.key = SecretKey::FromBytes(std::string_view(plain).substr(8, kKeyBytes));
  sodium_memzero(plain.data(), plain.size());
  cache_.Put(index, entry);
  return entry;
}

Status KeyStore::SlotsOfTagLocked(uint64_t tag, std::vector<size_t>& out) {
  if (index_) {
    if (Status s = index_->Find(tag, out); !s.ok()) return s;
  }
  tail_.ForTag(tag, [&](uint64_t slot) { out.push_back(static_cast<size_t>(slot)); });
  return Status::Ok();
}

Result<std::optional<KeyStore::Found>> KeyStore::FindLocked(uint64_t account) {
  size_t cached_slot = 0;
  if (const KeyCache::Entry* cached = cache_.FindAccount(account, cached_slot)) {
    return std::optional<Found>(Found{cached_slot, kLive, cached->key});
  }
  const uint64_t tag = TagOf(account);  // only now: a keyed hash is dearer than a cache hit
  std::vector<size_t> candidates;
  if (Status s = SlotsOfTagLocked(tag, candidates); !s.ok()) return s;
  for (size_t index : candidates) {
    auto slot = ReadSlotLocked(index);
    if (!slot.ok()) return slot.status();
    if (slot->tag != tag) {
      return Status::Corruption(index_path_ + ": names slot " + std::to_string(index) +
                                ", which carries another tag (delete the index: the next writer "
                                "writes it again from the slots)");
    }
    if (slot->state == kDeleted) return std::optional<Found>(Found{index, kDeleted, std::nullopt});
    auto entry = OpenSlotLocked(index, *slot);
    if (!entry.ok()) return entry.status();
    if (entry->account == account) return std::optional<Found>(Found{index, kLive, entry->key});
  }
  return std::optional<Found>();
}

Result<SecretKey> KeyStore::GetOrCreate(uint64_t account) {
  std::vector<std::optional<SecretKey>> keys;
  if (Status s = GetOrCreateMany(std::span(&account, 1), keys); !s.ok()) return s;
  if (!keys[0]) return Status::NotFound("the account was deleted");
  return *keys[0];
}

Status KeyStore::GetOrCreateMany(std::span<const uint64_t> accounts,
                                 std::vector<std::optional<SecretKey>>& keys) {
  return ResolveMany(accounts, true, keys);
}

Status KeyStore::GetMany(std::span<const uint64_t> accounts,
                         std::vector<std::optional<SecretKey>>& keys) {
  return ResolveMany(accounts, false, keys);
}

Status KeyStore::ResolveMany(std::span<const uint64_t> accounts, bool create,
                             std::vector<std::optional<SecretKey>>& keys) {
  keys.assign(accounts.size(), std::nullopt);
  std::vector<size_t> missing;  // positions of accounts with no slot at all
  uint64_t changes = 0;         // slot_changes_ when they were found missing
  {
    std::lock_guard lock(mu_);
    changes = slot_changes_;
    for (size_t i = 0; i < accounts.size(); ++i) {
      auto found = FindLocked(accounts[i]);
      if (!found.ok()) return found.status();
      if (!*found) {
        missing.push_back(i);
      } else if ((*found)->state == kLive) {
        keys[i] = (*found)->key;
      }
    }
  }
  if (missing.empty() || !create) return Status::Ok();
  // New keys are drawn, tagged and wrapped without the lock (an import's days are sealed on
  // several threads, each with its own new accounts); each from one draw with the nonce that
  // wraps it.
  struct Fresh {
    SecretKey key;
    Tag96 tag;
    Slot slot;
  };
  constexpr size_t kFresh = kKeyBytes + kNonceBytes;
  std::string random(missing.size() * kFresh, '\0');
  RandomBytes(random.data(), random.size());
  std::vector<Fresh> fresh(missing.size());
  std::string plain;
  for (size_t m = 0; m < missing.size(); ++m) {
    const uint64_t account = accounts[missing[m]];
    const std::string_view drawn = std::string_view(random).substr(m * kFresh, kFresh);
    Fresh& f = fresh[m];
    f.key = SecretKey::FromBytes(drawn.substr(0, kKeyBytes));
    Nonce nonce;
    std::copy(drawn.begin() + kKeyBytes, drawn.end(), nonce.begin());
    f.tag = AccountTag(tags_, account);
    f.slot.state = kLive;
    f.slot.tag = f.tag.first;
    f.slot.wrapped.assign(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    plain.clear();
    PutFixed64(plain, account);
    plain.append(f.key.view());
    SealTo(f.slot.wrapped, wrap_, nonce, plain, AssociatedData(f.slot.tag));
  }
  sodium_memzero(plain.data(), plain.size());
  sodium_memzero(random.data(), random.size());
  std::lock_guard lock(mu_);
  // Another thread may have given an account a key meanwhile: that one is the key, and this
  // one, never written, goes. The accounts are looked up again only then (a lookup of an
  // account with no key reads a block of the index).
  const bool changed = slot_changes_ != changes;
  IntMap<uint32_t> made;  // an account named twice in the call: the key made for it first
  for (size_t m = 0; m < missing.size(); ++m) {
    const uint64_t account = accounts[missing[m]];
    if (const uint32_t* first = made.Find(account)) {
      keys[missing[m]] = keys[*first];
      continue;
    }
    if (changed) {
      auto found = FindLocked(account);
      if (!found.ok()) return found.status();
      if (*found) {
        if ((*found)->state == kLive) keys[missing[m]] = (*found)->key;
        continue;
      }
    }
    made.Set(account, static_cast<uint32_t>(missing[m]));
    Fresh& f = fresh[m];
    const size_t index = durable_slots_ + pending_.size();
    tail_.Add(f.slot.tag, index);
    pending_.push_back(std::move(f.slot));
    cache_.Put(index, {account, f.tag.second, f.key});
    keys[missing[m]] = f.key;
  }
  ++slot_changes_;
  return Status::Ok();
}

Result<SecretKey> KeyStore::Get(uint64_t account) {
  std::vector<std::optional<SecretKey>> keys;
  if (Status s = GetMany(std::span(&account, 1), keys); !s.ok()) return s;
  if (!keys[0]) return Status::NotFound("no key for the account");
  return *keys[0];
}

Status KeyStore::CommitNew() {
  std::lock_guard lock(mu_);
  if (pending_.empty()) return Status::Ok();
  std::string bytes;
  for (const Slot& slot : pending_) bytes += SlotBytes(slot);
  Status s = AppendDurably(fs_, path_, durable_slots_ * kSlotBytes, bytes);
  if (!s.ok()) {
    RollbackLocked();  // nothing sealed with these keys may become durable
    return s;
  }
  durable_slots_ += pending_.size();
  pending_.clear();
  ++slot_changes_;
  mark_.committed = durable_slots_ * kSlotBytes;
  // The keys are durable whatever becomes of the index, which is derived: a failure to write
  // one is the next writer's to retry.
  MaybeIndexLocked().IgnoreError();
  return Status::Ok();
}

Status KeyStore::Destroy(uint64_t account) {
  std::lock_guard lock(mu_);
  auto found = FindLocked(account);
  if (!found.ok()) return found.status();
  if (!*found || (*found)->state == kDeleted) return Status::NotFound("no key for the account");
  const size_t index = (*found)->index;
  if (index >= durable_slots_) return Status::Internal("destroying a key not yet committed");
  Slot tombstone;
  tombstone.state = kDeleted;
  tombstone.tag = TagOf(account);
  if (Status s = fs_.WriteAt(path_, index * kSlotBytes, SlotBytes(tombstone)); !s.ok()) return s;
  cache_.EraseSlot(index);
  tail_.ForgetOwner(index);
  ++mark_.epoch;  // other processes forget their cached keys
  return Status::Ok();
}

bool KeyStore::IsDeleted(uint64_t account) {
  std::lock_guard lock(mu_);
  auto found = FindLocked(account);
  return found.ok() && *found && (*found)->state == kDeleted;
}

void KeyStore::OwnersOfTagLocked(uint64_t tag, std::vector<std::pair<uint64_t, uint32_t>>& out) {
  // Who a slot holds: remembered for the slots past the index, else from the cache.
  const auto owner_of = [&](size_t index) -> std::optional<std::pair<uint64_t, uint32_t>> {
    if (const KeyCache::Entry* cached = cache_.FindSlot(index)) {
      return std::pair{cached->account, cached->check};  // a cached slot is live
    }
    auto slot = ReadSlotLocked(index);
    if (!slot.ok() || slot->state != kLive) return std::nullopt;
    auto opened = OpenSlotLocked(index, *slot);
    if (!opened.ok()) return std::nullopt;
    return std::pair{opened->account, opened->check};
  };
  std::vector<size_t> past_index;
  tail_.ForTag(tag, [&](uint64_t slot) { past_index.push_back(static_cast<size_t>(slot)); });
  for (size_t slot : past_index) {
    std::optional<TailSlots::Owner> owner = tail_.OwnerOf(slot);
    if (!owner && (owner = owner_of(slot))) tail_.SetOwner(slot, *owner);
    if (owner) out.push_back(*owner);
  }
  if (!index_) return;
  std::vector<size_t> indexed;
  if (!index_->Find(tag, indexed).ok()) return;
  for (size_t index : indexed) {
    if (auto owner = owner_of(index)) out.push_back(*owner);
  }
}

std::vector<uint64_t> KeyStore::AccountsOfTag(uint64_t tag) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<uint64_t, uint32_t>> owners;
  OwnersOfTagLocked(tag, owners);
  std::vector<uint64_t> out;
  for (const auto& [account, check] : owners) out.push_back(account);
  return out;
}

void KeyStore::AccountsOfTags(std::span<const std::pair<uint64_t, uint32_t>> tags,
                              std::vector<uint64_t>& out) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<uint64_t, uint32_t>> owners;
  for (const auto& [tag, check] : tags) {
    owners.clear();
    OwnersOfTagLocked(tag, owners);
    for (const auto& [account, owner_check] : owners) {
      if (owner_check == check) out.push_back(account);
    }
  }
}

Result<std::pair<size_t, size_t>> KeyStore::CountLocked() {
  size_t live = pending_.size(), deleted = 0;
  std::string chunk;
  for (size_t first = 0; first < durable_slots_; first += kCountChunkSlots) {
    const size_t n = std::min(kCountChunkSlots, durable_slots_ - first);
    if (Status s = OpenFileLocked(); !s.ok()) return s;
    if (Status s = file_->Read(first * kSlotBytes, n * kSlotBytes, chunk); !s.ok()) return s;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t state = static_cast<uint8_t>(chunk[i * kSlotBytes]);
      live += state == kLive;
      deleted += state == kDeleted;
    }
  }
  return std::pair{live, deleted};
}

size_t KeyStore::live_accounts() {
  std::lock_guard lock(mu_);
  auto counted = CountLocked();
  return counted.ok() ? counted->first : 0;
}

size_t KeyStore::deleted_accounts() {
  std::lock_guard lock(mu_);
  auto counted = CountLocked();
  return counted.ok() ? counted->second : 0;
}

size_t KeyStore::cached_keys() {
  std::lock_guard lock(mu_);
  return cache_.size();
}

uint64_t KeyStore::indexed_slots() {
  std::lock_guard lock(mu_);
  return index_ ? index_->covered() : 0;
}

}  // namespace custodian::vault
