// An outside auditor's token through real HTTP on loopback: it reads the disclosure log's
// leaves, each with its proof against the page's signed head, in the form a package's
// ledger.json and `ledger prove` give (the leaf's exact bytes as a string, `tree_head`); every
// read is an audit entry; and everything else that needs a caller refuses it (the role matrix
// of api_test.cc holds it to every endpoint). The leaves a page gives make the head's root.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/compact_range.h"
#include "ledger/disclosure_leaf.h"
#include "ledger/public_keys.h"
#include "server/api_test_fixture.h"

namespace custodian::server {
namespace {

using ordered = nlohmann::ordered_json;

class ExternalAuditorTest : public ApiTest {
 protected:
  // Three requests, one approved: four disclosure leaves, under a signed head.
  ledger::SignedTreeHead History() {
    ApprovedHsiCase();
    for (const char* example : {"lcpd-subpoena", "vague-subpoena"}) {
      EXPECT_TRUE(workflow_->Submit({Example(example), cases::Entry::kStaff, {"ian"}}).ok());
    }
    auto head = ledgers_->SignHead(cases::kDisclosureLog, "test");
    EXPECT_TRUE(head.ok()) << head.status().message();
    return head.ok() ? *head : ledger::SignedTreeHead{};
  }
  ordered Page(const std::string& query, const httplib::Headers& who) {
    auto r = client_->Get(("/api/v1/ledger/disclosures/entries" + query).c_str(), who);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    if (!r || r->status != 200) return {};
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
    return ordered::parse(r->body);
  }
};

TEST_P(ExternalAuditorTest, ReadsTheDisclosureLeavesWithTheirProofs) {
  EXPECT_EQ(client_->Get("/api/v1/ledger/disclosures/entries", Bearer(outside_))->status, 404)
      << "no head signed yet";
  const ledger::SignedTreeHead head = History();
  ASSERT_EQ(head.size, 4u);
  const ordered page = Page("", Bearer(outside_));
  EXPECT_EQ(std::vector<std::string>({"tree_head", "entries"}),
            std::vector<std::string>({page.begin().key(), std::next(page.begin()).key()}));
  const auto page_head = ledger::TreeHeadFromJson(nlohmann::json::parse(page["tree_head"].dump()));
  ASSERT_TRUE(page_head.ok()) << page_head.status().message();
  EXPECT_EQ(page_head->signature, head.signature);
  const auto keys = ledger::ParseLedgerPublicKeys(client_->Get("/api/v1/keys")->body).value();
  EXPECT_TRUE(ledger::VerifyWithTrustedKeys(*page_head, keys).ok());

  ASSERT_EQ(page["entries"].size(), head.size);
  ledger::CompactRange rebuilt;
  for (size_t i = 0; i < page["entries"].size(); ++i) {
    const ordered& entry = page["entries"][i];
    SCOPED_TRACE(entry.dump());
    EXPECT_EQ(std::vector<std::string>({"index", "leaf", "proof"}),
              std::vector<std::string>({entry.begin().key(), std::next(entry.begin()).key(),
                                        std::next(entry.begin(), 2).key()}));
    EXPECT_EQ(entry.size(), 3u) << "no detail: the disclosure log has none";
    EXPECT_EQ(entry["index"], i);
    ASSERT_TRUE(entry["leaf"].is_string()) << "the leaf's exact bytes";
    const std::string leaf = entry["leaf"].get<std::string>();
    EXPECT_TRUE(ledger::ParseDisclosureLeaf(leaf).ok());
    EXPECT_EQ(leaf.find("C-2026-"), std::string::npos) << "no case id: a pseudonym";
    EXPECT_TRUE(ledger::VerifyInclusion(i, head.size, ledger::LeafHash(leaf), head.root, Hashes(entry["proof"])).ok());
    rebuilt.Append(ledger::LeafHash(leaf));
  }
  EXPECT_EQ(rebuilt.Root(), head.root) << "the page's leaves make the head's root";

  const ordered window = Page("?start=3&count=1", Bearer(outside_));
  ASSERT_EQ(window["entries"].size(), 1u);
  EXPECT_EQ(window["entries"][0]["leaf"], page["entries"][3]["leaf"]);
  EXPECT_EQ(Page("?start=4", Bearer(outside_))["entries"], ordered::array());
  auto bad = client_->Get("/api/v1/ledger/disclosures/entries?count=501", Bearer(outside_));
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["field"], "/query/count");
}

TEST_P(ExternalAuditorTest, EachReadIsAnAuditEntry) {
  const ledger::SignedTreeHead head = History();
  const ledger::SignedTreeHead before = ledgers_->SignHead(cases::kAuditLog, "test").value();
  Page("?start=1&count=2", Bearer(outside_));
  Page("?start=9", Bearer(outside_));  // past the head: still recorded
  const ledger::SignedTreeHead after = ledgers_->SignHead(cases::kAuditLog, "test").value();
  ASSERT_EQ(after.size, before.size + 2);
  const Login aud = SignIn("aud");
  const auto reads = ordered::parse(
      client_->Get(("/api/v1/ledger/audit/entries?start=" + std::to_string(before.size)).c_str(), Staff(aud))->body);
  ASSERT_EQ(reads["entries"].size(), 2u);
  const json first = json::parse(reads["entries"][0]["leaf"].get<std::string>());
  EXPECT_EQ(first["actor"], "external_auditor:outside-firm");
  EXPECT_EQ(first["action"], "read_disclosure_log");
  EXPECT_EQ(reads["entries"][0]["detail"].dump(),
            R"({"start":1,"end":3,"head_size":)" + std::to_string(head.size) + "}");
  EXPECT_EQ(reads["entries"][1]["detail"].dump(),
            R"({"start":9,"end":9,"head_size":)" + std::to_string(head.size) + "}");
}

TEST_P(ExternalAuditorTest, OnlyAuditorsReadTheDisclosureLeaves) {
  History();
  const std::string path = "/api/v1/ledger/disclosures/entries";
  EXPECT_EQ(client_->Get(path.c_str())->status, 401);
  for (const char* user : {"ian", "rae", "abe", "ada"}) {
    EXPECT_EQ(client_->Get(path.c_str(), Staff(SignIn(user)))->status, 403) << user;
  }
  // The staff auditor reads them too (the console's disclosure log), recorded under its name.
  auto staff = client_->Get(path.c_str(), Staff(SignIn("aud")));
  ASSERT_EQ(staff->status, 200);
  EXPECT_FALSE(json::parse(staff->body)["entries"].empty());
  for (const std::string& token : {service_, lcpd_}) {
    EXPECT_EQ(client_->Get(path.c_str(), Bearer(token))->status, 403) << token.substr(0, 20);
  }
  // A revoked token opens nothing.
  const std::string id = outside_.substr(4, 16);
  ASSERT_TRUE(users_->RevokeToken(id, "setup").ok());
  EXPECT_EQ(client_->Get(path.c_str(), Bearer(outside_))->status, 401);
}

// What personal data there is, an outside auditor reaches none of: every staff read of cases,
// decisions, holds, notices, documents, productions and the audit log (whose details name
// people) is refused, as the portal and ingest are.
TEST_P(ExternalAuditorTest, IsRefusedWhereverPersonalDataIs) {
  const std::string id = ApprovedHsiCase();
  SignBoth();
  for (const std::string& path : std::vector<std::string>{
           "/api/v1/cases", "/api/v1/cases/" + id, "/api/v1/cases/" + id + "/decisions", "/api/v1/holds",
        "/api/v1/notices", "/api/v1/agencies", "/api/v1/standards", "/api/v1/cases/" + id + "/productions",
        "/api/v1/cases/" + id + "/documents/" + std::string(64, 'a'), "/api/v1/ledger/audit/entries",
        "/api/v1/portal/requests", "/api/v1/portal/requests/" + id}) {
    auto r = client_->Get(path.c_str(), Bearer(outside_));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_EQ(json::parse(r->body)["type"], "https://custodian.invalid/problems/forbidden") << path;
  }
  auto ingest = Post("/api/v1/ingest/events", Bearer(outside_), "{}\n", "application/x-ndjson");
  EXPECT_EQ(ingest->status, 403);
  // What anyone may read, it may too.
  EXPECT_EQ(client_->Get("/api/v1/ledger/audit/head", Bearer(outside_))->status, 200);
  EXPECT_EQ(client_->Get("/api/v1/keys", Bearer(outside_))->status, 200);
}

INSTANTIATE_TEST_SUITE_P(Stores, ExternalAuditorTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
