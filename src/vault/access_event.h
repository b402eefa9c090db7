// An access event (spec/records.md) as it is read: one login, logout, session refresh,
// failed login, password change or recovery of one account, with when, from where and with
// what. Its strings are views into the parser that filled it, valid until its next Parse.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip_address.h"
#include "core/time.h"

namespace custodian::vault {

enum class EventKind : uint8_t {
  kLogin,
  kLogout,
  kSessionRefresh,
  kFailedLogin,
  kPasswordChange,
  kRecovery,
};
inline constexpr std::array<std::string_view, 6> kEventKindNames = {
    "login", "logout", "session_refresh", "failed_login", "password_change", "recovery"};

inline constexpr size_t kMaxUserAgentBytes = 512;
inline constexpr size_t kMaxDeviceIdBytes = 512;
inline constexpr size_t kMaxEventIdBytes = 64;

struct AccessEvent {
  uint64_t account_id = 0;
  Timestamp ts;
  EventKind kind = EventKind::kLogin;
  IpAddress ip;
  std::optional<uint16_t> port;
  std::optional<std::string_view> user_agent;
  std::optional<std::string_view> device_id;
  std::optional<std::string_view> event_id;

  bool operator==(const AccessEvent&) const = default;
};

}  // namespace custodian::vault
