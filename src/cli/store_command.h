// `custodian cases move`: moves the instance's case store into another database (SQLite to
// PostgreSQL or back), the only way an instance's recorded store changes (instance_store.h).
// `custodian cases store-files`: copies the sealed files of the data directory into the case
// store, before `[cases] files = "case_store"` is set.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddStoreCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
