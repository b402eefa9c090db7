// End-to-end tests of `custodian user …` through the built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"

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

  Outcome token = Run("user token create --requester lcpd --agency us-nm-lcpd --email a@las-cruces.org --actor admin" + Data());
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string secret = json::parse(token.out)["token"];
  const json listed = json::parse(Run("user token list" + Data()).out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["kind"], "requester");
  EXPECT_EQ(Run("user token list" + Data()).out.find(secret.substr(21)), std::string::npos);
  EXPECT_EQ(Run("user token create --actor admin" + Data()).exit_code, 2);
  EXPECT_EQ(Run("user token revoke " + listed[0]["id"].get<std::string>() + " --actor admin" + Data()).exit_code, 0);
  EXPECT_EQ(json::parse(Run("user token list" + Data()).out)[0]["revoked"], true);
  EXPECT_EQ(Run("user disable nobody --actor admin" + Data()).exit_code, 2);
}

}  // namespace
}  // namespace custodian
