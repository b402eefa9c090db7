// The account key store: one random 256-bit data key per account, wrapped by the master key,
// in fixed-size slots of a file kept apart from the event data (docs/vault_format.md, "Key
// store"). Destroying an account's key overwrites its slot in place and syncs it: one write,
// whatever the account's size (crypto-shredding). The slot keeps only the account's keyed
// tag, as a tombstone, so the account is never given a new key by mistake. Another process may
// add slots or destroy keys (under the vault's writer lock): CatchUp reads what it did.
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
#include "vault/writer_lock.h"

namespace custodian::vault {

class KeyStore {
 public:
  // A store of the file at `path`, read by CatchUp (the file is created by the first
  // commit). `wrap` wraps the keys; `tags` makes the keyed tags of account ids.
  KeyStore(FileSystem& fs, std::string path, const SecretKey& wrap, const ShortKey& tags)
      : fs_(fs), path_(std::move(path)), wrap_(wrap), tags_(tags) {}
  // A store read whole, as its only writer (tests): a torn last slot is cut.
  static Result<std::unique_ptr<KeyStore>> Open(FileSystem& fs, const std::string& path,
                                                 const SecretKey& wrap, const ShortKey& tags);

  // Reads the slots added since the last call, or all of them again when `mark`'s epoch says
  // a slot was overwritten (a key destroyed by another process). `mark` is the file's in the
  // lock record. A slot that fails its checks, or a file shorter than committed, is
  // Corruption naming the byte; a torn last slot is left alone, unless `access` is kWrite
  // (the caller holds the writer lock): then it is cut, and slots read past the committed
  // length are synced. True when everything was read again.
  Result<bool> CatchUp(const FileMark& mark, CatchUpAccess access);
  // CatchUp as a reader, with the mark of the last call: for a tag met before its slot.
  Status Refresh();
  // The file's committed length and epoch as this store knows them.
  FileMark mark();
  // Forgets the keys GetOrCreate handed out since the last CommitNew (nothing sealed with them
  // became durable).
  void Rollback();
  // Whether any slot, live or a tombstone, carries `tag`.
  bool KnowsTag(uint64_t tag);

  // The key of `account`; a new one (not durable until CommitNew) when it has none.
  // NotFound when the account was deleted.
  Result<SecretKey> GetOrCreate(uint64_t account);
  // GetOrCreate for many accounts, which must be distinct: keys[i] is accounts[i]'s, or none
  // when it was deleted. One hold of the store's lock and one draw of randomness for all the
  // new keys: a day of a bulk import resolves its accounts at once, not one lock (contended
  // by the other sealing thread) and two system calls per account.
  Status GetOrCreateMany(std::span<const uint64_t> accounts,
                         std::vector<std::optional<SecretKey>>& keys);
  // The same without creating: none for an account deleted or without a key.
  Status GetMany(std::span<const uint64_t> accounts, std::vector<std::optional<SecretKey>>& keys);
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
  // Unwraps slot `index`: its account and key, or Corruption.
  Status UnwrapLocked(size_t index, uint64_t& account, SecretKey& key);
  // The slot of `account` (live or tombstone), none, or Corruption when a slot with its tag
  // does not open: never hand out a second key for an account whose slot is damaged.
  Result<std::optional<size_t>> FindLocked(uint64_t account, uint64_t tag);
  static std::string SlotBytes(const Slot& s);
  void RollbackLocked();
  Status ResolveMany(std::span<const uint64_t> accounts, bool create,
                     std::vector<std::optional<SecretKey>>& keys);

  FileSystem& fs_;
  const std::string path_;
  const SecretKey wrap_;
  const ShortKey tags_;

  std::mutex mu_;
  std::vector<Slot> slots_;                                    // GUARDED_BY(mu_)
  std::unordered_multimap<uint64_t, size_t> by_tag_;           // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, SecretKey> cache_;              // GUARDED_BY(mu_): account → key
  size_t durable_slots_ = 0;                                   // GUARDED_BY(mu_)
  FileMark mark_;  // GUARDED_BY(mu_): the last CatchUp's, with this store's epoch
};

}  // namespace custodian::vault
