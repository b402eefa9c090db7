// The CLI's exit statuses and the one place failures are printed.
#pragma once

#include <iostream>

#include "core/status.h"

namespace custodian {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the system failed (I/O, a bug)
inline constexpr int kExitBadInput = 2;  // the input was wrong: usage, a document, a file
inline constexpr int kExitDoesNotHold = 1;  // a check ran and what it checked does not hold

// Prints the status's message (one problem a line) to stderr; returns the exit status.
inline int ReportFailure(const Status& s) {
  std::cerr << s.message() << "\n";
  // Wrong input, a file that cannot be read, something named that does not exist, a step
  // the case's state or the actor's role does not allow: the user can act on it. Corruption
  // and internal errors are custodian's.
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
    case Status::Code::kNotFound:
    case Status::Code::kIoError:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kPermissionDenied:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

}  // namespace custodian
