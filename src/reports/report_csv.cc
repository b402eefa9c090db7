#include "reports/report_csv.h"

#include "core/csv_cell.h"

#include "core/base64.h"
#include "reports/report_counts.h"

namespace custodian::reports {
namespace {

class CsvWriter {
 public:
  CsvWriter() { Row("dimension", "key", "metric", "value"); }

  void Row(std::string_view dimension, std::string_view key, std::string_view metric,
           std::string_view value) {
    out_ += CsvCell(dimension) + "," + CsvCell(key) + "," + CsvCell(metric) + "," +
            CsvCell(value) + "\r\n";
  }
  void Head(std::string_view dimension, const ledger::SignedTreeHead& head) {
    Row(dimension, "", "log", head.log);
    Row(dimension, "", "size", std::to_string(head.size));
    Row(dimension, "", "root", Base64Encode(std::span<const uint8_t>(head.root)));
    Row(dimension, "", "timestamp", head.timestamp);
    Row(dimension, "", "key_id", head.key_id);
    Row(dimension, "", "signature", Base64Encode(std::span<const uint8_t>(head.signature)));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string ReportToCsv(const Report& report) {
  CsvWriter csv;
  csv.Row("period", "", "from", FormatDate(report.period.from));
  csv.Row("period", "", "to", FormatDate(report.period.to));
  for (const TotalsField& f : kTotalsFields) {
    csv.Row("totals", "", f.name, std::to_string(report.totals.*f.count));
  }
  for (const CountryCounts& c : report.by_country) {
    for (const CountryField& f : kCountryFields) {
      csv.Row("by_country", c.country, f.name, PublishedCount(c.*f.count, report.suppressed_below));
    }
  }
  for (const auto& [dimension, rows] : {std::pair{"by_process_type", &report.by_process_type},
                                        std::pair{"by_agency_type", &report.by_agency_type}}) {
    for (const TypeCounts& t : *rows) {
      for (const TypeField& f : kTypeFields) {
        csv.Row(dimension, t.type, f.name, std::to_string(t.*f.count));
      }
    }
  }
  for (const MonthCounts& m : report.by_month) {
    csv.Row("by_month", m.month, "requests", std::to_string(m.requests));
  }
  csv.Row("national_security", "", "letters", report.national_security.letters);
  csv.Row("national_security", "", "accounts", report.national_security.accounts);
  csv.Row("suppressed_below", "", "value", std::to_string(report.suppressed_below));
  // The leaves themselves are in the JSON form only.
  csv.Row("leaves_published", "", "value", report.leaves_published ? "true" : "false");
  csv.Head("tree_head", report.tree_head);
  csv.Head("audit_tree_head", report.audit_tree_head);
  if (report.signature) {
    csv.Row("signature", "", "key_id", report.signature->key_id);
    csv.Row("signature", "", "value", Base64Encode(std::span<const uint8_t>(report.signature->value)));
  }
  return csv.Take();
}

}  // namespace custodian::reports
