// `custodian serve`: the HTTP API (server/api_server.h) over the instance's vault and case
// store, until SIGINT or SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace custodian
