#include "vault/event_admission.h"

#include <algorithm>

namespace custodian::vault {

EventAdmission::EventAdmission(Timestamp now, int64_t retention_days,
                               int64_t future_tolerance_micros)
    : oldest_(now.UtcDate().PlusDays(-retention_days)),
      latest_(now.micros + future_tolerance_micros),
      retention_error_("ts: older than the retention period (" + std::to_string(retention_days) +
                       " days)") {}

Status EventAdmission::Admit(std::string_view line) {
  if (Status s = parser_.Parse(line, event_); !s.ok()) return s;
  if (event_.ts.UtcDate() < oldest_) return Status::InvalidArgument(retention_error_);
  if (event_.ts.micros > latest_) {
    return Status::InvalidArgument("ts: more than a day in the future");
  }
  return Status::Ok();
}

std::array<uint8_t, 16> PackedAddress(const IpAddress& ip) {
  std::array<uint8_t, 16> out{};
  std::copy(ip.bytes().begin(), ip.bytes().begin() + (ip.is_v4() ? 4 : 16), out.begin());
  return out;
}

PackedEvent PackWithoutStrings(const AccessEvent& event) {
  PackedEvent pe;
  pe.account_id = event.account_id;
  pe.ts = event.ts.micros;
  pe.kind = static_cast<uint8_t>(event.kind);
  pe.ip = PackedAddress(event.ip);
  if (!event.ip.is_v4()) pe.flags |= PackedEvent::kIpV6;
  if (event.port) {
    pe.flags |= PackedEvent::kHasPort;
    pe.port = *event.port;
  }
  return pe;
}

}  // namespace custodian::vault
