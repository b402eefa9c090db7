// The master key: 256 random bits in a file outside the data directory (mode 0600), which
// wraps every other key of an instance. `custodian init` creates it; everything else loads
// it. Free functions: safe from any thread.
#pragma once

#include <string>

#include "core/status.h"
#include "vault/crypto.h"

namespace custodian::vault {

// Writes a new random master key to `path` (which must not exist), mode 0600, and returns it.
Result<SecretKey> CreateMasterKeyFile(const std::string& path);

// Reads the master key at `path`; refuses a file that group or others may read.
Result<SecretKey> LoadMasterKeyFile(const std::string& path);

// A short public fingerprint of a master key (16 hex digits), stored beside the data so that
// the wrong key file is named as such rather than failing as corruption.
std::string MasterKeyId(const SecretKey& key);

// Where the key file of instance `instance_id` lives when neither --key-file nor
// CUSTODIAN_KEY_FILE names one: $XDG_CONFIG_HOME (or ~/.config)/custodian/keys/ID.key.
std::string DefaultKeyFilePath(const std::string& instance_id);

}  // namespace custodian::vault
