// End-to-end tests of `custodian agencies import`, `case …` and `hold …` through the built
// binary, on the instance's default SQLite case store.
#include <httplib.h>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using CaseCliTest = InstanceCliTest;

TEST_F(CaseCliTest, APushbackWritesALetterToTheRequesterFromAFile) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/vague-subpoena.json"))["id"];
  const std::string review = "case review " + id + " --actor reviewer-1 ";
  Outcome without = Run(review + "--decision pushback --note internal" + Data());
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_THAT(without.err, HasSubstr("--letter-file"));
  Outcome blank = Run(review + "--decision pushback --letter-file -" + Data(), "  \n");
  EXPECT_EQ(blank.exit_code, 2);
  EXPECT_THAT(blank.err, HasSubstr("not blank"));
  std::ofstream(root_ + "/letter.txt") << "Name the account the subpoena is about.\n";
  Outcome with_reject = Run(review + "--decision reject --note no --letter-file " + root_ + "/letter.txt" + Data());
  EXPECT_EQ(with_reject.exit_code, 2);
  EXPECT_THAT(with_reject.err, HasSubstr("--letter-file: only a pushback"));
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "in_review");

  const json pushed = Ok(review + "--decision pushback --note 'internal: vague' --letter-file " + root_ + "/letter.txt");
  EXPECT_EQ(pushed["state"], "pushed_back");
  EXPECT_EQ(pushed["review"]["letter"]["text"], "Name the account the subpoena is about.\n");
  EXPECT_EQ(pushed["review"]["note"], "internal: vague");
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["review"]["letter"], pushed["review"]["letter"]);
}

TEST_F(CaseCliTest, ARequestGoesFromIntakeThroughTwoPeopleToTheNoticeWait) {
  const json submitted = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"));
  const std::string id = submitted["id"];
  EXPECT_EQ(submitted["state"], "in_review");
  EXPECT_EQ(submitted["decision"]["action"], "produce");
  EXPECT_EQ(submitted["decision"]["standards"]["name"], "us-default");

  Outcome early = Run("case approve " + id + " --actor approver-1" + Data());
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_THAT(early.err, HasSubstr("cannot approve"));

  EXPECT_EQ(Ok("case review " + id + " --actor reviewer-1 --decision approve")["state"], "reviewed");
  // The reviewer holds no approver role (one person with both: staff_actor_cli_test.cc).
  Outcome same = Run("case approve " + id + " --actor reviewer-1" + Data());
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_THAT(same.err, HasSubstr("this step needs a staff user with approver"));
  const json approved = Ok("case approve " + id + " --actor approver-1");
  EXPECT_EQ(approved["state"], "awaiting_notice");
  EXPECT_EQ(approved["approver"], "approver-1");

  const json shown = Ok("case show " + id + " --actor auditor-1");
  EXPECT_EQ(shown["request"]["process"]["reference"], "GJ-2026-0311");
  const json listed = Ok("case list --open --actor auditor-1");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], id);
  EXPECT_FALSE(listed[0].contains("request"));
  EXPECT_EQ(Run("case list --state nonsense --actor auditor-1" + Data()).exit_code, 2);
}

TEST_F(CaseCliTest, ABadDocumentExitsTwoNamingEveryProblem) {
  std::ofstream(root_ + "/bad.json") << R"({"received_at": "soon", "targets": []})";
  Outcome bad = Run("case submit --actor intake-1 " + root_ + "/bad.json" + Data());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("/received_at"));
  EXPECT_THAT(bad.err, HasSubstr("/requester"));
  EXPECT_TRUE(Ok("case list --actor auditor-1").empty()) << "nothing stored";
  EXPECT_EQ(Run("case submit --actor intake-1 " + root_ + "/missing.json" + Data()).exit_code, 2);
  EXPECT_EQ(Run("case show C-2026-999999 --actor auditor-1" + Data()).exit_code, 2);
}

// 50,000 nested arrays (100 KB) in a request once crashed `case submit` (exit 139): every
// document the CLI reads meets the depth limit before anything recursive touches it.
TEST_F(CaseCliTest, DocumentsNestedFiftyThousandDeepExitTwo) {
  const std::string deep = std::string(50000, '[') + std::string(50000, ']');
  const std::string file = root_ + "/deep.json";
  std::ofstream(file) << "{\"process\": " << deep << "}";
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  for (const std::string& command :
       {"case submit --actor intake-1 " + file + Data(), "case amend " + id + " " + file + " --actor intake-1" + Data(),
        "case review " + id + " --actor reviewer-1 --decision approve --scope '" + deep + "'" + Data(),
        "agencies import --actor admin " + file + Data(), "policy check " + file}) {
    const Outcome o = Run(command);
    EXPECT_EQ(o.exit_code, 2) << command.substr(0, 40) << ": " << o.err.substr(0, 300);
    EXPECT_THAT(o.err, HasSubstr("nested deeper than 64 levels")) << command.substr(0, 40);
  }
  const Outcome review = Run("case review " + id + " --actor reviewer-1 --decision approve --scope '" + deep + "'" + Data());
  EXPECT_THAT(review.err, HasSubstr("/scope: nested deeper than 64 levels at 1:65"));
  EXPECT_EQ(Ok("case list --actor auditor-1").size(), 1u) << "nothing else stored";
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "in_review");
}

TEST_F(CaseCliTest, APreservationIsHeldAndReleasedFromTheCli) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/preservation.json"))["id"];
  EXPECT_EQ(Ok("case review " + id + " --actor reviewer-1 --decision approve")["state"], "holding");
  const json holds = Ok("hold list --case " + id + " --actor auditor-1");
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0]["account_id"], "1000042");
  EXPECT_EQ(Ok("hold expire")["expired"], 0) << "ninety days to go";
  EXPECT_EQ(Ok("hold release " + holds[0]["id"].get<std::string>() + " --actor reviewer-2")["released"], holds[0]["id"]);
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "released");
  EXPECT_EQ(Ok("case close " + id + " --actor reviewer-2 --note done")["state"], "closed");
}

TEST_F(CaseCliTest, AnInstanceCanForbidDecisionsFromTheCli) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  std::ofstream(data_ + "/custodian.toml") << "[cases]\ncli_decisions = false\n";
  Outcome refused = Run("case review " + id + " --actor reviewer-1 --decision approve" + Data());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("cases.cli_decisions = false"));
  std::ofstream(data_ + "/custodian.toml") << "[cases]\ncli_decision = false\n";
  Outcome typo = Run("case show " + id + " --actor auditor-1" + Data());
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("custodian.toml:2:1"));
  EXPECT_THAT(typo.err, HasSubstr("cli_decisions"));
}

TEST_F(CaseCliTest, ADocumentIsAttachedSealedAndWrittenBack) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  std::ofstream(root_ + "/subpoena.pdf") << "%PDF-1.4\nsigned\n%%EOF\n";
  const json attached = Ok("case attach " + id + " " + root_ + "/subpoena.pdf --actor intake-1");
  ASSERT_EQ(attached["documents"].size(), 1u);
  EXPECT_EQ(attached["documents"][0]["name"], "subpoena.pdf");
  const std::string sha = attached["documents"][0]["sha256"];
  Ok("case document " + id + " " + sha + " --out " + root_ + "/back.pdf --actor auditor-1");
  EXPECT_EQ(ReadFile(root_ + "/back.pdf"), ReadFile(root_ + "/subpoena.pdf"));
  std::ofstream(root_ + "/page.html") << "<html></html>";
  EXPECT_EQ(Run("case attach " + id + " " + root_ + "/page.html --actor intake-1" + Data()).exit_code, 2);
}

TEST_F(CaseCliTest, NoticesGoToTheConfiguredWebhook) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  Ok("case review " + id + " --actor reviewer-1 --decision approve");
  EXPECT_EQ(Ok("case approve " + id + " --actor approver-1")["state"], "awaiting_notice");
  const json queued = Ok("notices list --actor auditor-1");
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0]["state"], "pending");
  EXPECT_EQ(queued[0]["account_id"], "1000042");
  Outcome unconfigured = Run("notices deliver" + Data());
  EXPECT_EQ(unconfigured.exit_code, 2);
  EXPECT_THAT(unconfigured.err, HasSubstr("webhook_url"));

  httplib::Server receiver;
  std::vector<std::string> ids;
  receiver.Post("/notices", [&](const httplib::Request& req, httplib::Response& res) {
    ids.push_back(req.get_header_value("X-Custodian-Notice-Id"));
    res.status = 204;
  });
  const int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  std::ofstream(root_ + "/webhook.key") << std::string(64, 'a') << "\n";
  std::ofstream(data_ + "/custodian.toml") << "[notices]\nwebhook_url = \"http://127.0.0.1:" << port
                                           << "/notices\"\nwebhook_key_file = \"" << root_ << "/webhook.key\"\n";
  const json delivered = Ok("notices deliver");
  receiver.stop();
  serving.join();
  EXPECT_EQ(delivered["sent"], 1);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], queued[0]["id"]);
  EXPECT_EQ(Ok("notices list --actor auditor-1 --case " + id)[0]["state"], "sent");

  EXPECT_EQ(Run("case nondisclosure " + id + " --actor reviewer-1 --until 2026-13-01" + Data()).exit_code, 2);
  EXPECT_EQ(Run("case nondisclosure " + id + " --actor reviewer-1 --no-end" + Data()).exit_code, 0);
}

}  // namespace
}  // namespace custodian
