// vault_bench --accounts N: the vault at account scale (bench/README.md, "Account scale").
// Creates N accounts with two events each, imported in rounds; at a tenth, half and all of
// them, reports what creating the last stretch cost per account and what a fresh process
// pays to open the vault and read accounts: the open's time, its resident memory, and the
// latency of reading one account (its key not cached).
#pragma once

#include <cstdint>
#include <string>

namespace custodian::bench {

struct AccountScaleOptions {
  uint64_t accounts = 10'000'000;
  size_t reads = 1000;  // accounts read by each probe, uniformly among those created
  std::string workdir;
  std::string self;  // this program, run again as the probe
};

// The whole run; exit status 0, or 1 when a step failed.
int RunAccountScale(const AccountScaleOptions& options);
// The probe: opens the vault in `dir` and reads `reads` accounts among 1..`accounts`;
// prints one line of figures. Exit status 0, or 1.
int RunAccountProbe(const std::string& dir, uint64_t accounts, size_t reads);

}  // namespace custodian::bench
