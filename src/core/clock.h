// The clock seam: custodian reads the time only through a Clock, so that retention, ingest
// age limits and deadlines can be tested at any date. Thread-safe.
#pragma once

#include <atomic>

#include "core/time.h"

namespace custodian {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

Clock& SystemClock();

// A clock that says what it is told (tests).
class ManualClock : public Clock {
 public:
  explicit ManualClock(Timestamp now) : now_(now.micros) {}
  Timestamp Now() const override { return Timestamp{now_.load()}; }
  void Set(Timestamp t) { now_ = t.micros; }
  void Advance(int64_t micros) { now_ += micros; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace custodian
