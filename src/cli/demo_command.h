// `custodian demo --data DIR [--no-serve] [--port N]`: a synthetic service in a new instance
// (cli/demo_service.h's accounts, subscriber records and logins, the example agency registry,
// a staff user per role, cli/demo_cases.h's cases), all through the product's own paths (the
// vault's ingest, the workflow, the user store); then, unless --no-serve, the console and the
// API on 127.0.0.1 as `custodian serve` gives them. The instance carries the demo mark
// (instance/instance_record.h): its staff sign in without a second factor.
#pragma once

#include <CLI/CLI.hpp>

namespace custodian {

void AddDemoCommand(CLI::App& app, int* exit_code);

}  // namespace custodian
