// IP addresses: strict parsing of IPv4 dotted-decimal and IPv6 text, canonical formatting
// (RFC 5952 for IPv6), and addresses with an optional port ("203.0.113.7:51234",
// "[2001:db8::1]:443"). An IPv4-mapped IPv6 address is taken as the IPv4 address it maps.
// Values: safe from any thread.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace custodian {

class IpAddress {
 public:
  enum class Family : uint8_t { kV4, kV6 };

  // Parses "203.0.113.5" (no leading zeros) or any RFC 4291 IPv6 form (no zone id).
  static std::optional<IpAddress> Parse(std::string_view text);
  static IpAddress V4(std::array<uint8_t, 4> bytes);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);  // maps ::ffff:a.b.c.d to IPv4

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  // 4 meaningful bytes for IPv4, 16 for IPv6.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  std::string ToString() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::kV4;
  std::array<uint8_t, 16> bytes_{};
};

// An address and, optionally, a port.
struct IpEndpoint {
  IpAddress address;
  std::optional<uint16_t> port;

  // Accepts a bare address, "a.b.c.d:port" or "[v6]:port".
  static std::optional<IpEndpoint> Parse(std::string_view text);
  std::string ToString() const;
  auto operator<=>(const IpEndpoint&) const = default;
};

}  // namespace custodian
