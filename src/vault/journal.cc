#include "vault/journal.h"

#include "core/coding.h"
#include "core/crc32c.h"
#include "vault/record_log.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTJNL1";
constexpr RecordBounds kFrameBounds{8 + kNonceBytes + kTagBytes, 256 << 20};

std::string Header(Date day, const JournalId& id) {
  std::string h(kMagic);
  PutFixed64(h, static_cast<uint64_t>(day.days));
  h.append(reinterpret_cast<const char*>(id.data()), id.size());
  PutFixed32(h, Crc32c(h));
  return h;
}

}  // namespace

void EncodeJournalFrame(const JournalFrame& frame, std::string& out) {
  std::string body;
  PutFixed64(body, frame.account_tag);
  body.append(reinterpret_cast<const char*>(frame.nonce.data()), frame.nonce.size());
  body += frame.sealed;
  AppendRecord(body, out);
}

Result<JournalContents> ReadJournal(FileSystem& fs, const std::string& path, uint64_t from,
                                    uint64_t committed) {
  JournalContents c;
  auto file = fs.OpenRead(path);
  if (!file.ok()) return file.status();
  const uint64_t size = (*file)->Size();
  if (size < kJournalHeaderBytes && committed == 0) {
    c.torn_creation = true;
    return c;
  }
  std::string h;
  if (size >= kJournalHeaderBytes) {
    if (Status s = (*file)->Read(0, kJournalHeaderBytes, h); !s.ok()) return s;
  }
  if (h.size() < kJournalHeaderBytes || !std::string_view(h).starts_with(kMagic) ||
      Crc32c(std::string_view(h).substr(0, kJournalHeaderBytes - 4)) !=
          DecodeFixed32(h.data() + kJournalHeaderBytes - 4)) {
    return Status::Corruption(path + ": the header at byte 0 is damaged, or it is not a journal");
  }
  c.day = Date{static_cast<int64_t>(DecodeFixed64(h.data() + 8))};
  std::copy(h.begin() + 16, h.begin() + 32, c.id.begin());
  const uint64_t start = std::max<uint64_t>(from, kJournalHeaderBytes);
  if (size < start) {
    return Status::Corruption(path + ": ends at byte " + std::to_string(size) + ", before the " +
                              std::to_string(start) + " bytes already read from it");
  }
  std::string tail;
  if (Status s = (*file)->Read(start, size - start, tail); !s.ok()) return s;
  auto scan = ScanRecords(path, tail, start, committed, kFrameBounds,
                          [&](uint64_t offset, std::string_view body) {
                            JournalFrame f;
                            f.offset = offset;
                            f.account_tag = DecodeFixed64(body.data());
                            std::copy(body.begin() + 8, body.begin() + 8 + kNonceBytes, f.nonce.begin());
                            f.sealed.assign(body.substr(8 + kNonceBytes));
                            c.frames.push_back(std::move(f));
                            return Status::Ok();
                          });
  if (!scan.ok()) return scan.status();
  c.valid_bytes = scan->end;
  c.torn_tail = scan->torn_tail;
  return c;
}

Status CreateJournal(FileSystem& fs, const std::string& path, Date day, const JournalId& id) {
  auto file = fs.OpenAppend(path, true);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(Header(day, id));
  if (s.ok()) s = (*file)->Sync();
  Status c = (*file)->Close();
  if (s.ok()) s = c;
  if (s.ok()) s = fs.SyncDir(path.substr(0, path.rfind('/')));
  if (!s.ok()) fs.Remove(path).IgnoreError();
  return s;
}

}  // namespace custodian::vault
