// Little-endian fixed-width and LEB128 varint encoding for custodian's binary formats
// (docs/vault_format.md). Decoding functions never read past the end they are given.
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace custodian {

inline void PutFixed32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}
inline void PutFixed64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 8);
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads bytes from a view, failing (and staying failed) instead of reading past its end.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  size_t left() const { return in_.size(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (in_.empty()) return Fail();
      const uint8_t b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail();
  }
  uint32_t Fixed32() {
    if (in_.size() < 4) return static_cast<uint32_t>(Fail());
    const uint32_t v = DecodeFixed32(in_.data());
    in_.remove_prefix(4);
    return v;
  }
  uint64_t Fixed64() {
    if (in_.size() < 8) return Fail();
    const uint64_t v = DecodeFixed64(in_.data());
    in_.remove_prefix(8);
    return v;
  }
  std::string_view Bytes(size_t n) {
    if (in_.size() < n) {
      Fail();
      return {};
    }
    std::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  // A varint length followed by that many bytes, at most `max` of them.
  std::string_view LengthPrefixed(size_t max) {
    const uint64_t n = Varint();
    if (!ok_ || n > max) {
      Fail();
      return {};
    }
    return Bytes(static_cast<size_t>(n));
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

inline void PutLengthPrefixed(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

}  // namespace custodian
