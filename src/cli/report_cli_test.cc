// End-to-end tests of `custodian report` and `custodian report verify` through the built
// binary, on the instance's default SQLite case store: the three forms, and the exit statuses
// (0 holds, 1 does not hold, 2 bad input).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Example(const std::string& name) {
  return ProjectPath("examples/requests/" + name + ".json");
}

class ReportCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run("init" + Data()).exit_code, 0);
    Outcome imported = Run("agencies import" + Data() + " --actor admin " +
                           ProjectPath("spec/agencies.example.json"));
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    AddStaff();
    if (HasFatalFailure()) return;
    // Received on 2026-03-12: one approved, one pushed back, one from the UK left in review.
    const std::string approved = Ok("case submit --actor intake-1 " + Example("lcpd-subpoena"))["id"];
    Ok("case review " + approved + " --actor reviewer-1 --decision approve");
    Ok("case approve " + approved + " --actor approver-1");
    const std::string vague = Ok("case submit --actor intake-1 " + Example("vague-subpoena"))["id"];
    std::ofstream(root_ + "/letter.txt") << "Name the account.\n";
    Ok("case review " + vague + " --actor reviewer-1 --decision pushback --letter-file " + root_ + "/letter.txt");
    Ok("case submit --actor intake-1 " + Example("foreign-direct"));
  }
  json Ok(const std::string& args) {
    Outcome o = Run(args + Data());
    EXPECT_EQ(o.exit_code, 0) << args << "\n" << o.err;
    return o.exit_code == 0 ? json::parse(o.out) : json();
  }
  static constexpr const char* kPeriod = " --from 2026-01-01 --to 2026-07-01";
};

TEST_F(ReportCliTest, MakesTheReportInEachForm) {
  const json report = Ok(std::string("report --format json --actor auditor-1") + kPeriod);
  EXPECT_EQ(report["period"], json::parse(R"({"from": "2026-01-01", "to": "2026-07-01"})"));
  EXPECT_EQ(report["totals"]["requests"], 3);
  EXPECT_EQ(report["totals"]["pushed_back"], 1);
  EXPECT_EQ(report["by_country"], json::parse(R"([
      {"country": "GB", "requests": 1, "accounts_specified": 1, "with_data_produced": 0},
      {"country": "US", "requests": 2, "accounts_specified": 2, "with_data_produced": 0}])"));
  EXPECT_EQ(report["national_security"]["letters"], "0-249");
  EXPECT_EQ(report["tree_head"]["log"], "disclosures");
  EXPECT_EQ(report["tree_head"]["size"], 5);
  EXPECT_EQ(report["leaves_published"], false);
  EXPECT_FALSE(report.contains("leaves"));
  EXPECT_EQ(report["signature"]["key_id"], report["tree_head"]["key_id"]) << "signed with the ledger key";
  EXPECT_EQ(Ok(std::string("report --actor auditor-1") + kPeriod), report) << "JSON is the default";

  Outcome csv = Run(std::string("report --format csv --actor auditor-1") + kPeriod + Data());
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_TRUE(csv.out.starts_with("dimension,key,metric,value\r\nperiod,,from,2026-01-01\r\n"));
  EXPECT_THAT(csv.out, HasSubstr("\r\ntotals,,requests,3\r\n"));
  EXPECT_THAT(csv.out, HasSubstr("\r\nby_country,GB,requests,1\r\n"));
  EXPECT_THAT(csv.out, HasSubstr("\r\nleaves_published,,value,false\r\n"));
  EXPECT_THAT(csv.out, HasSubstr("\r\nsignature,,key_id," + report["signature"]["key_id"].get<std::string>() + "\r\n"));

  const std::string page = root_ + "/report.html";
  const json written = Ok(std::string("report --format html --actor auditor-1 --out ") + page + kPeriod);
  EXPECT_EQ(written["written"], page);
  const std::string html = ReadFile(page);
  EXPECT_EQ(written["bytes"], html.size());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart\" id=\"by-country\""));
  EXPECT_THAT(html, HasSubstr("<td>Requests received</td><td class=\"n\">3</td>"));
}

TEST_F(ReportCliTest, VerifyExitsZeroWhenTheReportHoldsAndOneWhenItDoesNot) {
  const std::string path = root_ + "/report.json";
  Ok(std::string("report --actor auditor-1 --out ") + path + kPeriod);
  // More requests after the report: it still holds.
  Ok("case submit --actor intake-1 " + Example("letter"));
  const json holds = Ok("report verify " + path);
  EXPECT_EQ(holds, json::parse(R"({"holds": true, "differences": []})"));

  json report = json::parse(ReadFile(path));
  report["totals"]["requests"] = 4;
  std::ofstream(path) << report.dump(2);
  Outcome changed = Run("report verify " + path + Data());
  EXPECT_EQ(changed.exit_code, 1);
  // The count differs from the ledgers, and the report is not the one the ledger key signed.
  const std::string key_id = report["signature"]["key_id"], signature = report["signature"]["value"];
  EXPECT_EQ(changed.err, "/totals/requests: the report says 4; the ledgers say 3\n"
                         "/signature/value: the report says \"" + signature + "\"; the ledgers say does not "
                         "verify with ledger key " + key_id + ": the report is not the one that was signed\n");
  const json found = json::parse(changed.out);
  EXPECT_EQ(found["holds"], false);
  EXPECT_EQ(found["differences"][0], json::parse(R"({"path": "/totals/requests", "reported": "4", "recomputed": "3"})"));
  EXPECT_EQ(found["differences"].size(), 2u);

  // A copy signed by no key of this instance is named so.
  report["totals"]["requests"] = 3;
  report["signature"]["key_id"] = "0000000000000000";
  std::ofstream(path) << report.dump(2);
  Outcome foreign = Run("report verify " + path + Data());
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_EQ(foreign.err, "/signature/key_id: the report says \"0000000000000000\"; the ledgers say no ledger key "
                         "of this instance has this id\n");
}

TEST_F(ReportCliTest, BadInputExitsTwoNamingIt) {
  const std::string path = root_ + "/report.json";
  Ok(std::string("report --actor auditor-1 --out ") + path + kPeriod);
  json report = json::parse(ReadFile(path));
  report["totals"].erase("requests");
  std::ofstream(path) << report.dump(2);
  Outcome malformed = Run("report verify " + path + Data());
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_EQ(malformed.err, path + ": /totals/requests: required\n");

  std::ofstream(path) << "{\"period\": ";
  Outcome broken = Run("report verify " + path + Data());
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, HasSubstr(path + ": /period: not valid JSON at 1:12"));
  EXPECT_EQ(Run("report verify " + root_ + "/missing.json" + Data()).exit_code, 2);
  EXPECT_EQ(Run("report verify" + Data()).exit_code, 2) << "no report named";
  Outcome leaves_alone = Run("report verify " + path + " --leaves " + path + Data());
  EXPECT_EQ(leaves_alone.exit_code, 2);
  EXPECT_EQ(leaves_alone.err, "--leaves: needs --ledger-key\n");

  const struct {
    std::string args;
    std::string message;
  } bad[] = {
      {" --from 2026-07-01 --to 2026-01-01 --actor a", "--to: not after --from\n"},
      {" --from 2026-01-01 --to 2026-01-01 --actor a", "--to: not after --from\n"},
      {" --from 2026-13-01 --to 2027-01-01 --actor a", "--from: not a date (no such month)\n"},
      {" --from 2026-01-01 --to July --actor a", "--to: not a date (YYYY-MM-DD)\n"},
      {" --from 2026-01-01 --actor a", "--to: required (YYYY-MM-DD)\n"},
      {std::string(kPeriod), "--actor: required\n"},
  };
  for (const auto& b : bad) {
    Outcome o = Run("report" + b.args + Data());
    EXPECT_EQ(o.exit_code, 2) << b.args;
    EXPECT_EQ(o.err, b.message) << b.args;
  }
  Outcome no_data = Run(std::string("report --actor a") + kPeriod);
  EXPECT_EQ(no_data.exit_code, 2);
  EXPECT_EQ(no_data.err, "--data: required\n");
  EXPECT_EQ(Run(std::string("report --format xml --actor a") + kPeriod + Data()).exit_code, 2);
}

}  // namespace
}  // namespace custodian

namespace custodian {
namespace {

// [reports] publish_leaves in the instance's standards: the report carries its leaves,
// suppresses nothing, says so in each form, and verifies from itself with the public key.
TEST_F(ReportCliTest, PublishingTheLeavesIsTheStandardsChoice) {
  std::string standards = ReadFile(ProjectPath("policies/us-default.toml"));
  const std::string off = "suppress_below = 0\n";
  ASSERT_NE(standards.find(off), std::string::npos);
  standards.replace(standards.find(off), off.size(), "suppress_below = 5\n");
  const std::string publish = "publish_leaves = false\n";
  ASSERT_NE(standards.find(publish), std::string::npos);
  standards.replace(standards.find(publish), publish.size(), "publish_leaves = true\n");
  const std::string file = root_ + "/standards.toml";
  std::ofstream(file) << standards;
  Ok("policy install " + file + " --actor admin");

  const std::string path = root_ + "/report.json";
  Ok(std::string("report --actor auditor-1 --out ") + path + kPeriod);
  const json report = json::parse(ReadFile(path));
  EXPECT_EQ(report["leaves_published"], true);
  EXPECT_EQ(report["suppressed_below"], 0) << "the standards' 5 does not apply";
  EXPECT_EQ(report["leaves"].size(), report["tree_head"]["size"].get<size_t>());
  EXPECT_EQ(report["by_country"][0]["requests"], 1) << "GB: one request, shown";
  Outcome csv = Run(std::string("report --format csv --actor auditor-1") + kPeriod + Data());
  EXPECT_THAT(csv.out, HasSubstr("\r\nsuppressed_below,,value,0\r\nleaves_published,,value,true\r\n"));
  Outcome html = Run(std::string("report --format html --actor auditor-1") + kPeriod + Data());
  EXPECT_THAT(html.out, HasSubstr("No count is suppressed in this report"));

  const std::string key = root_ + "/ledger.pub";
  std::ofstream(key) << Run("keys export-public --ledger" + Data()).out;
  Outcome offline = Run("report verify " + path + " --ledger-key " + key);
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(json::parse(offline.out)["leaves"], report["tree_head"]["size"]);
  EXPECT_EQ(Ok("report verify " + path)["holds"], true) << "and with the instance";
}

TEST_F(ReportCliTest, AnOutsideAuditorsTokenIsMadeAndListedByItsKind) {
  const json made = Ok("user token create --external-auditor outside-firm --actor admin");
  const std::string token = made["token"];
  EXPECT_TRUE(token.starts_with("cst_"));
  const json listed = Ok("user token list");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["kind"], "external_auditor");
  EXPECT_EQ(listed[0]["name"], "outside-firm");
  EXPECT_EQ(listed[0]["id"], token.substr(4, 16));
  Outcome two = Run("user token create --external-auditor a --service b --actor admin" + Data());
  EXPECT_EQ(two.exit_code, 2);
}

}  // namespace
}  // namespace custodian
