#include "vault/record_log.h"

#include <algorithm>
#include <string>

#include "core/coding.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

constexpr size_t kHeaderBytes = 8;  // length, crc
// A torn tail is what one interrupted append left: a batch, far less than this.
constexpr uint64_t kMaxTornTail = uint64_t{64} << 20;

// Why the record at `pos` is not good, or nullptr when it is.
const char* Problem(std::string_view bytes, uint64_t pos, RecordBounds bounds) {
  if (bytes.size() - pos < kHeaderBytes) return "is cut short";
  const uint32_t length = DecodeFixed32(bytes.data() + pos);
  if (length < bounds.min_body || length > bounds.max_body) return "has an impossible length";
  if (bytes.size() - pos - kHeaderBytes < length) return "is cut short";
  if (Crc32c(bytes.substr(pos + kHeaderBytes, length)) != DecodeFixed32(bytes.data() + pos + 4)) {
    return "fails its checksum";
  }
  return nullptr;
}

std::string Bytes(uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

}  // namespace

Result<FileTail> ReadTail(FileSystem& fs, const std::string& path, uint64_t from) {
  auto file = fs.OpenRead(path);
  if (!file.ok()) return file.status();
  FileTail tail;
  tail.size = (*file)->Size();
  if (tail.size > from) {
    if (Status s = (*file)->Read(from, tail.size - from, tail.bytes); !s.ok()) return s;
  }
  return tail;
}

Status MissingLog(const std::string& path, uint64_t read, uint64_t committed) {
  if (read == 0 && committed == 0) return Status::Ok();
  return Status::Corruption(path + ": missing, but " + std::to_string(std::max(read, committed)) +
                            " bytes of it were committed");
}

void AppendRecord(std::string_view body, std::string& out) {
  PutFixed32(out, static_cast<uint32_t>(body.size()));
  PutFixed32(out, Crc32c(body));
  out.append(body);
}

Result<RecordScan> ScanRecords(const std::string& path, std::string_view tail, uint64_t start,
                               uint64_t committed, RecordBounds bounds,
                               const std::function<Status(uint64_t, std::string_view)>& visit) {
  const uint64_t size = start + tail.size();
  if (size < committed) {
    return Status::Corruption(path + ": ends at byte " + std::to_string(size) + ", inside the " +
                              Bytes(committed) + " committed to it");
  }
  uint64_t pos = 0;  // in `tail`
  while (pos < tail.size()) {
    if (const char* problem = Problem(tail, pos, bounds)) {
      const std::string where = path + ": the record at byte " + std::to_string(start + pos) + " " + problem;
      if (start + pos < committed) {
        return Status::Corruption(where + ", inside the " + Bytes(committed) + " committed to the file");
      }
      // Past what was committed: a torn tail, unless a good record follows, which a crash in
      // the middle of an append cannot leave; or more bytes follow than one append writes
      // (which also bounds the search).
      if (tail.size() - pos > kMaxTornTail) {
        return Status::Corruption(where + ", and " + Bytes(tail.size() - pos) +
                                  " follow it: more than an interrupted append leaves");
      }
      for (uint64_t next = pos + 1; next + kHeaderBytes <= tail.size(); ++next) {
        if (!Problem(tail, next, bounds)) {
          return Status::Corruption(where + ", and a good record follows at byte " +
                                    std::to_string(start + next));
        }
      }
      return RecordScan{start + pos, true};
    }
    const uint32_t length = DecodeFixed32(tail.data() + pos);
    if (Status s = visit(start + pos, tail.substr(pos + kHeaderBytes, length)); !s.ok()) return s;
    pos += kHeaderBytes + length;
  }
  return RecordScan{start + pos, false};
}

Result<RecordScan> ScanSlots(const std::string& path, uint64_t size, uint64_t committed,
                             size_t slot_bytes) {
  if (size < committed) {
    return Status::Corruption(path + ": ends at byte " + std::to_string(size) + ", inside the " +
                              Bytes(committed) + " committed to it");
  }
  // `committed` holds whole slots, so a partial last slot begins at or after it.
  const uint64_t whole = size / slot_bytes * slot_bytes;
  return RecordScan{whole, whole != size};
}

}  // namespace custodian::vault
