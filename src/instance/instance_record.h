// An instance of custodian: a data directory (instance.json, the vault, the attachments and
// packages, the SQLite case store unless custodian.toml names another) and its master key
// file, which lives outside the directory. `custodian init` creates one; every other command
// opens one. instance.json records the instance's id, its master key's id and the id of its
// case store, the last under a MAC keyed by the master key, so that neither another store nor
// another record goes unnoticed. A demo instance (`custodian demo`) also carries the `demo`
// mark, under a MAC keyed by the master key, set when it is made and by nothing else: its staff
// sign in without a second factor. Free functions: thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "vault/embedded_vault.h"

namespace custodian {

struct InstanceOptions {
  std::string data_dir;
  std::string key_file;  // empty: CUSTODIAN_KEY_FILE, then the default path for the instance
};

struct InitResult {
  std::string instance_id;
  std::string key_file;
  std::string case_store_id;
};

// An instance as every command opens it: instance.json read, its master key loaded (from a
// file outside the data directory, checked against the instance), the data directory made
// private (0700).
struct OpenedInstance {
  std::string data_dir;
  std::string instance_id;
  // The case store the instance records (its MAC checked); none for an instance made before
  // custodian recorded stores, until its first open records the store it finds.
  std::optional<std::string> case_store_id;
  vault::SecretKey master;
  // Made by `custodian demo`: second factors are off, and the console says so.
  bool demo = false;
};

// What InitInstance makes: a service's instance, or the demo's (marked `demo`).
enum class InstanceKind { kService, kDemo };

// Creates the instance: its data directory (0700; an existing one is tightened), its master
// key file, its vault and its case store (the one custodian.toml names, which must be empty),
// whose id instance.json records. Refuses a directory that already holds an instance, and a
// key file inside the data directory or a key given in place of a path. Only `custodian
// demo` asks for kDemo.
Result<InitResult> InitInstance(const InstanceOptions& options,
                                InstanceKind kind = InstanceKind::kService);

// Opens the instance (see OpenedInstance). InvalidArgument for a key file inside the data
// directory, a key given in place of a path (never repeated in the message), or the wrong
// key; Corruption for an instance.json whose case store record does not verify.
Result<OpenedInstance> OpenInstance(const InstanceOptions& options);

// Records `store_id` as the instance's case store in instance.json (written atomically).
Status RecordCaseStore(OpenedInstance& instance, const std::string& store_id);

// The instance's master key (OpenInstance's).
Result<vault::SecretKey> LoadMasterKey(const InstanceOptions& options);

// Opens the instance's vault with its master key.
Result<std::unique_ptr<vault::Vault>> OpenVault(const InstanceOptions& options,
                                                vault::VaultOptions vault_options = {});

// Makes `dir` (which must exist) private to its owner, mode 0700, when it is looser.
Status MakeDirectoryPrivate(const std::string& dir);

}  // namespace custodian
