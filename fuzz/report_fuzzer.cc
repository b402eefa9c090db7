// Fuzzes the reading of published transparency reports, which come from whoever hands one to
// `custodian report verify`. Any crash, sanitizer report or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json_reader.h"
#include "reports/report_json.h"
#include "reports/report_offline_verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  custodian::JsonDocument doc;
  custodian::JsonSyntaxError syntax;
  if (!custodian::ParseJson(text, doc, syntax)) return 0;
  auto basis = custodian::reports::ParseReport(doc.root);
  // A refusal names the field at fault by its JSON pointer.
  if (!basis.ok()) {
    const custodian::Status& s = basis.status();
    if (!s.IsInvalidArgument() || s.message().empty() || s.message()[0] != '/') std::abort();
    return 0;
  }
  // What is accepted is a period that ends after it begins, and heads that name their log.
  if (!(basis->period.from < basis->period.to) || basis->tree_head.log.empty() ||
      basis->audit_tree_head.log.empty()) {
    std::abort();
  }
  // Checked offline with no key, a report never holds (its signature names no key given), and
  // one that publishes its leaves is recounted from them whatever they hold.
  if (basis->leaves) {
    auto check = custodian::reports::VerifyReportOffline(doc.root, {}, std::nullopt);
    if (!check.ok() || check->check.holds()) std::abort();
  }
  return 0;
}
