#include "production/manifest.h"

#include <algorithm>
#include <set>

#include "core/json_reader.h"

namespace custodian::production {
namespace {

bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string ManifestBytes(const Manifest& m) {
  nlohmann::ordered_json files = nlohmann::ordered_json::object();
  for (const auto& [name, sha] : m.files) files[name] = sha;
  nlohmann::ordered_json j = {{"production", m.production_id},
                              {"case", m.case_id},
                              {"scope", m.scope},
                              {"standards_sha256", m.standards_sha256},
                              {"created_at", m.created_at},
                              {"key_id", m.key_id},
                              {"files", files}};
  if (!m.disclosure_log) j["disclosure_log"] = false;
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Result<Manifest> ParseManifest(std::string_view bytes) {
  JsonDocument doc;
  JsonSyntaxError error;
  if (!ParseJson(bytes, doc, error)) {
    return Status::InvalidArgument("manifest.json" + DisplayPointer(error.pointer) + ": " + error.what);
  }
  const nlohmann::json& j = doc.root;
  if (!j.is_object()) return Status::InvalidArgument("manifest.json: not an object");
  const std::set<std::string> fields = {"production", "case", "scope", "standards_sha256",
                                        "created_at", "key_id", "files"};
  for (const auto& [key, value] : j.items()) {
    if (key == "disclosure_log") {
      if (value != false) return Status::InvalidArgument("manifest.json/disclosure_log: only false is written");
      continue;
    }
    if (!fields.count(key)) return Status::InvalidArgument("manifest.json/" + key + ": not a manifest field");
  }
  for (const std::string& key : fields) {
    if (!j.contains(key)) return Status::InvalidArgument("manifest.json/" + key + ": missing");
    const bool object = key == "scope" || key == "files";
    if (object ? !j[key].is_object() : !j[key].is_string()) {
      return Status::InvalidArgument("manifest.json/" + key + ": wrong type");
    }
  }
  Manifest m;
  m.production_id = j["production"];
  m.case_id = j["case"];
  m.scope = nlohmann::ordered_json::parse(j["scope"].dump());
  m.standards_sha256 = j["standards_sha256"];
  m.created_at = j["created_at"];
  m.key_id = j["key_id"];
  m.disclosure_log = !j.contains("disclosure_log");
  for (const auto& [name, sha] : j["files"].items()) {
    if (!sha.is_string() || !IsHex64(sha.get<std::string>())) {
      return Status::InvalidArgument("manifest.json/files/" + name + ": not a SHA-256 in hex");
    }
    m.files[name] = sha.get<std::string>();
  }
  return m;
}

}  // namespace custodian::production
