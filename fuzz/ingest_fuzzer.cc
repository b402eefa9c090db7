// Fuzzes what a service sends: NDJSON lines of access events and subscriber records, through
// the parsers the vault ingests with. A line is either read or refused with a reason that
// names a field; nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vault/event_parser.h"
#include "vault/subscriber_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static custodian::vault::EventParser events;
  static custodian::vault::SubscriberParser subscribers;
  std::string text(reinterpret_cast<const char*>(data), size);
  text.append(custodian::vault::EventParser::kLinePadding, ' ');
  const std::string_view line(text.data(), size);
  custodian::vault::AccessEvent event;
  custodian::Status s = events.Parse(line, event);
  if (!s.ok() && s.message().empty()) std::abort();
  if (s.ok() && event.user_agent && event.user_agent->size() > custodian::vault::kMaxUserAgentBytes) {
    std::abort();
  }
  custodian::vault::SubscriberVersion version;
  s = subscribers.Parse(line, version);
  if (s.ok()) {
    // What is read encodes and decodes to itself.
    auto back = custodian::vault::DecodeSubscriber(custodian::vault::EncodeSubscriber(version),
                                                   version.account_id);
    if (!back.ok() || !(*back == version)) std::abort();
  } else if (s.message().empty()) {
    std::abort();
  }
  return 0;
}
