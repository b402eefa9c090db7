// End-to-end tests of staff e-mail addresses (`user add --email`, `user email`) and of
// `custodian alerts run|list` and `serve`'s alert scan through the built binary: mail through
// a real SMTP server on loopback (STARTTLS, a login from a password file), the webhook to a
// real receiver, and the configuration's errors.

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "core/testing/run_tool.h"
#include "server/smtp_sink_testing.h"
#include "server/webhook_receiver_testing.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class UserEmailCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  }
};

TEST_F(UserEmailCliTest, AUsersAddressIsCheckedSetAndRemoved) {
  Outcome added = Run("user add ana --role reviewer --email ana@legal.example.org --actor admin" + Data(),
                      "correct horse battery staple\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(json::parse(added.out)["email"], "ana@legal.example.org");
  Outcome bad = Run("user add bo --role approver --email 'bo at legal' --actor admin" + Data(),
                    "correct horse battery staple\n");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "email: not an e-mail address (no @)\n");
  EXPECT_EQ(json::parse(Run("user list" + Data()).out).size(), 1u) << "bo was not added";

  Outcome changed = Run("user email ana ana.perez@legal.example.org --actor admin" + Data());
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(json::parse(changed.out)["email"], "ana.perez@legal.example.org");
  Outcome wrong = Run("user email ana 'ana@legal.example.org, eve@example.net' --actor admin" + Data());
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("email: not an e-mail address"));
  EXPECT_EQ(json::parse(Run("user list" + Data()).out)[0]["email"], "ana.perez@legal.example.org");
  EXPECT_EQ(Run("user email ana --actor admin" + Data()).exit_code, 2) << "an address or --remove";
  EXPECT_EQ(Run("user email nobody x@example.org --actor admin" + Data()).exit_code, 2);
  Outcome removed = Run("user email ana --remove --actor admin" + Data());
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(json::parse(removed.out)["email"], nullptr);
}

class AlertCliTest : public InstanceCliTest {
 protected:
  void SetUp() override {
    InstanceCliTest::SetUp();
    if (HasFatalFailure()) return;
    for (const auto& [user, address] : {std::pair{"intake-1", "intake@example.org"},
                                        std::pair{"reviewer-1", "reviewer@example.org"}}) {
      ASSERT_EQ(Run(std::string("user email ") + user + " " + address + " --actor operator" + Data()).exit_code, 0);
    }
    std::ofstream(data_ + "/alerts.key") << std::string(32, 'w') << "\n";
  }
  void Configure(const std::string& toml) { std::ofstream(data_ + "/custodian.toml") << toml; }
  // [mail] to the sink, and [alerts] to the receiver (paths relative to the data directory).
  std::string Channels(const std::string& mail) {
    return "[mail]\n" + mail + "from = \"alerts@custodian.example.org\"\n[alerts]\nwebhook = \"" +
           receiver_.Url() + "\"\nwebhook_key_file = \"alerts.key\"\nconsole_url = \"https://custodian.example.org\"\n";
  }

  testing::WebhookReceiver receiver_{std::string(32, 'w'), "/hooks/alerts", "X-Custodian-Alert-Id"};
};

TEST_F(AlertCliTest, AlertsRunMailsOverStartTlsWithALoginAndPostsTheWebhook) {
  // A server offering STARTTLS under the instance's own CA, asking for a login.
  testing::RunTool("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + root_ +
                   "/key.pem -out " + data_ + "/smtp-ca.pem -days 2 -subj /CN=127.0.0.1 -addext "
                   "subjectAltName=IP:127.0.0.1 2>/dev/null");
  testing::SmtpSink sink({"--tls", data_ + "/smtp-ca.pem", root_ + "/key.pem", "--login", "custodian", "a mail secret"});
  std::ofstream(data_ + "/smtp.password") << "a mail secret\n";
  Configure(Channels("smtp = \"" + sink.Server() + "\"\ntls = \"required\"\nca_file = \"smtp-ca.pem\"\n"
                     "username = \"custodian\"\npassword_file = \"smtp.password\"\n"));
  // Received in March, due an hour later: an emergency still to decide, and overdue.
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/emergency-unverified.json"))["id"];

  Outcome run = Run("alerts run" + Data());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(json::parse(run.out), json::parse(R"({"raised": 2, "sent": 4, "failed": 0, "unaddressed": 0})"));
  EXPECT_EQ(run.out.find("a mail secret"), std::string::npos);
  EXPECT_EQ(run.err, "");
  const auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 2u);
  std::vector<std::string> subjects;
  for (const json& m : messages) {
    EXPECT_EQ(m["to"], json::parse(R"(["intake@example.org", "reviewer@example.org"])"));
    EXPECT_EQ(m["tls"], true);
    EXPECT_EQ(m["login"], "custodian");
    EXPECT_THAT(testing::SmtpSink::Body(m), HasSubstr("Open the case: https://custodian.example.org/#/cases/" + id));
    subjects.push_back(testing::SmtpSink::Header(m, "Subject"));
  }
  EXPECT_THAT(subjects, ElementsAre("[custodian] New emergency request " + id, "[custodian] " + id + " is overdue"));
  EXPECT_EQ(receiver_.good_signatures, 2);

  const json mine = Ok("alerts list --actor reviewer-2");
  ASSERT_EQ(mine.size(), 2u) << "reviewer-2 has no address, and sees them all the same";
  EXPECT_EQ(mine[0]["kind"], "overdue");
  EXPECT_EQ(mine[1]["kind"], "emergency");
  EXPECT_EQ(mine[1]["case_id"], id);
  EXPECT_EQ(Ok("alerts list --actor approver-1"), json::array());
  EXPECT_EQ(Run("alerts list --actor nobody" + Data()).exit_code, 2);

  Outcome again = Run("alerts run" + Data());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out), json::parse(R"({"raised": 0, "sent": 0, "failed": 0, "unaddressed": 0})"));
  EXPECT_EQ(sink.Messages().size(), 2u);
}

TEST_F(AlertCliTest, AFailedDeliveryExitsOneAndStaysPending) {
  testing::SmtpSink sink;
  sink.Refuse(true);
  Configure(Channels("smtp = \"" + sink.Server() + "\"\n"));
  Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/emergency-unverified.json"));
  Outcome run = Run("alerts run" + Data());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(json::parse(run.out), json::parse(R"({"raised": 2, "sent": 2, "failed": 2, "unaddressed": 0})"));
  EXPECT_EQ(run.err, "2 deliveries failed; they stay pending and are retried (custodian alerts list shows where "
                     "they stand)\n");
  EXPECT_TRUE(sink.Messages().empty());
}

TEST_F(AlertCliTest, TheConfigurationIsReadStrictly) {
  const std::string file = data_ + "/custodian.toml";
  const auto error = [&](const std::string& toml) {
    Configure(toml);
    Outcome o = Run("alerts run" + Data());
    EXPECT_EQ(o.exit_code, 2) << toml;
    return o.err;
  };
  EXPECT_EQ(error("[mail]\nsmtp = \"127.0.0.1:25\"\n"), file + ":1:1: missing key 'mail.from'\n");
  EXPECT_EQ(error("[mail]\nsmtp = \"127.0.0.1:25\"\nfrom = \"alerts\"\n"),
            file + ":3:8: 'mail.from': not an e-mail address (no @)\n");
  EXPECT_EQ(error("[mail]\nsmtp = \"127.0.0.1:25\"\nfrom = \"a@example.org\"\ntls = \"sometimes\"\n"),
            file + ":4:7: 'mail.tls' must be \"required\", \"opportunistic\" or \"none\"\n");
  EXPECT_EQ(error("[mail]\nsmtp = \"127.0.0.1:25\"\nfrom = \"a@example.org\"\nusername = \"u\"\n"),
            file + ":1:1: 'mail.username' and 'mail.password_file' go together\n");
  EXPECT_EQ(error("[mail]\nsmtp = \"smtp.example.org\"\nfrom = \"a@example.org\"\n"),
            "mail.smtp: HOST:PORT (or [IPV6]:PORT), e.g. \"smtp.example.org:587\"\n");
  EXPECT_EQ(error("[mail]\nsmtp = \"smtp.example.org:587\"\nfrom = \"a@example.org\"\nusername = \"u\"\n"
                  "password_file = \"nowhere\"\n"),
            "mail.password_file: " + data_ + "/nowhere: No such file or directory\n");
  std::ofstream(data_ + "/pw") << "secret\n";
  EXPECT_EQ(error("[mail]\nsmtp = \"smtp.example.org:587\"\nfrom = \"a@example.org\"\nusername = \"u\"\n"
                  "password_file = \"pw\"\ntls = \"opportunistic\"\n"),
            "mail.tls: credentials go to a server beyond loopback only over TLS (tls = \"required\")\n");
  EXPECT_EQ(error("[alerts]\nwebhook = \"https://chat.example.org/hook\"\n"),
            file + ":1:1: 'alerts.webhook' and 'alerts.webhook_key_file' go together\n");
  EXPECT_EQ(error("[alerts]\nwebhook = \"ftp://chat.example.org/hook\"\nwebhook_key_file = \"alerts.key\"\n"),
            "alerts.webhook: not an http:// or https:// URL\n");
  EXPECT_EQ(error("[alerts]\ninterval_seconds = 1\n"),
            file + ":2:20: 'alerts.interval_seconds' must be between 10 and 86400\n");
  EXPECT_EQ(error("[alerts]\nconsole_url = \"custodian.example.org\"\n"),
            file + ":2:15: 'alerts.console_url' must be an http:// or https:// URL without spaces\n");
  EXPECT_EQ(error("[alerts]\nwebhok = \"x\"\n"), file + ":2:1: unknown key 'alerts.webhok' (did you mean 'webhook'?)\n");
}

// `serve` scans at once when it starts, then every interval: the alert is mailed without any
// other command.
TEST_F(AlertCliTest, ServeRaisesAndMailsAlerts) {
  testing::SmtpSink sink;
  Configure(Channels("smtp = \"" + sink.Server() + "\"\n") + "interval_seconds = 10\n");
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/emergency-unverified.json"))["id"];
  const pid_t child = StartServe(root_ + "/serve.err");
  ASSERT_GE(child, 0);
  // A bound on the wait (two minutes), not a measure of speed.
  for (int i = 0; i < 1200 && sink.Messages().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  StopServe(child, root_ + "/serve.err");
  const auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 2u) << ReadFile(root_ + "/serve.err");
  EXPECT_EQ(testing::SmtpSink::Header(messages[0], "Subject"), "[custodian] New emergency request " + id);
  EXPECT_EQ(Ok("alerts list --actor intake-1").size(), 2u);
}

}  // namespace
}  // namespace custodian
