// Lines of access events parsed and admitted, not yet stored: what Vault::ParseEvents hands
// to Vault::CommitEvents. Parsing takes no lock, so a caller feeding runs of lines one after
// another parses the next run while this one commits.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "vault/ingest_report.h"
#include "vault/packed_event.h"
#include "vault/string_pool.h"

namespace custodian::vault {

// One day's events of a batch, with the line each came from; in their stored order
// (stored_order.h) once the batch is parsed whole.
struct DayBatch {
  std::vector<PackedEvent> events;
  std::vector<uint64_t> lines;
};

// The events of up to Options::batch_lines lines, by day: committed under one hold of the
// writer lock.
struct ParsedBatch {
  std::map<int64_t, DayBatch> days;
  // Their user agents, device and event ids: dictionary ids are given only when the batch is
  // committed, under the writer lock.
  StringPool pool;
};

struct ParsedEvents {
  std::vector<std::unique_ptr<ParsedBatch>> batches;
  IngestReport rejected;  // the lines refused while parsing
};

}  // namespace custodian::vault
