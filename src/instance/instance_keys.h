// Every key an instance derives from its master key, in one table: what it keys and its label
// (the 8-byte context of libsodium's crypto_kdf, vault::DeriveKey). A label is never changed
// once released: the key it derives seals data that must stay readable. The other keys are
// random and wrapped by the master key where they are kept: the vault's (vault/vault_keys.h),
// each account's (vault/key_store.h), the case store's (cases/store/store_keys.h) and the
// signing keys (sealed under kSigningKeys). docs/operations.md, "Keys and backups", lists them
// all.
#pragma once

#include <string_view>

#include "vault/crypto.h"

namespace custodian {

enum class InstanceKey {
  kAttachments,    // the process documents attached to cases (DATA/attachments)
  kPackages,       // the productions' packages kept for delivery (DATA/packages)
  kPseudonyms,     // the case pseudonyms of the disclosure log
  kSigningKeys,    // seals the private signing keys in the case store
  kStoreRecord,    // the MAC of the case store's record in instance.json
  kDemoMark,       // the MAC of the demo mark in instance.json
  kSecondFactors,  // seals staff and requesters' TOTP secrets in the case store
};

struct InstanceKeyUse {
  InstanceKey key;
  std::string_view label;    // exactly 8 bytes
  std::string_view purpose;  // for the operator's documentation
};

inline constexpr InstanceKeyUse kInstanceKeys[] = {
    {InstanceKey::kAttachments, "casefile", "the process documents attached to cases"},
    {InstanceKey::kPackages, "packages", "the productions' packages kept for delivery"},
    {InstanceKey::kPseudonyms, "casepseu", "the case pseudonyms of the disclosure log"},
    {InstanceKey::kSigningKeys, "signkeys", "the private signing keys in the case store"},
    {InstanceKey::kStoreRecord, "storerec", "the MAC of the case store's record"},
    {InstanceKey::kDemoMark, "demomark", "the MAC of the demo mark"},
    {InstanceKey::kSecondFactors, "authtotp", "staff and requesters' TOTP secrets"},
};

// The key for `which`, derived from `master`.
vault::SecretKey DeriveInstanceKey(const vault::SecretKey& master, InstanceKey which);

}  // namespace custodian
