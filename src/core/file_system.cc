#include "core/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace custodian {
namespace {

Status Errno(const std::string& path) {
  const int e = errno;
  std::string message = path + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return Status::IoError(message + " (disk full)");
  return Status::IoError(message);
}

Status WriteFully(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status PwriteFully(int fd, uint64_t offset, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, uint64_t size, bool appending)
      : fd_(fd), path_(std::move(path)), size_(size), appending_(appending) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    // Written at the end: with O_APPEND the kernel puts it there; otherwise at size_, since
    // WriteAt may have moved no file offset but extended nothing beyond it.
    Status s = appending_ ? WriteFully(fd_, data, path_) : PwriteFully(fd_, size_, data, path_);
    if (s.ok()) size_ += data.size();
    return s;
  }
  Status WriteAt(uint64_t offset, std::string_view data) override {
    if (appending_) return Status::Internal(path_ + ": WriteAt on a file opened to append");
    Status s = PwriteFully(fd_, offset, data, path_);
    if (s.ok()) size_ = std::max<uint64_t>(size_, offset + data.size());
    return s;
  }
  Status Sync() override { return ::fdatasync(fd_) == 0 ? Status::Ok() : Errno(path_); }
  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? Status::Ok() : Errno(path_);
  }
  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
  const bool appending_;  // O_APPEND: pwrite would append too (Linux), so no WriteAt
};

// Read by pread; files are also mapped read-only, so that readers of immutable files (segments)
// can take views without copying.
class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {
    if (size_ > 0) {
      void* m = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
      if (m != MAP_FAILED) map_ = static_cast<const char*>(m);
    }
  }
  ~PosixRandomAccessFile() override {
    if (map_) ::munmap(const_cast<char*>(map_), size_);
    ::close(fd_);
  }
  bool View(uint64_t offset, size_t n, std::string_view& out) const override {
    if (!map_ || offset > size_ || n > size_ - offset) return false;
    out = std::string_view(map_ + offset, n);
    return true;
  }
  Status Read(uint64_t offset, size_t n, std::string& out) const override {
    out.resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Errno(path_);
      }
      if (r == 0) return Status::Corruption(path_ + ": shorter than expected");
      done += static_cast<size_t>(r);
    }
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
  const char* map_ = nullptr;
};

class PosixFileLock : public FileLock {
 public:
  PosixFileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the description releases the lock
  Status Rewrite(std::string_view contents, bool sync) override {
    if (Status s = PwriteFully(fd_, 0, contents, path_); !s.ok()) return s;
    if (::ftruncate(fd_, static_cast<off_t>(contents.size())) != 0) return Errno(path_);
    if (sync && ::fdatasync(fd_) != 0) return Errno(path_);
    return Status::Ok();
  }

 private:
  int fd_;
  std::string path_;
};

class Posix : public FileSystem {
  // Opens `path` (mode 0600 when created) and reports its size.
  static Result<int> Open(const std::string& path, int flags, uint64_t& size) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
    if (fd < 0) return Errno(path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = Errno(path);
      ::close(fd);
      return s;
    }
    size = static_cast<uint64_t>(st.st_size);
    return fd;
  }

 public:
  Result<std::unique_ptr<WritableFile>> OpenAppend(const std::string& path, bool truncate) override {
    uint64_t size;
    auto fd = Open(path, O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0), size);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<WritableFile>(new PosixWritableFile(*fd, path, size, /*appending=*/true));
  }

  Result<std::unique_ptr<WritableFile>> Create(const std::string& path) override {
    uint64_t size;
    auto fd = Open(path, O_WRONLY | O_CREAT | O_TRUNC, size);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<WritableFile>(new PosixWritableFile(*fd, path, 0, /*appending=*/false));
  }

  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& path) override {
    uint64_t size;
    auto fd = Open(path, O_RDONLY, size);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(*fd, path, size));
  }

  Result<std::string> ReadAll(const std::string& path) override {
    // Read, not mapped: most files read whole are small, and read often (the lock record).
    uint64_t size;
    auto fd = Open(path, O_RDONLY, size);
    if (!fd.ok()) return fd.status();
    std::string out(size, '\0');
    size_t done = 0;
    Status s;
    while (done < out.size()) {
      const ssize_t r = ::pread(*fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (r < 0) {
        if (errno == EINTR) continue;
        s = Errno(path);
        break;
      }
      if (r == 0) break;  // cut short since: what there is
      done += static_cast<size_t>(r);
    }
    ::close(*fd);
    if (!s.ok()) return s;
    out.resize(done);
    return out;
  }

  Status WriteAt(const std::string& path, uint64_t offset, std::string_view data) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Errno(path);
    Status s = PwriteFully(fd, offset, data, path);
    if (s.ok() && ::fdatasync(fd) != 0) s = Errno(path);
    ::close(fd);
    return s;
  }

  Status WriteAtomically(const std::string& path, std::string_view data) override {
    const std::string tmp = path + ".tmp";
    auto f = OpenAppend(tmp, true);
    if (!f.ok()) return f.status();
    Status s = (*f)->Append(data);
    if (s.ok()) s = (*f)->Sync();
    Status c = (*f)->Close();
    if (s.ok()) s = c;
    if (s.ok()) s = Rename(tmp, path);
    if (s.ok()) {
      const size_t slash = path.rfind('/');
      s = SyncDir(slash == std::string::npos ? "." : path.substr(0, slash));
    }
    if (!s.ok()) ::unlink(tmp.c_str());
    return s;
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    return ::truncate(path.c_str(), static_cast<off_t>(size)) == 0 ? Status::Ok() : Errno(path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str()) == 0 ? Status::Ok() : Errno(to);
  }
  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) == 0) return Status::Ok();
    if (errno == EISDIR && ::rmdir(path.c_str()) == 0) return Status::Ok();
    return Errno(path);
  }
  Status CreateDirs(const std::string& path) override {
    for (size_t pos = 1; pos <= path.size(); ++pos) {
      if (pos != path.size() && path[pos] != '/') continue;
      const std::string prefix = path.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) return Errno(prefix);
    }
    return Status::Ok();
  }
  Status SyncDir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno(path);
    const int r = ::fsync(fd);
    Status s = r == 0 ? Status::Ok() : Errno(path);
    ::close(fd);
    return s;
  }
  Result<std::vector<std::string>> List(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return Errno(dir);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }
  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno(path);
    return static_cast<uint64_t>(st.st_size);
  }
  Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Errno(path);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      if (e == EWOULDBLOCK) return std::unique_ptr<FileLock>();
      errno = e;
      return Errno(path);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd, path));
  }
};

}  // namespace

FileSystem& PosixFileSystem() {
  static Posix fs;
  return fs;
}

Status AppendDurably(FileSystem& fs, const std::string& path, uint64_t expected_size,
                     std::string_view data) {
  const bool created = expected_size == 0 && !fs.Exists(path);
  auto file = fs.OpenAppend(path, false);
  if (!file.ok()) return file.status();
  if ((*file)->Size() != expected_size) {
    return Status::Internal(path + ": " + std::to_string((*file)->Size()) + " bytes long where " +
                            std::to_string(expected_size) +
                            " were expected (written by another process without the lock?); "
                            "nothing was written");
  }
  Status s = (*file)->Append(data);
  if (s.ok()) s = (*file)->Sync();
  Status c = (*file)->Close();
  if (s.ok()) s = c;
  if (s.ok() && created) {
    const size_t slash = path.rfind('/');
    s = fs.SyncDir(slash == std::string::npos ? "." : path.substr(0, slash));
  }
  if (!s.ok()) fs.Truncate(path, expected_size).IgnoreError();
  return s;
}

Status SyncFile(FileSystem& fs, const std::string& path) {
  auto file = fs.OpenAppend(path, false);
  if (!file.ok()) return file.status();
  Status s = (*file)->Sync();
  Status c = (*file)->Close();
  return s.ok() ? c : s;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace custodian
