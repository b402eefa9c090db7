// Splits NDJSON text into lines for the vault's parsers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vault/event_parser.h"

namespace custodian::vault {

// Calls visit(line_number, line) for each non-empty line of NDJSON `text` (a trailing CR is
// dropped), stopping early when visit returns false. Each line passed is followed in memory
// by EventParser::kLinePadding readable bytes, as the parsers need. Returns the number the
// line after the last one visited would have.
template <typename Visit>
uint64_t ForEachLine(std::string_view text, uint64_t first_line, Visit visit) {
  std::string padded;
  uint64_t number = first_line;
  for (size_t pos = 0; pos < text.size(); ++number) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (static_cast<size_t>(text.data() + text.size() - line.data()) <
        line.size() + EventParser::kLinePadding) {
      padded.assign(line);
      padded.append(EventParser::kLinePadding, ' ');
      line = std::string_view(padded).substr(0, line.size());
    }
    if (!visit(number, line)) return number + 1;
  }
  return number;
}

}  // namespace custodian::vault
