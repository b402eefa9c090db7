// E-mail to a case's requester (docs/cases.md, "Mail to the requester"): on every change of
// the case's state and when a package is ready, a message to the address the portal or API
// submission carried (a case staff entered has none: nothing is sent). It says the case id,
// the new state in plain words and the portal's link to the request, never the request's
// targets, findings or letters. The workflow queues it in the transaction of the change
// (QueueRequesterMail); the outbox sends it over the instance's mail server (mail_sender.h)
// and retries a failure with the outboxes' backoff (retry_backoff.h), forever. Every attempt
// is audited (actor "mail": the message's id and event, never the address). Thread-safe; the
// outboxes of several servers on one store send each message once, each claiming it first
// (outbox_claim.h).
#pragma once

#include <string>
#include <string_view>

#include "cases/case_record.h"
#include "cases/case_store.h"
#include "cases/mail_sender.h"
#include "cases/requester_mail_store.h"
#include "cases/store/database.h"
#include "core/clock.h"

namespace custodian::cases {

// Where the portal shows the request: "/portal/#/requests/ID" after `console_url` (the
// instance's address, [alerts] console_url, as staff alerts' links; empty: the path alone).
std::string PortalLink(std::string_view case_id, std::string_view console_url);

// The message for `mail` (its subject and body; addressed to mail.address).
OutgoingMail RequesterMailOf(const RequesterMailRecord& mail, std::string_view console_url);

// Queues `event` (a state's name, or kPackageReady) for the requester of `c`, inside the
// transaction that made it; nothing for a case staff entered or a request without an address.
Status QueueRequesterMail(CaseTx& tx, const CaseRecord& c, std::string_view event, Timestamp now);

struct RequesterMailReport {
  int sent = 0;
  int failed = 0;  // to be retried
};

class RequesterMailOutbox {
 public:
  RequesterMailOutbox(Database& db, Clock& clock, MailSender& sender, std::string console_url)
      : db_(db), clock_(clock), sender_(sender), console_url_(std::move(console_url)) {}

  // Sends up to `limit` due messages, each outside any transaction and recorded after.
  Result<RequesterMailReport> DeliverDue(int limit = 100);

 private:
  Database& db_;
  Clock& clock_;
  MailSender& sender_;
  const std::string console_url_;
};

}  // namespace custodian::cases
