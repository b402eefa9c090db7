// `custodian user …`: staff users (roles, passwords, TOTP) and API tokens for services and
// requesters (server/user_store.h).
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddUserCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
