#include "core/clock.h"

#include <chrono>

namespace custodian {
namespace {

class System : public Clock {
 public:
  Timestamp Now() const override {
    return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()};
  }
};

}  // namespace

Clock& SystemClock() {
  static System clock;
  return clock;
}

}  // namespace custodian
