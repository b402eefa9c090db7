// Alerts leaving custodian, against both stores: by e-mail through a real SMTP server on
// loopback (smtp_sink.py, Debian's python3-aiosmtpd) with libcurl, and by a webhook signed as
// the notices' is; a refusing or absent server keeps the alert pending and it is retried; TLS
// and credentials as [mail] says.
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/alert_outbox.h"
#include "cases/case_store.h"
#include "cases/ledgers/audit_log.h"
#include "core/testing/run_tool.h"
#include "instance/test_instance.h"
#include "server/mail_transport.h"
#include "server/smtp_sink_testing.h"
#include "server/user_store.h"
#include "server/webhook_receiver_testing.h"
#include "server/webhook_transport.h"

namespace custodian::server {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kKey(32, 'a');
constexpr char kPassword[] = "an alert test password";
constexpr char kConsole[] = "https://custodian.example.org";

class AlertDeliveryTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    users_ = std::make_unique<UserStore>(*instance_->db, vault::SecretKey::Random(), clock_);
    ASSERT_TRUE(users_->AddUser("intake-1", {Role::kIntake}, kPassword, "setup", "intake@example.org").ok());
    ASSERT_TRUE(users_->AddUser("reviewer-1", {Role::kReviewer}, kPassword, "setup", "reviewer@example.org").ok());
    ASSERT_TRUE(users_->AddUser("approver-1", {Role::kApprover}, kPassword, "setup", "approver@example.org").ok());
    mail_ = Mail({sink_.Server(), "alerts@custodian.example.org"});
    webhook_ = std::make_unique<AlertWebhook>(
        WebhookTransport::Create(receiver_.Url(), kKey, clock_, {"alerts.webhook", "alerts.webhook_key_file"}).value(),
        kConsole);
  }
  std::unique_ptr<MailTransport> Mail(MailSettings settings) {
    settings.console_url = kConsole;
    auto mail = MailTransport::Create(std::move(settings), clock_);
    EXPECT_TRUE(mail.ok()) << mail.status().message();
    return mail.ok() ? std::move(mail).value() : nullptr;
  }
  cases::AlertRunReport Run(cases::AlertTransport* mail, cases::AlertTransport* webhook) {
    auto report = cases::AlertOutbox(*instance_->db, clock_, {mail, webhook}).Run();
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : cases::AlertRunReport{-1, -1, -1, -1};
  }
  std::string Emergency() {
    auto v = instance_->workflow->Submit({Example("emergency-unverified"), cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  // "kind channel state attempts" for each delivery of `user`'s alerts, newest first.
  std::vector<std::string> Deliveries(const std::string& user = "reviewer-1") {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      cases::AlertTx alerts(sql);
      for (const cases::AlertRecord& a : alerts.AlertsFor(user, 10)) {
        for (const cases::AlertDelivery& d : alerts.Deliveries(a.id)) {
          out.push_back(std::string(cases::AlertKindName(a.kind)) + " " +
                        std::string(cases::kAlertChannelNames[static_cast<size_t>(d.channel)]) + " " +
                        std::string(cases::kAlertDeliveryStateNames[static_cast<size_t>(d.state)]) + " " +
                        std::to_string(d.attempts) + (d.last_error ? " " + *d.last_error : ""));
        }
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  // The outbox's audit entries about a case: "action detail".
  std::vector<std::string> Audited(const std::string& id) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (const cases::AuditEntry& e : cases::CaseTx(sql).AuditOf(id)) {
        if (e.actor == "alerts") out.push_back(e.action + " " + e.detail);
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  void Advance(int64_t micros) { clock_.Set(Timestamp{clock_.Now().micros + micros}); }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  testing::SmtpSink sink_;
  testing::WebhookReceiver receiver_{kKey, "/hooks/alerts", "X-Custodian-Alert-Id"};
  std::unique_ptr<TestInstance> instance_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<MailTransport> mail_;
  std::unique_ptr<AlertWebhook> webhook_;
};

TEST_P(AlertDeliveryTest, AnAlertIsMailedToTheUsersWhoseRoleActsNextAndPostedSigned) {
  const std::string id = Emergency();  // verifying: intake and reviewer act next
  auto report = Run(mail_.get(), webhook_.get());
  EXPECT_EQ(report.raised, 1);
  EXPECT_EQ(report.sent, 2);
  EXPECT_EQ(report.failed, 0);

  const auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 1u);
  const json& m = messages[0];
  EXPECT_EQ(m["from"], "alerts@custodian.example.org");
  EXPECT_EQ(m["to"], json::parse(R"(["intake@example.org", "reviewer@example.org"])"))
      << "not the approver's: an unverified emergency waits on intake and review";
  EXPECT_EQ(testing::SmtpSink::Header(m, "Subject"), "[custodian] New emergency request " + id);
  EXPECT_EQ(testing::SmtpSink::Header(m, "To"), "intake@example.org, reviewer@example.org");
  EXPECT_EQ(testing::SmtpSink::Header(m, "From"), "alerts@custodian.example.org");
  EXPECT_EQ(testing::SmtpSink::Header(m, "Date"), "Thu, 12 Mar 2026 16:00:00 +0000");
  const std::string alert = testing::SmtpSink::Header(m, "X-Custodian-Alert-Id");
  EXPECT_EQ(alert, "A-2026-000001");
  EXPECT_EQ(testing::SmtpSink::Header(m, "Message-ID"), "<A-2026-000001.alert@custodian.example.org>");
  // The case id, the deadline and a link: nothing of the request (its targets, its requester).
  EXPECT_EQ(testing::SmtpSink::Body(m),
            "A new emergency request, " + id + ", is due 2026-03-12T16:04:05Z.\r\n\r\n"
            "Open the case: https://custodian.example.org/#/cases/" + id + "\r\n\r\n"
            "Alert A-2026-000001, raised 2026-03-12T16:00:00Z. You receive it because your role acts "
            "next on the case.\r\n");
  EXPECT_EQ(m["tls"], false) << "a plain sink on loopback: opportunistic by default";

  ASSERT_EQ(receiver_.ids.size(), 1u);
  EXPECT_EQ(receiver_.ids[0], alert);
  EXPECT_EQ(receiver_.good_signatures, 1);
  EXPECT_EQ(json::parse(receiver_.bodies[0]),
            json({{"alert_id", alert}, {"kind", "emergency"}, {"case_id", id}, {"hold_id", nullptr},
                  {"due_at", "2026-03-12T16:04:05Z"}, {"raised_at", "2026-03-12T16:00:00Z"},
                  {"recipients", {"intake-1", "reviewer-1"}},
                  {"link", "https://custodian.example.org/#/cases/" + id}}));

  // Sent once: the next run finds nothing to raise or send.
  report = Run(mail_.get(), webhook_.get());
  EXPECT_EQ(report.raised + report.sent + report.failed, 0);
  EXPECT_EQ(sink_.Messages().size(), 1u);
  EXPECT_EQ(receiver_.ids.size(), 1u);
  EXPECT_THAT(Deliveries(), ElementsAre("emergency mail sent 1", "emergency webhook sent 1"));
  EXPECT_THAT(Audited(id),
              ElementsAre("raise_alert {\"alert\":\"A-2026-000001\",\"kind\":\"emergency\",\"recipients\":2}",
                          "alert_sent {\"alert\":\"A-2026-000001\",\"channel\":\"mail\"}",
                          "alert_sent {\"alert\":\"A-2026-000001\",\"channel\":\"webhook\"}"));
}

TEST_P(AlertDeliveryTest, ARefusingOrAbsentServerKeepsTheAlertPendingAndItIsRetried) {
  const std::string id = Emergency();
  sink_.Refuse(true);
  receiver_.failures = 1;
  auto report = Run(mail_.get(), webhook_.get());
  EXPECT_EQ(report.raised, 1);
  EXPECT_EQ(report.failed, 2);
  EXPECT_THAT(Deliveries(),
              ElementsAre("emergency mail pending 1 the mail server did not take the message: Weird server reply "
                          "(SMTP 451)",
                          "emergency webhook pending 1 the webhook answered 500"));
  EXPECT_THAT(sink_.Messages(), IsEmpty());
  report = Run(mail_.get(), webhook_.get());
  EXPECT_EQ(report.sent + report.failed, 0) << "backing off a minute";

  sink_.Refuse(false);
  Advance(61 * kMicrosPerSecond);
  report = Run(mail_.get(), webhook_.get());
  EXPECT_EQ(report.sent, 2);
  ASSERT_EQ(sink_.Messages().size(), 1u);
  EXPECT_THAT(receiver_.ids, ElementsAre("A-2026-000001", "A-2026-000001")) << "a retry keeps the id";
  EXPECT_THAT(Deliveries(), ElementsAre("emergency mail sent 2", "emergency webhook sent 2"));

  // A mail server that is not there at all: a port bound and never listening refuses.
  const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto absent = Mail({"127.0.0.1:" + std::to_string(ntohs(address.sin_port)), "alerts@custodian.example.org"});
  clock_.Set(ParseDateTime("2026-03-12T16:05:00Z").value());  // the emergency is overdue now
  report = Run(absent.get(), nullptr);
  ::close(socket);
  EXPECT_EQ(report.raised, 1);
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(Deliveries()[0], HasSubstr("overdue mail pending 1 the mail server did not take the message: Couldn't "
                                         "connect to server"));
  Advance(61 * kMicrosPerSecond);
  report = Run(mail_.get(), nullptr);  // the server is back
  EXPECT_EQ(report.sent, 1);
  const auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(testing::SmtpSink::Header(messages[1], "Subject"), "[custodian] " + id + " is overdue");
  const auto audited = Audited(id);
  EXPECT_EQ(std::count_if(audited.begin(), audited.end(), [](const std::string& a) { return a.starts_with("alert_failed"); }), 3);
  EXPECT_EQ(std::count_if(audited.begin(), audited.end(), [](const std::string& a) { return a.starts_with("alert_sent"); }), 3);
}

TEST_P(AlertDeliveryTest, AnAlertNoRecipientCanBeMailedIsUnaddressedAndARefusedMailboxHoldsNoOneBack) {
  ASSERT_TRUE(users_->SetEmail("intake-1", std::nullopt, "setup").ok());
  ASSERT_TRUE(users_->SetEmail("reviewer-1", std::nullopt, "setup").ok());
  const std::string id = Emergency();
  auto report = Run(mail_.get(), webhook_.get());
  EXPECT_EQ(report.unaddressed, 1);
  EXPECT_EQ(report.sent, 1) << "the webhook";
  EXPECT_THAT(sink_.Messages(), IsEmpty());
  EXPECT_THAT(Deliveries(), ElementsAre("emergency mail unaddressed 0", "emergency webhook sent 1"));
  EXPECT_THAT(Audited(id)[1], HasSubstr("alert_unaddressed"));

  ASSERT_TRUE(users_->SetEmail("intake-1", "refused-intake@example.org", "setup").ok());
  ASSERT_TRUE(users_->SetEmail("reviewer-1", "reviewer@example.org", "setup").ok());
  clock_.Set(ParseDateTime("2026-03-12T16:05:00Z").value());
  report = Run(mail_.get(), nullptr);
  EXPECT_EQ(report.sent, 1);
  const auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["to"], json::parse(R"(["reviewer@example.org"])"));
}

// A server without one of the alert's channels (another server's, or dropped from its
// configuration) leaves that delivery pending for one that has it, and delivers the rest.
TEST_P(AlertDeliveryTest, AChannelNotConfiguredHereWaitsForAServerThatHasIt) {
  Emergency();
  ASSERT_EQ(*cases::AlertOutbox(*instance_->db, clock_, {mail_.get(), webhook_.get()}).Raise(), 1);
  auto posted = cases::AlertOutbox(*instance_->db, clock_, {nullptr, webhook_.get()}).DeliverDue(1);
  ASSERT_TRUE(posted.ok()) << posted.status().message();
  EXPECT_EQ(posted->sent, 1) << "the mail, first in line, is not this server's to send";
  EXPECT_THAT(Deliveries(), ElementsAre("emergency mail pending 0", "emergency webhook sent 1"));
  EXPECT_THAT(sink_.Messages(), IsEmpty());
  auto mailed = cases::AlertOutbox(*instance_->db, clock_, {mail_.get(), nullptr}).DeliverDue(1);
  ASSERT_TRUE(mailed.ok()) << mailed.status().message();
  EXPECT_EQ(mailed->sent, 1);
  EXPECT_EQ(sink_.Messages().size(), 1u);
}

TEST_P(AlertDeliveryTest, StartTlsAndCredentialsAsMailSays) {
  // Required TLS from a server that offers none: nothing is sent in the clear.
  auto required = Mail({sink_.Server(), "alerts@custodian.example.org", "", "", MailTls::kRequired});
  Emergency();
  auto report = Run(required.get(), nullptr);
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(Deliveries()[0], HasSubstr("mail pending 1 the mail server did not take the message: Requested SSL "
                                         "level failed"));
  EXPECT_THAT(sink_.Messages(), IsEmpty());

  // A server offering STARTTLS under a certificate of the instance's own CA, and asking for a
  // login: the message goes over TLS, authenticated.
  const std::string dir = sink_.dir().string();
  custodian::testing::RunTool("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + dir +
                              "/key.pem -out " + dir + "/cert.pem -days 2 -subj /CN=127.0.0.1 -addext "
                              "subjectAltName=IP:127.0.0.1 2>/dev/null");
  testing::SmtpSink secure({"--tls", dir + "/cert.pem", dir + "/key.pem", "--login", "alerts", "s3cret pass"});
  auto tls = Mail({secure.Server(), "alerts@custodian.example.org", "alerts", "s3cret pass", MailTls::kRequired,
                   dir + "/cert.pem"});
  Advance(61 * kMicrosPerSecond);
  report = Run(tls.get(), nullptr);
  EXPECT_EQ(report.sent, 1);
  const auto messages = secure.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["tls"], true);
  EXPECT_EQ(messages[0]["login"], "alerts");

  // Without the CA, the certificate is not taken, even opportunistically.
  auto untrusted = Mail({secure.Server(), "alerts@custodian.example.org", "", "", MailTls::kOpportunistic});
  clock_.Set(ParseDateTime("2026-03-12T16:05:00Z").value());
  report = Run(untrusted.get(), nullptr);
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(secure.Messages().size(), 1u);
}

TEST(MailTransportTest, SettingsAreCheckedAndCredentialsNeverCrossTheNetworkInTheClear) {
  ManualClock clock{Timestamp{0}};
  const auto error = [&](MailSettings s) {
    auto t = MailTransport::Create(std::move(s), clock);
    return t.ok() ? std::string("ok") : t.status().message();
  };
  EXPECT_EQ(error({"smtp.example.org:587", "alerts@example.org"}), "ok");
  EXPECT_EQ(error({"[::1]:25", "alerts@example.org"}), "ok");
  EXPECT_EQ(error({"smtp.example.org", "alerts@example.org"}),
            "mail.smtp: HOST:PORT (or [IPV6]:PORT), e.g. \"smtp.example.org:587\"");
  EXPECT_EQ(error({"smtp.example.org:0", "alerts@example.org"}), error({"smtp.example.org", "x@example.org"}));
  EXPECT_EQ(error({"smtp.example.org:25/x", "alerts@example.org"}), error({"smtp.example.org", "x@example.org"}));
  EXPECT_EQ(error({"smtp.example.org:587", "alerts"}), "mail.from: not an e-mail address (no @)");
  EXPECT_EQ(error({"smtp.example.org:587", "alerts@example.org", "alerts", ""}),
            "mail.password_file: the user name is given, the password is not");
  EXPECT_EQ(error({"smtp.example.org:587", "alerts@example.org", "", "secret"}),
            "mail.username: the password file is given, the user name is not");
  EXPECT_EQ(error({"smtp.example.org:587", "alerts@example.org", "alerts", "secret", MailTls::kOpportunistic}),
            "mail.tls: credentials go to a server beyond loopback only over TLS (tls = \"required\")");
  EXPECT_EQ(error({"127.0.0.1:25", "alerts@example.org", "alerts", "secret", MailTls::kNone}), "ok");
  EXPECT_EQ(MailTransport::Create({"smtp.example.org:587", "alerts@example.org"}, clock).value()->tls(),
            MailTls::kRequired);
  EXPECT_EQ(MailTransport::Create({"127.0.0.1:25", "alerts@example.org"}, clock).value()->tls(),
            MailTls::kOpportunistic);
}

INSTANTIATE_TEST_SUITE_P(Stores, AlertDeliveryTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
