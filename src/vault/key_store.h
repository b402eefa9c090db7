// The account key store: one random 256-bit data key per account, wrapped by the master key,
// in fixed-size slots of a file kept apart from the event data (docs/vault_format.md, "Keys",
// "Account keys at scale"). Slots are read by number when needed, found by tag through a
// derived index and the slots past it; a bounded cache holds the keys unwrapped. Destroying
// an account's key overwrites its slot in place and syncs it: one write, whatever the
// account's size (crypto-shredding). The slot keeps only the account's keyed tag, as a
// tombstone, so the account is never given a new key by mistake. Another process may add
// slots or destroy keys (under the vault's writer lock): CatchUp reads what it did.
// Thread-safe: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "vault/crypto.h"
#include "vault/key_cache.h"
#include "vault/key_index.h"
#include "vault/tail_slots.h"
#include "vault/writer_lock.h"

namespace custodian::vault {

class KeyStore {
 public:
  // Unwrapped keys kept at most ([vault] key_cache_entries): 154 bytes each (measured).
  static constexpr size_t kDefaultCacheEntries = 1 << 18;
  // Slots past the index that make a writer write a new index: this many, or an eighth of
  // those the index covers if more (so that each slot is rewritten into the index a bounded
  // number of times, and a reader opening the store scans at most that many slots).
  static constexpr size_t kIndexAfterSlots = 1 << 18;

  // A store of the file at `path` (its index beside it, `path`.index), read by CatchUp (the
  // file is created by the first commit). `wrap` wraps the keys; `tags` makes the keyed tags
  // of account ids; at most `cache_entries` keys are kept unwrapped.
  KeyStore(FileSystem& fs, std::string path, const SecretKey& wrap, const ShortKey& tags,
           size_t cache_entries = kDefaultCacheEntries)
      : fs_(fs), path_(std::move(path)), index_path_(path_ + ".index"), wrap_(wrap), tags_(tags),
        cache_(cache_entries) {}
  // A store read whole, as its only writer (tests): a torn last slot is cut.
  static Result<std::unique_ptr<KeyStore>> Open(FileSystem& fs, const std::string& path,
                                                 const SecretKey& wrap, const ShortKey& tags,
                                                 size_t cache_entries = kDefaultCacheEntries,
                                                 size_t index_after_slots = kIndexAfterSlots);

  // Reads the slots added since the last call (and, the first time, the index and the slots
  // past it). When `mark`'s epoch says a slot was overwritten (a key destroyed by another
  // process), forgets every cached key. A slot that fails its checks, or a file shorter than
  // committed, is Corruption naming the byte; a torn last slot is left alone, unless `access`
  // is kWrite (the caller holds the writer lock): then it is cut, slots read past the
  // committed length are synced, and a new index is written when enough slots lie past it.
  // True when keys may have been destroyed elsewhere since the last call.
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
  // is made durable. Then, when enough slots lie past the index, writes a new one.
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

  // Counted by reading every slot: for statistics, not for a hot path.
  size_t live_accounts();
  size_t deleted_accounts();
  // Keys held unwrapped now, and slots covered by the index (tests, the benchmark).
  size_t cached_keys();
  uint64_t indexed_slots();

  static constexpr size_t kSlotBytes = 96;

 private:
  struct Slot {
    uint8_t state = 0;  // kLive or kDeleted
    uint64_t tag = 0;
    std::string wrapped;  // nonce ‖ sealed(account ‖ key); empty once deleted
  };
  // Where an account's slot is, its state, and its key when live.
  struct Found {
    size_t index = 0;
    uint8_t state = 0;
    std::optional<SecretKey> key;
  };
  // The slot `raw` read at byte `offset` of `path`, or Corruption naming it.
  static Result<Slot> ParseSlot(const std::string& path, uint64_t offset, std::string_view raw);
  // Slot `index`: a pending one, or read from the file and checked.
  Result<Slot> ReadSlotLocked(size_t index);
  // Opens slot `index` (live): its account and key, from the cache or unwrapped (and then
  // cached); Corruption when it does not open.
  Result<KeyCache::Entry> OpenSlotLocked(size_t index, const Slot& slot);
  // The numbers of the slots carrying `tag`: from the index, the slots past it, the pending.
  Status SlotsOfTagLocked(uint64_t tag, std::vector<size_t>& out);
  // The slot of `account` (live or tombstone), none, or Corruption when a slot with its tag
  // does not open: never hand out a second key for an account whose slot is damaged.
  Result<std::optional<Found>> FindLocked(uint64_t account);
  static std::string SlotBytes(const Slot& s);
  void RollbackLocked();
  Status ResolveMany(std::span<const uint64_t> accounts, bool create,
                     std::vector<std::optional<SecretKey>>& keys);
  // Writes a new index of every durable slot when enough lie past the current one (writers).
  Status MaybeIndexLocked();
  // Adopts the index on disk if it covers more durable slots than the one held.
  void AdoptIndexLocked();
  // Holds `index` from now on, forgetting the slots past the old one that it covers.
  void UseIndexLocked(std::unique_ptr<KeyIndex> index);
  // Opens the slots file for reading slots by number, once.
  Status OpenFileLocked();
  // Appends the live accounts carrying `tag`, with their check bits.
  void OwnersOfTagLocked(uint64_t tag, std::vector<std::pair<uint64_t, uint32_t>>& out);
  // The state of every durable slot, counted.
  Result<std::pair<size_t, size_t>> CountLocked();

  FileSystem& fs_;
  const std::string path_;
  const std::string index_path_;
  const SecretKey wrap_;
  const ShortKey tags_;
  size_t index_after_slots_ = kIndexAfterSlots;

  std::mutex mu_;
  std::unique_ptr<RandomAccessFile> file_;           // GUARDED_BY(mu_): the slots, read by number
  std::unique_ptr<KeyIndex> index_;                  // GUARDED_BY(mu_): none until one is adopted
  // GUARDED_BY(mu_): the slots past the index, by tag, with the live account each holds once
  // an address lookup has opened it (such a lookup meets thousands of tags: they need not
  // each go through the cache).
  TailSlots tail_;
  std::vector<Slot> pending_;                        // GUARDED_BY(mu_): slots not yet committed
  KeyCache cache_;                                   // GUARDED_BY(mu_)
  size_t durable_slots_ = 0;                         // GUARDED_BY(mu_)
  // GUARDED_BY(mu_): counts the changes to the slots known (read, made, committed, rolled
  // back, indexed), so that ResolveMany knows whether any came while it made keys unlocked.
  uint64_t slot_changes_ = 0;
  bool read_once_ = false;                           // GUARDED_BY(mu_)
  FileMark mark_;  // GUARDED_BY(mu_): the last CatchUp's, with this store's epoch
};

}  // namespace custodian::vault
