// End-to-end tests of `custodian ledger …`, `keys …` and the audit log's erasure on
// `account delete`, through the built binary on the default SQLite case store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "core/base64.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

ledger::Digest DigestOf(const json& base64) {
  const std::string bytes = Base64Decode(base64.get<std::string>()).value();
  ledger::Digest d{};
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

class LedgerCliTest : public InstanceCliTest {
 protected:
  // Runs SQL on the instance's case store with sqlite3, as someone with the files would.
  void Sql(const std::string& statement) {
    const std::string command = "sqlite3 " + data_ + "/cases.db \"" + statement + "\"";
    ASSERT_EQ(std::system(command.c_str()), 0) << statement;
  }
};

TEST_F(LedgerCliTest, HeadsAreSignedProofsCheckAndVerifyCatchesAnEditedRow) {
  Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"));
  const json head = Ok("ledger head --log audit");
  ASSERT_GT(head["size"].get<uint64_t>(), 2u);
  auto parsed = ledger::TreeHeadFromJson(head);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const json keys = Ok("keys list --ledger");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["key_id"], head["key_id"]);
  Outcome exported = Run("keys export-public --ledger" + Data());
  ASSERT_EQ(exported.exit_code, 0);
  EXPECT_EQ(exported.out, keys[0]["public_key"].get<std::string>() + "\n") << "base64, one line";
  const std::string key = Base64Decode(keys[0]["public_key"].get<std::string>()).value();
  std::array<uint8_t, 32> public_key{};
  std::copy(key.begin(), key.end(), public_key.begin());
  EXPECT_TRUE(ledger::Verify(*parsed, public_key).ok());
  // The production key is another key.
  EXPECT_NE(Ok("keys list")[0]["key_id"], head["key_id"]);
  EXPECT_NE(Run("keys export-public" + Data()).out, exported.out);

  // The form of a package's ledger.json: the leaf's exact bytes as a string, its path, the head.
  const json proof = Ok("ledger prove --log audit --index 1");
  std::vector<std::string> fields;
  for (const auto& [field, value] : proof.items()) fields.push_back(field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("log", "index", "leaf", "proof", "tree_head"));
  ASSERT_TRUE(proof["leaf"].is_string());
  const std::string leaf = proof["leaf"];
  std::vector<ledger::Digest> path;
  for (const json& h : proof["proof"]) path.push_back(DigestOf(h));
  EXPECT_EQ(json::parse(leaf)["seq"], 2);
  EXPECT_EQ(proof["tree_head"], head);
  EXPECT_TRUE(ledger::VerifyInclusion(1, parsed->size, ledger::LeafHash(leaf), parsed->root, path).ok());
  EXPECT_EQ(Run("ledger prove --log audit --index 999" + Data()).exit_code, 2);
  EXPECT_EQ(Run("ledger head --log nowhere" + Data()).exit_code, 2);

  const json fine = Ok("ledger verify");
  EXPECT_EQ(fine["ok"], true);
  EXPECT_EQ(fine["heads_checked"], 1);

  Sql("UPDATE audit SET actor = 'mallory' WHERE seq = 1");
  Outcome caught = Run("ledger verify" + Data());
  EXPECT_EQ(caught.exit_code, 1);
  EXPECT_THAT(caught.out, HasSubstr("entry 1"));
}

TEST_F(LedgerCliTest, ARotatedKeyStillChecksWhatItSigned) {
  Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"));
  const json first = Ok("ledger head --log disclosures");
  const json rotated = Ok("keys rotate-signing --ledger --actor admin");
  EXPECT_NE(rotated["key_id"], first["key_id"]);
  EXPECT_EQ(Run("keys rotate-signing --actor admin" + Data()).exit_code, 2) << "which key?";
  Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/vague-subpoena.json"));
  const json second = Ok("ledger head --log disclosures");
  EXPECT_EQ(second["key_id"], rotated["key_id"]);
  const json keys = Ok("keys list --ledger");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys[0].contains("retired_at"));
  EXPECT_EQ(Ok("ledger verify")["ok"], true);
}

TEST_F(LedgerCliTest, DeletingAnAccountErasesItsDetailsAndTheLogStillVerifies) {
  const json c = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/preservation.json"));
  const std::string id = c["id"];
  Ok("case review " + id + " --actor reviewer-1 --decision approve");
  const json holds = Ok("hold list --case " + id + " --actor auditor-1");
  Ok("hold release " + holds[0]["id"].get<std::string>() + " --actor reviewer-2");
  Ok("ledger head --log audit");
  const json deleted = Ok("account delete 1000042 --actor privacy-officer");
  EXPECT_EQ(deleted["outcome"], "deleted");
  const std::string left = Run("ledger verify" + Data()).out;
  const json verified = json::parse(left);
  EXPECT_EQ(verified["ok"], true) << left;
  EXPECT_GE(verified["erased_details"].get<int>(), 1);
  // The details kept with an account (its keyed tag) were all this account's.
  const std::string command = "sqlite3 " + data_ + "/cases.db \"SELECT COUNT(*) FROM audit_details WHERE account IS NOT NULL\" > " + root_ + "/count";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(ReadFile(root_ + "/count"), "0\n");
}

TEST_F(LedgerCliTest, TheOperatorsVaultCommandsAreInTheAuditLog) {
  Ok("retention run");
  Ok("vault seal");
  // The set-up's staff users are the operator's too; the vault's actions are what is looked at.
  const std::string command = "sqlite3 " + data_ + "/cases.db \"SELECT action FROM audit WHERE actor = 'operator' "
                              "AND action <> 'add_user' ORDER BY seq\" > " + root_ + "/actions";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(ReadFile(root_ + "/actions"), "ingest_events\nrun_retention\nseal_vault\n");
}

}  // namespace
}  // namespace custodian
