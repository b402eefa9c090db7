// The benchmark's workload (DESIGN.md, Performance): access events of
// spec/records.md in time order, as NDJSON, generated deterministically from a
// seed, and the query targets the driver samples from what was generated.
// A pure function of its options (same options, same bytes); safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace custodian::bench {

// How activity spreads over accounts (bench/README.md, "The workload").
enum class WorkloadShape {
  kZipf,    // 200k accounts at scale 1, Zipf-distributed: about 100 events each
  kSparse,  // 2M accounts at scale 1, most active on one to three days, a long tail of heavy users
};

// "zipf" or "sparse"; InvalidArgument otherwise.
Result<WorkloadShape> ParseWorkloadShape(std::string_view name);
const char* WorkloadShapeName(WorkloadShape shape);

struct WorkloadOptions {
  WorkloadShape shape = WorkloadShape::kZipf;
  // Multiplies events (20M at 1), accounts (200k; 2M sparse) and distinct IPs (2M; 8M
  // sparse); the days stay 30. 0.05 runs the whole benchmark in a few minutes on 2 cores.
  double scale = 1.0;
  uint64_t seed = 1;  // another seed gives another workload of the same shape
  // The first day. Events older than custodian's retention (90 days by default) are
  // refused at ingest, so a custodian peer configures its retention to cover it.
  Date first_day = Date{DaysFromCivil(2026, 10, 1)};
  int days = 30;
  size_t account_targets = 1000;  // accounts sampled for one-account queries
  size_t ip_targets = 1000;       // (ip, 24-hour window) pairs sampled for reverse-IP queries
};

// A reverse-IP query: the accounts seen at `ip` in [from_us, to_us).
struct IpTarget {
  std::string ip;
  int64_t from_us = 0;
  int64_t to_us = 0;
};

struct AccountTarget {
  uint64_t account_id = 0;
  uint64_t events = 0;  // how many events it has in the whole workload
};

struct Workload {
  uint64_t events = 0;
  uint64_t accounts_with_events = 0;
  uint64_t distinct_ips = 0;
  uint64_t bytes = 0;  // of the NDJSON file
  Date first_day;
  int days = 0;
  int64_t from_us = 0;  // first_day 00:00Z
  int64_t to_us = 0;    // the day after the last, 00:00Z
  // Uniform among the accounts that have events, with replacement.
  std::vector<AccountTarget> account_targets;
  // Windows of 24 hours, whole seconds, centred on a uniformly sampled event.
  std::vector<IpTarget> ip_targets;
  // The accounts to shred, which the driver does after dropping the first day: here
  // `events` counts their events after the first day.
  AccountTarget heavy;  // the account with the most of them
  AccountTarget light;  // an account with the fewest (at least one)
};

// Writes the workload to `path` (replacing it) and syncs it, so that the peers' durable
// writes do not pay for it. Fails only on I/O errors or options out of range.
Result<Workload> GenerateWorkload(const WorkloadOptions& options, const std::string& path);

}  // namespace custodian::bench
