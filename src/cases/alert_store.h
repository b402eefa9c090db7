// The alert outbox as the case store keeps it (docs/cases.md, "Alerts"): each alert raised
// (alerts), who it went to (alert_recipients), and its delivery on each channel configured
// when it was raised (alert_deliveries: pending, retried with backoff, then sent). An alert
// holds no personal data: its kind, its case (or hold) id, an instant, staff user names.
// The rules' inputs are read from clear columns only (the cases' states and deadlines, the
// holds' ends, the orders' dates): a scan opens nothing sealed.
// An AlertTx lives only inside Database::Transaction's callback.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/alert_rules.h"
#include "cases/store/database.h"
#include "core/time.h"

namespace custodian::cases {

enum class AlertChannel { kMail, kWebhook };
inline constexpr std::array<std::string_view, 2> kAlertChannelNames = {"mail", "webhook"};

// pending: to deliver (again, after a failure's backoff); sent: accepted by the mail server or
// the webhook; unaddressed: mail for which no recipient had an address when it was due.
enum class AlertDeliveryState { kPending, kSent, kUnaddressed };
inline constexpr std::array<std::string_view, 3> kAlertDeliveryStateNames = {"pending", "sent",
                                                                             "unaddressed"};

struct AlertRecord {
  std::string id;  // A-YYYY-NNNNNN
  AlertKind kind = AlertKind::kEmergency;
  std::string case_id;
  std::string subject;  // the case id, or a hold_expiring alert's hold id
  Timestamp due_at;     // the deadline, or when the hold or order ends
  Timestamp raised_at;
  std::vector<std::string> recipients{};  // staff user names (GetAlert and Raise only)

  // The hold a hold_expiring alert is about.
  std::optional<std::string> hold_id() const {
    return kind == AlertKind::kHoldExpiring ? std::optional(subject) : std::nullopt;
  }
};

struct AlertDelivery {
  std::string alert_id;
  AlertChannel channel = AlertChannel::kMail;
  AlertDeliveryState state = AlertDeliveryState::kPending;
  int attempts = 0;
  Timestamp next_attempt_at;
  std::optional<std::string> last_error{};
  std::optional<Timestamp> sent_at{};
};

class AlertTx {
 public:
  explicit AlertTx(soci::session& sql) : sql_(sql) {}

  // What the rules (alert_rules.h) read: the cases owing a response that are emergencies or
  // due before `horizon`; the active holds ending before it; the orders ending before it.
  std::vector<CaseDeadline> CaseDeadlines(Timestamp horizon);
  std::vector<HoldEnd> HoldEnds(Timestamp horizon);
  std::vector<OrderEnd> OrderEnds(Timestamp horizon);

  // Records `a` (its id is drawn here), its recipients, and a pending delivery on each of
  // `channels`, due at once. False, and nothing written, when an alert of its kind, subject
  // and instant exists (raised before, by this server or another).
  Result<bool> Raise(AlertRecord& a, const std::vector<AlertChannel>& channels);
  // NotFound when there is no such alert; with its recipients.
  Result<AlertRecord> GetAlert(const std::string& id);

  // Pending deliveries on `channels` whose backoff has passed, oldest first (a channel no
  // longer configured keeps its deliveries pending, and out of the way of the others).
  std::vector<AlertDelivery> DueDeliveries(Timestamp now, int limit, const std::vector<AlertChannel>& channels);
  std::vector<AlertDelivery> Deliveries(const std::string& alert_id);
  // Claims `due` for one delivery (outbox_claim.h): the delivery as it is now, due at `now`,
  // or nothing when it is no longer due (another server claimed or tried it).
  std::optional<AlertDelivery> ClaimDelivery(const AlertDelivery& due, Timestamp now);
  // Writes state, attempts, next_attempt_at, last_error and sent_at.
  Status UpdateDelivery(const AlertDelivery& d);
  // The e-mail addresses of the alert's recipients who are enabled and have one, sorted.
  std::vector<std::string> Addresses(const std::string& alert_id);

  // The alerts that went to `user`, newest first, at most `limit` (without recipients).
  std::vector<AlertRecord> AlertsFor(const std::string& user, int limit);

 private:
  soci::session& sql_;
};

}  // namespace custodian::cases
