#include "production/zip_package.h"

#include <zip.h>

#include <cerrno>

namespace custodian::production {
namespace {

std::string ZipError(zip_t* archive) {
  return archive ? zip_strerror(archive) : "unknown error";
}

// libzip writes the archive into this source, and the source into a file of the FileSystem
// seam, so that every write and sync of a package can be failed in a test. libzip goes back
// to fill in each entry's local header once its data is written: hence positions.
class FileSystemSink {
 public:
  FileSystemSink(FileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {
    zip_error_init(&error_);
  }
  ~FileSystemSink() { zip_error_fini(&error_); }

  static zip_int64_t Callback(void* self, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
    return static_cast<FileSystemSink*>(self)->Do(data, len, cmd);
  }
  // The first failure of the file system, which says more than libzip's code.
  const Status& status() const { return status_; }

 private:
  zip_int64_t Fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
    zip_error_set(&error_, ZIP_ER_WRITE, EIO);
    return -1;
  }

  zip_int64_t Do(void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
    switch (cmd) {
      case ZIP_SOURCE_SUPPORTS:
        return ZIP_SOURCE_SUPPORTS_WRITABLE;
      case ZIP_SOURCE_BEGIN_WRITE: {
        auto file = fs_.Create(path_);
        if (!file.ok()) return Fail(file.status());
        file_ = std::move(file).value();
        position_ = 0;
        return 0;
      }
      case ZIP_SOURCE_WRITE: {
        const std::string_view bytes(static_cast<const char*>(data), len);
        Status s = position_ == file_->Size() ? file_->Append(bytes) : file_->WriteAt(position_, bytes);
        if (!s.ok()) return Fail(std::move(s));
        position_ += len;
        return static_cast<zip_int64_t>(len);
      }
      case ZIP_SOURCE_SEEK_WRITE: {
        const zip_int64_t to = zip_source_seek_compute_offset(position_, file_->Size(), data, len, &error_);
        if (to < 0) return -1;
        position_ = static_cast<uint64_t>(to);
        return 0;
      }
      case ZIP_SOURCE_TELL_WRITE:
        return static_cast<zip_int64_t>(position_);
      case ZIP_SOURCE_COMMIT_WRITE: {
        Status s = file_->Sync();
        const Status closed = file_->Close();
        if (s.ok()) s = closed;
        file_.reset();
        return s.ok() ? 0 : Fail(std::move(s));
      }
      case ZIP_SOURCE_ROLLBACK_WRITE:
        file_.reset();
        fs_.Remove(path_).IgnoreError();
        return 0;
      case ZIP_SOURCE_REMOVE:
        fs_.Remove(path_).IgnoreError();
        return 0;
      case ZIP_SOURCE_STAT:
        // No archive there yet: libzip starts a new one, never reading this source.
        zip_error_set(&error_, ZIP_ER_READ, ENOENT);  // how libzip 1.7 asks for "none"
        return -1;
      case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&error_, data, len);
      case ZIP_SOURCE_FREE:
        return 0;
      default:
        // Nothing reads the package through this source.
        zip_error_set(&error_, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
  }

  FileSystem& fs_;
  const std::string path_;
  std::unique_ptr<WritableFile> file_;
  uint64_t position_ = 0;
  zip_error_t error_;
  Status status_ = Status::Ok();
};

}  // namespace

Status WriteZip(FileSystem& fs, const std::string& out_path,
                const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string tmp = out_path + ".partial";
  FileSystemSink sink(fs, tmp);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* target = zip_source_function_create(&FileSystemSink::Callback, &sink, &error);
  zip_t* archive = target ? zip_open_from_source(target, ZIP_CREATE | ZIP_TRUNCATE, &error) : nullptr;
  const std::string opening = zip_error_strerror(&error);
  zip_error_fini(&error);
  if (!archive) {
    if (target) zip_source_free(target);
    return Status::IoError(out_path + ": cannot create the package (" + opening + ")");
  }
  const auto failed = [&](const std::string& what) {
    const std::string why = sink.status().ok() ? ZipError(archive) : sink.status().message();
    zip_discard(archive);
    fs.Remove(tmp).IgnoreError();
    return Status::IoError(out_path + ": " + what + " (" + why + ")");
  };
  for (const auto& [name, path] : files) {
    // Length -1: to the end of the file (libzip 1.7 has no name for it).
    zip_source_t* source = zip_source_file(archive, path.c_str(), 0, -1);
    if (!source || zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      if (source) zip_source_free(source);
      return failed("cannot add " + name);
    }
  }
  // The files are read, compressed and written here, and the package synced.
  if (zip_close(archive) != 0) return failed("cannot write the package");
  if (Status s = fs.Rename(tmp, out_path); !s.ok()) {
    fs.Remove(tmp).IgnoreError();
    return s.WithContext("cannot move the package into place: ");
  }
  const size_t slash = out_path.rfind('/');
  return fs.SyncDir(slash == std::string::npos ? "." : out_path.substr(0, slash));
}

Result<std::unique_ptr<ZipReader>> ZipReader::Open(const std::string& path) {
  const auto why = [](int error) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    std::string text = zip_error_strerror(&e);
    zip_error_fini(&e);
    return text;
  };
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  std::string inconsistency;
  if (!archive) {
    // Without the check: a directory that reads is a zip, damaged; only a file without one
    // is not a zip at all.
    inconsistency = why(error);
    int again = 0;
    archive = zip_open(path.c_str(), ZIP_RDONLY, &again);
    if (!archive) return Status::InvalidArgument(path + ": not a zip file (" + inconsistency + ")");
  }
  std::unique_ptr<ZipReader> reader(new ZipReader(archive));
  reader->inconsistency_ = std::move(inconsistency);
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
