// A column of a table in record.pdf (pdf_table.h lays it out): plain values, with no cairo
// or Pango, so that the record's callers can name columns.
#pragma once

#include <string>
#include <vector>

namespace custodian::production {

struct PdfColumn {
  std::string header;  // "Time (UTC)"
  double width = 1;    // relative to the other columns of its line: 2 is twice as wide as 1
  // The widest values the column holds, when they are of a fixed form (times, addresses,
  // ports): the column is at least as wide as the widest of them and its header, so that
  // none of them ever wraps.
  std::vector<std::string> widest{};
  // On the row's second line, under the columns of the first and sharing the table's width
  // with the other second-line columns (free text such as a user agent).
  bool second_line = false;
};

}  // namespace custodian::production
