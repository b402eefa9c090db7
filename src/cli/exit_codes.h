// The CLI's exit statuses and the one place failures are printed.
#pragma once

#include <iostream>

#include "core/status.h"

namespace custodian {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the system failed (I/O, a bug)
inline constexpr int kExitBadInput = 2;  // the input was wrong: usage, a document, a file

// Prints the status's message (one problem a line) to stderr; returns the exit status.
inline int ReportFailure(const Status& s) {
  std::cerr << s.message() << "\n";
  // Wrong input, a file that cannot be read, or something named that does not exist: the
  // user can fix it. Corruption and internal errors are custodian's.
  return s.IsInvalidArgument() || s.IsNotFound() || s.code() == Status::Code::kIoError
             ? kExitBadInput
             : kExitFailure;
}

}  // namespace custodian
