// The flags every command that opens an instance takes.
#pragma once

#include <CLI/CLI.hpp>

#include "instance/instance_record.h"

namespace custodian {

inline void AddInstanceFlags(CLI::App* cmd, InstanceOptions& o) {
  cmd->add_option("--data", o.data_dir, "The instance's data directory")->required();
  cmd->add_option("--key-file", o.key_file,
                  "The master key file (default: CUSTODIAN_KEY_FILE, or the instance's file "
                  "under ~/.config/custodian/keys)");
}

}  // namespace custodian
