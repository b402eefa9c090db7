#include "cli/run_with_instance.h"

#include <iostream>

#include "cli/exit_codes.h"

namespace custodian {

int RunWithInstance(const InstanceOptions& options,
                    const std::function<Result<nlohmann::ordered_json>(Instance&)>& action) {
  auto instance = Instance::Open(options);
  if (!instance.ok()) return ReportFailure(instance.status());
  auto out = action(**instance);
  if (!out.ok()) return ReportFailure(out.status());
  std::cout << out->dump(2) << "\n";
  return kExitOk;
}

}  // namespace custodian
