// `custodian cases move`: moves the instance's case store into another database (SQLite to
// PostgreSQL or back), the only way an instance's recorded store changes (instance_store.h).
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddStoreCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
