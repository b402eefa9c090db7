#include "production/access_log_csv_sink.h"

#include "core/csv_cell.h"

namespace custodian::production {
namespace {

constexpr const char* kLocationFields[] = {"country", "region", "city", "latitude", "longitude",
                                           "accuracy_km", "source"};

std::string Text(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// A number as a number (a negative latitude is no formula: a spreadsheet must read it as the
// number it is); text as a guarded cell.
std::string Cell(const nlohmann::ordered_json& v) { return v.is_number() ? Text(v) : CsvCell(Text(v)); }

}  // namespace

Status AccessLogCsvSink::Header() {
  if (header_) return Status::Ok();
  header_ = true;
  std::string h = "account_id,ts,kind,ip,port";
  if (columns_.location) {
    for (const char* f : kLocationFields) h += std::string(",location_") + f;
  }
  if (columns_.device) h += ",user_agent,device_id";
  return file_.Write(h + "\r\n");
}

Status AccessLogCsvSink::BeginAccount(const AccountSection& a) {
  account_ = std::to_string(a.account_id);
  return Header();
}

Status AccessLogCsvSink::AddEvent(const RecordEvent& e) {
  const nlohmann::ordered_json j = EventJson(e, columns_);
  std::string row = account_ + "," + CsvCell(j["ts"].get<std::string>()) + "," +
                    CsvCell(j["kind"].get<std::string>()) + "," + CsvCell(j["ip"].get<std::string>()) +
                    "," + (j.contains("port") ? Text(j["port"]) : "");
  if (columns_.location) {
    const nlohmann::ordered_json& where = j["location"];
    for (const char* f : kLocationFields) {
      row += "," + (where.is_object() && where.contains(f) ? Cell(where[f]) : "");
    }
  }
  if (columns_.device) {
    row += "," + Cell(j["user_agent"]) + "," + Cell(j["device_id"]);
  }
  return file_.Write(row + "\r\n");
}

Status AccessLogCsvSink::Finish(const std::vector<Target>&) { return Header(); }

}  // namespace custodian::production
