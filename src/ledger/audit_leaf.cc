#include "ledger/audit_leaf.h"

#include <nlohmann/json.hpp>

namespace custodian::ledger {

std::string AuditLeafBytes(const AuditLeaf& leaf) {
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["seq"] = leaf.seq;
  j["at"] = leaf.at_micros;
  j["actor"] = leaf.actor;
  j["case"] = leaf.case_id ? nlohmann::ordered_json(*leaf.case_id) : nullptr;
  j["action"] = leaf.action;
  j["process_type"] = leaf.process_type ? nlohmann::ordered_json(*leaf.process_type) : nullptr;
  j["targets"] = leaf.targets ? nlohmann::ordered_json(*leaf.targets) : nullptr;
  j["detail_sha256"] = leaf.detail_sha256;
  // Invalid UTF-8 (never stored: names are checked on the way in) is replaced, not thrown.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace custodian::ledger
