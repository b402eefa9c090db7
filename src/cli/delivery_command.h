// `custodian delivery list|grant|revoke`: a case's productions and the download grants
// through which its agency's requesters fetch them (docs/production.md, Delivery).
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddDeliveryCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
