// Messages to requesters leaving custodian, against both stores: through a real SMTP server on
// loopback (smtp_sink.py, Debian's python3-aiosmtpd) with the same MailTransport as alerts; a
// message says the case, its state in words and the portal's link, nothing of the request; a
// refusing server keeps it pending and it is retried under the same Message-ID.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "cases/ledgers/audit_log.h"
#include "cases/requester_mail.h"
#include "instance/test_instance.h"
#include "server/mail_transport.h"
#include "server/smtp_sink_testing.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kConsole[] = "https://custodian.example.org/";
constexpr char kAddress[] = "r.alvarez@las-cruces.org";

class RequesterMailTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    MailSettings settings{sink_.Server(), "custodian@custodian.example.org"};
    settings.console_url = kConsole;
    auto mail = MailTransport::Create(std::move(settings), clock_);
    ASSERT_TRUE(mail.ok()) << mail.status().message();
    mail_ = std::move(mail).value();
  }
  cases::RequesterMailReport Deliver() {
    auto report = cases::RequesterMailOutbox(*instance_->db, clock_, *mail_, mail_->console_url()).DeliverDue();
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : cases::RequesterMailReport{-1, -1};
  }
  std::string FromPortal() {
    auto v = instance_->workflow->Submit({Example("lcpd-subpoena"), cases::Entry::kApi, {"lcpd-portal"},
                                          "us-nm-lcpd", kAddress, std::nullopt, DefaultAttestationSha256()});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  // The mail outbox's audit entries about a case: "action detail".
  std::vector<std::string> Audited(const std::string& id) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (const cases::AuditEntry& e : cases::CaseTx(sql).AuditOf(id)) {
        if (e.actor == "mail") out.push_back(e.action + " " + e.detail);
      }
      return Status::Ok();
    }).ok());
    return out;
  }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  testing::SmtpSink sink_;
  std::unique_ptr<TestInstance> instance_;
  std::unique_ptr<MailTransport> mail_;
};

TEST_P(RequesterMailTest, EachChangeReachesTheRequesterWithTheCaseItsStateAndThePortalLinkOnly) {
  const std::string id = FromPortal();
  EXPECT_EQ(Deliver().sent, 1);
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {cases::ReviewDecision::kPushback, "vague",
                                                                   "Name the account 1000042 precisely."}).ok());
  EXPECT_EQ(Deliver().sent, 1);
  ASSERT_TRUE(instance_->workflow->Withdraw(id, {"lcpd-portal"}, cases::RequesterScope{"us-nm-lcpd"}, "not needed").ok());
  EXPECT_EQ(Deliver().sent, 1);
  EXPECT_EQ(Deliver().sent, 0) << "each message once";

  const auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 3u);
  std::vector<std::string> subjects;
  for (const json& m : messages) {
    EXPECT_EQ(m["to"], json::array({kAddress}));
    EXPECT_EQ(m["from"], "custodian@custodian.example.org");
    subjects.push_back(testing::SmtpSink::Header(m, "Subject"));
    const std::string body = testing::SmtpSink::Body(m);
    EXPECT_THAT(body, HasSubstr("https://custodian.example.org/portal/#/requests/" + id + "\r\n"));
    // Nothing of the request: no target, no reference, no letter, no reason.
    for (const char* secret : {"1000042", "GJ-2026", "Name the account", "not needed", "Las Cruces"}) {
      EXPECT_THAT(std::string(m["data"]), Not(HasSubstr(secret))) << secret;
    }
  }
  EXPECT_THAT(subjects, ElementsAre("[custodian] Request " + id + ": in review",
                                    "[custodian] Request " + id + ": pushed back",
                                    "[custodian] Request " + id + ": withdrawn"));
  EXPECT_EQ(testing::SmtpSink::Body(messages[1]),
            "Your request " + id + " was pushed back: the reviewer's letter in the portal says what to correct "
            "before you amend it.\r\n\r\nSee it in the portal: https://custodian.example.org/portal/#/requests/" + id +
            "\r\n\r\nMessage M-2. You receive it because you sent this request; nothing in it says what the "
            "request is about.\r\n");
  EXPECT_EQ(testing::SmtpSink::Header(messages[1], "Message-ID"), "<M-2.request@custodian.example.org>");
  EXPECT_EQ(testing::SmtpSink::Header(messages[1], "X-Custodian-Message-Id"), "M-2");
  EXPECT_THAT(Audited(id), ElementsAre("requester_mail_sent {\"mail\":\"M-1\",\"event\":\"in_review\"}",
                                       "requester_mail_sent {\"mail\":\"M-2\",\"event\":\"pushed_back\"}",
                                       "requester_mail_sent {\"mail\":\"M-3\",\"event\":\"withdrawn\"}"));
}

TEST_P(RequesterMailTest, ARefusingServerKeepsTheMessagePendingAndItIsRetriedUnderItsId) {
  const std::string id = FromPortal();
  sink_.Refuse(true);
  auto report = Deliver();
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(sink_.Messages(), IsEmpty());
  EXPECT_EQ(Deliver().failed, 0) << "backing off a minute";
  sink_.Refuse(false);
  clock_.Set(Timestamp{clock_.Now().micros + 61 * kMicrosPerSecond});
  EXPECT_EQ(Deliver().sent, 1);
  const auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(testing::SmtpSink::Header(messages[0], "Message-ID"), "<M-1.request@custodian.example.org>");
  const auto audited = Audited(id);
  ASSERT_EQ(audited.size(), 2u);
  EXPECT_EQ(audited[0], "requester_mail_failed {\"mail\":\"M-1\",\"event\":\"in_review\"}");
  EXPECT_EQ(audited[1], "requester_mail_sent {\"mail\":\"M-1\",\"event\":\"in_review\"}");
  // Two attempts on the row; the error cleared once it went.
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    const auto mails = cases::RequesterMailTx(sql).OfCase(id);
    EXPECT_EQ(mails.at(0).attempts, 2);
    EXPECT_FALSE(mails.at(0).last_error);
    EXPECT_EQ(mails.at(0).state, cases::RequesterMailState::kSent);
    return Status::Ok();
  }).ok());
}

TEST_P(RequesterMailTest, ACaseStaffEnteredSendsNothing) {
  auto v = instance_->workflow->Submit({Example("lcpd-subpoena"), cases::Entry::kStaff, {"intake-1"}});
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_TRUE(instance_->workflow->ReviewCase(v->record.id, {"reviewer-1"}, {}).ok());
  EXPECT_EQ(Deliver().sent, 0);
  EXPECT_THAT(sink_.Messages(), IsEmpty()) << "the document's own e-mail is not the sender's, unproven";
}

INSTANTIATE_TEST_SUITE_P(Stores, RequesterMailTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
