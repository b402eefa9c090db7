// What an ingest or import of NDJSON lines reports: counts, and the rejected lines with why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace custodian::vault {

struct IngestError {
  uint64_t line = 0;
  std::string error;
};

struct IngestReport {
  uint64_t accepted = 0;    // stored, or already stored (see duplicates)
  uint64_t rejected = 0;
  uint64_t duplicates = 0;  // accepted lines whose event_id was already stored
  std::vector<IngestError> errors;
};

// Counts a rejected line, listing it while the report has room.
inline void Reject(IngestReport& report, size_t max_listed, uint64_t line, std::string error) {
  ++report.rejected;
  if (report.errors.size() < max_listed) report.errors.push_back({line, std::move(error)});
}

}  // namespace custodian::vault
