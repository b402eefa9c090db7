// Checks a production package offline (spec/production.md): exactly the six files; each
// record file's SHA-256 as the manifest lists it; the manifest's Ed25519 signature with the
// production's public key; and, given the ledger's public key, that ledger.json's leaf is a
// production leaf holding the manifest's SHA-256, included (RFC 9162 proof) in a tree head the
// ledger key signed. Pure function of its inputs: safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/public_keys.h"

namespace custodian::production {

struct PackageCheck {
  std::vector<std::string> passed;  // what held, in the order checked
  std::optional<std::string> failure;  // the first problem; none when everything held
  bool ok() const { return !failure; }
};

// InvalidArgument only when `zip_path` has no readable zip directory at all; every problem
// inside the package, its zip's structure included (a name twice, a local header that
// disagrees with the directory), is a failure in the check.
Result<PackageCheck> VerifyPackage(const std::string& zip_path,
                                   const std::array<uint8_t, 32>& production_key,
                                   const std::optional<std::array<uint8_t, 32>>& ledger_key);
// The same with sets of keys (every key of the instance's keys document, say): the manifest
// is checked with the production key its key_id names, the tree head with the ledger key it
// names; a key id none of them has is a failure naming it.
Result<PackageCheck> VerifyPackage(const std::string& zip_path,
                                   std::span<const ledger::TrustedKey> production_keys,
                                   std::optional<std::span<const ledger::TrustedKey>> ledger_keys);

// A public key as `keys export-public` prints it: base64 of its 32 bytes (white space around
// it ignored). InvalidArgument otherwise.
Result<std::array<uint8_t, 32>> ParsePublicKey(std::string_view text);

}  // namespace custodian::production
