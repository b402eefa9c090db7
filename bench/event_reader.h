// Reads the workload's NDJSON (access events of spec/records.md) for the peers
// that parse it themselves; the parsing counts in their ingest time.
// Stateless; each call reads on its own, so distinct calls may run on distinct threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bench/event.h"
#include "core/status.h"

namespace custodian::bench {

// Calls `sink` with each event of the file at `path`, in order, and returns how many there
// were. Stops at the first line that is not an access event (InvalidArgument naming the
// line, never its content) and at the first non-ok Status from `sink`, which it returns.
// The event's views are valid until `sink` returns.
Result<uint64_t> ReadEvents(const std::string& path,
                            const std::function<Status(const Event&)>& sink);

}  // namespace custodian::bench
