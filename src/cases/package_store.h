// The production packages the instance keeps for delivery (docs/production.md, Delivery),
// sealed at rest: each zip is one libsodium secretstream (XChaCha20-Poly1305) under a key
// derived from the master key, in chunks of 64 KiB whose associated data names the
// production, so a file renamed to another production, cut short, reordered or altered does
// not open. One blob per production, <production>.zip.sealed, in the instance's blob store
// (core/blob_store.h: the files of DATA/packages, or the case store's rows). Packages run to
// hundreds of megabytes, so both ways stream. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/blob_store.h"
#include "core/status.h"
#include "vault/crypto.h"

namespace custodian::cases {

struct StoredPackage {
  std::string sha256;  // of the zip's bytes (hex)
  uint64_t bytes = 0;
};

// Reads one sealed package back, chunk by chunk, in order.
class PackageReader {
 public:
  virtual ~PackageReader() = default;
  // The next plaintext chunk into `out` (emptied first); false after the last one. Corruption
  // when a chunk fails to open, or the stream ends before its final chunk.
  virtual Result<bool> Next(std::string& out) = 0;
};

class PackageStore {
 public:
  PackageStore(std::unique_ptr<BlobStore> blobs, vault::SecretKey key)
      : blobs_(std::move(blobs)), key_(std::move(key)) {}
  // The files of `dir`.
  PackageStore(std::string dir, vault::SecretKey key, FileSystem& fs = PosixFileSystem())
      : PackageStore(std::make_unique<DirectoryBlobs>(std::move(dir), fs), std::move(key)) {}

  // Seals the zip at `zip_path` as `production_id`'s package, durably (a crash leaves the
  // old file or the whole new one). Returns the zip's SHA-256 and size.
  Result<StoredPackage> Put(const std::string& production_id, const std::string& zip_path);
  // NotFound when the production has no package here.
  Result<std::unique_ptr<PackageReader>> Open(const std::string& production_id);
  bool Has(const std::string& production_id);

 private:
  static std::string NameOf(const std::string& production_id);

  const std::unique_ptr<BlobStore> blobs_;
  const vault::SecretKey key_;
};

}  // namespace custodian::cases
