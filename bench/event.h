// An access event as the benchmark's peers see it (spec/records.md): one line of
// the workload's NDJSON, with views into the buffer it was read from.
// Values: safe from any thread while the buffer they view lives.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace custodian::bench {

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

inline std::string_view KindName(EventKind kind) {
  return kEventKindNames[static_cast<size_t>(kind)];
}

// The kind called `name`, or nothing.
inline std::optional<EventKind> ParseKind(std::string_view name) {
  for (size_t i = 0; i < kEventKindNames.size(); ++i) {
    if (kEventKindNames[i] == name) return static_cast<EventKind>(i);
  }
  return std::nullopt;
}

struct Event {
  uint64_t account_id = 0;
  int64_t ts_us = 0;           // microseconds since the epoch, UTC
  std::string_view ts_text;    // as written in the file (RFC 3339)
  EventKind kind = EventKind::kLogin;
  std::string_view ip;         // text form, as written in the file
  std::optional<uint16_t> port;
  std::string_view user_agent;  // empty when absent
  std::string_view device_id;   // empty when absent
};

}  // namespace custodian::bench
