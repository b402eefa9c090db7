#include "vault/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/file_system.h"
#include "core/sha256.h"

namespace custodian::vault {
namespace {

constexpr char kHeader[] = "custodian master key v1\n";

Status Errno(const std::string& path) {
  return Status::IoError(path + ": " + std::strerror(errno));
}

}  // namespace

Result<SecretKey> CreateMasterKeyFile(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (Status s = PosixFileSystem().CreateDirs(path.substr(0, slash)); !s.ok()) return s;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::InvalidArgument(path + ": a key file is already there; it is never overwritten");
    }
    return Errno(path);
  }
  const SecretKey key = SecretKey::Random();
  std::string text = kHeader + HexEncode(key.data(), kKeyBytes) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  sodium_memzero(text.data(), text.size());
  Status s = written ? Status::Ok() : Errno(path);
  ::close(fd);
  if (!s.ok()) return s;
  if (slash != std::string::npos && slash > 0) {
    if (Status d = PosixFileSystem().SyncDir(path.substr(0, slash)); !d.ok()) return d;
  }
  return key;
}

Result<SecretKey> LoadMasterKeyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::InvalidArgument(path + ": " + std::strerror(errno) +
                                   " (the master key file; give it with --key-file or "
                                   "CUSTODIAN_KEY_FILE)");
  }
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 0777));
    return Status::InvalidArgument(path + ": the master key file may be read by others (mode " +
                                   mode + "); run chmod 600 on it");
  }
  auto text = PosixFileSystem().ReadAll(path);
  if (!text.ok()) return text.status();
  const std::string_view header(kHeader);
  std::string_view body(*text);
  if (!body.starts_with(header) || body.size() < header.size() + 2 * kKeyBytes) {
    sodium_memzero(text->data(), text->size());
    return Status::InvalidArgument(path + ": not a custodian master key file");
  }
  body.remove_prefix(header.size());
  unsigned char bytes[kKeyBytes];
  size_t decoded = 0;
  const int r = sodium_hex2bin(bytes, sizeof bytes, body.data(), 2 * kKeyBytes, nullptr, &decoded,
                               nullptr);
  sodium_memzero(text->data(), text->size());
  if (r != 0 || decoded != kKeyBytes) {
    sodium_memzero(bytes, sizeof bytes);
    return Status::InvalidArgument(path + ": not a custodian master key file");
  }
  SecretKey key = SecretKey::FromBytes({reinterpret_cast<const char*>(bytes), kKeyBytes});
  sodium_memzero(bytes, sizeof bytes);
  return key;
}

std::string MasterKeyId(const SecretKey& key) {
  InitCrypto();
  static constexpr char kContext[] = "custodian master key id";
  unsigned char id[8];
  crypto_generichash(id, sizeof id, reinterpret_cast<const unsigned char*>(kContext),
                     sizeof kContext - 1, key.data(), kKeyBytes);
  return HexEncode(id, sizeof id);
}

std::string DefaultKeyFilePath(const std::string& instance_id) {
  std::string base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.config";
  } else {
    base = "/etc";
  }
  return base + "/custodian/keys/" + instance_id + ".key";
}

}  // namespace custodian::vault
