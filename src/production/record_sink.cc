#include "production/record_sink.h"

#include "core/time.h"
#include "vault/access_event.h"

namespace custodian::production {

nlohmann::ordered_json EventJson(const RecordEvent& e, const RecordColumns& columns) {
  const vault::AccessRecord& r = e.record;
  nlohmann::ordered_json j = {{"ts", FormatDateTimeMicros(r.ts)},
                              {"kind", std::string(vault::kEventKindNames[static_cast<size_t>(r.kind)])},
                              {"ip", r.ip.ToString()}};
  if (r.port) j["port"] = *r.port;
  if (columns.location) j["location"] = e.location ? *e.location : nlohmann::ordered_json(nullptr);
  if (columns.device) {
    j["user_agent"] = r.user_agent ? nlohmann::ordered_json(std::string(*r.user_agent)) : nullptr;
    j["device_id"] = r.device_id ? nlohmann::ordered_json(*r.device_id) : nullptr;
  }
  return j;
}

nlohmann::ordered_json SubscriberJson(const vault::SubscriberVersion& v) {
  const auto opt = [](const std::optional<std::string>& s) {
    return s ? nlohmann::ordered_json(*s) : nlohmann::ordered_json(nullptr);
  };
  return {{"effective_from", FormatDateTimeMicros(v.effective_from)},
          {"username", opt(v.username)},
          {"name", opt(v.name)},
          {"emails", v.emails},
          {"phones", v.phones},
          {"created_at", v.created_at ? nlohmann::ordered_json(FormatDateTimeMicros(*v.created_at)) : nullptr},
          {"status", opt(v.status)}};
}

nlohmann::ordered_json TargetJson(const Target& t) { return {{"type", t.type}, {"value", t.value}}; }

}  // namespace custodian::production
