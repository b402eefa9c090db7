// End-to-end tests of `custodian user …` through the built binary.
#include <signal.h>

#include <httplib.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "ledger/public_keys.h"
#include "ledger/tree_head.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class UserCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  }
};

TEST_F(UserCliTest, UsersTotpAndTokens) {
  Outcome added = Run("user add ana --role reviewer --role approver --actor admin" + Data(),
                      "correct horse battery staple\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(json::parse(added.out)["roles"], json::parse(R"(["reviewer", "approver"])"));
  EXPECT_EQ(Run("user add ana --role admin --actor admin" + Data(), "correct horse battery staple\n").exit_code, 2);
  Outcome weak = Run("user add bo --role admin --actor admin" + Data(), "short\n");
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_THAT(weak.err, HasSubstr("at least 12"));
  EXPECT_EQ(Run("user add bo --role root --actor admin" + Data(), "correct horse battery staple\n").exit_code, 2);

  Outcome totp = Run("user totp ana --actor admin" + Data());
  ASSERT_EQ(totp.exit_code, 0) << totp.err;
  EXPECT_THAT(json::parse(totp.out)["otpauth_uri"].get<std::string>(),
              ::testing::StartsWith("otpauth://totp/custodian:ana?secret="));
  EXPECT_EQ(json::parse(Run("user list" + Data()).out)[0]["totp"], true);

  // A requester's token acts for an active account, which an operator may add.
  Outcome unknown = Run("user token create --requester lcpd --account a@las-cruces.org --actor admin" + Data());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--account: no active requester account"));
  ASSERT_EQ(Run("agencies import --actor admin " + ProjectPath("spec/agencies.example.json") + Data()).exit_code, 0);
  EXPECT_EQ(Run("user requester add a@example.com --name A --actor admin" + Data(), "correct horse battery staple\n").exit_code, 2)
      << "no agency has the domain";
  Outcome requester = Run("user requester add A@las-cruces.org --name \"A. Officer\" --actor admin" + Data(),
                          "correct horse battery staple\n");
  ASSERT_EQ(requester.exit_code, 0) << requester.err;
  EXPECT_EQ(json::parse(requester.out)["agency_id"], "us-nm-lcpd");
  EXPECT_EQ(json::parse(requester.out)["state"], "active");
  Outcome token = Run("user token create --requester lcpd --account a@las-cruces.org --actor admin" + Data());
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string secret = json::parse(token.out)["token"];
  const json listed = json::parse(Run("user token list" + Data()).out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["kind"], "requester");
  EXPECT_EQ(listed[0]["agency_id"], "us-nm-lcpd");
  EXPECT_EQ(listed[0]["account"], json::parse(requester.out)["id"]);
  EXPECT_EQ(Run("user token list" + Data()).out.find(secret.substr(21)), std::string::npos);
  EXPECT_EQ(Run("user token create --actor admin" + Data()).exit_code, 2);
  EXPECT_EQ(Run("user token revoke " + listed[0]["id"].get<std::string>() + " --actor admin" + Data()).exit_code, 0);
  EXPECT_EQ(json::parse(Run("user token list" + Data()).out)[0]["revoked"], true);
  EXPECT_EQ(Run("user disable nobody --actor admin" + Data()).exit_code, 2);
}

TEST_F(UserCliTest, ServeAnswersOnLoopbackAndStopsOnSigterm) {
  Outcome beyond = Run("serve --listen 0.0.0.0:8080" + Data());
  EXPECT_EQ(beyond.exit_code, 2);
  EXPECT_THAT(beyond.err, HasSubstr("TLS"));
  EXPECT_EQ(Run("serve --listen nowhere" + Data()).exit_code, 2);

  const std::string err = root_ + "/serve.err";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string command = std::string(CUSTODIAN_BINARY) + " serve --listen 127.0.0.1:0" + Data() + " 2> " + err;
    ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
    ::_exit(127);
  }
  // However the test ends, the server does not outlive it.
  struct Reaper {
    pid_t pid;
    bool reaped = false;
    ~Reaper() {
      if (reaped) return;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{child};
  std::string line;
  for (int i = 0; i < 3000 && line.find("/api/v1") == std::string::npos; ++i) {
    ::usleep(20000);
    line = ReadFile(err);
  }
  ASSERT_THAT(line, HasSubstr("serving http://127.0.0.1:"));
  const int port = std::stoi(line.substr(line.find("127.0.0.1:") + 10));
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/api/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(client.Get("/api/v1/cases")->status, 401);
  // Its background duties sign both logs' heads from the start, with the published key.
  for (const std::string log : {"audit", "disclosures"}) {
    const std::string path = "/api/v1/ledger/" + log + "/head";
    auto head = client.Get(path.c_str());
    for (int i = 0; i < 500 && head && head->status == 404; ++i) {
      ::usleep(20000);
      head = client.Get(path.c_str());
    }
    ASSERT_TRUE(head);
    ASSERT_EQ(head->status, 200) << log << ": " << head->body;
    const auto keys = ledger::ParseLedgerPublicKeys(client.Get("/api/v1/keys")->body);
    ASSERT_TRUE(keys.ok()) << keys.status().message();
    EXPECT_TRUE(ledger::VerifyWithTrustedKeys(ledger::ParseTreeHead(head->body).value(), *keys).ok()) << log;
  }
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  reaper.reaped = true;
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace custodian
