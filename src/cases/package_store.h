// The production packages the instance keeps for delivery (docs/production.md, Delivery),
// sealed at rest: each zip is one libsodium secretstream (XChaCha20-Poly1305) under a key
// derived from the master key, in chunks of 64 KiB whose associated data names the
// production, so a file renamed to another production, cut short, reordered or altered does
// not open. One file per production: DATA/packages/<production>.zip.sealed. Packages run to
// hundreds of megabytes, so both ways stream. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/file_system.h"
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
  PackageStore(std::string dir, vault::SecretKey key, FileSystem& fs = PosixFileSystem())
      : dir_(std::move(dir)), key_(std::move(key)), fs_(fs) {}

  // Seals the zip at `zip_path` as `production_id`'s package, durably (a crash leaves the
  // old file or the whole new one). Returns the zip's SHA-256 and size.
  Result<StoredPackage> Put(const std::string& production_id, const std::string& zip_path);
  // NotFound when the production has no package here.
  Result<std::unique_ptr<PackageReader>> Open(const std::string& production_id);
  bool Has(const std::string& production_id);

 private:
  std::string PathOf(const std::string& production_id) const;

  const std::string dir_;
  const vault::SecretKey key_;
  FileSystem& fs_;
};

}  // namespace custodian::cases
