#include "vault/clickhouse/account_keys.h"

#include <soci/soci.h>

#include <algorithm>

#include "core/base64.h"
#include "core/clock.h"
#include "core/coding.h"
#include "core/sha256.h"
#include "vault/tags.h"

namespace custodian::vault::clickhouse {
namespace {

constexpr char kEpoch[] = "vault_key_epoch";
constexpr std::string_view kAssociated = "custodian/account-key/v1";

// The tag's 12 bytes, as the row's key is their hex.
std::string TagBytes(const AccountTag96& tag) {
  std::string b;
  PutFixed64(b, tag.first);
  PutFixed32(b, tag.second);
  return b;
}
std::string TagText(const AccountTag96& tag) {
  const std::string b = TagBytes(tag);
  return HexEncode(reinterpret_cast<const uint8_t*>(b.data()), b.size());
}

long long EpochOf(soci::session& sql) {
  const std::string name = kEpoch;
  long long epoch = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT value FROM counters WHERE name = :n", soci::use(name), soci::into(epoch, ind);
  return sql.got_data() && ind == soci::i_ok ? epoch : 0;
}

// A row of vault_account_keys: none, a tombstone (no wrapped key), or a live key.
struct Row {
  bool found = false;
  std::optional<std::string> wrapped;
};
Row RowOf(soci::session& sql, const std::string& tag) {
  std::string wrapped;
  soci::indicator ind = soci::i_null;
  sql << "SELECT wrapped FROM vault_account_keys WHERE tag = :t", soci::use(tag), soci::into(wrapped, ind);
  Row row;
  row.found = sql.got_data();
  if (row.found && ind == soci::i_ok) row.wrapped = wrapped;
  return row;
}

}  // namespace

AccountTag96 AccountKeys::TagOf(uint64_t account) const { return AccountTag(tags_, account); }

void AccountKeys::Refresh(soci::session& sql) {
  const long long epoch = EpochOf(sql);
  if (epoch != epoch_) {
    cache_.Clear();
    epoch_ = epoch;
  }
}

Result<std::pair<uint64_t, SecretKey>> AccountKeys::Opened(const AccountTag96& tag,
                                                           const std::string& wrapped) const {
  const std::string what = "case store: vault_account_keys " + TagText(tag);
  auto bytes = Base64Decode(wrapped);
  if (!bytes.ok() || bytes->size() != kNonceBytes + 8 + kKeyBytes + kTagBytes) {
    return Status::Corruption(what + ": not a wrapped key");
  }
  Nonce nonce;
  std::copy_n(bytes->begin(), kNonceBytes, nonce.begin());
  std::string plain;
  if (!OpenTo(plain, wrap_, nonce, std::string_view(*bytes).substr(kNonceBytes),
              std::string(kAssociated) + TagBytes(tag)) ||
      TagOf(DecodeFixed64(plain.data())) != tag) {
    return Status::Corruption(what + ": the key does not open for its tag (a row changed or moved)");
  }
  return std::pair(DecodeFixed64(plain.data()), SecretKey::FromBytes(std::string_view(plain).substr(8)));
}

Status AccountKeys::Resolve(std::span<const uint64_t> accounts, bool create,
                            std::vector<std::optional<SecretKey>>& keys) {
  std::lock_guard lock(mu_);
  keys.assign(accounts.size(), std::nullopt);
  std::vector<size_t> opened;  // keys to cache once the transaction committed
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    // A write first, changing nothing: SQLite then takes its write lock now, and a second
    // writer waits for it, instead of both reading and then failing to write ("database is
    // locked"). PostgreSQL locks no row for it.
    if (create) sql << "UPDATE vault_account_keys SET created_at = created_at WHERE 1 = 0";
    Refresh(sql);
    opened.clear();
    const long long now = SystemClock().Now().micros;
    for (size_t i = 0; i < accounts.size(); ++i) {
      size_t slot = 0;
      if (const KeyCache::Entry* hit = cache_.FindAccount(accounts[i], slot)) {
        keys[i] = hit->key;
        continue;
      }
      const std::string tag = TagText(TagOf(accounts[i]));
      Row row = RowOf(sql, tag);
      if (!row.found && create) {
        // Two servers may make a key for the same new account: the first insert wins, and the
        // other reads the winner's.
        const SecretKey key = SecretKey::Random();
        std::string plain;
        PutFixed64(plain, accounts[i]);
        plain.append(key.view());
        const Nonce nonce = RandomNonce();
        std::string sealed(reinterpret_cast<const char*>(nonce.data()), nonce.size());
        SealTo(sealed, wrap_, nonce, plain, std::string(kAssociated) + TagBytes(TagOf(accounts[i])));
        const std::string wrapped = Base64Encode(sealed);
        sql << "INSERT INTO vault_account_keys (tag, wrapped, created_at) VALUES (:t, :w, :c) "
               "ON CONFLICT (tag) DO NOTHING",
            soci::use(tag), soci::use(wrapped), soci::use(now);
        row = RowOf(sql, tag);
      }
      if (!row.wrapped) continue;  // deleted, or (not creating) none
      auto key = Opened(TagOf(accounts[i]), *row.wrapped);
      if (!key.ok()) return key.status();
      if (key->first != accounts[i]) return Status::Corruption("case store: vault_account_keys " + tag + ": another account's key");
      keys[i] = key->second;
      opened.push_back(i);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (size_t i : opened) cache_.Put(accounts[i], {accounts[i], TagOf(accounts[i]).second, *keys[i]});
  return Status::Ok();
}

Status AccountKeys::GetOrCreateMany(std::span<const uint64_t> accounts,
                                    std::vector<std::optional<SecretKey>>& keys) {
  return Resolve(accounts, /*create=*/true, keys);
}

Status AccountKeys::GetMany(std::span<const uint64_t> accounts, std::vector<std::optional<SecretKey>>& keys) {
  return Resolve(accounts, /*create=*/false, keys);
}

Status AccountKeys::Destroy(uint64_t account) {
  std::lock_guard lock(mu_);
  const std::string tag = TagText(TagOf(account));
  long long epoch = 0;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const Row row = RowOf(sql, tag);
    if (!row.found) return Status::NotFound("the vault has no key for this account");
    const long long now = SystemClock().Now().micros;
    soci::statement destroy =
        (sql.prepare << "UPDATE vault_account_keys SET wrapped = NULL, deleted_at = :d "
                        "WHERE tag = :t AND wrapped IS NOT NULL",
         soci::use(now), soci::use(tag));
    destroy.execute(true);
    if (destroy.get_affected_rows() != 1) return Status::NotFound("the account was deleted already");
    epoch = cases::NextCounter(sql, kEpoch);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  cache_.EraseSlot(account);
  // This deletion alone moved the epoch: the other cached keys stay good.
  if (epoch == epoch_ + 1) epoch_ = epoch;
  return Status::Ok();
}

Result<bool> AccountKeys::IsDeleted(uint64_t account) {
  const std::string tag = TagText(TagOf(account));
  Row row;
  Status s = db_.Transaction([&](soci::session& sql) {
    row = RowOf(sql, tag);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return row.found && !row.wrapped;
}

Result<std::vector<uint64_t>> AccountKeys::AccountsOfTags(std::span<const AccountTag96> tags) {
  std::vector<uint64_t> accounts;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    for (const AccountTag96& t : tags) {
      const std::string tag = TagText(t);
      const Row row = RowOf(sql, tag);
      if (!row.wrapped) continue;
      auto opened = Opened(t, *row.wrapped);
      if (!opened.ok()) return opened.status();
      accounts.push_back(opened->first);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::sort(accounts.begin(), accounts.end());
  return accounts;
}

Result<uint64_t> AccountKeys::Count(bool live) {
  long long n = 0;
  Status s = db_.Transaction([&](soci::session& sql) {
    sql << std::string("SELECT COUNT(*) FROM vault_account_keys WHERE wrapped IS ") + (live ? "NOT NULL" : "NULL"),
        soci::into(n);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return static_cast<uint64_t>(n);
}

}  // namespace custodian::vault::clickhouse
