#include "vault/writer_lock.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kFirstLine = "custodian vault lock 1\n";
constexpr std::string_view kCrcPrefix = "crc ";

std::mutex command_mu;
std::string& Command() {
  static std::string command = program_invocation_short_name;
  return command;
}

// Printable text on one line: what the record says of its holder.
std::string OneLine(std::string_view text) {
  std::string out(text);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\0'; }, ' ');
  return out;
}

bool ParseNumber(std::string_view text, uint64_t& out, int base = 10) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string Hex32(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08" PRIx32, v);
  return buf;
}

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

}  // namespace

std::string LockPath(const std::string& dir) { return JoinPath(dir, "vault/LOCK"); }

void SetLockHolderCommand(std::string command) {
  std::lock_guard lock(command_mu);
  Command() = OneLine(command);
}

std::string EncodeLockRecord(const LockRecord& r) {
  std::string out(kFirstLine);
  out += "generation " + std::to_string(r.generation) + "\n";
  out += "publisher " + Hex64(r.publisher) + "\n";
  out += "holder " + (r.holder.empty() ? std::string("-") : OneLine(r.holder)) + "\n";
  for (const auto& [file, mark] : r.files) {
    out += "file " + file + " " + std::to_string(mark.committed) + " " + std::to_string(mark.epoch) + "\n";
  }
  out += std::string(kCrcPrefix) + Hex32(Crc32c(out)) + "\n";
  return out;
}

LockRecord DecodeLockRecord(std::string_view text) {
  LockRecord r;
  // A shorter record written over a longer one may be followed by the old one's end until the
  // file is cut: the record ends at its crc line.
  const size_t crc_at = text.find("\n" + std::string(kCrcPrefix));
  if (!text.starts_with(kFirstLine) || crc_at == std::string_view::npos) return r;
  const std::string_view body = text.substr(0, crc_at + 1);
  std::string_view crc_line = text.substr(crc_at + 1 + kCrcPrefix.size());
  crc_line = crc_line.substr(0, crc_line.find('\n'));
  uint64_t crc = 0;
  if (!ParseNumber(crc_line, crc, 16) || crc != Crc32c(body)) return r;
  bool generation = false, publisher = false;
  for (size_t pos = kFirstLine.size(); pos < body.size();) {
    const size_t nl = body.find('\n', pos);
    const std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return LockRecord{};
    const std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "generation") {
      generation = ParseNumber(value, r.generation);
    } else if (key == "publisher") {
      publisher = ParseNumber(value, r.publisher, 16);
    } else if (key == "holder") {
      r.holder = value == "-" ? "" : std::string(value);
    } else if (key == "file") {
      const size_t a = value.find(' '), b = value.rfind(' ');
      FileMark mark;
      if (a == std::string_view::npos || a == b || !ParseNumber(value.substr(a + 1, b - a - 1), mark.committed) ||
          !ParseNumber(value.substr(b + 1), mark.epoch)) {
        return LockRecord{};
      }
      r.files[std::string(value.substr(0, a))] = mark;
    }
  }
  r.valid = generation && publisher;
  return r;
}

LockRecord ReadLockRecord(FileSystem& fs, const std::string& path) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto text = fs.ReadAll(path);
    if (text.ok()) {
      LockRecord r = DecodeLockRecord(*text);
      if (r.valid) return r;
    } else if (!fs.Exists(path)) {
      return {};
    }
    // Read while its holder rewrote it, most likely: read it again.
    std::this_thread::sleep_for(std::chrono::microseconds(200 << std::min(attempt, 5)));
  }
  return {};
}

Result<std::unique_ptr<WriterLock>> WriterLock::Acquire(FileSystem& fs, const std::string& path,
                                                        std::string_view operation,
                                                        std::chrono::milliseconds wait) {
  const auto start = std::chrono::steady_clock::now();
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    auto lock = fs.TryLock(path);
    if (!lock.ok()) return lock.status();
    if (*lock) {
      // Nobody writes the record but the holder: no torn read to fear.
      auto text = fs.ReadAll(path);
      LockRecord record = text.ok() ? DecodeLockRecord(*text) : LockRecord{};
      std::string holder;
      {
        std::lock_guard l(command_mu);
        holder = "pid " + std::to_string(::getpid()) + " (" + Command() + "), " + OneLine(operation) +
                 ", since " + FormatDateTime(SystemClock().Now());
      }
      return std::unique_ptr<WriterLock>(new WriterLock(std::move(lock).value(), std::move(record), std::move(holder)));
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= wait) {
      const LockRecord record = ReadLockRecord(fs, path);
      const std::string holder =
          record.holder.empty() ? "another process (the record does not say which)" : record.holder;
      return Status::Unavailable(path + ": the vault's writer lock is held by " + holder + "; waited " +
                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) +
                                 " s for it ([vault] lock_wait_seconds in custodian.toml)");
    }
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(pause, wait - waited));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

Status WriterLock::Publish(const LockRecord& record, bool sync) {
  return lock_->Rewrite(EncodeLockRecord(record), sync);
}

}  // namespace custodian::vault
