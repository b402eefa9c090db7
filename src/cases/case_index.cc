#include "cases/case_index.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "cases/store/database.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"
#include "core/unicode.h"
#include "policy/targets.h"

namespace custodian::cases {
namespace {

constexpr std::string_view kTargetField = "target:";  // followed by the target's type
constexpr std::string_view kReferenceField = "reference";
constexpr std::string_view kRequesterField = "requester";

std::string TagOf(const StoreKeys& keys, std::string_view field, std::string_view value) {
  return keys.Tag("case " + std::string(field), value);
}

// A requester's name or address as searched: trimmed, ASCII lower-cased.
std::string RequesterKey(std::string_view value) { return AsciiLower(TrimWhiteSpace(value)); }

std::string StringAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

void IndexCase(soci::session& sql, const StoreKeys& keys, const std::string& case_id,
               const std::string& document) {
  sql << "DELETE FROM case_index WHERE case_id = :c", soci::use(case_id);
  const auto doc = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return;
  std::set<std::pair<std::string, std::string>> rows;  // field, tag
  if (const auto targets = doc.find("targets"); targets != doc.end() && targets->is_array()) {
    for (const auto& t : *targets) {
      const Target target{StringAt(t, "type"), StringAt(t, "value")};
      if (target.type.empty() || target.value.empty()) continue;
      const std::string field = std::string(kTargetField) + target.type;
      rows.emplace(field, TagOf(keys, field, NormalizedTargetValue(target)));
    }
  }
  if (const std::string reference = StringAt(doc.value("process", nlohmann::json()), "reference");
      !reference.empty()) {
    rows.emplace(kReferenceField, TagOf(keys, kReferenceField, reference));
  }
  const nlohmann::json requester = doc.value("requester", nlohmann::json());
  for (const char* key : {"email", "officer", "agency"}) {
    const std::string value = RequesterKey(StringAt(requester, key));
    if (!value.empty()) rows.emplace(kRequesterField, TagOf(keys, kRequesterField, value));
  }
  for (const auto& [field, tag] : rows) {
    sql << "INSERT INTO case_index (case_id, field, tag) VALUES (:c, :f, :t)", soci::use(case_id),
        soci::use(field), soci::use(tag);
  }
}

std::set<std::string> CasesMatching(soci::session& sql, const StoreKeys& keys,
                                    std::string_view query) {
  const std::string q(TrimWhiteSpace(query));
  std::set<std::string> out;
  if (q.empty()) return out;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id FROM cases WHERE id = :i OR agency_id = :a", soci::use(q, "i"),
         soci::use(q, "a"));
    for (const soci::row& r : rows) out.insert(Text(r, 0));
  }
  // The tags the query would have under each field the index holds: a target of every type
  // there is, the reference as typed, the requester as searched.
  std::vector<std::string> tags = {TagOf(keys, kReferenceField, q),
                                   TagOf(keys, kRequesterField, RequesterKey(q))};
  {
    soci::rowset<soci::row> fields = (sql.prepare << "SELECT DISTINCT field FROM case_index");
    for (const soci::row& r : fields) {
      const std::string field = Text(r, 0);
      if (!field.starts_with(kTargetField)) continue;
      const Target target{field.substr(kTargetField.size()), q};
      tags.push_back(TagOf(keys, field, NormalizedTargetValue(target)));
    }
  }
  for (const std::string& tag : tags) {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT case_id FROM case_index WHERE tag = :t", soci::use(tag));
    for (const soci::row& r : rows) out.insert(Text(r, 0));
  }
  return out;
}

std::set<std::string> CasesNamingRequester(soci::session& sql, const StoreKeys& keys, std::string_view email,
                                           const std::optional<std::string>& case_id) {
  const std::string tag = TagOf(keys, kRequesterField, RequesterKey(email));
  const std::string field(kRequesterField), one = case_id.value_or("");
  const int by_case = case_id.has_value();
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT case_id FROM case_index WHERE field = :f AND tag = :t AND (:by_case = 0 OR case_id = :c)",
       soci::use(field, "f"), soci::use(tag, "t"), soci::use(by_case, "by_case"), soci::use(one, "c"));
  std::set<std::string> out;
  for (const soci::row& r : rows) out.insert(Text(r, 0));
  return out;
}

Status IndexAllCases(soci::session& sql) {
  auto keys = StoreKeys::Load(sql, MasterOf(sql));
  if (!keys.ok()) return keys.status();
  struct Latest {
    std::string case_id;
    int version;
    std::string sealed;
  };
  std::vector<Latest> latest;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT r.case_id, r.version, r.document FROM requests r WHERE r.version = "
                        "(SELECT MAX(v.version) FROM requests v WHERE v.case_id = r.case_id)");
    for (const soci::row& r : rows) {
      latest.push_back({Text(r, 0), static_cast<int>(Int(r, 1)), Text(r, 2)});
    }
  }
  for (const Latest& l : latest) {
    auto document = keys->Open(l.sealed, SealContext("requests.document",
                                                     l.case_id + " " + std::to_string(l.version)));
    if (!document.ok()) return document.status();
    IndexCase(sql, *keys, l.case_id, *document);
  }
  return Status::Ok();
}

}  // namespace custodian::cases
