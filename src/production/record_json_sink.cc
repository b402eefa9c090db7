#include "production/record_json_sink.h"

namespace custodian::production {
namespace {

std::string Dump(const nlohmann::ordered_json& j) {
  // Values from outside may hold any bytes the vault kept; invalid UTF-8 is replaced.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Status RecordJsonSink::Start() {
  if (started_) return Status::Ok();
  started_ = true;
  std::string out = "{\n";
  for (const auto& [key, value] : head_.items()) out += "  " + Dump(key) + ": " + Dump(value) + ",\n";
  out += "  \"accounts\": [";
  return file_.Write(out);
}

Status RecordJsonSink::BeginAccount(const AccountSection& a) {
  if (Status s = Start(); !s.ok()) return s;
  nlohmann::ordered_json matched = nlohmann::ordered_json::array();
  for (const Target& t : a.matched_by) matched.push_back(TargetJson(t));
  std::string out = accounts_++ ? ",\n    {" : "\n    {";
  out += "\"account_id\": " + Dump(std::to_string(a.account_id)) + ", \"matched_by\": " + Dump(matched);
  if (a.subscriber) {
    nlohmann::ordered_json versions = nlohmann::ordered_json::array();
    for (const auto& v : *a.subscriber) versions.push_back(SubscriberJson(v));
    out += ",\n     \"subscriber\": " + Dump(versions);
  }
  has_access_log_ = a.access_log;
  if (has_access_log_) out += ",\n     \"access_log\": [";
  events_ = 0;
  return file_.Write(out);
}

Status RecordJsonSink::AddEvent(const RecordEvent& e) {
  return file_.Write((events_++ ? ",\n       " : "\n       ") + Dump(EventJson(e, columns_)));
}

Status RecordJsonSink::EndAccount() {
  if (!has_access_log_) return file_.Write("}");
  return file_.Write(events_ ? "\n     ]}" : "]}");
}

Status RecordJsonSink::Finish(const std::vector<Target>& not_found) {
  if (Status s = Start(); !s.ok()) return s;
  nlohmann::ordered_json missing = nlohmann::ordered_json::array();
  for (const Target& t : not_found) missing.push_back(TargetJson(t));
  return file_.Write(std::string(accounts_ ? "\n  ],\n" : "],\n") + "  \"not_found\": " + Dump(missing) + "\n}\n");
}

}  // namespace custodian::production
