// What one run of vault_bench measured, printed as a table with ratios to a reference
// peer, and written as JSON (bench/README.md shows both).
// Values and functions of them: thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bench/workload.h"
#include "core/status.h"

namespace custodian::bench {

enum Figure : size_t {
  kIngestEventsPerSecond,
  kBytesPerEvent,
  kAccountP50,
  kAccountP99,
  kIpP50,
  kIpP99,
  kDropDayMs,
  kShredHeavyMs,
  kShredLightMs,
  kFigureCount,
};

struct FigureInfo {
  const char* key;     // in the JSON
  const char* header;  // in the table
};
inline constexpr std::array<FigureInfo, kFigureCount> kFigures = {{
    {"ingest_events_per_s", "ingest ev/s"},
    {"bytes_per_event", "B/event"},
    {"account_query_p50_us", "acct p50 us"},
    {"account_query_p99_us", "acct p99 us"},
    {"ip_query_p50_us", "ip p50 us"},
    {"ip_query_p99_us", "ip p99 us"},
    {"drop_day_ms", "drop day ms"},
    {"shred_heavy_ms", "shred heavy ms"},
    {"shred_light_ms", "shred light ms"},
}};

struct PeerResult {
  enum class Outcome { kOk, kSkipped, kFailed };
  std::string name;
  Outcome outcome = Outcome::kOk;
  std::string reason;  // why it was skipped, or which step failed and how
  std::array<std::optional<double>, kFigureCount> figures;  // empty: not measured
  // Raw numbers behind the figures, and the answers' checks.
  uint64_t events_ingested = 0;
  double ingest_seconds = 0;
  uint64_t bytes_on_disk = 0;
  size_t account_queries = 0;
  uint64_t account_rows = 0;
  size_t account_wrong = 0;  // answers that differ from the workload's own count
  size_t ip_queries = 0;
  uint64_t ip_accounts = 0;  // sum of the answers, compared across peers
};

// The peer the ratios divide by: "custodian" when it ran, else the first that ran; null
// when none ran.
const PeerResult* Reference(const std::vector<PeerResult>& results);

// The figures, the ratios to `Reference`, skipped and failed peers with their reasons,
// and any disagreement between the peers' answers.
void PrintReport(std::ostream& out, const std::vector<PeerResult>& results);

// The workload, the figures, the ratios and the checks, as JSON, to `path`.
Status WriteJson(const std::string& path, const Workload& workload, std::string_view shape,
                 double scale,
                 const std::vector<PeerResult>& results);

}  // namespace custodian::bench
