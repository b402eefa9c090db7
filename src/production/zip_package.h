// The production's zip file through libzip: written from files on disk (streamed, so a record
// of any size fits) to a temporary name and renamed into place, so that a package is either
// whole or absent; read back entry by entry, in chunks, for verification.
// Not thread-safe: one ZipReader per thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"

struct zip;

namespace custodian::production {

// Writes `files` (name in the zip, path on disk) to `out_path` through `fs`: the package is
// built beside it (`out_path`.partial), synced, renamed in and its directory synced. A failed
// write or sync is returned as IoError and leaves no .partial behind.
Status WriteZip(FileSystem& fs, const std::string& out_path,
                const std::vector<std::pair<std::string, std::string>>& files);
inline Status WriteZip(const std::string& out_path,
                       const std::vector<std::pair<std::string, std::string>>& files) {
  return WriteZip(PosixFileSystem(), out_path, files);
}

class ZipReader {
 public:
  // InvalidArgument when the file is missing or has no readable zip directory. A zip whose
  // directory reads but which fails libzip's consistency check (a name twice, a local header
  // that disagrees with the directory) opens, and says so in inconsistency().
  static Result<std::unique_ptr<ZipReader>> Open(const std::string& path);
  ~ZipReader();

  // The entries' names, in the archive's order (directories included, as stored).
  const std::vector<std::string>& names() const { return names_; }
  // Why the zip failed the consistency check ("Zip archive inconsistent"); empty when it passed.
  const std::string& inconsistency() const { return inconsistency_; }
  // Hands the entry's bytes to `chunk` in pieces; NotFound when there is no such entry,
  // Corruption when it does not decompress.
  Status Read(const std::string& name, const std::function<void(std::string_view)>& chunk);
  // The whole entry, when it is at most `max_bytes` (InvalidArgument otherwise).
  Result<std::string> ReadAll(const std::string& name, size_t max_bytes);

 private:
  explicit ZipReader(::zip* archive) : archive_(archive) {}
  ::zip* archive_;
  std::vector<std::string> names_;
  std::string inconsistency_;
};

}  // namespace custodian::production
