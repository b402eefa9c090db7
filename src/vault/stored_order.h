// The order a day's events are stored in, blocks and journal frames alike: by account, then
// time; events of one account and time keep the order they were given in (the file's). Both
// ingest paths sort by it: the import a day at a time, the stream a batch's day at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <tuple>
#include <vector>

#include "vault/packed_event.h"

namespace custodian::vault {

// An event's place: its sort key, held beside its index in the events given (sorted by keys
// side by side rather than through indexes into the events).
struct StoredPosition {
  uint64_t account;
  int64_t ts;
  uint32_t index;
  bool operator<(const StoredPosition& o) const {
    return std::tie(account, ts, index) < std::tie(o.account, o.ts, o.index);
  }
};

inline std::vector<StoredPosition> StoredOrder(std::span<const PackedEvent> events) {
  std::vector<StoredPosition> order(events.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = {events[i].account_id, events[i].ts, i};
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace custodian::vault
