// The production's manifest (spec/production.md): what the package holds and under which
// scope, with the SHA-256 of each record file; its exact bytes are what the production key
// signs (manifest.sig) and what the disclosure log's production leaf commits to.
// Values and pure functions: safe from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace custodian::production {

// The files a manifest covers, in the package.
inline constexpr const char* kRecordFiles[] = {"record.pdf", "record.json", "access_log.csv"};

struct Manifest {
  std::string production_id;
  std::string case_id;
  // {"targets", "categories", "window"}, or a scope of instants' "times", "minutes" and
  // "intervals" instead of "window"
  nlohmann::ordered_json scope;
  std::string standards_sha256;
  std::string created_at;  // RFC 3339 UTC
  std::string key_id;      // of the production key that signs it
  std::map<std::string, std::string> files;  // name -> SHA-256 hex
  // False for a production that never enters the disclosure log (a national security
  // letter): the signed manifest then says so (`"disclosure_log": false`), and its
  // ledger.json carries no leaf. The field is absent otherwise.
  bool disclosure_log = true;
};

// The manifest's bytes: JSON, two-space indented, keys in a fixed order, a final newline.
std::string ManifestBytes(const Manifest& m);

// Reads manifest bytes strictly (every field, no other; `disclosure_log` only as false);
// InvalidArgument naming the field.
Result<Manifest> ParseManifest(std::string_view bytes);

}  // namespace custodian::production
