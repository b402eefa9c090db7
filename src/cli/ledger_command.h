// `custodian ledger head|prove|verify` and `custodian keys export-public|rotate-signing`: the
// instance's Merkle logs and signing keys from the command line (docs/ledger.md).
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddLedgerCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
