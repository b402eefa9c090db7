#include "vault/key_store.h"

#include <sodium.h>

#include <algorithm>

#include "core/coding.h"
#include "core/crc32c.h"
#include "vault/record_log.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

enum SlotState : uint8_t { kLive = 1, kDeleted = 2 };
constexpr char kAssociated[] = "custodian/account-key/v1";
constexpr size_t kWrappedBytes = kNonceBytes + 8 + kKeyBytes + kTagBytes;
static_assert(16 + kWrappedBytes == KeyStore::kSlotBytes);

std::string AssociatedData(uint64_t tag) {
  std::string ad(kAssociated);
  PutFixed64(ad, tag);
  return ad;
}

}  // namespace

// Bytes 4..7 of a slot hold the crc of the slot with them zero (zero in slots written before
// there was a crc: those are not checked).
constexpr size_t kCrcAt = 4;

uint32_t SlotCrc(std::string_view slot) {
  std::string copy(slot);
  std::fill(copy.begin() + kCrcAt, copy.begin() + kCrcAt + 4, '\0');
  return std::max<uint32_t>(Crc32c(copy), 1);  // never 0, which means "none"
}

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

uint64_t KeyStore::TagOf(uint64_t account) const { return AccountTag(tags_, account).first; }

Result<std::unique_ptr<KeyStore>> KeyStore::Open(FileSystem& fs, const std::string& path,
                                                 const SecretKey& wrap, const ShortKey& tags) {
  auto store = std::make_unique<KeyStore>(fs, path, wrap, tags);
  if (auto read = store->CatchUp({}, CatchUpAccess::kWrite); !read.ok()) return read.status();
  return store;
}

Result<bool> KeyStore::CatchUp(const FileMark& mark, CatchUpAccess access) {
  std::lock_guard lock(mu_);
  if (slots_.size() != durable_slots_) {
    return Status::Internal(path_ + ": caught up while keys were waiting to be committed");
  }
  const bool writer = access == CatchUpAccess::kWrite;
  bool again = mark.epoch != mark_.epoch;
  uint64_t from = again ? 0 : durable_slots_ * kSlotBytes;
  FileTail tail;
  if (fs_.Exists(path_)) {
    auto read = ReadTail(fs_, path_, from);
    if (!read.ok()) return read.status();
    tail = std::move(read).value();
  }
  if (tail.size < from) {  // shorter than what was read: read it all again, and judge that
    again = true;
    from = 0;
    auto read = ReadTail(fs_, path_, 0);
    if (!read.ok()) return read.status();
    tail = std::move(read).value();
  }
  auto scan = ScanSlots(path_, tail.size, mark.committed, kSlotBytes);
  if (!scan.ok()) return scan.status();
  std::vector<Slot> read;
  for (uint64_t off = from; off < scan->end; off += kSlotBytes) {
    const std::string_view raw(tail.bytes.data() + (off - from), kSlotBytes);
    const std::string where = path_ + ": the slot at byte " + std::to_string(off);
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
    read.push_back(std::move(slot));
  }
  if (scan->torn_tail && writer) {
    // A slot a crash cut short while it was appended: it was never committed.
    if (Status s = fs_.Truncate(path_, scan->end); !s.ok()) return s;
  }
  if (again) {
    slots_.clear();
    by_tag_.clear();
    cache_.clear();
  }
  for (Slot& slot : read) {
    by_tag_.emplace(slot.tag, slots_.size());
    slots_.push_back(std::move(slot));
  }
  durable_slots_ = slots_.size();
  if (writer && durable_slots_ * kSlotBytes > mark.committed) {
    // Slots past the committed length (a writer that crashed before saying so): make them
    // durable before a record says they are.
    if (Status s = SyncFile(fs_, path_); !s.ok()) return s;
  }
  mark_ = {durable_slots_ * kSlotBytes, mark.epoch};
  return again;
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
  return by_tag_.count(tag) > 0;
}

void KeyStore::Rollback() {
  std::lock_guard lock(mu_);
  RollbackLocked();
}

void KeyStore::RollbackLocked() {
  for (size_t i = durable_slots_; i < slots_.size(); ++i) {
    uint64_t owner;
    SecretKey key;
    if (UnwrapLocked(i, owner, key).ok()) cache_.erase(owner);
    auto [b, e] = by_tag_.equal_range(slots_[i].tag);
    for (auto it = b; it != e; ++it) {
      if (it->second == i) {
        by_tag_.erase(it);
        break;
      }
    }
  }
  slots_.resize(durable_slots_);
}

Status KeyStore::UnwrapLocked(size_t index, uint64_t& account, SecretKey& key) {
  Slot& slot = slots_[index];
  Nonce nonce;
  std::copy(slot.wrapped.begin(), slot.wrapped.begin() + kNonceBytes, nonce.begin());
  std::string plain;
  if (!OpenTo(plain, wrap_, nonce, std::string_view(slot.wrapped).substr(kNonceBytes),
              AssociatedData(slot.tag))) {
    return Status::Corruption(path_ + ": key slot " + std::to_string(index) +
                              " does not open under this master key");
  }
  account = DecodeFixed64(plain.data());
  slot.owner = account;
  slot.owner_check = AccountTag(tags_, account).second;
  key = SecretKey::FromBytes(std::string_view(plain).substr(8, kKeyBytes));
  sodium_memzero(plain.data(), plain.size());
  return Status::Ok();
}

Result<std::optional<size_t>> KeyStore::FindLocked(uint64_t account, uint64_t tag) {
  auto [begin, end] = by_tag_.equal_range(tag);
  for (auto it = begin; it != end; ++it) {
    const Slot& slot = slots_[it->second];
    if (slot.state == kDeleted) return std::optional<size_t>(it->second);  // tombstones match by tag
    uint64_t owner;
    SecretKey key;
    if (Status s = UnwrapLocked(it->second, owner, key); !s.ok()) return s;
    if (owner == account) return std::optional<size_t>(it->second);
  }
  return std::optional<size_t>();
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
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < accounts.size(); ++i) {
    const uint64_t account = accounts[i];
    if (auto it = cache_.find(account); it != cache_.end()) {
      keys[i] = it->second;
      continue;
    }
    auto found = FindLocked(account, TagOf(account));
    if (!found.ok()) return found.status();
    if (!*found) {
      missing.push_back(i);
      continue;
    }
    if (slots_[**found].state == kDeleted) continue;
    uint64_t owner;
    SecretKey key;
    if (Status s = UnwrapLocked(**found, owner, key); !s.ok()) return s;
    cache_.emplace(account, key);
    keys[i] = key;
  }
  if (missing.empty() || !create) return Status::Ok();
  // Each new key and the nonce that wraps it, from one draw.
  constexpr size_t kFresh = kKeyBytes + kNonceBytes;
  std::string random(missing.size() * kFresh, '\0');
  RandomBytes(random.data(), random.size());
  std::string plain;
  for (size_t m = 0; m < missing.size(); ++m) {
    const uint64_t account = accounts[missing[m]];
    const std::string_view fresh = std::string_view(random).substr(m * kFresh, kFresh);
    const SecretKey key = SecretKey::FromBytes(fresh.substr(0, kKeyBytes));
    Nonce nonce;
    std::copy(fresh.begin() + kKeyBytes, fresh.end(), nonce.begin());
    Slot slot;
    slot.state = kLive;
    slot.tag = TagOf(account);
    slot.wrapped.assign(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    plain.clear();
    PutFixed64(plain, account);
    plain.append(key.view());
    SealTo(slot.wrapped, wrap_, nonce, plain, AssociatedData(slot.tag));
    by_tag_.emplace(slot.tag, slots_.size());
    slots_.push_back(std::move(slot));
    cache_.emplace(account, key);
    keys[missing[m]] = key;
  }
  sodium_memzero(plain.data(), plain.size());
  sodium_memzero(random.data(), random.size());
  return Status::Ok();
}

Result<SecretKey> KeyStore::Get(uint64_t account) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(account); it != cache_.end()) return it->second;
    auto found = FindLocked(account, TagOf(account));
    if (!found.ok()) return found.status();
    if (!*found || slots_[**found].state == kDeleted) {
      return Status::NotFound("no key for the account");
    }
  }
  return GetOrCreate(account);
}

Status KeyStore::CommitNew() {
  std::lock_guard lock(mu_);
  if (durable_slots_ == slots_.size()) return Status::Ok();
  std::string bytes;
  for (size_t i = durable_slots_; i < slots_.size(); ++i) bytes += SlotBytes(slots_[i]);
  Status s = AppendDurably(fs_, path_, durable_slots_ * kSlotBytes, bytes);
  if (!s.ok()) {
    RollbackLocked();  // nothing sealed with these keys may become durable
    return s;
  }
  durable_slots_ = slots_.size();
  mark_.committed = durable_slots_ * kSlotBytes;
  return Status::Ok();
}

Status KeyStore::Destroy(uint64_t account) {
  std::lock_guard lock(mu_);
  const uint64_t tag = TagOf(account);
  auto found = FindLocked(account, tag);
  if (!found.ok()) return found.status();
  const auto index = *found;
  if (!index || slots_[*index].state == kDeleted) return Status::NotFound("no key for the account");
  if (*index >= durable_slots_) return Status::Internal("destroying a key not yet committed");
  Slot tombstone;
  tombstone.state = kDeleted;
  tombstone.tag = tag;
  if (Status s = fs_.WriteAt(path_, *index * kSlotBytes, SlotBytes(tombstone)); !s.ok()) return s;
  slots_[*index] = std::move(tombstone);
  ++mark_.epoch;  // other processes read the file again
  cache_.erase(account);
  return Status::Ok();
}

bool KeyStore::IsDeleted(uint64_t account) {
  std::lock_guard lock(mu_);
  auto found = FindLocked(account, TagOf(account));
  return found.ok() && *found && slots_[**found].state == kDeleted;
}

std::vector<uint64_t> KeyStore::AccountsOfTag(uint64_t tag) {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> out;
  auto [begin, end] = by_tag_.equal_range(tag);
  for (auto it = begin; it != end; ++it) {
    Slot& slot = slots_[it->second];
    if (slot.state != kLive) continue;
    if (slot.owner) {
      out.push_back(*slot.owner);
      continue;
    }
    uint64_t owner;
    SecretKey key;
    if (UnwrapLocked(it->second, owner, key).ok()) out.push_back(owner);
  }
  return out;
}

void KeyStore::AccountsOfTags(std::span<const std::pair<uint64_t, uint32_t>> tags,
                              std::vector<uint64_t>& out) {
  std::lock_guard lock(mu_);
  for (const auto& [tag, check] : tags) {
    auto [begin, end] = by_tag_.equal_range(tag);
    for (auto it = begin; it != end; ++it) {
      Slot& slot = slots_[it->second];
      if (slot.state != kLive) continue;
      if (!slot.owner) {
        uint64_t owner;
        SecretKey key;
        if (!UnwrapLocked(it->second, owner, key).ok()) continue;
      }
      if (slot.owner_check == check) out.push_back(*slot.owner);
    }
  }
}

size_t KeyStore::live_accounts() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const Slot& s : slots_) n += s.state == kLive;
  return n;
}

size_t KeyStore::deleted_accounts() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const Slot& s : slots_) n += s.state == kDeleted;
  return n;
}

}  // namespace custodian::vault
