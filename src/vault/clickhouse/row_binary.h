// ClickHouse's RowBinary format, the types the vault's tables use (docs/clickhouse.md, §3): a
// String is its length as unsigned LEB128 and then its bytes, a FixedString(N) its N bytes, a
// Date a UInt16 count of days since 1970-01-01, unsigned integers little-endian. Binary-safe
// both ways (the JSON formats are not), and the same in 18.16 and current releases. Value
// types: one object a thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace custodian::vault::clickhouse {

// Rows, column by column, in the order of the INSERT's columns.
class RowBinaryWriter {
 public:
  void UInt8(uint8_t v) { Little(v, 1); }
  void UInt16(uint16_t v) { Little(v, 2); }
  void UInt32(uint32_t v) { Little(v, 4); }
  void UInt64(uint64_t v) { Little(v, 8); }
  void String(std::string_view s) {
    for (uint64_t n = s.size(); ; n >>= 7) {
      const uint8_t low = n & 0x7F;
      if (n < 0x80) {
        bytes_.push_back(static_cast<char>(low));
        break;
      }
      bytes_.push_back(static_cast<char>(low | 0x80));
    }
    bytes_.append(s);
  }
  // A FixedString: exactly its column's width (the caller's to match).
  void Fixed(std::string_view s) { bytes_.append(s); }

  const std::string& bytes() const { return bytes_; }
  std::string Take() { return std::move(bytes_); }

 private:
  void Little(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }

  std::string bytes_;
};

// Reads what a `SELECT … FORMAT RowBinary` answered. Every read is checked against the end: an
// answer cut short is Corruption, never a value read past it. The views point into `bytes`.
class RowBinaryReader {
 public:
  explicit RowBinaryReader(std::string_view bytes) : rest_(bytes) {}

  bool done() const { return rest_.empty(); }

  Result<uint64_t> UInt(int width) {
    if (rest_.size() < static_cast<size_t>(width)) return Short();
    uint64_t v = 0;
    for (int i = 0; i < width; ++i) v |= uint64_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
    rest_.remove_prefix(width);
    return v;
  }
  Result<std::string_view> String() {
    uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (rest_.empty() || shift > 63) return Short();
      const auto byte = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      n |= uint64_t{byte & 0x7Fu} << shift;
      if (!(byte & 0x80)) break;
    }
    return Fixed(n);
  }
  Result<std::string_view> Fixed(uint64_t n) {
    if (rest_.size() < n) return Short();
    const std::string_view v = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return v;
  }

 private:
  static Status Short() { return Status::Corruption("clickhouse: an answer in RowBinary ends inside a row"); }

  std::string_view rest_;
};

}  // namespace custodian::vault::clickhouse
