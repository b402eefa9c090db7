// The journal of an open day partition: an append-only file of checksummed frames, each the
// sealed events of one account from one ingest batch (docs/vault_format.md, "Journal").
// A batch is acknowledged only after its frames are synced. On open, a torn last frame is
// cut; a bad frame followed by good ones is Corruption, never silently skipped.
// Not thread-safe: its partition's lock guards it.
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

struct JournalFrame {
  uint64_t account_tag = 0;
  Nonce nonce{};
  std::string sealed;  // the sealed event block
};

// Appends `frame`'s bytes to `out`.
void EncodeJournalFrame(const JournalFrame& frame, std::string& out);

struct JournalContents {
  Date day;
  JournalId id{};
  std::vector<JournalFrame> frames;
  uint64_t valid_bytes = 0;  // the length of the good prefix
  bool torn_tail = false;    // bytes after valid_bytes were a torn last frame
};

// Reads a whole journal. Corruption when the header is wrong or a bad frame has good ones
// after it.
Result<JournalContents> ReadJournal(FileSystem& fs, const std::string& path);

class JournalWriter {
 public:
  // Creates a new journal (header synced, directory synced).
  static Result<std::unique_ptr<JournalWriter>> Create(FileSystem& fs, const std::string& path,
                                                       Date day, const JournalId& id);
  // Continues a journal whose good prefix is `valid_bytes` long (cutting anything after it).
  static Result<std::unique_ptr<JournalWriter>> Resume(FileSystem& fs, const std::string& path,
                                                       const JournalContents& contents);

  // Appends frames and syncs them. On failure the journal is cut back to what was durable
  // before, so the next append starts clean; if even that fails, the writer is broken and
  // every later append fails.
  Status AppendDurably(std::string_view frames);

  const JournalId& id() const { return id_; }
  uint64_t size() const { return durable_bytes_; }

 private:
  JournalWriter(FileSystem& fs, std::string path, JournalId id, uint64_t durable,
                std::unique_ptr<WritableFile> file)
      : fs_(fs), path_(std::move(path)), id_(id), durable_bytes_(durable), file_(std::move(file)) {}

  FileSystem& fs_;
  const std::string path_;
  const JournalId id_;
  uint64_t durable_bytes_;
  std::unique_ptr<WritableFile> file_;
  bool broken_ = false;
};

}  // namespace custodian::vault
