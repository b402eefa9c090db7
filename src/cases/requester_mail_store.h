// The requester mail outbox's table (migration 17): one row a message to a case's requester,
// its address sealed for its row, its delivery retried as alerts' are. A RequesterMailTx
// lives only inside Database::Transaction's callback.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/store/database.h"
#include "core/time.h"

namespace custodian::cases {

enum class RequesterMailState { kPending, kSent };
inline constexpr std::array<std::string_view, 2> kRequesterMailStateNames = {"pending", "sent"};

// What a message tells: the state the case moved to (a case state's name), or that a package
// is ready to download.
inline constexpr std::string_view kPackageReady = "package_ready";

struct RequesterMailRecord {
  std::string id;  // M-N
  std::string case_id;
  std::string address;
  std::string event;
  RequesterMailState state = RequesterMailState::kPending;
  int attempts = 0;
  Timestamp next_attempt_at;
  std::optional<std::string> last_error{};
  std::optional<Timestamp> sent_at{};
  Timestamp created_at;
};

class RequesterMailTx {
 public:
  explicit RequesterMailTx(soci::session& sql) : sql_(sql) {}

  // Queues `event` for the case's requester at `address`. A change of state replaces the
  // case's change of state still waiting for its first attempt and not claimed by an outbox:
  // the requester is told where the case stands (one message for the steps of one
  // transaction), never a state it left, and a message on its way is never changed.
  Status Queue(const std::string& case_id, const std::string& address, std::string_view event,
               Timestamp now);
  // Pending messages whose time has come, oldest first.
  std::vector<RequesterMailRecord> Due(Timestamp now, int limit);
  // Claims message `id` for one delivery (outbox_claim.h): the message as it is now (a change
  // of state merged since it was read included), due at `now`, or nothing when it is no longer
  // due (another server claimed or tried it).
  std::optional<RequesterMailRecord> Claim(const std::string& id, Timestamp now);
  // A case's messages, oldest first.
  std::vector<RequesterMailRecord> OfCase(const std::string& case_id);
  // Writes state, attempts, next_attempt_at, last_error and sent_at.
  Status Update(const RequesterMailRecord& m);

 private:
  soci::session& sql_;
};

}  // namespace custodian::cases
