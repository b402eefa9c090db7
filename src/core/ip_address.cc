#include "core/ip_address.h"

#include <cstdio>
#include <vector>

namespace custodian {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Dotted decimal, four parts of 0..255, no leading zeros (they read as octal elsewhere).
std::optional<std::array<uint8_t, 4>> ParseV4(std::string_view text) {
  std::array<uint8_t, 4> out{};
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const size_t start = pos;
    int value = 0;
    while (pos < text.size() && IsDigit(text[pos]) && pos - start < 3) {
      value = value * 10 + (text[pos++] - '0');
    }
    const size_t len = pos - start;
    if (len == 0 || value > 255 || (len > 1 && text[start] == '0')) return std::nullopt;
    out[part] = static_cast<uint8_t>(value);
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

std::optional<std::array<uint8_t, 16>> ParseV6(std::string_view text) {
  std::vector<uint16_t> head, tail;
  std::vector<uint16_t>* groups = &head;
  bool compressed = false;
  size_t pos = 0;
  if (text.starts_with("::")) {
    compressed = true;
    groups = &tail;
    pos = 2;
  }
  std::optional<std::array<uint8_t, 4>> v4_tail;
  while (pos < text.size()) {
    // A trailing dotted quad fills the last two groups.
    const size_t next_colon = text.find(':', pos);
    const std::string_view piece = text.substr(pos, next_colon == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : next_colon - pos);
    if (next_colon == std::string_view::npos && piece.find('.') != std::string_view::npos) {
      v4_tail = ParseV4(piece);
      if (!v4_tail) return std::nullopt;
      pos = text.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return std::nullopt;
    uint16_t value = 0;
    for (char c : piece) {
      const int h = HexValue(c);
      if (h < 0) return std::nullopt;
      value = static_cast<uint16_t>(value << 4 | h);
    }
    groups->push_back(value);
    pos += piece.size();
    if (pos == text.size()) break;
    ++pos;  // the ':'
    if (pos < text.size() && text[pos] == ':') {
      if (compressed) return std::nullopt;  // a second "::"
      compressed = true;
      groups = &tail;
      ++pos;
    } else if (pos == text.size()) {
      return std::nullopt;  // a trailing single ':'
    }
  }
  const size_t v4_groups = v4_tail ? 2 : 0;
  const size_t total = head.size() + tail.size() + v4_groups;
  if (compressed ? total > 7 : total != 8) return std::nullopt;
  std::array<uint8_t, 16> out{};
  size_t i = 0;
  for (uint16_t g : head) out[i++] = g >> 8, out[i++] = g & 0xFF;
  i = 16 - 2 * (tail.size() + v4_groups);
  for (uint16_t g : tail) out[i++] = g >> 8, out[i++] = g & 0xFF;
  if (v4_tail) {
    for (uint8_t b : *v4_tail) out[i++] = b;
  }
  return out;
}

}  // namespace

IpAddress IpAddress::V4(std::array<uint8_t, 4> bytes) {
  IpAddress ip;
  ip.family_ = Family::kV4;
  for (int i = 0; i < 4; ++i) ip.bytes_[i] = bytes[i];
  return ip;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& bytes) {
  bool mapped = bytes[10] == 0xFF && bytes[11] == 0xFF;
  for (int i = 0; i < 10; ++i) mapped = mapped && bytes[i] == 0;
  if (mapped) return V4({bytes[12], bytes[13], bytes[14], bytes[15]});
  IpAddress ip;
  ip.family_ = Family::kV6;
  ip.bytes_ = bytes;
  return ip;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    auto v4 = ParseV4(text);
    if (!v4) return std::nullopt;
    return V4(*v4);
  }
  auto v6 = ParseV6(text);
  if (!v6) return std::nullopt;
  return V6(*v6);
}

std::string IpAddress::ToString() const {
  char buf[64];
  if (is_v4()) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
    return buf;
  }
  // RFC 5952: lower-case hex, no leading zeros, the longest run (first if tied) of two or
  // more zero groups shown as "::".
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  if (best_len < 2) best = -1;
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[i]);
    out += buf;
  }
  return out;
}

std::optional<IpEndpoint> IpEndpoint::Parse(std::string_view text) {
  if (auto ip = IpAddress::Parse(text)) return IpEndpoint{*ip, std::nullopt};
  std::string_view host, port_text;
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // IPv4 needs no []
  } else {
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  auto ip = IpAddress::Parse(host);
  if (!ip || port_text.empty() || port_text.size() > 5 ||
      (port_text.size() > 1 && port_text[0] == '0')) {
    return std::nullopt;
  }
  uint32_t port = 0;
  for (char c : port_text) {
    if (!IsDigit(c)) return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  return IpEndpoint{*ip, static_cast<uint16_t>(port)};
}

std::string IpEndpoint::ToString() const {
  if (!port) return address.ToString();
  const std::string host = address.is_v4() ? address.ToString() : "[" + address.ToString() + "]";
  return host + ":" + std::to_string(*port);
}

}  // namespace custodian
