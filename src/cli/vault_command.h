// `custodian init`, `custodian ingest` and `custodian vault stats|seal`.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddVaultCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
