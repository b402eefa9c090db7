// Fuzzes the reading of the disclosure log's pages an outside auditor hands to `custodian
// report verify --leaves` (what GET /api/v1/ledger/disclosures/entries answers, one page after
// another). Any crash, sanitizer report or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "reports/disclosure_pages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pages = custodian::reports::ParseDisclosurePages(text);
  // A refusal names the page and its line, or the line where no page begins.
  if (!pages.ok()) {
    const std::string& m = pages.status().message();
    if (!pages.status().IsInvalidArgument() || !(m.starts_with("page ") || m.starts_with("line "))) std::abort();
    return 0;
  }
  // What is accepted is at least one page of the disclosure log, numbered in order.
  if (pages->empty()) std::abort();
  for (size_t i = 0; i < pages->size(); ++i) {
    const auto& page = (*pages)[i];
    if (page.number != i + 1 || page.line == 0 || page.head.log != "disclosures") std::abort();
  }
  return 0;
}
