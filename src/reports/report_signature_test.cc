// A report's own signature over both stores: made with the ledger key over the documented
// canonical bytes; any figure changed breaks it, with the instance (VerifyReport) and without
// it (VerifyReportSignature with the public keys); it survives a key rotation; and a report
// under [reports] publish_leaves carries every leaf up to its head and suppresses nothing.
#include "reports/report_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/ledgers/ledger_store.h"
#include "reports/report_fixture.h"
#include "reports/report_json.h"
#include "reports/report_verify.h"

namespace custodian::reports {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

class ReportSignatureTest : public ReportStoreTest {
 protected:
  std::vector<ledger::TrustedKey> LedgerKeys() {
    std::vector<ledger::TrustedKey> out;
    const std::vector<cases::PublicSigningKey> keys = keys_->Keys(cases::kLedgerKey).value();
    for (const cases::PublicSigningKey& k : keys) {
      out.push_back({k.key_id, k.public_key});
    }
    return out;
  }
  json Published(const Standards& standards) {
    auto report = Make("2026-01-01", "2026-07-01", standards);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? json::parse(ReportToJson(*report).dump()) : json();
  }
  static ReportSignature SignatureOf(const json& report) {
    return ParseReport(report).value().signature;
  }
  std::vector<std::string> Paths(const json& report, const Standards& standards) {
    auto check = VerifyReport(report, *instance_->db, *ledgers_, *keys_, standards);
    EXPECT_TRUE(check.ok()) << check.status().message();
    std::vector<std::string> paths;
    if (check.ok()) {
      for (const ReportDifference& d : check->differences) paths.push_back(d.path);
    }
    return paths;
  }
};

TEST_P(ReportSignatureTest, TheLedgerKeySignsTheCanonicalBytes) {
  History();
  const json report = Published(instance_->default_standards);
  ASSERT_TRUE(report.contains("signature"));
  const ReportSignature signature = SignatureOf(report);
  EXPECT_EQ(signature.key_id, report["tree_head"]["key_id"]) << "the key that signs the heads";
  EXPECT_TRUE(VerifyReportSignature(report, signature, LedgerKeys()).ok());

  // The bytes: the prefix, then the report less its signature, compact, keys sorted.
  const std::string bytes = ReportSignedBytes(report);
  EXPECT_TRUE(bytes.starts_with("custodian-report v1\n{\"audit_tree_head\":{\"key_id\":\"")) << bytes.substr(0, 80);
  EXPECT_THAT(bytes, HasSubstr(R"("period":{"from":"2026-01-01","to":"2026-07-01"})"));
  EXPECT_THAT(bytes, ::testing::Not(HasSubstr("signature\":{")));
  EXPECT_EQ(bytes.find("\": "), std::string::npos) << "no white space between tokens";
  EXPECT_EQ(bytes.find('\n'), std::string("custodian-report v1").size()) << "one line after the prefix";
  // The order a copy's keys come in does not matter; its values do.
  json reordered = json::parse(nlohmann::ordered_json::parse(report.dump()).dump());
  EXPECT_EQ(ReportSignedBytes(reordered), bytes);
  EXPECT_EQ(VerifyReportSignature(report, signature, {}).code(), Status::Code::kNotFound);
}

// A copy with one figure raised is refused by `report verify` with the instance: the count
// differs from the ledgers, and the signature no longer holds. So is a copy whose only change
// is one that recounting cannot see (the figure the operator would disown).
TEST_P(ReportSignatureTest, AnyFigureChangedBreaksTheSignature) {
  History();
  Standards standards = instance_->default_standards;
  standards.report_suppress_below = 3;
  const json report = Published(standards);
  EXPECT_TRUE(Paths(report, standards).empty());
  json raised = report;
  raised["totals"]["requests"] = raised["totals"]["requests"].get<int>() + 1;
  EXPECT_EQ(Paths(raised, standards), (std::vector<std::string>{"/totals/requests", "/signature/value"}));
  EXPECT_EQ(VerifyReportSignature(raised, SignatureOf(raised), LedgerKeys()).code(),
            Status::Code::kInvalidArgument);
  const std::vector<std::pair<const char*, json>> changes = {
      {"/by_process_type/0/requests", report["by_process_type"][0]["requests"].get<int>() + 1},
      {"/national_security/letters", "250-499"},
      {"/by_month/2/requests", report["by_month"][2]["requests"].get<int>() + 1},
      {"/suppressed_below", 4},
      {"/period/to", "2026-12-31"},
      {"/tree_head/timestamp", "2026-07-02T09:00:01Z"}};
  for (const auto& [pointer, value] : changes) {
    SCOPED_TRACE(pointer);
    json changed = report;
    changed[json::json_pointer(pointer)] = value;
    EXPECT_THAT(Paths(changed, standards), Contains("/signature/value"));
  }
  // Signed by another key (another instance's): named.
  json foreign = report;
  foreign["signature"]["key_id"] = "0000000000000000";
  EXPECT_THAT(Paths(foreign, standards), Contains("/signature/key_id"));
}

TEST_P(ReportSignatureTest, AReportSignedBeforeARotationStillVerifies) {
  History();
  const json before = Published(instance_->default_standards);
  ASSERT_TRUE(keys_->Rotate(cases::kLedgerKey, "admin-1").ok());
  Submit(Example("lcpd-subpoena"));
  const json after = Published(instance_->default_standards);
  EXPECT_NE(SignatureOf(after).key_id, SignatureOf(before).key_id);
  for (const json* report : {&before, &after}) {
    EXPECT_TRUE(VerifyReportSignature(*report, SignatureOf(*report), LedgerKeys()).ok());
    EXPECT_TRUE(Paths(*report, instance_->default_standards).empty());
  }
}

TEST_P(ReportSignatureTest, PublishingTheLeavesCarriesThemAllAndSuppressesNothing) {
  History();
  Standards standards = instance_->default_standards;
  standards.report_suppress_below = 3;
  standards.report_publish_leaves = true;
  const json report = Published(standards);
  EXPECT_EQ(report["leaves_published"], true);
  EXPECT_EQ(report["suppressed_below"], 0);
  ASSERT_EQ(report["leaves"].size(), report["tree_head"]["size"].get<size_t>()) << "every leaf up to the head";
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) -> Status {
    for (size_t i = 0; i < report["leaves"].size(); ++i) {
      EXPECT_EQ(report["leaves"][i], cases::LeafBytes(sql, cases::kDisclosureLog, i).value()) << i;
    }
    return Status::Ok();
  }).ok());
  for (const json& row : report["by_country"]) {
    EXPECT_TRUE(row["requests"].is_number()) << row.dump() << ": nothing suppressed";
  }
  // The same history without publishing: DE's two requests are suppressed.
  standards.report_publish_leaves = false;
  const json aggregate = Published(standards);
  EXPECT_FALSE(aggregate.contains("leaves"));
  EXPECT_EQ(aggregate["by_country"][0]["requests"], "<3");
  // Each holds with the instance, under its own statement of whether it publishes.
  EXPECT_TRUE(Paths(report, standards).empty());
  EXPECT_TRUE(Paths(aggregate, standards).empty());
  json dropped = report;
  dropped["leaves"].erase(dropped["leaves"].size() - 1);
  EXPECT_THAT(Paths(dropped, standards), Contains("/leaves/" + std::to_string(report["leaves"].size() - 1)));
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportSignatureTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::reports
