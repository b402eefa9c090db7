#include "cases/requester_mail.h"

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_detail.h"
#include "cases/retry_backoff.h"

namespace custodian::cases {
namespace {

constexpr char kActor[] = "mail";

// What happened, in plain words: "Your request C-2026-000001 …".
std::string WhatHappened(std::string_view event) {
  if (event == kPackageReady) {
    return "has a package of records ready for you to download once, through the portal, "
           "before the download expires.";
  }
  switch (ParseCaseState(event).value_or(CaseState::kReceived)) {
    case CaseState::kReceived: return "has been received.";
    case CaseState::kVerifying:
      return "waits for the service to confirm who sent it (a call to your agency's registered number).";
    case CaseState::kInReview: return "is being reviewed.";
    case CaseState::kPushedBack:
      return "was pushed back: the reviewer's letter in the portal says what to correct before you amend it.";
    case CaseState::kRejected: return "was rejected.";
    case CaseState::kReviewed: return "was reviewed and waits for a second person's approval.";
    case CaseState::kApproved: return "was approved.";
    case CaseState::kAwaitingNotice: return "was approved and waits for a notice period before anything is produced.";
    case CaseState::kProducing: return "is being produced.";
    case CaseState::kProduced: return "was produced.";
    case CaseState::kClosed: return "was closed.";
    case CaseState::kHolding: return "is being preserved: the records it names are held.";
    case CaseState::kReleased: return "no longer holds records: its preservation was released.";
    case CaseState::kExpired: return "no longer holds records: its preservation ran out.";
    case CaseState::kWithdrawn: return "was withdrawn.";
  }
  return "changed.";
}

// The requester's address as the request document carries it (a portal or API submission
// sets it from the signed-in account); none for a case staff entered.
std::optional<std::string> RequesterAddress(CaseTx& tx, const CaseRecord& c) {
  if (c.entry == Entry::kStaff) return std::nullopt;
  auto request = tx.LatestRequest(c.id);
  if (!request.ok()) return std::nullopt;
  const auto doc = nlohmann::json::parse(request->document, nullptr, false);
  if (!doc.is_object() || !doc.contains("requester") || !doc["requester"].is_object()) return std::nullopt;
  const auto& email = doc["requester"]["email"];
  if (!email.is_string() || email.get<std::string>().empty()) return std::nullopt;
  return email.get<std::string>();
}

}  // namespace

std::string PortalLink(std::string_view case_id, std::string_view console_url) {
  while (console_url.ends_with('/')) console_url.remove_suffix(1);
  return std::string(console_url) + "/portal/#/requests/" + std::string(case_id);
}

OutgoingMail RequesterMailOf(const RequesterMailRecord& mail, std::string_view console_url) {
  OutgoingMail m;
  m.to = {mail.address};
  const bool package = mail.event == kPackageReady;
  std::string words = package ? "a package is ready" : mail.event;  // in_review: "in review"
  for (char& ch : words) ch = ch == '_' ? ' ' : ch;
  m.subject = "[custodian] Request " + mail.case_id + ": " + words;
  m.body = "Your request " + mail.case_id + " " + WhatHappened(mail.event) +
           "\r\n\r\nSee it in the portal: " + PortalLink(mail.case_id, console_url) +
           "\r\n\r\nMessage " + mail.id + ". You receive it because you sent this request; "
           "nothing in it says what the request is about.\r\n";
  m.message_id = mail.id + ".request";
  m.id_header = "X-Custodian-Message-Id: " + mail.id;
  return m;
}

Status QueueRequesterMail(CaseTx& tx, const CaseRecord& c, std::string_view event, Timestamp now) {
  const auto address = RequesterAddress(tx, c);
  if (!address) return Status::Ok();
  return RequesterMailTx(tx.session()).Queue(c.id, *address, event, now);
}

Result<RequesterMailReport> RequesterMailOutbox::DeliverDue(int limit) {
  RequesterMailReport report;
  std::vector<RequesterMailRecord> due;
  Status read = db_.Transaction([&](soci::session& sql) {
    due = RequesterMailTx(sql).Due(clock_.Now(), limit);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  for (RequesterMailRecord& m : due) {
    // Claimed first (outbox_claim.h): a message another server claimed is skipped.
    bool claimed = false;
    Status claim = db_.Transaction([&](soci::session& sql) {
      auto fresh = RequesterMailTx(sql).Claim(m.id, clock_.Now());
      if (fresh) m = std::move(*fresh);
      claimed = fresh.has_value();
      return Status::Ok();
    });
    if (!claim.ok()) return claim;
    if (!claimed) continue;
    // Sent outside any transaction: a slow mail server holds no lock.
    const Status delivered = sender_.Send(RequesterMailOf(m, console_url_));
    Status recorded = db_.Transaction([&](soci::session& sql) -> Status {
      const Timestamp now = clock_.Now();
      const bool sent = RecordAttempt(m, delivered, now);
      if (sent) m.state = RequesterMailState::kSent;
      if (Status st = RequesterMailTx(sql).Update(m); !st.ok()) return st;
      return CaseTx(sql).Audit(now, kActor, m.case_id, sent ? "requester_mail_sent" : "requester_mail_failed",
                               Detail({{"mail", m.id}, {"event", m.event}}).dump());
    });
    if (!recorded.ok()) return recorded;
    ++(delivered.ok() ? report.sent : report.failed);
  }
  return report;
}

}  // namespace custodian::cases
