#include "vault/key_store.h"

#include <sodium.h>

#include "core/coding.h"
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

std::string AccountBytes(uint64_t account) {
  std::string b;
  PutFixed64(b, account);
  return b;
}

}  // namespace

std::string KeyStore::SlotBytes(const Slot& s) {
  std::string b(1, static_cast<char>(s.state));
  b.append(7, '\0');
  PutFixed64(b, s.tag);
  b += s.wrapped;
  b.resize(kSlotBytes, '\0');
  return b;
}

uint64_t KeyStore::TagOf(uint64_t account) const { return AccountTag(tags_, account).first; }

Result<std::unique_ptr<KeyStore>> KeyStore::Open(FileSystem& fs, const std::string& path,
                                                 const SecretKey& wrap, const ShortKey& tags) {
  std::unique_ptr<KeyStore> store(new KeyStore(fs, path, wrap, tags));
  if (fs.Exists(path)) {
    auto bytes = fs.ReadAll(path);
    if (!bytes.ok()) return bytes.status();
    const size_t whole = bytes->size() / kSlotBytes * kSlotBytes;
    if (whole != bytes->size()) {
      // A slot torn by a crash while it was appended: it was never committed.
      if (Status s = fs.Truncate(path, whole); !s.ok()) return s;
    }
    for (size_t off = 0; off < whole; off += kSlotBytes) {
      const std::string_view raw(bytes->data() + off, kSlotBytes);
      Slot slot;
      slot.state = static_cast<uint8_t>(raw[0]);
      slot.tag = DecodeFixed64(raw.data() + 8);
      if (slot.state == kLive) {
        slot.wrapped.assign(raw.substr(16, kWrappedBytes));
      } else if (slot.state != kDeleted) {
        return Status::Corruption(path + ": key slot " + std::to_string(off / kSlotBytes) +
                                  " has an unknown state");
      }
      store->by_tag_.emplace(slot.tag, store->slots_.size());
      store->slots_.push_back(std::move(slot));
    }
  }
  store->durable_slots_ = store->slots_.size();
  return store;
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
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(account); it != cache_.end()) return it->second;
  const uint64_t tag = TagOf(account);
  auto found = FindLocked(account, tag);
  if (!found.ok()) return found.status();
  if (const auto index = *found) {
    if (slots_[*index].state == kDeleted) return Status::NotFound("the account was deleted");
    uint64_t owner;
    SecretKey key;
    if (Status s = UnwrapLocked(*index, owner, key); !s.ok()) return s;
    cache_.emplace(account, key);
    return key;
  }
  const SecretKey key = SecretKey::Random();
  Slot slot;
  slot.state = kLive;
  slot.tag = tag;
  const Nonce nonce = RandomNonce();
  slot.wrapped.assign(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  std::string plain = AccountBytes(account);
  plain.append(key.view());
  SealTo(slot.wrapped, wrap_, nonce, plain, AssociatedData(tag));
  sodium_memzero(plain.data(), plain.size());
  by_tag_.emplace(tag, slots_.size());
  slots_.push_back(std::move(slot));
  cache_.emplace(account, key);
  return key;
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
    // Nothing sealed with these keys may become durable: take them back.
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
    return s;
  }
  durable_slots_ = slots_.size();
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
