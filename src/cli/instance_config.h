// An instance's settings: DATA/custodian.toml, optional (every setting has a default), read
// strictly (an unknown key or a wrong type is refused with file:line:column).
//
//   [cases]
//   store = "postgresql://custodian@db.internal/custodian"   # default: sqlite:DATA/cases.db
//   cli_decisions = false   # review and approval only in the console (default: true)
#pragma once

#include <string>

#include "core/status.h"

namespace custodian {

struct InstanceConfig {
  std::string case_store;  // a Database URL (cases/database.h)
  bool cli_decisions = true;
};

Result<InstanceConfig> LoadInstanceConfig(const std::string& data_dir);

}  // namespace custodian
