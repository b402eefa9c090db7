// `custodian report …`: the transparency report (src/reports, docs/reports.md) made for a
// period as JSON, CSV or HTML, and `custodian report verify`, which holds a published JSON
// report against the instance's ledgers.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddReportCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
