// The signed process documents of cases (PDFs), sealed at rest: each file is XChaCha20-Poly1305
// under a key derived from the master key, with a random nonce and, as associated data, its
// case and SHA-256, so a file moved to another case or swapped does not open. One blob per
// (case, document), <case>-<sha256>.sealed, in the instance's blob store (core/blob_store.h:
// the files of DATA/attachments, or the case store's rows). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/blob_store.h"
#include "core/status.h"
#include "vault/crypto.h"

namespace custodian::cases {

class AttachmentStore {
 public:
  AttachmentStore(std::unique_ptr<BlobStore> blobs, vault::SecretKey key)
      : blobs_(std::move(blobs)), key_(std::move(key)) {}
  // The files of `dir`.
  AttachmentStore(std::string dir, vault::SecretKey key, FileSystem& fs = PosixFileSystem())
      : AttachmentStore(std::make_unique<DirectoryBlobs>(std::move(dir), fs), std::move(key)) {}

  // Stores `bytes` for `case_id` (durably; again is harmless); returns their SHA-256 (hex).
  Result<std::string> Put(const std::string& case_id, std::string_view bytes);
  // The document's bytes; NotFound when there is none, Corruption when they fail to open or
  // their SHA-256 is not `sha256`.
  Result<std::string> Get(const std::string& case_id, const std::string& sha256);
  // Whether the case has the document `sha256` stored; and its removal, for a document whose
  // storing failed to be recorded (nothing names it).
  bool Has(const std::string& case_id, const std::string& sha256);
  Status Remove(const std::string& case_id, const std::string& sha256);

 private:
  static std::string NameOf(const std::string& case_id, const std::string& sha256);

  const std::unique_ptr<BlobStore> blobs_;
  const vault::SecretKey key_;
};

}  // namespace custodian::cases
