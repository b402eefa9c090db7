// An instance of custodian: a data directory (instance.json, the vault, later the case store
// and the ledgers) and its master key file, which lives outside the directory. `custodian
// init` creates one; every other command opens one. Free functions: thread-compatible.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "vault/vault.h"

namespace custodian {

struct InstanceOptions {
  std::string data_dir;
  std::string key_file;  // empty: CUSTODIAN_KEY_FILE, then the default path for the instance
};

struct InitResult {
  std::string instance_id;
  std::string key_file;
};

// Creates the instance and its master key file. Refuses a directory that already holds an
// instance, and a key file inside the data directory.
Result<InitResult> InitInstance(const InstanceOptions& options);

// The instance's master key, from its key file (checked against the instance).
Result<vault::SecretKey> LoadMasterKey(const InstanceOptions& options);

// Opens the instance's vault with its master key.
Result<std::unique_ptr<vault::Vault>> OpenVault(const InstanceOptions& options,
                                                vault::VaultOptions vault_options = {});

}  // namespace custodian
