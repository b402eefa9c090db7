#include "cases/notice_outbox.h"

#include "cases/disclosure_log.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "cases/retry_backoff.h"

namespace custodian::cases {
namespace {

std::string Detail(const NoticeRecord& n) { return nlohmann::json{{"notice", n.id}}.dump(); }

}  // namespace

NoticeOutbox::NoticeOutbox(Database& db, InstanceStandards& standards, Clock& clock,
                           NoticeTransport& transport, vault::SecretKey pseudonym_key)
    : db_(db),
      standards_(standards),
      clock_(clock),
      transport_(transport),
      pseudonym_key_(std::move(pseudonym_key)) {}

Result<DeliveryReport> NoticeOutbox::DeliverDue(int limit) {
  DeliveryReport report;
  std::vector<NoticeRecord> due;
  Status read = db_.Transaction([&](soci::session& sql) {
    due = CaseTx(sql).DueNotices(clock_.Now(), limit);
    return Status::Ok();
  });
  if (!read.ok()) return read;

  for (NoticeRecord& n : due) {
    // Claimed with the order in force read again, in one transaction (outbox_claim.h): a notice
    // another server claimed is skipped; one whose order was extended, or has no end, waits.
    bool claimed = false;
    Status claim = db_.Transaction([&](soci::session& sql) -> Status {
      CaseTx tx(sql);
      const Timestamp now = clock_.Now();
      auto fresh = tx.ClaimNotice(n, now);
      if (!fresh) return Status::Ok();
      n = std::move(*fresh);
      if (n.timing == "after_nondisclosure") {
        if (auto order = tx.LatestNondisclosure(n.case_id)) {
          if (!order->until || order->until->days * kMicrosPerDay > now.micros) {
            n.state = order->until ? NoticeState::kPending : NoticeState::kHeld;
            if (order->until) n.not_before = Timestamp{order->until->days * kMicrosPerDay};
            if (Status st = tx.UpdateNotice(n); !st.ok()) return st;
            ++report.deferred;
            return tx.Audit(now, "outbox", n.case_id, "defer_notice", Detail(n));
          }
        }
      }
      claimed = true;
      return Status::Ok();
    });
    if (!claim.ok()) return claim;
    if (!claimed) continue;
    // Sent outside any transaction: a slow service holds no lock.
    const Status delivered = transport_.Deliver(n);
    Status recorded = db_.Transaction([&](soci::session& sql) -> Status {
      CaseTx tx(sql);
      const Timestamp now = clock_.Now();
      if (RecordAttempt(n, delivered, now)) {
        n.state = NoticeState::kSent;
        if (Status st = tx.UpdateNotice(n); !st.ok()) return st;
        auto c = tx.GetCase(n.case_id);
        if (!c.ok()) return c.status();
        if (auto leaf = Disclose(tx, *c, ledger::DisclosureKind::kNotice, ledger::kOutcomeNotified,
                                 now.UtcDate(), pseudonym_key_);
            !leaf.ok()) {
          return leaf.status();
        }
        if (n.timing == "before_production") {
          // Production waits the standards' period after the notice is sent.
          auto standards = standards_.DecidedUnder(sql, n.case_id);
          if (!standards.ok()) return standards.status();
          const Timestamp wait{now.micros + (*standards)->notice_wait_days * kMicrosPerDay};
          if (!c->notice_wait_until || c->notice_wait_until->micros < wait.micros) {
            c->notice_wait_until = wait;
            if (Status st = tx.UpdateCase(*c); !st.ok()) return st;
          }
        }
        return tx.Audit(now, "outbox", n.case_id, "notice_sent", Detail(n));
      }
      if (Status st = tx.UpdateNotice(n); !st.ok()) return st;
      return tx.Audit(now, "outbox", n.case_id, "notice_failed", Detail(n));
    });
    if (!recorded.ok()) return recorded;
    ++(delivered.ok() ? report.sent : report.failed);
  }
  return report;
}

}  // namespace custodian::cases
