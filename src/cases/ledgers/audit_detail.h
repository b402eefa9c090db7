// The JSON detail of an audit entry, from key-value pairs. Internal to the workflow's files.
#pragma once

#include <initializer_list>
#include <utility>

#include <nlohmann/json.hpp>

namespace custodian::cases {

inline nlohmann::ordered_json Detail(std::initializer_list<std::pair<const char*, nlohmann::ordered_json>> kv) {
  nlohmann::ordered_json d = nlohmann::ordered_json::object();
  for (const auto& [k, v] : kv) d[k] = v;
  return d;
}

}  // namespace custodian::cases
