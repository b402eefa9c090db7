#include "reports/report_json.h"

#include <algorithm>
#include <vector>

#include "core/json_reader.h"
#include "core/base64.h"
#include "reports/report_counts.h"
#include "reports/report_signature.h"

namespace custodian::reports {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr uint64_t kMaxCount = uint64_t{1} << 53;  // what every JSON reader holds exactly
constexpr const char* kHeadFields[] = {"log", "size", "root", "timestamp", "key_id", "signature"};

ordered_json HeadToJson(const ledger::SignedTreeHead& head) {
  const json fields = ledger::TreeHeadToJson(head);
  ordered_json out;
  for (const char* key : kHeadFields) out[key] = fields.at(key);
  return out;
}

ordered_json Published(int64_t count, int64_t suppress_below) {
  if (IsSuppressed(count, suppress_below)) return PublishedCount(count, suppress_below);
  return count;
}

// --- Reading ---------------------------------------------------------------------------

std::string Child(const std::string& at, std::string_view key) {
  std::string pointer = at;
  AppendPointerToken(pointer, key);
  return pointer;
}

Status Fail(const std::string& at, const std::string& what) {
  return Status::InvalidArgument(DisplayPointer(at) + ": " + what);
}

std::string NotA(std::string_view what, const json& value) {
  return "not " + std::string(what) + " but " + std::string(JsonTypeName(value));
}

// `value` is an object with exactly `fields`.
Status CheckObject(const json& value, const std::string& at,
                   const std::vector<std::string_view>& fields) {
  if (!value.is_object()) return Fail(at, NotA("an object", value));
  for (const auto& [key, field] : value.items()) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      return Fail(Child(at, key), "not a field here");
    }
  }
  for (std::string_view key : fields) {
    if (!value.contains(std::string(key))) return Fail(Child(at, key), "required");
  }
  return Status::Ok();
}

bool IsCount(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= kMaxCount;
  if (v.is_number_integer()) return v.get<int64_t>() >= 0 && v.get<uint64_t>() <= kMaxCount;
  return false;
}

Status CheckCount(const json& v, const std::string& at) {
  if (IsCount(v)) return Status::Ok();
  if (v.is_number()) return Fail(at, "not a count (an integer from 0 to 2^53)");
  return Fail(at, NotA("a count", v));
}

bool IsDigits(std::string_view s, size_t max_digits) {
  return !s.empty() && s.size() <= max_digits &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A count, or "<N" for one suppressed.
Status CheckPublishedCount(const json& v, const std::string& at) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.starts_with('<') && IsDigits(std::string_view(s).substr(1), 16)) return Status::Ok();
    return Fail(at, "not a count nor \"<N\"");
  }
  return CheckCount(v, at);
}

Status CheckString(const json& v, const std::string& at) {
  return v.is_string() ? Status::Ok() : Fail(at, NotA("a string", v));
}

// "0-249": two numbers and a hyphen.
Status CheckBand(const json& v, const std::string& at) {
  if (Status s = CheckString(v, at); !s.ok()) return s;
  const std::string& s = v.get_ref<const std::string&>();
  const size_t dash = s.find('-');
  if (dash != std::string::npos && IsDigits(s.substr(0, dash), 16) &&
      IsDigits(s.substr(dash + 1), 16)) {
    return Status::Ok();
  }
  return Fail(at, "not a band (e.g. \"0-249\")");
}

// "2026-03".
Status CheckMonth(const json& v, const std::string& at) {
  if (Status s = CheckString(v, at); !s.ok()) return s;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() == 7 && IsDigits(s.substr(0, 4), 4) && s[4] == '-' && IsDigits(s.substr(5), 2) &&
      s.substr(5) >= "01" && s.substr(5) <= "12") {
    return Status::Ok();
  }
  return Fail(at, "not a month (YYYY-MM)");
}

Result<Date> ReadDate(const json& v, const std::string& at) {
  if (Status s = CheckString(v, at); !s.ok()) return s;
  auto d = ParseDate(v.get_ref<const std::string&>());
  if (!d.ok()) return Fail(at, "not a date " + d.status().message());
  return d;
}

template <typename Fields>
std::vector<std::string_view> NamesOf(const Fields& fields) {
  std::vector<std::string_view> names;
  for (const auto& f : fields) names.push_back(f.name);
  return names;
}

using Check = Status (*)(const json&, const std::string&);

// An array of rows, each an object of a key (checked by `check_key`) and counts.
Status CheckRows(const json& rows, const std::string& at, std::string_view key, Check check_key,
                 const std::vector<std::string_view>& counts, Check check_count) {
  if (!rows.is_array()) return Fail(at, NotA("an array", rows));
  std::vector<std::string_view> fields = {key};
  fields.insert(fields.end(), counts.begin(), counts.end());
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string row_at = at;
    AppendPointerIndex(row_at, i);
    if (Status s = CheckObject(rows[i], row_at, fields); !s.ok()) return s;
    if (Status s = check_key(rows[i][std::string(key)], Child(row_at, key)); !s.ok()) return s;
    for (std::string_view name : counts) {
      if (Status s = check_count(rows[i][std::string(name)], Child(row_at, name)); !s.ok()) {
        return s;
      }
    }
  }
  return Status::Ok();
}

// The head's own messages name its fields from its root ("/size: …", "/: …").
Result<ledger::SignedTreeHead> ReadHead(const json& v, const std::string& at) {
  auto head = ledger::TreeHeadFromJson(v);
  if (!head.ok()) {
    const std::string& message = head.status().message();
    return Status::InvalidArgument(at + (message.starts_with("/:") ? message.substr(1) : message));
  }
  return head;
}

// {"key_id": 16 hex digits, "value": base64 of 64 bytes}.
Result<ReportSignature> ReadSignature(const json& v, const std::string& at) {
  if (Status s = CheckObject(v, at, {"key_id", "value"}); !s.ok()) return s;
  ReportSignature out;
  const json& key_id = v["key_id"];
  if (Status s = CheckString(key_id, at + "/key_id"); !s.ok()) return s;
  out.key_id = key_id.get<std::string>();
  if (out.key_id.size() != 16 || !std::all_of(out.key_id.begin(), out.key_id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return Fail(at + "/key_id", "not a key id (16 lowercase hex digits)");
  }
  const json& value = v["value"];
  if (Status s = CheckString(value, at + "/value"); !s.ok()) return s;
  auto bytes = Base64Decode(value.get<std::string>());
  if (!bytes.ok() || bytes->size() != out.value.size()) {
    return Fail(at + "/value", "not a signature (base64 of 64 bytes)");
  }
  std::copy(bytes->begin(), bytes->end(), out.value.begin());
  return out;
}

}  // namespace

ordered_json ReportToJson(const Report& report) {
  ordered_json out;
  out["period"] = {{"from", FormatDate(report.period.from)}, {"to", FormatDate(report.period.to)}};
  ordered_json& totals = out["totals"] = ordered_json::object();
  for (const TotalsField& f : kTotalsFields) totals[std::string(f.name)] = report.totals.*f.count;
  ordered_json& countries = out["by_country"] = ordered_json::array();
  for (const CountryCounts& c : report.by_country) {
    ordered_json row = {{"country", c.country}};
    for (const CountryField& f : kCountryFields) {
      row[std::string(f.name)] = Published(c.*f.count, report.suppressed_below);
    }
    countries.push_back(std::move(row));
  }
  for (const auto& [name, rows] : {std::pair{"by_process_type", &report.by_process_type},
                                   std::pair{"by_agency_type", &report.by_agency_type}}) {
    ordered_json& out_rows = out[name] = ordered_json::array();
    for (const TypeCounts& t : *rows) {
      ordered_json row = {{"type", t.type}};
      for (const TypeField& f : kTypeFields) row[std::string(f.name)] = t.*f.count;
      out_rows.push_back(std::move(row));
    }
  }
  ordered_json& months = out["by_month"] = ordered_json::array();
  for (const MonthCounts& m : report.by_month) {
    months.push_back({{"month", m.month}, {"requests", m.requests}});
  }
  out["national_security"] = {{"letters", report.national_security.letters},
                              {"accounts", report.national_security.accounts}};
  out["suppressed_below"] = report.suppressed_below;
  out["leaves_published"] = report.leaves_published;
  out["tree_head"] = HeadToJson(report.tree_head);
  out["audit_tree_head"] = HeadToJson(report.audit_tree_head);
  if (report.leaves_published) out["leaves"] = report.leaves;
  if (report.signature) out["signature"] = ReportSignatureToJson(*report.signature);
  return out;
}

Result<ReportBasis> ParseReport(const json& report) {
  // The leaves are there exactly when the report says it publishes them.
  std::vector<std::string_view> fields = {"period", "totals", "by_country", "by_process_type",
                                          "by_agency_type", "by_month", "national_security",
                                          "suppressed_below", "leaves_published", "tree_head",
                                          "audit_tree_head", "signature"};
  const bool published = report.is_object() && report.contains("leaves_published") &&
                         report["leaves_published"].is_boolean() &&
                         report["leaves_published"].get<bool>();
  if (published) fields.push_back("leaves");
  if (Status s = CheckObject(report, "", fields); !s.ok()) return s;
  ReportBasis basis;
  const json& period = report["period"];
  if (Status s = CheckObject(period, "/period", {"from", "to"}); !s.ok()) return s;
  auto from = ReadDate(period["from"], "/period/from");
  if (!from.ok()) return from.status();
  auto to = ReadDate(period["to"], "/period/to");
  if (!to.ok()) return to.status();
  if (!(*from < *to)) return Fail("/period/to", "not after /period/from");
  basis.period = {*from, *to};

  const std::vector<std::string_view> totals = NamesOf(kTotalsFields);
  if (Status s = CheckObject(report["totals"], "/totals", totals); !s.ok()) return s;
  for (std::string_view name : totals) {
    if (Status s = CheckCount(report["totals"][std::string(name)], Child("/totals", name)); !s.ok()) {
      return s;
    }
  }
  if (Status s = CheckRows(report["by_country"], "/by_country", "country", CheckString,
                           NamesOf(kCountryFields), CheckPublishedCount);
      !s.ok()) {
    return s;
  }
  for (const char* name : {"by_process_type", "by_agency_type"}) {
    if (Status s = CheckRows(report[name], Child("", name), "type", CheckString,
                             NamesOf(kTypeFields), CheckCount);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = CheckRows(report["by_month"], "/by_month", "month", CheckMonth, {"requests"},
                           CheckCount);
      !s.ok()) {
    return s;
  }
  const json& nsl = report["national_security"];
  if (Status s = CheckObject(nsl, "/national_security", {"letters", "accounts"}); !s.ok()) return s;
  for (const char* name : {"letters", "accounts"}) {
    if (Status s = CheckBand(nsl[name], Child("/national_security", name)); !s.ok()) return s;
  }
  if (Status s = CheckCount(report["suppressed_below"], "/suppressed_below"); !s.ok()) return s;
  basis.suppressed_below = report["suppressed_below"].get<int64_t>();
  if (!report["leaves_published"].is_boolean()) {
    return Fail("/leaves_published", NotA("true or false", report["leaves_published"]));
  }
  basis.leaves_published = published;
  if (published && basis.suppressed_below != 0) {
    return Fail("/suppressed_below", "not 0 in a report that publishes its leaves");
  }
  auto head = ReadHead(report["tree_head"], "/tree_head");
  if (!head.ok()) return head.status();
  basis.tree_head = *head;
  auto audit_head = ReadHead(report["audit_tree_head"], "/audit_tree_head");
  if (!audit_head.ok()) return audit_head.status();
  basis.audit_tree_head = *audit_head;
  if (published) {
    const json& leaves = report["leaves"];
    if (!leaves.is_array()) return Fail("/leaves", NotA("an array", leaves));
    basis.leaves.emplace();
    for (size_t i = 0; i < leaves.size(); ++i) {
      std::string at = "/leaves";
      AppendPointerIndex(at, i);
      if (Status s = CheckString(leaves[i], at); !s.ok()) return s;
      basis.leaves->push_back(leaves[i].get<std::string>());
    }
  }
  auto signature = ReadSignature(report["signature"], "/signature");
  if (!signature.ok()) return signature.status();
  basis.signature = *signature;
  return basis;
}

}  // namespace custodian::reports
