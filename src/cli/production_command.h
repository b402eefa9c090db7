// `custodian produce` (an approved case's business record, signed) and `custodian verify`
// (a package checked offline): spec/production.md.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddProductionCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
