// `custodian ledger monitor URL --state FILE --public-key KEYFILE [--log disclosures|audit]`:
// what an outsider runs, from cron, to hold an instance to its log. Each run fetches the log's
// latest signed head, checks its signature with a key the outsider got beforehand, and checks
// that it extends the head the previous run kept in FILE (equal, or proved consistent); only
// then does it keep the new head. The first run has nothing to compare with: it trusts the
// head it sees, and says so. docs/operations.md tells how to run it and what a failure means.
// Exit 0: all checks passed; 1: the log was rewritten, a signature failed, or the server could
// not be reached or asked; 2: bad arguments, or a malformed key file, state file or answer.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

// Adds `monitor` under the `ledger` command.
void AddLedgerMonitorCommand(CLI::App& ledger, int* exit_code);

}  // namespace custodian
