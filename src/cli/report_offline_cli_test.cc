// `custodian report verify REPORT --leaves FILE --ledger-key KEYS` end to end, as an outside
// auditor runs it: the built binary, no instance, with what a real ApiServer (started in this
// process, over each store) hands an outside auditor's token — the disclosure log's pages —
// and the keys anyone fetches. Exit 0 when the report holds, 1 with each difference, 2 for bad
// input naming it.
#include <httplib.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cases/ledgers/ledger_store.h"
#include "cases/ledgers/ledgers.h"
#include "cli/cli_test_harness.h"
#include "instance/test_instance.h"
#include "reports/make_report.h"
#include "reports/report.h"
#include "reports/report_json.h"
#include "server/api_server.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ReportOfflineCliTest : public CliTest, public ::testing::WithParamInterface<cases::Backend> {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    users_ = std::make_unique<server::UserStore>(*instance_->db, vault::SecretKey::Random(), clock_);
    token_ = users_->CreateToken(server::TokenKind::kExternalAuditor, "outside-firm", {}, {}, "setup").value();
    packages_ = std::make_unique<cases::PackageStore>(root_ + "/packages", vault::SecretKey::Random());
    server::ServerOptions options;
    options.port = 0;  // a free port: suites run side by side
    auto server = server::ApiServer::Start({*instance_->workflow, *users_, *instance_->vault, *instance_->ledgers,
                                            *instance_->signing_keys, clock_, *packages_},
                                           options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());

    // Four requests (two from France), one approved.
    for (const char* example : {"lcpd-subpoena", "vague-subpoena"}) Submit(Example(example));
    for (int i = 0; i < 2; ++i) {
      Submit(With(With(Example("lcpd-subpoena"), "/requester/country", "FR"),
                         "/requester/agency_type", "foreign"));
    }
    const std::string id = Submit(Example("lcpd-subpoena"));
    ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {}).ok());
    ASSERT_TRUE(instance_->workflow->Approve(id, {"approver-1"}).ok());
    report_ = root_ + "/report.json";
    leaves_ = root_ + "/leaves.json";
    keys_ = root_ + "/keys.json";
  }
  void TearDown() override {
    server_.reset();
    CliTest::TearDown();
  }
  std::string Submit(const std::string& document) {
    auto v = instance_->workflow->Submit({document, cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  // The report as published: made by the instance, written as `report --out` writes it.
  json Publish(bool publish_leaves = false) {
    Standards standards = instance_->default_standards;
    standards.report_suppress_below = 3;
    standards.report_publish_leaves = publish_leaves;
    auto report = reports::MakeReport(*instance_->db, *instance_->ledgers, *instance_->signing_keys, standards,
                                      ParseDate("2026-01-01").value(), ParseDate("2026-07-01").value(), "auditor-1");
    EXPECT_TRUE(report.ok()) << report.status().message();
    const json out = report.ok() ? json::parse(reports::ReportToJson(*report).dump()) : json();
    Write(report_, out.dump(2) + "\n");
    return out;
  }
  // What the auditor fetches: the keys once, and the leaves page by page, appended to one file.
  std::string Fetch(int per_page) {
    auto keys = client_->Get("/api/v1/keys");
    EXPECT_TRUE(keys && keys->status == 200);
    Write(keys_, keys ? keys->body : "");
    std::string pages;
    for (int start = 0;; start += per_page) {
      auto r = client_->Get(("/api/v1/ledger/disclosures/entries?start=" + std::to_string(start) +
                             "&count=" + std::to_string(per_page)).c_str(),
                            {{"Authorization", "Bearer " + token_}});
      EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
      if (!r || json::parse(r->body)["entries"].empty()) break;
      pages += r->body;
    }
    Write(leaves_, pages);
    return pages;
  }
  static void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  Outcome Verify(const std::string& extra = "") {
    return Run("report verify " + report_ + " --ledger-key " + keys_ + extra);
  }

  ManualClock clock_{ParseDateTime("2026-07-02T09:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
  std::unique_ptr<server::UserStore> users_;
  std::unique_ptr<cases::PackageStore> packages_;
  std::unique_ptr<server::ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string token_, report_, leaves_, keys_;
};

TEST_P(ReportOfflineCliTest, HoldsWithTheLeavesFromTheApi) {
  const json report = Publish();
  EXPECT_EQ(report["by_country"][0]["requests"], "<3") << "FR: suppressed";
  Fetch(2);
  const Outcome o = Verify(" --leaves " + leaves_);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(json::parse(o.out), json::parse(R"({"holds": true, "differences": [], "leaves": 6, "recounted": true,
                                                "not_recounted": ["/national_security"]})"));
}

TEST_P(ReportOfflineCliTest, ARaisedCountIsRefused) {
  json report = Publish();
  Fetch(100);
  report["totals"]["requests"] = 6;
  Write(report_, report.dump(2));
  const Outcome o = Verify(" --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 1);
  const std::string signature = report["signature"]["value"];
  EXPECT_EQ(o.err, "/totals/requests: the report says 6; the leaves say 5\n"
                   "/signature/value: the report says \"" + signature + "\"; the leaves say does not verify with "
                   "ledger key " + report["signature"]["key_id"].get<std::string>() +
                   ": the report is not the one that was signed\n");
  EXPECT_EQ(json::parse(o.out)["holds"], false);
}

TEST_P(ReportOfflineCliTest, ADroppedOrAlteredLeafIsFound) {
  Publish();
  json page = json::parse(Fetch(100));
  json dropped = page;
  dropped["entries"].erase(2);
  Write(leaves_, dropped.dump());
  Outcome o = Verify(" --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, "/tree_head/size: the report says 6; the leaves say the leaves given lack 1 of them (2): no "
                   "count was recomputed\n");

  json altered = page;
  std::string leaf = altered["entries"][4]["leaf"];
  leaf.replace(leaf.find("\"country\":\"US\""), 14, "\"country\":\"CA\"");
  altered["entries"][4]["leaf"] = leaf;
  Write(leaves_, altered.dump());
  o = Verify(" --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("page 1 (line 1)/entries/4/proof: leaf 4 is not in the page's head of 6 leaves"));
}

TEST_P(ReportOfflineCliTest, AReportThatPublishesItsLeavesVerifiesFromItselfAlone) {
  const json report = Publish(true);
  EXPECT_EQ(report["leaves"].size(), 6u);
  EXPECT_EQ(report["by_country"][0], json::parse(R"({"country": "FR", "requests": 2, "accounts_specified": 2,
                                                     "with_data_produced": 0})"));
  Fetch(3);
  const Outcome alone = Verify();
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  EXPECT_EQ(json::parse(alone.out)["leaves"], 6);
  const Outcome both = Verify(" --leaves " + leaves_);
  EXPECT_EQ(both.exit_code, 0) << both.err;
}

TEST_P(ReportOfflineCliTest, BadInputExitsTwoNamingIt) {
  Publish();
  Fetch(100);
  const struct {
    std::string args;
    std::string message;
  } bad[] = {
      {" --leaves " + leaves_ + " --data " + root_, "--ledger-key: not with --data (with the instance, its own keys are used)\n"},
      {"", report_ + ": /leaves_published: false: the report carries no leaves; give the disclosure log's entries (--leaves)\n"},
      {" --leaves " + root_ + "/none.json", "--leaves: " + root_ + "/none.json: No such file or directory\n"},
  };
  for (const auto& b : bad) {
    const Outcome o = Verify(b.args);
    EXPECT_EQ(o.exit_code, 2) << b.args;
    EXPECT_EQ(o.err, b.message) << b.args;
  }
  // The leaves: the old form of an entry, and what is not a page.
  json page = json::parse(ReadFile(leaves_));
  page["entries"][1]["leaf"] = json::parse(page["entries"][1]["leaf"].get<std::string>());
  Write(leaves_, page.dump(1));
  Outcome o = Verify(" --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "--leaves: " + leaves_ + ": page 1 (line 1): /entries/1/leaf: not the leaf's bytes as a string "
                   "but an object\n");
  Write(leaves_, "\n\n\"leaves\"\n");
  o = Verify(" --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "--leaves: " + leaves_ + ": line 3: not a page (a JSON object)\n");
  // The keys.
  Write(keys_, R"({"ledger": [{"key_id": "0123456789abcdef", "public_key": "AAAA"}]})");
  o = Verify(" --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("--ledger-key: /ledger/0/public_key"));
  // The report.
  json report = json::parse(ReadFile(report_));
  report["signature"].erase("value");
  Write(report_, report.dump());
  o = Run("report verify " + report_ + " --ledger-key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, report_ + ": /signature/value: required\n");
  o = Run("report verify " + report_ + " --leaves " + leaves_);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "--data: required (or --ledger-key, to check the report without the instance)\n");
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportOfflineCliTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian
