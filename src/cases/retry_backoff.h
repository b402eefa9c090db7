// How long an outbox waits before trying a failed delivery again (the notice, alert and
// requester mail outboxes): one minute after the first failure, doubling with each further
// one, six hours at most; and what an attempt changes on the row it delivered. Pure
// functions: safe from any thread.
#pragma once

#include <algorithm>
#include <cstdint>

#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace custodian::cases {

inline constexpr int64_t kFirstRetryMicros = kMicrosPerMinute;
inline constexpr int64_t kMaxRetryMicros = 6 * kMicrosPerHour;

// The wait after a failure that followed `attempts` earlier attempts.
inline int64_t RetryBackoffMicros(int attempts) {
  return std::min(kMaxRetryMicros, kFirstRetryMicros << std::clamp(attempts, 0, 20));
}

// Records one attempt on an outbox's row (its attempts, next_attempt_at, last_error and
// sent_at): sent at `now`, or failed and due again after the backoff. True when sent.
template <class Row>
bool RecordAttempt(Row& row, const Status& delivered, Timestamp now) {
  if (delivered.ok()) {
    row.sent_at = now;
    row.last_error.reset();
  } else {
    row.next_attempt_at = Timestamp{now.micros + RetryBackoffMicros(row.attempts)};
    row.last_error = delivered.message();
  }
  ++row.attempts;
  return delivered.ok();
}

}  // namespace custodian::cases
