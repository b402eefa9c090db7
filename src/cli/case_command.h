// `custodian case …`, `custodian hold …` and `custodian agencies import`: the case workflow
// from the command line (cases/workflow.h).
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddCaseCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
