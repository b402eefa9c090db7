// The instance's sealed files as rows of the case store (migration 21), for an instance whose
// servers share no disk: every server of the store reads what any one wrote. A blob is written
// as chunks of at most 1 MiB, each in a transaction of its own (a package of hundreds of
// megabytes is never one transaction, nor held in memory), under an upload id no name points
// to yet; Commit points the name at the upload and drops the one it replaces, in one
// transaction. A reader fetches the chunks it needs, one at a time. What goes in is sealed by
// its owner (package_store.h, attachment_store.h): the store holds ciphertext only, in base64
// (a third more bytes; SQL text binds the same on SQLite and PostgreSQL). Thread-safe.
#pragma once

#include <string>

#include "cases/store/database.h"
#include "core/blob_store.h"
#include "core/clock.h"

namespace custodian::cases {

class StoreBlobs : public BlobStore {
 public:
  // The bytes a chunk row holds, before base64.
  static constexpr size_t kChunkBytes = 1 << 20;

  // `kind`: what the blobs are ("packages", "attachments"), which prefixes their names.
  StoreBlobs(Database& db, std::string kind, Clock& clock = SystemClock())
      : db_(db), kind_(std::move(kind)), clock_(clock) {}

  Result<std::unique_ptr<BlobWriter>> Create(const std::string& name) override;
  Result<std::unique_ptr<RandomAccessFile>> Open(const std::string& name) override;
  bool Exists(const std::string& name) override;
  Status Remove(const std::string& name) override;
  std::string Describe(const std::string& name) const override;

 private:
  std::string Key(const std::string& name) const { return kind_ + "/" + name; }

  Database& db_;
  const std::string kind_;
  Clock& clock_;
};

// Drops the chunks of uploads started before `before` that no name points to: writes a
// crashed server abandoned. Returns how many uploads went.
Result<int> DropAbandonedUploads(Database& db, Timestamp before);

}  // namespace custodian::cases
