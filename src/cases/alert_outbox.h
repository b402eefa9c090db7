// The alert outbox (docs/cases.md, "Alerts"): a scan raises the alerts the rules say are due
// (alert_rules.h), each once, to the staff users whose role acts next, with a pending delivery
// on each channel configured then (e-mail, webhook); delivery sends what is due and retries a
// failure with the outboxes' backoff (retry_backoff.h), forever, under the same alert id.
// Every raise and every attempt is audited (actor "alerts"; the alert and channel, no
// personal data). `custodian serve` runs it every [alerts] interval_seconds, `custodian alerts
// run` once. Thread-safe; several servers' outboxes on one store raise each alert once (the
// store's unique index) and deliver it once on each channel, each claiming the delivery first
// (outbox_claim.h; after a server's death mid-delivery, twice, under the same alert id).
#pragma once

#include <string>
#include <vector>

#include "cases/alert_store.h"
#include "cases/store/database.h"
#include "core/clock.h"

namespace custodian::cases {

// A channel alerts leave by (server/mail_transport.h, server/webhook_transport.h).
class AlertTransport {
 public:
  virtual ~AlertTransport() = default;
  // Ok once the mail server or the webhook accepted the alert. `addresses`: the enabled
  // recipients' e-mail addresses (never empty for mail; unused by the webhook). A failure's
  // message is kept as the delivery's last error: no address or secret in it.
  virtual Status Deliver(const AlertRecord& alert, const std::vector<std::string>& addresses) = 0;
};

// The channels configured: none, either or both.
struct AlertTransports {
  AlertTransport* mail = nullptr;
  AlertTransport* webhook = nullptr;
};

struct AlertRunReport {
  int raised = 0;
  int sent = 0;
  int failed = 0;       // to be retried
  int unaddressed = 0;  // mail with no recipient's address
};

class AlertOutbox {
 public:
  AlertOutbox(Database& db, Clock& clock, AlertTransports transports);

  // Raises every alert due now that was never raised: one transaction, audited (raise_alert).
  Result<int> Raise();
  // Delivers up to `limit` due deliveries, each outside any transaction and recorded after.
  Result<AlertRunReport> DeliverDue(int limit = 100);
  // Raise, then DeliverDue.
  Result<AlertRunReport> Run(int limit = 100);

 private:
  // The channels configured here: an alert is raised pending on these, and only these are
  // delivered (another server's, or one an edited custodian.toml dropped, waits for a server
  // that has it).
  std::vector<AlertChannel> Channels() const;

  Database& db_;
  Clock& clock_;
  const AlertTransports transports_;
};

// The alerts that went to `user`, newest first, at most `limit`; the read is audited
// (list_alerts, actor `user`), as the case list is.
Result<std::vector<AlertRecord>> AlertsFor(Database& db, Clock& clock, const std::string& user,
                                           int limit);

}  // namespace custodian::cases
