// The policy commands end to end through the `custodian` binary: what they print, where, and their exit status.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "core/sha256.h"

namespace custodian {
namespace {

using nlohmann::json;

// The policy commands, which need no instance.
class PolicyCliTest : public CliTest {
 protected:
  fs::path Write(const std::string& name, const std::string& content) {
    const fs::path p = fs::path(root_) / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  static std::string Example(const std::string& name) {
    return std::string(CUSTODIAN_SOURCE_DIR) + "/examples/requests/" + name;
  }
  static std::string Agencies() { return std::string(CUSTODIAN_SOURCE_DIR) + "/examples/agencies.json"; }
};

TEST_F(PolicyCliTest, PolicyCheckPrintsTheDecisionDocument) {
  const Outcome r = Run("policy check " + Example("lcpd-subpoena.json") + " --agencies " + Agencies());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json d = json::parse(r.out);
  EXPECT_EQ(d["action"], "produce");
  EXPECT_EQ(d["standards"]["name"], "us-default");
  EXPECT_EQ(d["standards"]["version"], "1");
  // The built-in standards are the shipped file, byte for byte.
  EXPECT_EQ(d["standards"]["sha256"],
            Sha256Hex(ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml")));
  EXPECT_EQ(d["registry"]["agencies"], 9);
  EXPECT_EQ(d["registry"]["sha256"], Sha256Hex(ReadFile(Agencies())));
  // Keys in the order spec/decision.md gives them.
  const std::string text = r.out;
  EXPECT_LT(text.find("\"action\""), text.find("\"findings\""));
  EXPECT_LT(text.find("\"findings\""), text.find("\"authorized\""));
  EXPECT_LT(text.find("\"authorized\""), text.find("\"notice\""));
  EXPECT_LT(text.find("\"notice\""), text.find("\"standards\""));
  EXPECT_LT(text.find("\"standards\""), text.find("\"registry\""));
}

TEST_F(PolicyCliTest, EveryShippedExampleDecidesAsExpected) {
  for (const auto& entry : fs::directory_iterator(std::string(CUSTODIAN_SOURCE_DIR) + "/examples/requests")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const Outcome r = Run("policy check " + entry.path().string() + " --agencies " + Agencies());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json expected = json::parse(ReadFile(entry.path().parent_path() / "expected" / entry.path().filename()));
    EXPECT_EQ(json::parse(r.out)["action"], expected["action"]);
  }
}

TEST_F(PolicyCliTest, TheSameRequestGivesTheSameBytes) {
  const std::string args = "policy check " + Example("emergency-verified-narrowed.json") +
                           " --agencies " + Agencies();
  EXPECT_EQ(Run(args).out, Run(args).out);
}

TEST_F(PolicyCliTest, ReadsTheRequestFromStandardInput) {
  const Outcome r = Run("policy check - --agencies " + Agencies(), ReadFile(Example("letter.json")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["action"], "reject");
}

TEST_F(PolicyCliTest, AnInvalidDocumentPrintsEveryProblemAndExits2) {
  json doc = json::parse(ReadFile(Example("lcpd-subpoena.json")));
  doc["process"]["issued_on"] = "March 9";
  doc["requester"]["country"] = "usa";
  const Outcome r = Run("policy check " + Write("bad.json", doc.dump()).string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "/requester/country: not a country code (two capital letters, ISO 3166-1 alpha-2)\n"
            "/process/issued_on: not a date (YYYY-MM-DD)\n");
}

TEST_F(PolicyCliTest, NotJsonExits2) {
  const Outcome r = Run("policy check " + Write("bad.json", "{\"received_at\": nope}").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "/received_at: not valid JSON (line 1, column 17): unexpected character\n");
}

TEST_F(PolicyCliTest, ADocumentOver1MiBIsRefused) {
  const Outcome r = Run("policy check " + Write("big.json", std::string((1 << 20) + 1, ' ')).string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "/: the document is larger than 1 MiB\n");
}

TEST_F(PolicyCliTest, UnreadableFilesExit2) {
  Outcome r = Run("policy check " + (fs::path(root_) / "nope.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, (fs::path(root_) / "nope.json").string() + ": No such file or directory\n");
  r = Run("policy check " + Example("letter.json") + " --agencies " + root_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, root_ + ": Is a directory\n");
}

TEST_F(PolicyCliTest, AnInvalidStandardsFileExits2WithLineAndColumn) {
  const fs::path policy = Write("policy.toml", "name = \"mine\"\nversion = 2\n");
  const Outcome r = Run("policy check " + Example("letter.json") + " --policy " + policy.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            policy.string() + ":2:11: 'version' must be a string, not an integer");
}

TEST_F(PolicyCliTest, AnEditedStandardsFileIsUsedAndNamed) {
  std::string text = ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml");
  text.replace(text.find("name = \"us-default\""), 19, "name = \"acme-2026\"");
  const fs::path policy = Write("acme.toml", text);
  const Outcome r = Run("policy check " + Example("lcpd-subpoena.json") + " --policy " +
                          policy.string() + " --agencies " + Agencies());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json d = json::parse(r.out);
  EXPECT_EQ(d["standards"]["name"], "acme-2026");
  EXPECT_EQ(d["standards"]["sha256"], Sha256Hex(text));
  const Outcome v = Run("policy validate " + policy.string());
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(json::parse(v.out)["sha256"], Sha256Hex(text));
}

TEST_F(PolicyCliTest, AnInvalidRegistryExits2) {
  const fs::path agencies = Write("agencies.json", "[{\"id\": 7}]");
  const Outcome r = Run("policy check " + Example("letter.json") + " --agencies " + agencies.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            agencies.string() + ":1:9: /0/id: expected a string, got a number");
}

TEST_F(PolicyCliTest, UsageErrorsExit2) {
  EXPECT_EQ(Run("").exit_code, 2);
  EXPECT_EQ(Run("policy check").exit_code, 2);
  EXPECT_EQ(Run("policy check a.json --polcy x").exit_code, 2);
  EXPECT_EQ(Run("frobnicate").exit_code, 2);
  const Outcome help = Run("policy check --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--agencies"), std::string::npos);
}

}  // namespace
}  // namespace custodian
