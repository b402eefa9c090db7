// The notice outbox end to end, against both stores: notices queued at approval, signed and
// POSTed to a real HTTP receiver on loopback, retried with backoff under the same id, the
// production wait counted from delivery, and notices that wait for a nondisclosure order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/notice_outbox.h"
#include "core/sha256.h"
#include "instance/test_instance.h"
#include "server/webhook_receiver_testing.h"
#include "server/webhook_transport.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

const std::string kKey(32, 'k');

class NoticeTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    transport_ = WebhookTransport::Create(receiver_.Url(), kKey, clock_).value();
    outbox_ = std::make_unique<cases::NoticeOutbox>(*instance_->db, *instance_->standards, clock_,
                                                   *transport_, instance_->pseudonym_key);
  }
  // Submits, reviews and approves a request; returns the case id.
  std::string Approved(const std::string& document) {
    cases::Workflow& w = *instance_->workflow;
    auto v = w.Submit({document, cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    EXPECT_TRUE(w.ReviewCase(v->record.id, {"reviewer-1"}, {}).ok());
    EXPECT_TRUE(w.Approve(v->record.id, {"approver-1"}).ok());
    return v->record.id;
  }
  std::vector<cases::NoticeRecord> Notices(const std::string& id) {
    return instance_->workflow->Notices(id, {"auditor-1"}).value();
  }
  void Advance(int64_t micros) { clock_.Set(Timestamp{clock_.Now().micros + micros}); }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  testing::WebhookReceiver receiver_{kKey, "/hooks/notices", "X-Custodian-Notice-Id"};
  std::unique_ptr<TestInstance> instance_;
  std::unique_ptr<WebhookTransport> transport_;
  std::unique_ptr<cases::NoticeOutbox> outbox_;
};

TEST_P(NoticeTest, ANoticeIsSignedRetriedUnderItsIdAndStartsTheProductionWait) {
  const std::string id = Approved(Example("lcpd-subpoena"));
  auto notices = Notices(id);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].timing, "before_production");
  EXPECT_EQ(notices[0].state, cases::NoticeState::kPending);
  auto early = instance_->workflow->EndNoticeWait(id, {"system"});
  ASSERT_FALSE(early.ok());
  EXPECT_THAT(early.status().message(), HasSubstr("has not been delivered"));

  receiver_.failures = 1;
  auto first = outbox_->DeliverDue();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed, 1);
  EXPECT_EQ(outbox_->DeliverDue()->sent, 0) << "backing off";
  Advance(61 * kMicrosPerSecond);
  auto second = outbox_->DeliverDue();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sent, 1);
  EXPECT_EQ(outbox_->DeliverDue()->sent, 0) << "sent once";

  ASSERT_EQ(receiver_.ids.size(), 2u);
  EXPECT_EQ(receiver_.ids[0], notices[0].id);
  EXPECT_EQ(receiver_.ids[1], notices[0].id) << "a retry keeps the id the service deduplicates by";
  EXPECT_EQ(receiver_.good_signatures, 2);
  const json body = json::parse(receiver_.bodies[1]);
  EXPECT_EQ(body["notice_id"], notices[0].id);
  EXPECT_EQ(body["account_id"], "1000042");
  EXPECT_EQ(body["case_reference"], id);
  EXPECT_EQ(body["agency"], "Las Cruces Police Department");
  EXPECT_EQ(body["process_type"], "subpoena");
  EXPECT_EQ(body["categories"], json::parse(R"(["basic_subscriber", "access_log"])"));
  EXPECT_EQ(body["window"]["start"], "2026-01-01T00:00:00Z");
  EXPECT_TRUE(body["respond_by"].is_string());

  // Production waits the standards' period after the notice was sent, not after approval.
  const auto sent = Notices(id)[0];
  ASSERT_EQ(sent.state, cases::NoticeState::kSent);
  const auto view = instance_->workflow->Show(id, {"auditor-1"}).value();
  EXPECT_EQ(view.record.notice_wait_until->micros,
            sent.sent_at->micros + instance_->default_standards.notice_wait_days * kMicrosPerDay);
  EXPECT_FALSE(instance_->workflow->EndNoticeWait(id, {"system"}).ok());
  clock_.Set(*view.record.notice_wait_until);
  auto done = instance_->workflow->EndNoticeWait(id, {"system"});
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->record.state, cases::CaseState::kApproved);
}

// Nothing but a production moves a case out of awaiting_notice: it must do so once the user
// was told and the wait is over, and refuse before.
TEST_P(NoticeTest, AProductionEndsTheNoticeWaitOnceTheUserWasToldAndTheWaitIsOver) {
  const std::string id = Approved(Example("lcpd-subpoena"));
  auto untold = instance_->workflow->StartProduction(id, {"approver-1"});
  ASSERT_FALSE(untold.ok());
  EXPECT_THAT(untold.status().message(), HasSubstr("has not been delivered"));
  ASSERT_EQ(outbox_->DeliverDue()->sent, 1);
  auto waiting = instance_->workflow->StartProduction(id, {"approver-1"});
  ASSERT_FALSE(waiting.ok());
  EXPECT_THAT(waiting.status().message(), HasSubstr("the notice period runs until"));
  EXPECT_EQ(instance_->workflow->Show(id, {"auditor-1"})->record.state, cases::CaseState::kAwaitingNotice);
  clock_.Set(*instance_->workflow->Show(id, {"auditor-1"})->record.notice_wait_until);
  auto started = instance_->workflow->StartProduction(id, {"approver-1"});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ(instance_->workflow->Show(id, {"auditor-1"})->record.state, cases::CaseState::kProducing);
}

TEST_P(NoticeTest, ANoticeWaitsForItsOrderAndMovesWhenTheOrderIsExtended) {
  json doc = json::parse(Example("lcpd-subpoena"));
  doc["nondisclosure"] = {{"ordered", true}, {"authority", "18 U.S.C. 2705(b)"}, {"until", "2026-06-01"}};
  const std::string id = Approved(doc.dump());
  EXPECT_EQ(instance_->workflow->Show(id, {"auditor-1"})->record.state, cases::CaseState::kApproved)
      << "no wait before production: the user is told after the order";
  auto notices = Notices(id);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].timing, "after_nondisclosure");
  EXPECT_EQ(FormatDateTime(notices[0].not_before), "2026-06-01T00:00:00Z");
  EXPECT_EQ(outbox_->DeliverDue()->sent, 0);

  // The order is extended: the notice moves with it.
  ASSERT_TRUE(instance_->workflow->RecordNondisclosure(id, {"reviewer-1"}, ParseDate("2026-09-01").value()).ok());
  EXPECT_EQ(FormatDateTime(Notices(id)[0].not_before), "2026-09-01T00:00:00Z");
  clock_.Set(ParseDateTime("2026-06-02T00:00:00Z").value());
  EXPECT_EQ(outbox_->DeliverDue()->sent, 0);

  // An extension recorded elsewhere (the notice still due at the old date) is read again
  // before sending.
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    cases::CaseTx tx(sql);
    auto n = tx.Notices(id)[0];
    n.not_before = ParseDateTime("2026-06-01T00:00:00Z").value();
    if (Status s = tx.UpdateNotice(n); !s.ok()) return s;
    return tx.AppendNondisclosure({id, 0, ParseDate("2026-12-01").value(), "reviewer-2", clock_.Now()});
  }).ok());
  auto deferred = outbox_->DeliverDue();
  ASSERT_TRUE(deferred.ok());
  EXPECT_EQ(deferred->sent, 0);
  EXPECT_EQ(deferred->deferred, 1);
  EXPECT_EQ(FormatDateTime(Notices(id)[0].not_before), "2026-12-01T00:00:00Z");

  // An order with no end holds the notice; an end stated later releases it.
  ASSERT_TRUE(instance_->workflow->RecordNondisclosure(id, {"reviewer-1"}, std::nullopt).ok());
  EXPECT_EQ(Notices(id)[0].state, cases::NoticeState::kHeld);
  clock_.Set(ParseDateTime("2027-01-01T00:00:00Z").value());
  EXPECT_EQ(outbox_->DeliverDue()->sent, 0);
  ASSERT_TRUE(instance_->workflow->RecordNondisclosure(id, {"reviewer-1"}, ParseDate("2026-12-31").value()).ok());
  EXPECT_EQ(outbox_->DeliverDue()->sent, 1);
  EXPECT_TRUE(receiver_.ids.size() == 1 && receiver_.ids[0] == notices[0].id);
}

TEST_P(NoticeTest, NoNoticeWhereTheStandardsWithholdIt) {
  cases::Review review;
  review.confirm_investigation = true;
  cases::Workflow& w = *instance_->workflow;
  auto v = w.Submit({Example("hsi-child-safety-court-order"), cases::Entry::kStaff, {"intake-1"}});
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(w.ReviewCase(v->record.id, {"reviewer-1"}, review).ok());
  ASSERT_TRUE(w.Approve(v->record.id, {"approver-1"}).ok());
  EXPECT_TRUE(Notices(v->record.id).empty());
}

TEST_P(NoticeTest, TheWebhookUrlAndKeyAreChecked) {
  EXPECT_FALSE(WebhookTransport::Create("ftp://x/y", kKey, clock_).ok());
  EXPECT_FALSE(WebhookTransport::Create("http:///y", kKey, clock_).ok());
  EXPECT_FALSE(WebhookTransport::Create(receiver_.Url(), "short", clock_).ok());
  auto nowhere = WebhookTransport::Create("http://127.0.0.1:1/x", kKey, clock_).value();
  cases::NoticeRecord n;
  n.id = "N-1";
  n.payload = "{}";
  EXPECT_FALSE(nowhere->Deliver(n).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, NoticeTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
