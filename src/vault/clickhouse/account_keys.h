// The vault's per-account data keys for an engine whose servers share no disk (the ClickHouse
// engine, docs/clickhouse.md §7): rows of the instance's case store (migration 22), one per
// account, keyed by the account's 96-bit keyed tag (docs/vault_format.md, "Tags"), its key
// wrapped as the embedded engine wraps it (XChaCha20-Poly1305 of `account id ‖ key` under the
// wrapping key, the tag as associated data): the store never holds an account id or a key in
// the clear. Every server of the instance reads the same keys; two that meet a new account at
// once agree on one key (the first insert wins, the other reads it). Deleting an account
// empties its row (a tombstone: the account never gets a new key) and moves the store's key
// epoch; every lookup first reads the epoch and forgets the cached keys when it moved, so a
// key destroyed through one server is unusable through all of them at once. A bounded cache
// holds keys unwrapped. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cases/store/database.h"
#include "vault/crypto.h"
#include "vault/key_cache.h"
#include "vault/key_store.h"

namespace custodian::vault::clickhouse {

using AccountTag96 = std::pair<uint64_t, uint32_t>;  // an account's tag and check bits

class AccountKeys {
 public:
  AccountKeys(cases::Database& db, SecretKey wrap, ShortKey tags,
              size_t cache_entries = KeyStore::kDefaultCacheEntries)
      : db_(db), wrap_(std::move(wrap)), tags_(std::move(tags)), cache_(cache_entries) {}

  // keys[i]: the key of accounts[i] (distinct), made and stored now when it had none; none
  // when the account was deleted. Durable when this returns.
  Status GetOrCreateMany(std::span<const uint64_t> accounts, std::vector<std::optional<SecretKey>>& keys);
  // The same without making keys: none for an account deleted or without one.
  Status GetMany(std::span<const uint64_t> accounts, std::vector<std::optional<SecretKey>>& keys);
  // Destroys the key of `account`: NotFound when it has none, or was deleted already.
  Status Destroy(uint64_t account);
  // Whether `account` was deleted (a tombstone carries its tag).
  Result<bool> IsDeleted(uint64_t account);
  // The live accounts whose tags are among `tags` (reverse lookups: the address index names
  // accounts by tag), each opened to learn its id.
  Result<std::vector<uint64_t>> AccountsOfTags(std::span<const AccountTag96> tags);
  // Counts, for statistics.
  Result<uint64_t> LiveAccounts() { return Count(true); }
  Result<uint64_t> DeletedAccounts() { return Count(false); }

  AccountTag96 TagOf(uint64_t account) const;

 private:
  // Forgets the cached keys when another server destroyed one since the last look.
  void Refresh(soci::session& sql);
  // The account and key a row under `tag` wraps, or Corruption (a row changed, or moved under
  // another tag).
  Result<std::pair<uint64_t, SecretKey>> Opened(const AccountTag96& tag, const std::string& wrapped) const;
  Status Resolve(std::span<const uint64_t> accounts, bool create, std::vector<std::optional<SecretKey>>& keys);
  Result<uint64_t> Count(bool live);

  cases::Database& db_;
  const SecretKey wrap_;
  const ShortKey tags_;
  std::mutex mu_;
  KeyCache cache_;            // GUARDED_BY(mu_): by account (its number stands for the slot)
  long long epoch_ = -1;      // GUARDED_BY(mu_): the key epoch the cache is good for
};

}  // namespace custodian::vault::clickhouse
