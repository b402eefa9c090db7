// The vault's format version (docs/vault_format.md, "Format versions"): vault/FORMAT, one
// line of text. A vault without the file is of format 1. Readers read every format up to
// kVaultFormat and change nothing; the first writer of a newer custodian raises the version
// under the writer lock before it writes anything in the new format; a custodian meets a
// version newer than its own with an error naming both, never with a misread.
#pragma once

#include <string>

#include "core/file_system.h"
#include "core/status.h"

namespace custodian::vault {

// 2: event blocks of layout 2 (device ids packed as bytes).
// 3: segments whose indexes are in chunks (CUSTSEG2), read a chunk at a time.
inline constexpr int kVaultFormat = 3;

// The format of the vault in `dir`: 1 when it has no FORMAT file; FailedPrecondition for a
// version newer than kVaultFormat, Corruption for a file that does not say one.
Result<int> ReadVaultFormat(FileSystem& fs, const std::string& dir);
// Writes kVaultFormat to the vault in `dir`, atomically and durably (the writer, holding the
// lock).
Status WriteVaultFormat(FileSystem& fs, const std::string& dir);

}  // namespace custodian::vault
