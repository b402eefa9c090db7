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

// A secret the configuration names by file (`setting`: "notices.webhook_key_file", …): its
// bytes, without the line end an editor leaves. InvalidArgument naming the setting when the
// file cannot be read, is empty, or is beyond 64 KiB; never the secret itself.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& setting);

}  // namespace custodian
