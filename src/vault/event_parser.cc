#include "vault/event_parser.h"

#include <simdjson.h>


#include "vault/json_fields.h"

namespace custodian::vault {
namespace {

using simdjson::ondemand::json_type;

static_assert(EventParser::kLinePadding >= simdjson::SIMDJSON_PADDING);

enum Field : unsigned {
  kAccountId = 1 << 0,
  kTs = 1 << 1,
  kKind = 1 << 2,
  kIp = 1 << 3,
  kPort = 1 << 4,
  kUserAgent = 1 << 5,
  kDeviceId = 1 << 6,
  kEventId = 1 << 7,
};

struct FieldName {
  std::string_view name;
  Field field;
};
constexpr FieldName kFields[] = {{"account_id", kAccountId}, {"ts", kTs},
                                 {"kind", kKind},             {"ip", kIp},
                                 {"port", kPort},             {"user_agent", kUserAgent},
                                 {"device_id", kDeviceId},    {"event_id", kEventId}};

Status Bad(std::string message) { return Status::InvalidArgument(std::move(message)); }

Status ReadOptionalString(simdjson::ondemand::value v, std::string_view name, size_t max,
                          std::optional<std::string_view>& out) {
  std::string_view s;
  if (v.get_string().get(s)) return Bad(std::string(name) + ": not a string");
  if (s.size() > max) {
    return Bad(std::string(name) + ": longer than " + std::to_string(max) + " bytes");
  }
  out.emplace(s);
  return Status::Ok();
}

}  // namespace

struct EventParser::Impl {
  simdjson::ondemand::parser parser;
};

EventParser::EventParser() : impl_(std::make_unique<Impl>()) {}
EventParser::~EventParser() = default;

Status EventParser::Parse(std::string_view line, AccessEvent& out) {
  if (line.size() > kMaxLineBytes) {
    return Bad("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  if (Status s = CheckLineDepth(line); !s.ok()) return s;
  out = AccessEvent{};
  simdjson::padded_string_view padded(line.data(), line.size(), line.size() + kLinePadding);
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(padded).get(doc)) return Bad("not valid JSON");
  simdjson::ondemand::object object;
  if (auto error = doc.get_object().get(object)) {
    return Bad(error == simdjson::INCORRECT_TYPE ? "not a JSON object" : "not valid JSON");
  }
  unsigned seen = 0;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (std::move(field_result).get(field)) return Bad("not valid JSON");
    std::string_view key;
    if (field.unescaped_key().get(key)) return Bad("not valid JSON");
    Field which{};
    for (const FieldName& f : kFields) {
      if (f.name == key) which = f.field;
    }
    if (which == 0) return Bad("unknown field " + ShownKey(key));
    if (seen & which) return Bad("duplicate field " + ShownKey(key));
    seen |= which;
    simdjson::ondemand::value v = field.value();
    Status s;
    switch (which) {
      case kAccountId: s = ReadAccountId(v, out.account_id); break;
      case kTs: {
        std::string_view t;
        if (v.get_string().get(t) || t.size() > 64) {
          s = Bad("ts: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)");
          break;
        }
        auto ts = ParseDateTime(t);
        if (!ts.ok()) {
          s = Bad("ts: not a date-time " + ts.status().message());
        } else {
          out.ts = *ts;
        }
        break;
      }
      case kKind: {
        std::string_view k;
        s = Bad("kind: must be one of: login, logout, session_refresh, failed_login, "
                "password_change, recovery");
        if (!v.get_string().get(k)) {
          for (size_t i = 0; i < kEventKindNames.size(); ++i) {
            if (kEventKindNames[i] == k) {
              out.kind = static_cast<EventKind>(i);
              s = Status::Ok();
            }
          }
        }
        break;
      }
      case kIp: {
        std::string_view ip;
        std::optional<IpAddress> parsed;
        if (!v.get_string().get(ip) && ip.size() <= 64) parsed = IpAddress::Parse(ip);
        if (parsed) {
          out.ip = *parsed;
        } else {
          s = Bad("ip: not an IP address");
        }
        break;
      }
      case kPort: {
        uint64_t port;
        if (v.get_uint64().get(port) || port > 65535) {
          s = Bad("port: not an integer from 0 to 65535");
        } else {
          out.port = static_cast<uint16_t>(port);
        }
        break;
      }
      case kUserAgent: s = ReadOptionalString(v, "user_agent", kMaxUserAgentBytes, out.user_agent); break;
      case kDeviceId: s = ReadOptionalString(v, "device_id", kMaxDeviceIdBytes, out.device_id); break;
      case kEventId: s = ReadOptionalString(v, "event_id", kMaxEventIdBytes, out.event_id); break;
    }
    if (!s.ok()) return s;
  }
  const char* trailing = nullptr;
  if (!doc.current_location().get(trailing)) return Bad("not valid JSON");  // data after the object
  for (const FieldName& f : {kFields[0], kFields[1], kFields[2], kFields[3]}) {
    if (!(seen & f.field)) return Bad(std::string(f.name) + ": missing");
  }
  return Status::Ok();
}

}  // namespace custodian::vault
