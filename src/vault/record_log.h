// The framing the vault's append-only logs share (journals, the dictionary, the subscriber
// log): records `length (4) ‖ crc of body (4) ‖ body`; and the rule that tells a torn tail,
// which a crash leaves and the writer may cut, from damage, which is reported and never cut
// (docs/vault_format.md, "Torn tails and damage"). Free functions: safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/file_system.h"
#include "core/status.h"

namespace custodian::vault {

struct RecordScan {
  uint64_t end = 0;        // where the last good record ends
  bool torn_tail = false;  // the bytes after `end` are a torn tail
};

// The length of a record's body must lie in [min_body, max_body].
struct RecordBounds {
  size_t min_body = 0;
  size_t max_body = 0;
};

// Visits the good records of `tail` (the file at `path` from byte `start`, where a record
// begins, to its end), calling visit(offset, body) with offsets in the file; an error it
// returns ends the scan and is returned.
// `committed` is the length the vault's lock record says was committed to the file (0 when
// unknown). A record that fails its checks ends the good ones; what follows it is a torn tail
// only when the record begins at or after `committed`, no good record starts anywhere after
// it, and less than 64 MiB follow it (one append writes less). Otherwise, and when the file is
// shorter than `committed`, Corruption naming the file and the byte.
Result<RecordScan> ScanRecords(const std::string& path, std::string_view tail, uint64_t start,
                               uint64_t committed, RecordBounds bounds,
                               const std::function<Status(uint64_t offset, std::string_view body)>& visit);

// The file at `path` from byte `from` to its end, and its size (when it is shorter than
// `from`, nothing is read: the caller's view of it is out of date).
struct FileTail {
  uint64_t size = 0;
  std::string bytes;
};
Result<FileTail> ReadTail(FileSystem& fs, const std::string& path, uint64_t from);

// What a log that is missing means: nothing when no byte of it was read (`read`) or committed
// (`committed`), else Corruption naming the file and how much of it was committed.
Status MissingLog(const std::string& path, uint64_t read, uint64_t committed);

// Appends a record holding `body` to `out`.
void AppendRecord(std::string_view body, std::string& out);

// The same rule for a file of fixed-size slots: a partial last slot is a torn tail (the
// committed length holds whole slots, so it begins at or after it); a file shorter than
// `committed` is Corruption. Returns where the whole slots end.
Result<RecordScan> ScanSlots(const std::string& path, uint64_t size, uint64_t committed,
                             size_t slot_bytes);

}  // namespace custodian::vault
