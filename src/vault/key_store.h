// The account key store: one random 256-bit data key per account, wrapped by the master key,
// in fixed-size slots of a file kept apart from the event data (docs/vault_format.md, "Key
// store"). Destroying an account's key overwrites its slot in place and syncs it: one write,
// whatever the account's size (crypto-shredding). The slot keeps only the account's keyed
// tag, as a tombstone, so the account is never given a new key by mistake.
// Thread-safe: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "vault/crypto.h"

namespace custodian::vault {

class KeyStore {
 public:
  // Opens (creating when missing) the store at `path`. `wrap` wraps the keys; `tags` makes the
  // keyed tags of account ids. A torn last slot is cut; a slot that fails its checks is
  // Corruption.
  static Result<std::unique_ptr<KeyStore>> Open(FileSystem& fs, const std::string& path,
                                                 const SecretKey& wrap, const ShortKey& tags);

  // The key of `account`; a new one (not durable until CommitNew) when it has none.
  // NotFound when the account was deleted.
  Result<SecretKey> GetOrCreate(uint64_t account);
  // The key of `account`; NotFound when it has none or was deleted.
  Result<SecretKey> Get(uint64_t account);
  // Makes every key handed out by GetOrCreate durable. Call before anything sealed with them
  // is made durable.
  Status CommitNew();
  // Destroys the key of `account` at once and leaves a tombstone. NotFound if it has no key.
  Status Destroy(uint64_t account);
  bool IsDeleted(uint64_t account);

  // The live account whose keyed tag is `tag`, if any (reverse lookups, target resolution).
  std::vector<uint64_t> AccountsOfTag(uint64_t tag);
  // Appends to `out` the live accounts whose full 96-bit tags are among `tags`, under one lock
  // (lookups by address meet thousands of tags).
  void AccountsOfTags(std::span<const std::pair<uint64_t, uint32_t>> tags, std::vector<uint64_t>& out);
  uint64_t TagOf(uint64_t account) const;

  size_t live_accounts();
  size_t deleted_accounts();

  static constexpr size_t kSlotBytes = 96;

 private:
  struct Slot {
    uint8_t state = 0;  // kLive or kDeleted
    uint64_t tag = 0;
    std::string wrapped;  // nonce ‖ sealed(account ‖ key); empty once deleted
    std::optional<uint64_t> owner;  // the account, once the slot has been opened
    uint32_t owner_check = 0;       // the owner's tag check bits (tags.h), with `owner`
  };
  KeyStore(FileSystem& fs, std::string path, const SecretKey& wrap, const ShortKey& tags)
      : fs_(fs), path_(std::move(path)), wrap_(wrap), tags_(tags) {}
  // Unwraps slot `index`: its account and key, or Corruption.
  Status UnwrapLocked(size_t index, uint64_t& account, SecretKey& key);
  // The slot of `account` (live or tombstone), none, or Corruption when a slot with its tag
  // does not open: never hand out a second key for an account whose slot is damaged.
  Result<std::optional<size_t>> FindLocked(uint64_t account, uint64_t tag);
  static std::string SlotBytes(const Slot& s);

  FileSystem& fs_;
  const std::string path_;
  const SecretKey wrap_;
  const ShortKey tags_;

  std::mutex mu_;
  std::vector<Slot> slots_;                                    // GUARDED_BY(mu_)
  std::unordered_multimap<uint64_t, size_t> by_tag_;           // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, SecretKey> cache_;              // GUARDED_BY(mu_): account → key
  size_t durable_slots_ = 0;                                   // GUARDED_BY(mu_)
};

}  // namespace custodian::vault
