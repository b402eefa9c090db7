#include "cli/file_input.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace custodian {

Result<std::string> ReadInput(const std::string& path, size_t max_bytes) {
  const bool is_stdin = path == "-";
  std::unique_ptr<FILE, int (*)(FILE*)> file(is_stdin ? stdin : std::fopen(path.c_str(), "rb"),
                                             is_stdin ? [](FILE*) { return 0; } : &std::fclose);
  const std::string name = is_stdin ? "standard input" : path;
  if (!file) return Status::IoError(name + ": " + std::strerror(errno));
  std::string out;
  char buf[1 << 16];
  while (out.size() <= max_bytes) {
    const size_t want = std::min(sizeof buf, max_bytes + 1 - out.size());
    const size_t n = std::fread(buf, 1, want, file.get());
    out.append(buf, n);
    if (n < want) {
      if (std::ferror(file.get())) return Status::IoError(name + ": " + std::strerror(errno));
      break;
    }
  }
  return out;
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& setting) {
  constexpr size_t kMaxSecretBytes = 64 << 10;
  if (path == "-") return Status::InvalidArgument(setting + ": a file, not standard input");
  auto secret = ReadInput(path, kMaxSecretBytes);
  if (!secret.ok()) return Status::InvalidArgument(setting + ": " + secret.status().message());
  if (secret->size() > kMaxSecretBytes) return Status::InvalidArgument(setting + ": beyond 64 KiB");
  while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) secret->pop_back();
  if (secret->empty()) return Status::InvalidArgument(setting + ": " + path + " is empty");
  return secret;
}

}  // namespace custodian
