// VerifyReport over both stores: an untouched report holds, and so does an older one after
// the logs grew; any single count changed, any head changed, a report of another instance and
// leaves changed behind custodian's back are each refused, naming where.
#include "reports/report_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "reports/report_counts.h"
#include "reports/report_fixture.h"
#include "reports/report_json.h"

namespace custodian::reports {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::IsSupersetOf;

class ReportVerifyTest : public ReportStoreTest {
 protected:
  void SetUp() override {
    ReportStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no PostgreSQL server outside the suite
    standards_ = instance_->default_standards;
    standards_.report_suppress_below = 3;
  }
  json Published() {
    auto report = Make("2026-01-01", "2026-07-01", standards_);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? json::parse(ReportToJson(*report).dump()) : json();
  }
  ReportCheck Check(const json& report) {
    auto check = VerifyReport(report, *instance_->db, *ledgers_, *keys_, standards_);
    EXPECT_TRUE(check.ok()) << check.status().message();
    return check.ok() ? *check : ReportCheck{{{"", "", "the check failed"}}};
  }
  static std::vector<std::string> Paths(const ReportCheck& check) {
    std::vector<std::string> paths;
    for (const ReportDifference& d : check.differences) paths.push_back(d.path);
    return paths;
  }

  Standards standards_;
};

// The pointers of every count in a report: numbers, suppressed counts ("<3") and bands.
void CountPointers(const json& value, const std::string& at, std::vector<std::string>& out) {
  if (value.is_object() || value.is_array()) {
    for (const auto& [key, child] : value.items()) CountPointers(child, at + "/" + key, out);
  } else if (value.is_number() || (value.is_string() && value.get<std::string>().starts_with('<')) ||
             at.starts_with("/national_security/")) {
    out.push_back(at);
  }
}

// The same count, changed: one more, one more than the threshold, the next band.
json Changed(const json& count) {
  if (count.is_number()) return count.get<uint64_t>() + 1;
  const std::string text = count.get<std::string>();
  if (text.starts_with('<')) return "<" + std::to_string(std::stoll(text.substr(1)) + 1);
  return Band(std::stoll(text) + 250, 250);
}

TEST_P(ReportVerifyTest, AnUntouchedReportHolds) {
  History();
  const ReportCheck check = Check(Published());
  EXPECT_TRUE(check.holds()) << ::testing::PrintToString(Paths(check));
}

TEST_P(ReportVerifyTest, AnyCountChangedIsRefusedNamingIt) {
  History();
  const json published = Published();
  std::vector<std::string> counts;
  CountPointers(published, "", counts);
  ASSERT_EQ(counts.size(), 12u + 4 * 3 + 6 * 2 + 3 * 2 + 6 + 2 + 1 + 2)
      << "totals, countries, process types, agency types, months, bands, threshold, head sizes";
  for (const std::string& pointer : counts) {
    SCOPED_TRACE(pointer);
    json changed = published;
    json& count = changed[json::json_pointer(pointer)];
    count = Changed(count);
    const ReportCheck check = Check(changed);
    EXPECT_FALSE(check.holds());
    EXPECT_THAT(Paths(check), Contains(pointer));
  }
  // What a difference says, for one of them.
  json changed = published;
  changed["totals"]["rejected"] = 0;
  const ReportCheck found = Check(changed);
  ASSERT_EQ(found.differences.size(), 2u);
  EXPECT_EQ(found.differences[0], (ReportDifference{"/totals/rejected", "0", "1"}));
  EXPECT_EQ(found.differences[1].path, "/signature/value") << "nor is it the report that was signed";
  EXPECT_THAT(found.differences[1].recomputed, ::testing::EndsWith(": the report is not the one that was signed"));
}

TEST_P(ReportVerifyTest, AChangedHeadIsRefused) {
  History();
  const json published = Published();
  const auto other_root = Base64Encode(std::span<const uint8_t>(ledger::LeafHash("another tree")));
  struct Tamper {
    const char* what;
    std::function<void(json&)> change;
    std::vector<std::string> found;
  };
  const std::vector<Tamper> tampers = {
      {"a signature's byte flipped",
       [](json& r) {
         std::string sig = Base64Decode(r["tree_head"]["signature"].get<std::string>()).value();
         sig[10] ^= 1;
         r["tree_head"]["signature"] = Base64Encode(sig);
       },
       {"/tree_head/signature"}},
      {"the root replaced", [&](json& r) { r["tree_head"]["root"] = other_root; },
       {"/tree_head/root", "/tree_head/signature"}},
      {"the audit root replaced", [&](json& r) { r["audit_tree_head"]["root"] = other_root; },
       {"/audit_tree_head/root", "/audit_tree_head/signature"}},
      {"the time moved", [](json& r) { r["tree_head"]["timestamp"] = "2026-07-02T09:00:01Z"; },
       {"/tree_head/signature"}},
      {"the size lowered to another", [](json& r) { r["tree_head"]["size"] = 3u; },
       {"/tree_head/size", "/tree_head/signature"}},
      {"the logs swapped",
       [](json& r) { std::swap(r["tree_head"], r["audit_tree_head"]); },
       {"/tree_head/log", "/audit_tree_head/log"}},
  };
  for (const Tamper& t : tampers) {
    SCOPED_TRACE(t.what);
    json changed = published;
    t.change(changed);
    EXPECT_THAT(Paths(Check(changed)), IsSupersetOf(t.found));
  }
}

TEST_P(ReportVerifyTest, AReportOfAnotherInstanceIsRefused) {
  History();
  TestInstance other(GetParam(), clock_);
  ASSERT_TRUE(other.Start().ok());
  ASSERT_TRUE(other.workflow->Submit({Example("lcpd-subpoena"), cases::Entry::kStaff, {"intake-1"}}).ok());
  auto theirs = MakeReport(*other.db, *other.ledgers, *other.signing_keys, standards_, ParseDate("2026-01-01").value(),
                           ParseDate("2026-07-01").value(), "auditor-1");
  ASSERT_TRUE(theirs.ok()) << theirs.status().message();
  const ReportCheck check = Check(json::parse(ReportToJson(*theirs).dump()));
  EXPECT_THAT(Paths(check), IsSupersetOf({"/tree_head/key_id", "/audit_tree_head/key_id"}));
  const auto difference = std::find_if(check.differences.begin(), check.differences.end(),
                                       [](const ReportDifference& d) { return d.path == "/tree_head/key_id"; });
  ASSERT_NE(difference, check.differences.end());
  EXPECT_EQ(difference->reported, "\"" + theirs->tree_head.key_id + "\"");
  EXPECT_EQ(difference->recomputed, "no ledger key of this instance has this id");
}

TEST_P(ReportVerifyTest, AnOlderReportStillHoldsAfterTheLogsGrew) {
  History();
  const json older = Published();
  const std::string id = Submit(Example("lcpd-subpoena"));
  Approve(id);
  Produce(id, 4);
  const json newer = Published();
  ASSERT_GT(newer["tree_head"]["size"], older["tree_head"]["size"]);
  for (const json* report : {&older, &newer}) {
    const ReportCheck check = Check(*report);
    EXPECT_TRUE(check.holds()) << ::testing::PrintToString(Paths(check));
  }
  EXPECT_EQ(newer["totals"]["with_data_produced"], older["totals"]["with_data_produced"].get<int>() + 1);
}

TEST_P(ReportVerifyTest, LeavesChangedAfterTheReportAreFound) {
  History();
  const json published = Published();
  ASSERT_TRUE(instance_->store().ExecuteOutside(
      "UPDATE disclosures SET leaf = replace(leaf, '\"rejected\"', '\"approved\"')"));
  ASSERT_TRUE(instance_->store().ExecuteOutside(
      "UPDATE audit SET process_type = NULL WHERE process_type = 'national_security_letter'"));
  const ReportCheck check = Check(published);
  EXPECT_THAT(Paths(check), IsSupersetOf({"/totals/rejected", "/tree_head/root", "/audit_tree_head/root"}));
  const auto root = std::find_if(check.differences.begin(), check.differences.end(),
                                 [](const ReportDifference& d) { return d.path == "/tree_head/root"; });
  ASSERT_NE(root, check.differences.end());
  EXPECT_THAT(root->recomputed, ::testing::HasSubstr("the store was changed outside custodian"));
}

TEST_P(ReportVerifyTest, AMalformedReportIsNoReport) {
  History();
  json report = Published();
  report["totals"].erase("emergency");
  auto check = VerifyReport(report, *instance_->db, *ledgers_, *keys_, standards_);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(check.status().message(), "/totals/emergency: required");
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportVerifyTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::reports
