// The plaintext inside a sealed block: the access events of one account on one day, sorted by
// time, in columns (times as deltas, a per-block dictionary of addresses and device ids),
// compressed with zstd when that pays. Byte layout: docs/vault_format.md, "Event blocks".
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "vault/packed_event.h"
#include "vault/string_pool.h"

namespace custodian::vault {

// One decoded event; its views point into the buffer DecodeBlock was given.
struct BlockEvent {
  int64_t ts = 0;
  uint8_t kind = 0;
  uint8_t flags = 0;  // PackedEvent::Flags
  std::array<uint8_t, 16> ip{};
  uint16_t port = 0;
  uint32_t user_agent = 0;  // dictionary id + 1; 0: none
  std::string_view device;  // empty: none
  bool has_device = false;
  std::string_view event_id;
  bool has_event_id = false;
};

// Appends the block for `events` (one account, sorted by ts, all on the UTC day that starts
// at `day_start`) to `out`; device and event ids are looked up in `pool`. `compress`: try
// zstd (segments, kept for long); journals, short-lived, skip it.
void EncodeBlock(std::span<const PackedEvent> events, int64_t day_start, const StringSource& pool,
                 std::string& out, bool compress = true);

// Decodes a block, calling `visit` for each event in time order. `scratch` holds the
// decompressed bytes the events' views point into. Corruption if the bytes do not parse.
Status DecodeBlock(std::string_view block, int64_t day_start, std::string& scratch,
                   const std::function<void(const BlockEvent&)>& visit);

}  // namespace custodian::vault
