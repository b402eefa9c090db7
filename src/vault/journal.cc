#include "vault/journal.h"

#include "core/coding.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTJNL1";
constexpr size_t kHeaderBytes = 8 + 8 + 16 + 4;  // magic, day, id, crc
constexpr size_t kMaxFrameBytes = 256 << 20;

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
  PutFixed32(out, static_cast<uint32_t>(body.size()));
  PutFixed32(out, Crc32c(body));
  out += body;
}

Result<JournalContents> ReadJournal(FileSystem& fs, const std::string& path) {
  auto bytes = fs.ReadAll(path);
  if (!bytes.ok()) return bytes.status();
  const std::string_view b(*bytes);
  JournalContents c;
  if (b.size() < kHeaderBytes || !b.starts_with(kMagic) ||
      Crc32c(b.substr(0, kHeaderBytes - 4)) != DecodeFixed32(b.data() + kHeaderBytes - 4)) {
    return Status::Corruption(path + ": not a journal, or its header is damaged");
  }
  c.day = Date{static_cast<int64_t>(DecodeFixed64(b.data() + 8))};
  std::copy(b.begin() + 16, b.begin() + 32, c.id.begin());
  size_t pos = kHeaderBytes;
  while (pos < b.size()) {
    const auto bad = [&](const char* what) -> Result<JournalContents> {
      // A damaged frame is a torn tail only when nothing valid can follow it.
      return Status::Corruption(path + ": frame at byte " + std::to_string(pos) + " " + what +
                                ", and data follows it");
    };
    if (b.size() - pos < 8) break;  // torn frame header
    const uint32_t length = DecodeFixed32(b.data() + pos);
    const uint32_t crc = DecodeFixed32(b.data() + pos + 4);
    if (length > kMaxFrameBytes || length < 8 + kNonceBytes + kTagBytes) {
      if (b.size() - pos <= 8 + kNonceBytes) break;
      return bad("has an impossible length");
    }
    if (b.size() - pos - 8 < length) break;  // torn frame body
    const std::string_view body = b.substr(pos + 8, length);
    if (Crc32c(body) != crc) {
      if (pos + 8 + length == b.size()) break;  // the last frame, half written
      return bad("fails its checksum");
    }
    JournalFrame f;
    f.account_tag = DecodeFixed64(body.data());
    std::copy(body.begin() + 8, body.begin() + 8 + kNonceBytes, f.nonce.begin());
    f.sealed.assign(body.substr(8 + kNonceBytes));
    c.frames.push_back(std::move(f));
    pos += 8 + length;
  }
  c.valid_bytes = pos;
  c.torn_tail = pos != b.size();
  return c;
}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(FileSystem& fs,
                                                             const std::string& path, Date day,
                                                             const JournalId& id) {
  auto file = fs.OpenAppend(path, true);
  if (!file.ok()) return file.status();
  const std::string header = Header(day, id);
  Status s = (*file)->Append(header);
  if (s.ok()) s = (*file)->Sync();
  if (s.ok()) s = fs.SyncDir(path.substr(0, path.rfind('/')));
  if (!s.ok()) {
    fs.Remove(path).IgnoreError();
    return s;
  }
  return std::unique_ptr<JournalWriter>(
      new JournalWriter(fs, path, id, header.size(), std::move(file).value()));
}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Resume(FileSystem& fs,
                                                             const std::string& path,
                                                             const JournalContents& contents) {
  if (contents.torn_tail) {
    if (Status s = fs.Truncate(path, contents.valid_bytes); !s.ok()) return s;
  }
  auto file = fs.OpenAppend(path, false);
  if (!file.ok()) return file.status();
  return std::unique_ptr<JournalWriter>(
      new JournalWriter(fs, path, contents.id, contents.valid_bytes, std::move(file).value()));
}

Status JournalWriter::AppendDurably(std::string_view frames) {
  if (broken_) {
    return Status::IoError(path_ + ": an earlier write failed and could not be undone; reopen the vault");
  }
  Status s = file_->Append(frames);
  if (s.ok()) s = file_->Sync();
  if (s.ok()) {
    durable_bytes_ += frames.size();
    return s;
  }
  // Undo the partial append so that a later batch does not follow garbage.
  Status undo = fs_.Truncate(path_, durable_bytes_);
  if (undo.ok()) {
    auto reopened = fs_.OpenAppend(path_, false);
    if (reopened.ok()) {
      file_ = std::move(reopened).value();
      return s;
    }
  }
  broken_ = true;
  return s;
}

}  // namespace custodian::vault
