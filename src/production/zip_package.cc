#include "production/zip_package.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <cstdio>

namespace custodian::production {
namespace {

std::string ZipError(zip_t* archive) {
  return archive ? zip_strerror(archive) : "unknown error";
}

Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": cannot open to sync");
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IoError(path + ": fsync failed");
}

}  // namespace

Status WriteZip(const std::string& out_path,
                const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string tmp = out_path + ".partial";
  std::remove(tmp.c_str());
  int error = 0;
  zip_t* archive = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_EXCL, &error);
  if (!archive) return Status::IoError(out_path + ": cannot create the package");
  for (const auto& [name, path] : files) {
    // Length -1: to the end of the file (libzip 1.7 has no name for it).
    zip_source_t* source = zip_source_file(archive, path.c_str(), 0, -1);
    if (!source || zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      if (source) zip_source_free(source);
      const std::string why = ZipError(archive);
      zip_discard(archive);
      std::remove(tmp.c_str());
      return Status::IoError(out_path + ": cannot add " + name + " (" + why + ")");
    }
  }
  // The files are read and compressed here.
  if (zip_close(archive) != 0) {
    const std::string why = ZipError(archive);
    zip_discard(archive);
    std::remove(tmp.c_str());
    return Status::IoError(out_path + ": cannot write the package (" + why + ")");
  }
  if (Status s = SyncFile(tmp); !s.ok()) return s;
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError(out_path + ": cannot move the package into place");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ZipReader>> ZipReader::Open(const std::string& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!archive) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    const std::string why = zip_error_strerror(&e);
    zip_error_fini(&e);
    return Status::InvalidArgument(path + ": not a zip file (" + why + ")");
  }
  std::unique_ptr<ZipReader> reader(new ZipReader(archive));
  const zip_int64_t n = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    reader->names_.push_back(name ? name : "");
  }
  return reader;
}

ZipReader::~ZipReader() { zip_discard(archive_); }

Status ZipReader::Read(const std::string& name, const std::function<void(std::string_view)>& chunk) {
  zip_file_t* file = zip_fopen(archive_, name.c_str(), 0);
  if (!file) return Status::NotFound(name + ": not in the package");
  char buffer[1 << 16];
  zip_int64_t n = 0;
  while ((n = zip_fread(file, buffer, sizeof buffer)) > 0) {
    chunk(std::string_view(buffer, static_cast<size_t>(n)));
  }
  zip_fclose(file);
  if (n < 0) return Status::Corruption(name + ": does not decompress");
  return Status::Ok();
}

Result<std::string> ZipReader::ReadAll(const std::string& name, size_t max_bytes) {
  std::string out;
  bool too_big = false;
  Status s = Read(name, [&](std::string_view piece) {
    if (out.size() + piece.size() > max_bytes) {
      too_big = true;
      return;
    }
    out.append(piece);
  });
  if (!s.ok()) return s;
  if (too_big) return Status::InvalidArgument(name + ": larger than " + std::to_string(max_bytes) + " bytes");
  return out;
}

}  // namespace custodian::production
