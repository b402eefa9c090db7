// `custodian produce` (an approved case's business record, signed) and `custodian verify`
// (a package checked offline): spec/production.md.
#pragma once

#include <CLI/CLI.hpp>

#include "instance/instance.h"
#include "production/production_setup.h"

namespace custodian {

void AddProductionCommands(CLI::App& app, int* exit_code);

// The instance's production settings (custodian.toml's [geo] and [production], DATA's
// productions/ and package store), for `produce` and `serve` alike.
production::ProductionSettings ProductionSettingsOf(Instance& instance, const std::string& data_dir);

}  // namespace custodian
