// Where a production's record goes, account by account and event by event, in the order the
// vault hands them over: record.json, access_log.csv and record.pdf are each a RecordSink,
// fed the same stream, so that no file needs the whole record in memory.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/category.h"
#include "core/status.h"
#include "policy/request.h"
#include "vault/subscriber_record.h"
#include "vault/vault.h"

namespace custodian::production {

// What the record holds of each event: the authorized categories decide.
struct RecordColumns {
  bool location = false;  // `location` authorized: a location (or null) on every event
  bool device = false;    // `device` authorized: user agent and device id
};

struct AccountSection {
  uint64_t account_id = 0;
  std::vector<Target> matched_by;  // the targets that found it
  // basic_subscriber authorized: the versions in force during the window (or intervals).
  std::optional<std::vector<vault::SubscriberVersion>> subscriber;
  bool access_log = false;  // access_log authorized: events follow
};

struct RecordEvent {
  const vault::AccessRecord& record;
  // When `location` is authorized: the lookup's answer, null when the database has none.
  const std::optional<nlohmann::ordered_json>& location;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status BeginAccount(const AccountSection& account) = 0;
  virtual Status AddEvent(const RecordEvent& event) = 0;
  virtual Status EndAccount() = 0;
  // The targets that matched no account, then the end of the record.
  virtual Status Finish(const std::vector<Target>& not_found) = 0;
};

// An event as record.json holds it (spec/production.md).
nlohmann::ordered_json EventJson(const RecordEvent& e, const RecordColumns& columns);
nlohmann::ordered_json SubscriberJson(const vault::SubscriberVersion& v);
nlohmann::ordered_json TargetJson(const Target& t);

}  // namespace custodian::production
