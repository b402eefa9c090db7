// The journal of an open day partition: an append-only file of records (record_log.h), each
// the sealed events of one account from one ingest batch (docs/vault_format.md, "Journal").
// A batch is acknowledged only after its frames are synced; the partition appends them under
// the vault's writer lock. Free functions: safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "core/time.h"
#include "vault/crypto.h"

namespace custodian::vault {

using JournalId = std::array<uint8_t, 16>;

inline constexpr size_t kJournalHeaderBytes = 8 + 8 + 16 + 4;  // magic, day, id, crc

struct JournalFrame {
  uint64_t account_tag = 0;
  Nonce nonce{};
  std::string sealed;  // the sealed event block
  uint64_t offset = 0;  // where the frame begins in its journal (when read)
};

// Appends `frame`'s bytes to `out`.
void EncodeJournalFrame(const JournalFrame& frame, std::string& out);

struct JournalContents {
  Date day;
  JournalId id{};
  std::vector<JournalFrame> frames;  // those from the byte read from
  uint64_t valid_bytes = 0;  // where the good frames end
  bool torn_tail = false;    // bytes after valid_bytes are a torn tail
  // Shorter than its header, with nothing committed: a journal whose creation a crash cut
  // short. It holds nothing; its writer may remove it.
  bool torn_creation = false;
};

// Reads a journal: its header, and its frames from byte `from` (from the first when `from`
// is within the header). `committed` is the length the lock record says was committed (0:
// unknown). Corruption when the header is wrong, or a bad frame is not a torn tail
// (record_log.h).
Result<JournalContents> ReadJournal(FileSystem& fs, const std::string& path, uint64_t from = 0,
                                    uint64_t committed = 0);

// Creates a new journal: its header synced, and its directory.
Status CreateJournal(FileSystem& fs, const std::string& path, Date day, const JournalId& id);

}  // namespace custodian::vault
