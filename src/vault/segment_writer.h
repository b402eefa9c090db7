// Writes a day's events as a sealed segment file (docs/vault_format.md, "Segments"): one
// block per account, sealed under the account's key, with the address and event-id indexes.
// Used when a partition seals its memtable and when a bulk import seals a day directly.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/file_system.h"
#include "core/status.h"
#include "core/time.h"
#include "vault/key_store.h"
#include "vault/packed_event.h"
#include "vault/segment.h"
#include "vault/string_pool.h"
#include "vault/vault_keys.h"

namespace custodian::vault {

// One account's events of the day, sorted by time, and the account's key (none once the
// account was deleted: its events go with its key).
struct AccountEvents {
  Tag96 tag;
  uint64_t account = 0;
  std::span<const PackedEvent> events;
  std::optional<SecretKey> key;
};

// What partitions and segment writers need from their vault.
struct PartitionContext {
  FileSystem& fs;
  KeyStore& keys;
  const VaultKeys& vault_keys;
  size_t threads = 1;  // a day's segments are opened on this many at once
  AddressChunkCache* address_chunks = nullptr;  // where segment readers keep opened chunks
};

// Writes the segment `id` of `day` holding `accounts` (sorted by tag, then account) to `path`:
// written to `path`.tmp, synced, renamed, and the directory synced. Accounts without a key
// are left out. Device and event ids are looked up in `strings`. The blocks are sealed on up
// to `threads` threads.
Status WriteSegmentFile(const PartitionContext& ctx, const std::string& path, Date day,
                        const SegmentId& id, const JournalId& sealed_journal,
                        std::span<const AccountEvents> accounts, const StringSource& strings,
                        size_t threads = 1);

// A bulk import's segments carry this suffix until the import commits
// (docs/vault_format.md, "Bulk import").
inline constexpr std::string_view kPendingSegmentSuffix = ".pending";

// A new random segment id: every block nonce derived from it is fresh.
SegmentId RandomSegmentId();
// The file name of segment `id` within its day's directory.
std::string SegmentFileName(const SegmentId& id);

}  // namespace custodian::vault
