// Field readers shared by the NDJSON parsers of events and subscriber records (simdjson
// on-demand values). Internal to src/vault: include it only from parser sources.
#pragma once

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_depth.h"
#include "core/json_reader.h"
#include "core/status.h"

namespace custodian::vault {

// A line nested deeper than any record needs is refused before simdjson walks it: the same
// limit as every other document from outside (core/json_depth.h). "nested deeper than 64
// levels at 1:65".
inline Status CheckLineDepth(std::string_view line) {
  Status s = CheckJsonDepth(line);
  if (s.ok()) return s;
  return Status::InvalidArgument(s.message().substr(s.message().find("nested")));
}

// An account id: an unsigned 64-bit JSON number, or the same in a decimal string.
inline Status ReadAccountId(simdjson::ondemand::value v, uint64_t& out) {
  static const char* kWhy = "account_id: not an unsigned 64-bit integer";
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return Status::InvalidArgument(kWhy);
  if (type == simdjson::ondemand::json_type::number) {
    if (v.get_uint64().get(out)) return Status::InvalidArgument(kWhy);
    return Status::Ok();
  }
  std::string_view s;
  if (type != simdjson::ondemand::json_type::string || v.get_string().get(s) || s.empty() ||
      s.size() > 20 || (s.size() > 1 && s[0] == '0')) {
    return Status::InvalidArgument(kWhy);
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return Status::InvalidArgument(kWhy);
  return Status::Ok();
}

// A field name from the input, escaped and cut short for a message.
inline std::string ShownKey(std::string_view key) {
  std::string p;
  AppendPointerToken(p, key.substr(0, 64));
  return "'" + p.substr(1) + "'";
}

}  // namespace custodian::vault
