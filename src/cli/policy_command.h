// `custodian policy check|validate|install|show`: the disclosure-standards engine from the
// command line, and the instance's own standards.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

// Adds `policy` and its subcommands to `app`. Each subcommand stores its exit status in
// `*exit_code` when it runs.
void AddPolicyCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
