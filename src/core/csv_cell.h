// One CSV cell (RFC 4180) from a value that came from outside: quoted when it holds a comma,
// quote or line break, and neutralised when a spreadsheet would run it as a formula (a
// leading =, +, -, @, tab or carriage return gets a leading apostrophe). Pure: thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace custodian {

std::string CsvCell(std::string_view value);

}  // namespace custodian
