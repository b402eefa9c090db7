// The alert outbox's raising against both stores, on the test's clock: each alert once, to
// the users whose role acts next, newest first in a user's list; holds and orders a week
// before their end; a delivery pending on each configured channel. (Delivery itself, over a
// real SMTP server and webhook: server/alert_delivery_test.cc.)
#include "cases/alert_outbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A channel that must not be used: these tests raise only.
class UnusedTransport : public AlertTransport {
 public:
  Status Deliver(const AlertRecord&, const std::vector<std::string>&) override {
    ADD_FAILURE() << "raising delivers nothing";
    return Status::Ok();
  }
};

class AlertOutboxTest : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    AddStaff("approver-1", "approver", false, std::nullopt);
    AddStaff("auditor-1", "auditor", false, "auditor@example.org");
    AddStaff("intake-1", "intake", false, "intake@example.org");
    AddStaff("reviewer-1", "reviewer,approver", false, "reviewer@example.org");
    AddStaff("reviewer-2", "reviewer", true, "off@example.org");
  }
  void AddStaff(const std::string& name, const std::string& roles, bool disabled,
                const std::optional<std::string>& email) {
    ASSERT_TRUE(instance_->AddStaff(name, roles, disabled, email).ok());
  }
  std::string Submit(const std::string& document) {
    auto v = instance_->workflow->Submit({document, Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  Timestamp DueAt(const std::string& id) { return *instance_->workflow->Show(id, {"auditor-1"})->record.due_at; }
  int Raise(AlertTransports transports = {}) {
    auto raised = AlertOutbox(*instance_->db, clock_, transports).Raise();
    EXPECT_TRUE(raised.ok()) << raised.status().message();
    return raised.ok() ? *raised : -1;
  }
  // A user's alerts as "kind case subject due_at" lines, newest first.
  std::vector<std::string> AlertsOf(const std::string& user) {
    auto all = AlertsFor(*instance_->db, clock_, user, 100);
    EXPECT_TRUE(all.ok()) << all.status().message();
    std::vector<std::string> out;
    for (const AlertRecord& a : all.ok() ? *all : std::vector<AlertRecord>{}) {
      out.push_back(std::string(AlertKindName(a.kind)) + " " + a.case_id + " " + a.subject + " " +
                    FormatDateTime(a.due_at));
    }
    return out;
  }
  // The outbox's audit entries about a case.
  std::vector<AuditEntry> Audit(const std::string& case_id) {
    std::vector<AuditEntry> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (AuditEntry& e : CaseTx(sql).AuditOf(case_id)) {
        if (e.actor == "alerts") out.push_back(std::move(e));
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  // Entries of `action` about no case, as "actor detail".
  std::vector<std::string> AuditOutsideCases(const std::string& action) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT a.seq, a.actor, d.detail FROM audit a JOIN audit_details d ON "
                          "d.seq = a.seq WHERE a.case_id IS NULL AND a.action = :a ORDER BY a.seq",
           soci::use(action));
      for (const soci::row& r : rows) {
        out.push_back(Text(r, 1) + " " + Opened(sql, "audit_details.detail", std::to_string(Int(r, 0)), Text(r, 2)));
      }
      return Status::Ok();
    }).ok());
    return out;
  }
};

TEST_P(AlertOutboxTest, EachAlertIsRaisedOnceToTheUsersWhoseRoleActsNext) {
  const std::string emergency = Submit(Example("emergency-unverified"));  // verifying
  const std::string subpoena = Submit(Example("lcpd-subpoena"));          // in_review
  const std::string due = FormatDateTime(DueAt(emergency));
  EXPECT_EQ(due, "2026-03-12T16:04:05Z");

  EXPECT_EQ(Raise(), 1);
  EXPECT_EQ(Raise(), 0) << "raised once, not on every scan";
  const std::string raised = "emergency " + emergency + " " + emergency + " " + due;
  EXPECT_THAT(AlertsOf("intake-1"), ElementsAre(raised)) << "verifying: intake acts next";
  EXPECT_THAT(AlertsOf("reviewer-1"), ElementsAre(raised)) << "and the reviewer";
  EXPECT_THAT(AlertsOf("reviewer-2"), IsEmpty()) << "disabled";
  EXPECT_THAT(AlertsOf("approver-1"), IsEmpty());
  EXPECT_THAT(AlertsOf("auditor-1"), IsEmpty());

  clock_.Set(ParseDateTime("2026-03-12T16:05:00Z").value());
  EXPECT_EQ(Raise(), 1);
  EXPECT_EQ(Raise(), 0);
  const Timestamp subpoena_due = DueAt(subpoena);
  clock_.Set(Timestamp{subpoena_due.micros - kMicrosPerHour});
  EXPECT_EQ(Raise(), 1);
  clock_.Set(Timestamp{subpoena_due.micros + kMicrosPerSecond});
  EXPECT_EQ(Raise(), 1);
  EXPECT_EQ(Raise(), 0);
  const std::string at = FormatDateTime(subpoena_due);
  EXPECT_THAT(AlertsOf("reviewer-1"),
              ElementsAre("overdue " + subpoena + " " + subpoena + " " + at,
                          "due_soon " + subpoena + " " + subpoena + " " + at,
                          "overdue " + emergency + " " + emergency + " " + due, raised));
  EXPECT_THAT(AlertsOf("intake-1"), ElementsAre("overdue " + emergency + " " + emergency + " " + due, raised))
      << "in_review: the subpoena's alerts are the reviewer's alone";

  // Audited as the outbox's, with the alert, its kind and how many it went to: no names.
  std::vector<std::string> audited;
  for (const AuditEntry& e : Audit(subpoena)) {
    const auto detail = nlohmann::json::parse(e.detail);
    audited.push_back(e.actor + " " + e.action + " " + detail["kind"].get<std::string>() + " " +
                      std::to_string(detail["recipients"].get<int>()));
    EXPECT_EQ(detail.size(), 3u) << e.detail;
  }
  EXPECT_THAT(audited, ElementsAre("alerts raise_alert due_soon 1", "alerts raise_alert overdue 1"));
}

TEST_P(AlertOutboxTest, AnAssignedCasesAlertsGoToItsAssigneeToo) {
  const std::string assigned = Submit(Example("emergency-unverified"));  // verifying
  Submit(Example("emergency-unverified"));  // another, assigned to no one
  // approver-1's role does not act on a verifying case: the assignment alone brings the alert.
  ASSERT_TRUE(instance_->workflow->Assign(assigned, {"reviewer-1"}, "approver-1").ok());
  EXPECT_EQ(Raise(), 2);
  const std::string due = FormatDateTime(DueAt(assigned));
  EXPECT_THAT(AlertsOf("approver-1"), ElementsAre("emergency " + assigned + " " + assigned + " " + due));
  EXPECT_THAT(AlertsOf("intake-1"), ::testing::SizeIs(2)) << "the roles acting next still get both";
}

TEST_P(AlertOutboxTest, HoldsAndOrdersAreRaisedAWeekBeforeTheyEndAndAgainWhenExtended) {
  Workflow& w = *instance_->workflow;
  const std::string preservation = Submit(Example("preservation"));
  ASSERT_TRUE(w.ReviewCase(preservation, {"reviewer-1"}, {}).ok());
  const HoldRecord hold = w.Holds(preservation, {"auditor-1"})->at(0);
  nlohmann::json doc = nlohmann::json::parse(Example("lcpd-subpoena"));
  doc["nondisclosure"] = {{"ordered", true}, {"authority", "18 U.S.C. 2705(b)"}, {"until", "2026-06-01"}};
  const std::string ordered = Submit(doc.dump());
  ASSERT_TRUE(w.ReviewCase(ordered, {"reviewer-1"}, {}).ok());
  ASSERT_TRUE(w.Approve(ordered, {"approver-1"}).ok());
  const auto only = [&](const std::string& user, std::string_view kind) {
    std::vector<std::string> out;
    for (const std::string& line : AlertsOf(user)) {
      if (line.starts_with(kind)) out.push_back(line);
    }
    return out;
  };

  clock_.Set(ParseDateTime("2026-05-25T00:00:00Z").value());
  Raise();
  EXPECT_THAT(only("reviewer-1", "order_expiring"), IsEmpty()) << "eight days ahead";
  clock_.Set(ParseDateTime("2026-05-25T00:00:01Z").value());
  Raise();
  EXPECT_THAT(only("reviewer-1", "order_expiring"),
              ElementsAre("order_expiring " + ordered + " " + ordered + " 2026-06-01T00:00:00Z"))
      << "the order the request stated, as its notice waits for it";
  EXPECT_THAT(only("approver-1", "order_expiring"), IsEmpty()) << "a reviewer records an extension";

  ASSERT_TRUE(w.RecordNondisclosure(ordered, {"reviewer-1"}, ParseDate("2026-09-01").value()).ok());
  clock_.Set(ParseDateTime("2026-08-26T12:00:00Z").value());
  Raise();
  EXPECT_THAT(only("reviewer-1", "order_expiring"),
              ElementsAre("order_expiring " + ordered + " " + ordered + " 2026-09-01T00:00:00Z",
                          "order_expiring " + ordered + " " + ordered + " 2026-06-01T00:00:00Z"))
      << "the extended order's end is a new instant";

  EXPECT_THAT(only("reviewer-1", "hold_expiring"), IsEmpty()) << "past 90 days the hold has ended unseen";
  clock_.Set(Timestamp{hold.expires_at.micros - 6 * kMicrosPerDay});
  // Nothing above raised the hold's alert: a scan a week before its end does.
  Raise();
  EXPECT_THAT(only("reviewer-1", "hold_expiring"),
              ElementsAre("hold_expiring " + preservation + " " + hold.id + " " + FormatDateTime(hold.expires_at)));
  EXPECT_THAT(only("intake-1", "hold_expiring"), IsEmpty());
}

TEST_P(AlertOutboxTest, AnAlertIsPendingOnEachChannelConfiguredWhenItIsRaised) {
  UnusedTransport mail, webhook;
  const std::string emergency = Submit(Example("emergency-unverified"));
  EXPECT_EQ(Raise({&mail, nullptr}), 1);
  clock_.Set(ParseDateTime("2026-03-12T17:00:00Z").value());
  EXPECT_EQ(Raise({&mail, &webhook}), 1);
  std::vector<std::string> deliveries;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    AlertTx alerts(sql);
    for (const AlertRecord& a : alerts.AlertsFor("reviewer-1", 10)) {
      for (const AlertDelivery& d : alerts.Deliveries(a.id)) {
        deliveries.push_back(std::string(AlertKindName(a.kind)) + " " +
                             std::string(kAlertChannelNames[static_cast<size_t>(d.channel)]) + " " +
                             std::string(kAlertDeliveryStateNames[static_cast<size_t>(d.state)]) + " " +
                             std::to_string(d.attempts) + " " + FormatDateTime(d.next_attempt_at));
      }
      EXPECT_THAT(alerts.Addresses(a.id), ElementsAre("intake@example.org", "reviewer@example.org"))
          << "reviewer-2's address is not used: disabled";
    }
    return Status::Ok();
  }).ok());
  EXPECT_THAT(deliveries, ElementsAre("overdue mail pending 0 2026-03-12T17:00:00Z",
                                      "overdue webhook pending 0 2026-03-12T17:00:00Z",
                                      "emergency mail pending 0 2026-03-12T16:00:00Z"));
}

TEST_P(AlertOutboxTest, ReadingOnesAlertsIsAudited) {
  Submit(Example("emergency-unverified"));
  Raise();
  ASSERT_EQ(AlertsOf("reviewer-1").size(), 1u);
  EXPECT_THAT(AuditOutsideCases("list_alerts"), ElementsAre("reviewer-1 {\"alerts\":1}"));
}

INSTANTIATE_TEST_SUITE_P(Stores, AlertOutboxTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
