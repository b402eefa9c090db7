// What the report's store tests stand on: a workflow on one store (cases/test_instance.h),
// the instance's ledger keys and logs, and the steps of a case's history that need more than
// the workflow: a production (no production code exists yet, so its leaf is appended as the
// production step will append it) and a notice delivered (through the real outbox, to a
// service that accepts everything).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "cases/disclosure_log.h"
#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/notice_outbox.h"
#include "instance/test_instance.h"
#include "reports/make_report.h"
#include "reports/report.h"

namespace custodian::reports {

class AcceptingTransport : public cases::NoticeTransport {
 public:
  Status Deliver(const cases::NoticeRecord&) override { return Status::Ok(); }
};

class ReportStoreTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    Start();
  }

  void Start() {
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    ASSERT_TRUE(instance_->IngestExampleAccount().ok());  // a preservation holds its account
    keys_ = instance_->signing_keys.get();
    ledgers_ = instance_->ledgers.get();
  }

  std::string Submit(const std::string& document) {
    auto v = instance_->workflow->Submit({document, cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  void Review(const std::string& id, cases::Review review) {
    auto v = instance_->workflow->ReviewCase(id, {"reviewer-1"}, review);
    ASSERT_TRUE(v.ok()) << id << ": " << v.status().message();
  }
  // Reviewed and approved by two people.
  void Approve(const std::string& id, cases::Review review = {}) {
    Review(id, std::move(review));
    auto v = instance_->workflow->Approve(id, {"approver-1"});
    ASSERT_TRUE(v.ok()) << id << ": " << v.status().message();
  }
  // The production's leaf: `accounts` accounts held data.
  void Produce(const std::string& id, int64_t accounts) {
    ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) -> Status {
      cases::CaseTx tx(sql);
      auto c = tx.GetCase(id);
      if (!c.ok()) return c.status();
      return cases::Disclose(tx, *c, ledger::DisclosureKind::kProduction, ledger::kOutcomeProduced,
                             clock_.Now().UtcDate(), instance_->pseudonym_key,
                             cases::ProductionFacts{accounts, std::string(64, 'e')})
          .status();
    }).ok());
  }
  // Withdrawn by `agency`'s requester.
  void Withdraw(const std::string& id, const std::string& agency) {
    auto v = instance_->workflow->Withdraw(id, {"requester-1"}, cases::RequesterScope{agency});
    ASSERT_TRUE(v.ok()) << id << ": " << v.status().message();
  }
  // Delivers every notice due now; returns how many were sent.
  int DeliverNotices() {
    AcceptingTransport transport;
    cases::NoticeOutbox outbox(*instance_->db, *instance_->standards, clock_, transport,
                               instance_->pseudonym_key);
    auto delivered = outbox.DeliverDue();
    EXPECT_TRUE(delivered.ok()) << delivered.status().message();
    return delivered.ok() ? delivered->sent : -1;
  }

  Result<Report> Make(const char* from, const char* to, const Standards& standards) {
    return MakeReport(*instance_->db, *ledgers_, *keys_, standards, ParseDate(from).value(),
                      ParseDate(to).value(), "auditor-1");
  }
  Result<Report> Make(const char* from = "2026-01-01", const char* to = "2026-07-01") {
    return Make(from, to, instance_->default_standards);
  }

  // The scripted history of report_test.cc, every count of which it asserts: seventeen
  // requests received in the first half of 2026 (fourteen of them in March; two withdrawn),
  // two just outside it, and a national security letter.
  void History() {
    // A subpoena approved, its user told, and data produced.
    const std::string lcpd = Submit(Example("lcpd-subpoena"));
    Approve(lcpd);
    ASSERT_EQ(DeliverNotices(), 1);
    Produce(lcpd, 1);
    // Pushed back.
    const std::string vague = Submit(Example("vague-subpoena"));
    Review(vague, {cases::ReviewDecision::kPushback, std::nullopt, "Name the account."});
    // Pushed back, then amended (received again in April, about two accounts), approved, and
    // produced with no data.
    const std::string amended = Submit(Example("vague-subpoena"));
    Review(amended, {cases::ReviewDecision::kPushback, std::nullopt, "Name the account."});
    std::string amendment = With(Example("lcpd-subpoena"), "/received_at", "2026-04-02T10:00:00Z");
    amendment = With(amendment, "/targets",
                     nlohmann::json::array({nlohmann::json{{"type", "account_id"}, {"value", "1000042"}},
                                            nlohmann::json{{"type", "account_id"}, {"value", "1000043"}}}));
    auto amend = instance_->workflow->Amend(amended, {amendment, cases::Entry::kStaff, {"intake-1"}});
    ASSERT_TRUE(amend.ok()) << amend.status().message();
    Approve(amended);
    Produce(amended, 0);
    // Rejected.
    const std::string letter = Submit(Example("letter"));
    Review(letter, {cases::ReviewDecision::kReject});
    // A preservation placed.
    const std::string preservation = Submit(Example("preservation"));
    Review(preservation, {});
    // An emergency, its requester verified by a callback, approved narrowed and produced.
    const std::string emergency = Submit(Example("emergency-unverified"));
    auto verified = instance_->workflow->VerifyRequester(
        emergency, {"intake-1"}, {"+1-575-555-0100", "spoke to the duty sergeant", "us-nm-lcpd"});
    ASSERT_TRUE(verified.ok()) << verified.status().message();
    cases::Review narrowed;
    narrowed.narrowed_scope = R"({"categories": ["basic_subscriber"]})";
    Approve(emergency, narrowed);
    Produce(emergency, 1);
    // Under an indefinite nondisclosure order, still in review.
    Submit(Example("ndo-indefinite"));
    // A warrant approved and produced about two accounts.
    const std::string warrant = Submit(Example("fbi-warrant-content"));
    Approve(warrant);
    Produce(warrant, 2);
    // A foreign court order pushed back.
    const std::string foreign = Submit(Example("foreign-direct"));
    Review(foreign, {cases::ReviewDecision::kPushback, std::nullopt, "Send it through the treaty channel."});
    // ... and then withdrawn by its requester: it still counts as pushed back.
    Withdraw(foreign, "gb-met");
    // Small countries: two requests from Germany, three from France (the last withdrawn).
    std::string french;
    for (const auto& [country, n] : {std::pair{"DE", 2}, std::pair{"FR", 3}}) {
      for (int i = 0; i < n; ++i) {
        french = Submit(With(With(Example("lcpd-subpoena"), "/requester/country", country),
                             "/requester/agency_type", "foreign"));
      }
    }
    Withdraw(french, "us-nm-lcpd");
    // A national security investigation is counted like any other request ...
    Submit(With(Example("fbi-warrant-content"), "/purpose/investigation_type", "national_security"));
    // ... a national security letter only in bands.
    Submit(With(Example("fbi-warrant-content"), "/process/type", "national_security_letter"));
    // Just outside the period, and just inside it.
    for (const char* received : {"2025-12-31T23:59:59Z", "2026-07-01T00:00:00Z",
                                 "2026-01-01T00:00:00Z", "2026-06-30T23:59:59Z"}) {
      Submit(With(Example("lcpd-subpoena"), "/received_at", received));
    }
  }

  ManualClock clock_{ParseDateTime("2026-07-02T09:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
  cases::SigningKeys* keys_ = nullptr;  // the instance's
  cases::Ledgers* ledgers_ = nullptr;
};

}  // namespace custodian::reports
