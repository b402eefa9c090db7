// The vault's in-memory form of an access event: fixed size, strings replaced by ids, so
// that millions of events of an open partition sort and seal cheaply. User agents are ids
// in the vault's string dictionary; device and event ids are ids in their partition's
// string pool. Values.
#pragma once

#include <array>
#include <cstdint>

namespace custodian::vault {

struct PackedEvent {
  enum Flags : uint8_t { kHasPort = 1, kIpV6 = 2 };

  uint64_t account_id = 0;
  int64_t ts = 0;  // microseconds since the epoch, UTC
  std::array<uint8_t, 16> ip{};  // 4 meaningful bytes for IPv4
  uint32_t user_agent = 0;  // dictionary id + 1; 0: none
  uint32_t device = 0;      // partition pool id + 1; 0: none
  uint32_t event_id = 0;    // partition pool id + 1; 0: none
  uint16_t port = 0;
  uint8_t kind = 0;
  uint8_t flags = 0;
};
static_assert(sizeof(PackedEvent) == 48);

}  // namespace custodian::vault
