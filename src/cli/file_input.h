// Reading the CLI's input files: a path, or "-" for standard input, never more than a cap
// (a bigger input is never held in memory whole). Thread-compatible.
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"

namespace custodian {

// Reads `path` ("-": standard input), stopping after max_bytes + 1 bytes: a result longer
// than max_bytes means the input is too large, and the caller says so in its own terms.
// Fails with IoError when it cannot be read ("PATH: No such file or directory").
Result<std::string> ReadInput(const std::string& path, size_t max_bytes);

}  // namespace custodian
