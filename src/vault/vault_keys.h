// The vault-wide keys, random and wrapped by the master key in one small file
// (keys/vault.keys): the key that makes account tags, the keys of the address and
// identifier indexes and of event-id deduplication, the user-agent dictionary's key and the
// key that authenticates read grants, and the key of the vault's own records (legal holds). They are random rather than derived from the master
// key so that rotating the master key re-wraps them and changes nothing else.
#pragma once

#include <string>

#include "core/file_system.h"
#include "core/status.h"
#include "vault/crypto.h"

namespace custodian::vault {

struct VaultKeys {
  ShortKey account_tags;
  ShortKey address_index;
  ShortKey identifier_index;
  ShortKey event_ids;
  SecretKey dictionary;
  SecretKey grants;
  SecretKey metadata;  // seals the vault's own records: legal holds, pending deletions

  static VaultKeys Random();
  // Writes the keys wrapped by `master` to `path`, atomically.
  Status Save(FileSystem& fs, const std::string& path, const SecretKey& master) const;
  static Result<VaultKeys> Load(FileSystem& fs, const std::string& path, const SecretKey& master);
};

}  // namespace custodian::vault
