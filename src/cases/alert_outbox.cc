#include "cases/alert_outbox.h"

#include <algorithm>

#include "cases/case_store.h"
#include "cases/ledgers/audit_detail.h"
#include "cases/retry_backoff.h"
#include "cases/staff_directory.h"

namespace custodian::cases {
namespace {

constexpr char kActor[] = "alerts";

std::string Detail(const AlertDelivery& d) {
  return cases::Detail({{"alert", d.alert_id},
                        {"channel", std::string(kAlertChannelNames[static_cast<size_t>(d.channel)])}})
      .dump();
}

}  // namespace

AlertOutbox::AlertOutbox(Database& db, Clock& clock, AlertTransports transports)
    : db_(db), clock_(clock), transports_(transports) {}

std::vector<AlertChannel> AlertOutbox::Channels() const {
  std::vector<AlertChannel> channels;
  if (transports_.mail) channels.push_back(AlertChannel::kMail);
  if (transports_.webhook) channels.push_back(AlertChannel::kWebhook);
  return channels;
}

Result<int> AlertOutbox::Raise() {
  const std::vector<AlertChannel> channels = Channels();
  int raised = 0;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    AlertTx alerts(sql);
    CaseTx tx(sql);
    const Timestamp now = clock_.Now();
    const Timestamp horizon{now.micros + std::max(kDueSoonMicros, kEndsSoonMicros)};
    const std::vector<DueAlert> due =
        AlertsDue(now, alerts.CaseDeadlines(horizon), alerts.HoldEnds(horizon), alerts.OrderEnds(horizon));
    if (due.empty()) return Status::Ok();
    const std::vector<StaffMember> staff = StaffMembers(sql);
    for (const DueAlert& d : due) {
      // The roles acting next, and the case's assignee.
      AlertRecord a{"", d.kind, d.case_id, d.subject, d.due_at, now,
                    AlertRecipients(d.kind, d.case_state, staff, tx.AssigneeOf(d.case_id))};
      auto fresh = alerts.Raise(a, channels);
      if (!fresh.ok()) return fresh.status();
      if (!*fresh) continue;
      ++raised;
      if (Status st = tx.Audit(now, kActor, a.case_id, "raise_alert",
                               cases::Detail({{"alert", a.id},
                                              {"kind", std::string(AlertKindName(a.kind))},
                                              {"recipients", a.recipients.size()}})
                                   .dump());
          !st.ok()) {
        return st;
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return raised;
}

Result<AlertRunReport> AlertOutbox::DeliverDue(int limit) {
  AlertRunReport report;
  // A claimed delivery with what it sends.
  struct Due {
    AlertDelivery delivery;
    AlertRecord alert;
    std::vector<std::string> addresses;
  };
  std::vector<AlertDelivery> due;
  Status read = db_.Transaction([&](soci::session& sql) {
    due = AlertTx(sql).DueDeliveries(clock_.Now(), limit, Channels());
    return Status::Ok();
  });
  if (!read.ok()) return read;

  for (const AlertDelivery& seen : due) {
    // Claimed first (outbox_claim.h): a delivery another server claimed is skipped.
    std::optional<Due> claimed;
    Status claim = db_.Transaction([&](soci::session& sql) -> Status {
      AlertTx alerts(sql);
      auto d = alerts.ClaimDelivery(seen, clock_.Now());
      if (!d) return Status::Ok();
      auto a = alerts.GetAlert(d->alert_id);
      if (!a.ok()) return a.status();
      // Addresses as they are now: one changed or removed since the alert was raised counts.
      std::vector<std::string> addresses =
          d->channel == AlertChannel::kMail ? alerts.Addresses(d->alert_id) : std::vector<std::string>{};
      claimed = Due{std::move(*d), std::move(a).value(), std::move(addresses)};
      return Status::Ok();
    });
    if (!claim.ok()) return claim;
    if (!claimed) continue;
    Due& item = *claimed;
    AlertDelivery& d = item.delivery;
    AlertTransport* transport = d.channel == AlertChannel::kMail ? transports_.mail : transports_.webhook;
    const bool unaddressed = d.channel == AlertChannel::kMail && item.addresses.empty();
    // Sent outside any transaction: a slow mail server or webhook holds no lock.
    const Status delivered = unaddressed ? Status::Ok() : transport->Deliver(item.alert, item.addresses);
    Status recorded = db_.Transaction([&](soci::session& sql) -> Status {
      CaseTx tx(sql);
      const Timestamp now = clock_.Now();
      std::string action;
      if (unaddressed) {
        d.state = AlertDeliveryState::kUnaddressed;
        action = "alert_unaddressed";
      } else if (RecordAttempt(d, delivered, now)) {
        d.state = AlertDeliveryState::kSent;
        action = "alert_sent";
      } else {
        action = "alert_failed";
      }
      if (Status st = AlertTx(sql).UpdateDelivery(d); !st.ok()) return st;
      return tx.Audit(now, kActor, item.alert.case_id, action, Detail(d));
    });
    if (!recorded.ok()) return recorded;
    ++(unaddressed ? report.unaddressed : delivered.ok() ? report.sent : report.failed);
  }
  return report;
}

Result<AlertRunReport> AlertOutbox::Run(int limit) {
  auto raised = Raise();
  if (!raised.ok()) return raised.status();
  auto report = DeliverDue(limit);
  if (!report.ok()) return report.status();
  report->raised = *raised;
  return report;
}

Result<std::vector<AlertRecord>> AlertsFor(Database& db, Clock& clock, const std::string& user,
                                           int limit) {
  std::vector<AlertRecord> out;
  Status s = db.Transaction([&](soci::session& sql) -> Status {
    out = AlertTx(sql).AlertsFor(user, limit);
    return CaseTx(sql).Audit(clock.Now(), user, std::nullopt, "list_alerts",
                             cases::Detail({{"alerts", out.size()}}).dump());
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custodian::cases
