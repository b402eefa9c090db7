// Several servers of one case store run the outboxes at once: each notice, requester message
// and alert delivery goes once. Each test has two outboxes on two connections to one store
// (two servers), the second run while the first is delivering, from inside its transport: the
// moment two servers that read the same due rows would both send them. On both stores.
#include "cases/outbox_claim.h"

#include <functional>
#include <map>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/alert_outbox.h"
#include "cases/notice_outbox.h"
#include "cases/requester_mail.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;

// Counts what it is given by id, and runs `meanwhile` (once) while the first is on its way.
class Deliveries {
 public:
  Status Count(const std::string& id) {
    ++count[id];
    if (auto run = std::exchange(meanwhile, nullptr)) run();
    return Status::Ok();
  }
  std::map<std::string, int> count;
  std::function<void()> meanwhile;
};

class NoticeCounter : public NoticeTransport, public Deliveries {
 public:
  Status Deliver(const NoticeRecord& n) override { return Count(n.id); }
};
class MailCounter : public MailSender, public Deliveries {
 public:
  Status Send(const OutgoingMail& mail) override {
    subjects.push_back(mail.subject);
    return Count(mail.message_id);
  }
  std::vector<std::string> subjects;
};
class AlertCounter : public AlertTransport, public Deliveries {
 public:
  Status Deliver(const AlertRecord& a, const std::vector<std::string>&) override { return Count(a.id); }
};

class OutboxClaimTest : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    second_db_ = instance_->store().Open(Migrations());
    ASSERT_TRUE(second_db_);
  }
  // A request submitted, reviewed and approved: its notice is queued, due at once.
  std::string Approved() {
    Workflow& w = *instance_->workflow;
    auto v = w.Submit({Example("lcpd-subpoena"), Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    EXPECT_TRUE(w.ReviewCase(v->record.id, {"reviewer-1"}, {}).ok());
    EXPECT_TRUE(w.Approve(v->record.id, {"approver-1"}).ok());
    return v->record.id;
  }
  NoticeOutbox Notices(Database& db, NoticeTransport& transport) {
    return NoticeOutbox(db, *instance_->standards, clock_, transport, instance_->pseudonym_key);
  }
  // The audit entries of `action` about case `id`.
  int Audited(const std::string& id, const std::string& action) {
    int n = 0;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (const AuditEntry& e : CaseTx(sql).AuditOf(id)) n += e.action == action;
      return Status::Ok();
    }).ok());
    return n;
  }

  std::unique_ptr<Database> second_db_;
};

TEST_P(OutboxClaimTest, ANoticeGoesOnceThoughTwoServersFindItDue) {
  const std::string id = Approved();
  NoticeCounter first_transport, second_transport;
  NoticeOutbox first = Notices(*instance_->db, first_transport);
  NoticeOutbox second = Notices(*second_db_, second_transport);
  Result<DeliveryReport> meanwhile = Status::Internal("not run");
  first_transport.meanwhile = [&] { meanwhile = second.DeliverDue(); };
  auto report = first.DeliverDue();
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_TRUE(meanwhile.ok()) << meanwhile.status().message();
  EXPECT_EQ(report->sent, 1);
  EXPECT_EQ(meanwhile->sent, 0) << "claimed by the first server";
  EXPECT_THAT(second_transport.count, ::testing::IsEmpty());
  EXPECT_EQ(second.DeliverDue()->sent, 0) << "sent";
  ASSERT_EQ(first_transport.count.size(), 1u);
  EXPECT_EQ(first_transport.count.begin()->second, 1);
  EXPECT_EQ(Audited(id, "notice_sent"), 1);
}

// A server that dies mid-delivery holds its claim for the lease only: then another sends the
// notice (under the same id), and nothing is lost.
TEST_P(OutboxClaimTest, AClaimLastsItsLease) {
  Approved();
  NoticeCounter first_transport, second_transport;
  NoticeOutbox first = Notices(*instance_->db, first_transport);
  NoticeOutbox second = Notices(*second_db_, second_transport);
  int before_the_lease = -1, after_it = -1;
  first_transport.meanwhile = [&] {
    clock_.Set(Timestamp{clock_.Now().micros + kClaimMicros - 1});
    before_the_lease = second.DeliverDue()->sent;
    clock_.Set(Timestamp{clock_.Now().micros + 1});
    after_it = second.DeliverDue()->sent;
  };
  ASSERT_EQ(first.DeliverDue()->sent, 1);
  EXPECT_EQ(before_the_lease, 0);
  EXPECT_EQ(after_it, 1);
  EXPECT_EQ(first_transport.count, second_transport.count) << "the same notice, by its id";
}

// A message on its way is never changed: a change of state queued meanwhile is a message of
// its own, sent after it, not merged into one already sent.
TEST_P(OutboxClaimTest, RequesterMailGoesOnceAndAChangeQueuedMeanwhileFollowsIt) {
  const std::string id = Approved();
  const auto queue = [&](Database& db, const std::string& event) {
    ASSERT_TRUE(db.Transaction([&](soci::session& sql) {
      return RequesterMailTx(sql).Queue(id, "officer@lcpd.example.gov", event, clock_.Now());
    }).ok());
  };
  queue(*instance_->db, "in_review");
  MailCounter first_sender, second_sender;
  RequesterMailOutbox first(*instance_->db, clock_, first_sender, "");
  RequesterMailOutbox second(*second_db_, clock_, second_sender, "");
  int meanwhile = -1;
  first_sender.meanwhile = [&] {
    meanwhile = second.DeliverDue()->sent;
    queue(*second_db_, "approved");
  };
  ASSERT_EQ(first.DeliverDue()->sent, 1);
  EXPECT_EQ(meanwhile, 0) << "claimed by the first server";
  ASSERT_EQ(second.DeliverDue()->sent, 1);
  ASSERT_EQ(first_sender.subjects.size(), 1u);
  ASSERT_EQ(second_sender.subjects.size(), 1u);
  EXPECT_THAT(first_sender.subjects[0], ::testing::HasSubstr("in review"));
  EXPECT_THAT(second_sender.subjects[0], ::testing::HasSubstr("approved"));
  EXPECT_NE(first_sender.count, second_sender.count) << "two messages";
  EXPECT_EQ(first.DeliverDue()->sent + second.DeliverDue()->sent, 0);
}

TEST_P(OutboxClaimTest, AnAlertGoesOnceOnEachChannel) {
  const std::string id = Approved();
  AlertRecord alert{"", AlertKind::kDueSoon, id, id, clock_.Now(), clock_.Now(), {}};
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) -> Status {
    auto raised = AlertTx(sql).Raise(alert, {AlertChannel::kWebhook});
    return raised.ok() ? Status::Ok() : raised.status();
  }).ok());
  AlertCounter first_webhook, second_webhook;
  AlertOutbox first(*instance_->db, clock_, {nullptr, &first_webhook});
  AlertOutbox second(*second_db_, clock_, {nullptr, &second_webhook});
  int meanwhile = -1;
  first_webhook.meanwhile = [&] { meanwhile = second.DeliverDue()->sent; };
  ASSERT_EQ(first.DeliverDue()->sent, 1);
  EXPECT_EQ(meanwhile, 0) << "claimed by the first server";
  EXPECT_THAT(first_webhook.count, ElementsAre(std::pair(alert.id, 1)));
  EXPECT_THAT(second_webhook.count, ::testing::IsEmpty());
  EXPECT_EQ(second.DeliverDue()->sent, 0);
}

// Two servers that read the same due rows before either claims them: the first claim takes
// each, the second finds it no longer due. (The tests above run the second server after the
// first's claim, which the claim's lease alone keeps from sending again.)
TEST_P(OutboxClaimTest, OfTwoServersThatReadTheSameDueRowsOneClaimsEach) {
  const std::string id = Approved();
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) -> Status {
    AlertRecord alert{"", AlertKind::kDueSoon, id, id, clock_.Now(), clock_.Now(), {}};
    if (auto raised = AlertTx(sql).Raise(alert, {AlertChannel::kWebhook}); !raised.ok()) return raised.status();
    return RequesterMailTx(sql).Queue(id, "officer@lcpd.example.gov", "approved", clock_.Now());
  }).ok());
  struct Seen {
    std::vector<NoticeRecord> notices;
    std::vector<RequesterMailRecord> mails;
    std::vector<AlertDelivery> alerts;
  };
  const auto read = [&](Database& db) {
    Seen seen;
    EXPECT_TRUE(db.Transaction([&](soci::session& sql) {
      seen.notices = CaseTx(sql).DueNotices(clock_.Now(), 10);
      seen.mails = RequesterMailTx(sql).Due(clock_.Now(), 10);
      seen.alerts = AlertTx(sql).DueDeliveries(clock_.Now(), 10, {AlertChannel::kWebhook});
      return Status::Ok();
    }).ok());
    EXPECT_EQ(seen.notices.size(), 1u);
    EXPECT_EQ(seen.mails.size(), 1u);
    EXPECT_EQ(seen.alerts.size(), 1u);
    return seen;
  };
  const Seen first = read(*instance_->db), second = read(*second_db_);
  // How many of the three rows each server claims.
  const auto claim = [&](Database& db, const Seen& seen) {
    int claimed = 0;
    EXPECT_TRUE(db.Transaction([&](soci::session& sql) {
      claimed += CaseTx(sql).ClaimNotice(seen.notices.at(0), clock_.Now()).has_value();
      claimed += RequesterMailTx(sql).Claim(seen.mails.at(0).id, clock_.Now()).has_value();
      claimed += AlertTx(sql).ClaimDelivery(seen.alerts.at(0), clock_.Now()).has_value();
      return Status::Ok();
    }).ok());
    return claimed;
  };
  EXPECT_EQ(claim(*instance_->db, first), 3);
  EXPECT_EQ(claim(*second_db_, second), 0);
  clock_.Set(Timestamp{clock_.Now().micros + kClaimMicros});
  EXPECT_EQ(claim(*second_db_, second), 3) << "once the lease is over";
}

INSTANTIATE_TEST_SUITE_P(Stores, OutboxClaimTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
