// Decides whether an access-log line may enter the vault: it parses (spec/records.md), is
// not older than the retention period and not too far in the future. Shared by ingest and
// bulk import, so that both refuse exactly the same lines with the same words. One per thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "vault/access_event.h"
#include "vault/event_parser.h"
#include "vault/packed_event.h"

namespace custodian::vault {

class EventAdmission {
 public:
  EventAdmission(Timestamp now, int64_t retention_days, int64_t future_tolerance_micros);

  // Parses `line` (padded as EventParser requires) into event(); the status message is the
  // line's error when it is refused.
  Status Admit(std::string_view line);
  // The last admitted event; its strings are valid until the next Admit.
  const AccessEvent& event() const { return event_; }

 private:
  EventParser parser_;
  AccessEvent event_;
  Date oldest_;
  int64_t latest_;
  std::string retention_error_;
};

// An address as PackedEvent holds it: 4 meaningful bytes for IPv4, 16 for IPv6.
std::array<uint8_t, 16> PackedAddress(const IpAddress& ip);

// `event` in its packed form, without its strings (the caller interns them).
PackedEvent PackWithoutStrings(const AccessEvent& event);

}  // namespace custodian::vault
