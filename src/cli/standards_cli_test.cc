// `custodian policy install|show|check --data` and `case decide-again` through the binary: an
// instance decides under the standards it installed, and a bad file changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"
#include "core/sha256.h"

namespace custodian {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class StandardsCliTest : public InstanceCliTest {
 protected:
  // The shipped standards with `from` replaced by `to`, written to FILE in the test's root.
  std::string Edited(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml");
    text.replace(text.find(from), from.size(), to);
    const std::string path = root_ + "/" + file;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static std::string Request() {
    return std::string(CUSTODIAN_SOURCE_DIR) + "/examples/requests/lcpd-subpoena.json";
  }
  static std::string BuiltIn() {
    return Sha256Hex(ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml"));
  }
};

TEST_F(StandardsCliTest, AnInstanceDecidesUnderTheStandardsItInstalled) {
  const std::string before = Ok("case submit --actor intake-1 " + Request())["id"];
  EXPECT_EQ(Ok("policy show")["current"]["built_in"], true);

  const std::string stricter = Edited("stricter.toml", "label = \"a subpoena\"\ncategories = [\"basic_subscriber\", \"access_log\"]",
                                      "label = \"a subpoena\"\ncategories = [\"basic_subscriber\"]");
  const json installed = Ok("policy install --actor admin-1 " + stricter);
  const std::string sha = Sha256Hex(ReadFile(stricter));
  EXPECT_EQ(installed["installed"]["sha256"], sha);
  EXPECT_EQ(installed["installed"]["installed_by"], "admin-1");
  const json shown = Ok("policy show --document");
  EXPECT_EQ(shown["current"]["sha256"], sha);
  EXPECT_EQ(shown["current"]["document"], ReadFile(stricter));
  EXPECT_EQ(shown["installed"].size(), 1u);

  // policy check --data decides as the instance would; an explicit --policy still wins.
  Outcome check = Run("policy check " + Request() + Data());
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(json::parse(check.out)["standards"]["sha256"], sha);
  EXPECT_EQ(json::parse(check.out)["action"], "produce_narrowed");
  check = Run("policy check " + Request() + Data() + " --policy " +
              std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml");
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(json::parse(check.out)["standards"]["sha256"], BuiltIn());

  const json after = Ok("case submit --actor intake-1 " + Request());
  EXPECT_EQ(after["decision"]["standards"]["sha256"], sha);

  // The case decided before keeps its decision until a reviewer decides it again.
  EXPECT_EQ(Ok("case show --actor reviewer-1 " + before)["decision"]["standards"]["sha256"], BuiltIn());
  const json again = Ok("case decide-again --actor reviewer-1 " + before);
  EXPECT_EQ(again["state"], "in_review");
  EXPECT_EQ(again["decision"]["standards"]["sha256"], sha);
}

TEST_F(StandardsCliTest, ABadFileIsRefusedWithItsLineAndNothingChanges) {
  const std::string bad = Edited("bad.toml", "wait_days = 10", "wait_days = \"ten\"");
  Outcome o = Run("policy install --actor admin-1 " + bad + Data());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, StartsWith(bad + ":"));
  EXPECT_THAT(o.err, HasSubstr("wait_days"));
  const json shown = Ok("policy show");
  EXPECT_EQ(shown["current"]["sha256"], BuiltIn());
  EXPECT_TRUE(shown["installed"].empty());
  // A file that is not there: exit 2 too.
  EXPECT_EQ(Run("policy install --actor admin-1 " + root_ + "/none.toml" + Data()).exit_code, 2);
}

}  // namespace
}  // namespace custodian
