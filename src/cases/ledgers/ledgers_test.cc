// The two Merkle logs over both stores: what the workflow appends, proofs against signed
// heads, and verification that catches any row changed behind custodian's back (through the
// stores' own command-line clients).
#include "cases/ledgers/ledgers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "cases/disclosure_log.h"
#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/ledgers/read_audit.h"
#include "instance/test_instance.h"
#include "ledger/disclosure_leaf.h"

namespace custodian::cases {
namespace {

using ::testing::HasSubstr;
using ledger::DisclosureKind;

class LedgersTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    Start();
  }
  void Start() {
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    ASSERT_TRUE(instance_->IngestExampleAccount().ok());
    keys_ = instance_->signing_keys.get();
    ledgers_ = instance_->ledgers.get();
  }

  std::string Submit(const std::string& document) {
    auto v = instance_->workflow->Submit({document, Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  // A short history: one approved subpoena, one pushed back, one national security letter.
  void History() {
    const std::string approved = Submit(Example("lcpd-subpoena"));
    ASSERT_TRUE(instance_->workflow->ReviewCase(approved, {"reviewer-1"}, {}).ok());
    ASSERT_TRUE(instance_->workflow->Approve(approved, {"approver-1"}).ok());
    const std::string vague = Submit(Example("vague-subpoena"));
    ASSERT_TRUE(instance_->workflow->ReviewCase(vague, {"reviewer-1"}, {ReviewDecision::kPushback, std::nullopt, "Name the account."}).ok());
    nsl_ = Submit(With(Example("fbi-warrant-content"), "/process/type", "national_security_letter"));
  }
  std::vector<std::string> Leaves(std::string_view log) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (uint64_t i = 0;; ++i) {
        auto leaf = LeafBytes(sql, log, i);
        if (!leaf.ok()) break;
        out.push_back(*leaf);
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  void SignBoth() {
    ASSERT_TRUE(ledgers_->SignHead(kAuditLog, "test").ok());
    ASSERT_TRUE(ledgers_->SignHead(kDisclosureLog, "test").ok());
  }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
  SigningKeys* keys_ = nullptr;  // the instance's
  Ledgers* ledgers_ = nullptr;
  std::string nsl_;
};

TEST_P(LedgersTest, EveryLeafIsProvableAndEveryHeadConsistentWithTheNext) {
  const std::string first = Submit(Example("lcpd-subpoena"));
  auto head1 = ledgers_->SignHead(kAuditLog, "test");
  ASSERT_TRUE(head1.ok()) << head1.status().message();
  // Nothing appended since: the same head comes back.
  EXPECT_EQ(ledgers_->SignHead(kAuditLog, "test")->signature, head1->signature);
  clock_.Set(Timestamp{clock_.Now().micros + kMicrosPerHour});
  History();
  auto head2 = ledgers_->SignHead(kAuditLog, "test");
  ASSERT_TRUE(head2.ok());
  ASSERT_GT(head2->size, head1->size);
  EXPECT_EQ(head2->timestamp, "2026-03-12T17:00:00Z");
  const auto keys = keys_->Keys(kLedgerKey).value();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(ledger::Verify(*head2, keys[0].public_key).ok());

  for (uint64_t i = 0; i < head2->size; ++i) {
    auto p = ledgers_->Prove(kAuditLog, i);
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(p->head.size, head2->size);
    EXPECT_TRUE(ledger::VerifyInclusion(i, head2->size, ledger::LeafHash(p->leaf), head2->root, p->proof).ok())
        << "leaf " << i;
  }
  auto old = ledgers_->Prove(kAuditLog, 0, head1->size);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(ledger::VerifyInclusion(0, head1->size, ledger::LeafHash(old->leaf), head1->root, old->proof).ok());
  EXPECT_EQ(ledgers_->Prove(kAuditLog, head2->size).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ledgers_->Prove(kAuditLog, 0, head2->size + 1).status().code(), Status::Code::kNotFound)
      << "only signed sizes";

  auto consistency = ledgers_->Consistency(kAuditLog, head1->size, head2->size);
  ASSERT_TRUE(consistency.ok()) << consistency.status().message();
  EXPECT_TRUE(ledger::VerifyConsistency(head1->size, head2->size, head1->root, head2->root, *consistency).ok());

  auto verified = ledgers_->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok()) << ::testing::PrintToString(verified->problems);
  EXPECT_EQ(verified->audit_leaves, head2->size);
  EXPECT_EQ(verified->heads, 2u);
  EXPECT_FALSE(first.empty());
}

TEST_P(LedgersTest, HeadsArePagedBySize) {
  std::vector<uint64_t> sizes;
  for (int i = 0; i < 3; ++i) {
    Submit(Example("lcpd-subpoena"));
    sizes.push_back(ledgers_->SignHead(kDisclosureLog, "test").value().size);
  }
  const auto sizes_of = [](const std::vector<ledger::SignedTreeHead>& heads) {
    std::vector<uint64_t> out;
    for (const auto& h : heads) out.push_back(h.size);
    return out;
  };
  EXPECT_EQ(sizes_of(ledgers_->Heads(kDisclosureLog, 0, 1000).value()), sizes);
  EXPECT_EQ(sizes_of(ledgers_->Heads(kDisclosureLog, 0, 2).value()),
            std::vector<uint64_t>(sizes.begin(), sizes.begin() + 2));
  EXPECT_EQ(sizes_of(ledgers_->Heads(kDisclosureLog, sizes[1], 1000).value()),
            std::vector<uint64_t>(sizes.begin() + 1, sizes.end()));
  EXPECT_TRUE(ledgers_->Heads(kDisclosureLog, sizes[2] + 1, 1000).value().empty());
  EXPECT_EQ(ledgers_->Heads("cases", 0, 1000).status().code(), Status::Code::kInvalidArgument);
}

TEST_P(LedgersTest, TheDisclosureLogHoldsTheReportsFactsAndNothingThatNamesAnyone) {
  History();
  const auto leaves = Leaves(kDisclosureLog);
  std::vector<std::string> trail;
  for (const std::string& bytes : leaves) {
    auto leaf = ledger::ParseDisclosureLeaf(bytes);
    ASSERT_TRUE(leaf.ok()) << leaf.status().message() << ": " << bytes;
    EXPECT_EQ(ledger::DisclosureLeafBytes(*leaf), bytes) << "one spelling";
    trail.push_back(std::string(ledger::kDisclosureKindNames[static_cast<size_t>(leaf->kind)]) + " " + leaf->outcome);
    EXPECT_EQ(leaf->country, "US");
    EXPECT_EQ(leaf->received, ParseDate("2026-03-12").value());
    for (const char* secret : {"1000042", "Las Cruces", "C-2026", "las-cruces.org", "kestrel"}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in " << bytes;
    }
  }
  // The national security letter is not there; its audit entry carries its type instead.
  EXPECT_THAT(trail, ::testing::ElementsAre("received produce", "decision approved",
                                            "received pushback", "decision pushed_back"));
  const auto first = ledger::ParseDisclosureLeaf(leaves[0]).value();
  const auto second = ledger::ParseDisclosureLeaf(leaves[1]).value();
  EXPECT_EQ(first.case_pseudonym, second.case_pseudonym);
  EXPECT_NE(first.case_pseudonym, ledger::ParseDisclosureLeaf(leaves[2])->case_pseudonym);
  EXPECT_EQ(first.agency_type, "local");
  EXPECT_EQ(first.process_type, "subpoena");
  EXPECT_EQ(first.targets, 1);
  bool nsl_submit = false;
  for (const std::string& bytes : Leaves(kAuditLog)) {
    const auto j = nlohmann::json::parse(bytes);
    if (j["case"] == nsl_ && j["action"] == "submit") {
      nsl_submit = true;
      EXPECT_EQ(j["process_type"], "national_security_letter");
      EXPECT_EQ(j["targets"], 1);
    }
  }
  EXPECT_TRUE(nsl_submit);
}

TEST_P(LedgersTest, AnAccountsDetailsAreErasedAndTheLogStillVerifies) {
  // A preservation's hold names the account in its entry's subject.
  const std::string id = Submit(Example("preservation"));
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {}).ok());
  SignBoth();
  long long erased = 0;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    auto n = EraseAuditDetails(sql, "1000042");
    if (n.ok()) erased = *n;
    return n.status();
  }).ok());
  EXPECT_EQ(erased, 1);
  auto verified = ledgers_->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok()) << ::testing::PrintToString(verified->problems);
  EXPECT_EQ(verified->erased_details, 1u);
}

TEST_P(LedgersTest, AVaultReadIsInTheAuditLogBeforeItsDataLeaves) {
  vault::GrantScope scope;
  scope.case_id = "C-2026-000001";
  scope.accounts = {1000042};
  scope.categories.Add(Category::kAccessLog);
  scope.start = ParseDateTime("2026-03-01T00:00:00Z").value();
  scope.end = ParseDateTime("2026-03-12T00:00:00Z").value();
  scope.expires = Timestamp{clock_.Now().micros + kMicrosPerHour};
  LedgerReadAudit audit(*instance_->db, clock_, "producer-1");
  auto records = instance_->vault->ReadAccount(instance_->vault->grants().Issue(scope), 1000042,
                                               scope.start, scope.end, audit);
  ASSERT_TRUE(records.ok()) << records.status().message();
  EXPECT_EQ(records->size(), 1u);
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    entries = CaseTx(sql).AuditOf("C-2026-000001");
    return Status::Ok();
  }).ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].actor, "producer-1");
  EXPECT_EQ(entries[0].action, "vault_read");
  EXPECT_THAT(entries[0].detail, HasSubstr("1000042"));
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    return EraseAuditDetails(sql, "1000042").status();
  }).ok());
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    entries = CaseTx(sql).AuditOf("C-2026-000001");
    return Status::Ok();
  }).ok());
  EXPECT_EQ(entries[0].detail, "") << "erased with the account; the entry stays";
}

// Every kind of change made with the store's own client, after the heads were signed, is
// found; the same history unchanged verifies.
TEST_P(LedgersTest, VerifyFindsEveryRowChangedBehindItsBack) {
  struct Tamper {
    const char* what;
    std::vector<std::string> sql;
    const char* found;
  };
  const std::vector<Tamper> tampers = {
      {"an audit entry's actor edited", {"UPDATE audit SET actor = 'mallory' WHERE seq = 3"}, "differs"},
      {"an audit entry deleted", {"DELETE FROM audit_details WHERE seq = 2", "DELETE FROM audit WHERE seq = 2"}, "missing"},
      {"the last audit entry deleted", {"DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)"}, "leaves"},
      {"an audit entry inserted", {"INSERT INTO audit (seq, at, actor, action, detail_sha256) VALUES (1000, 0, 'x', 'view_case', 'ab')"}, "missing"},
      {"a detail edited", {"UPDATE audit_details SET detail = '{}' WHERE seq = 4"}, "detail of entry 4"},
      {"a disclosure outcome edited", {"UPDATE disclosures SET leaf = replace(leaf, '\"approved\"', '\"rejected\"')"}, "differs"},
      {"two disclosures reordered",
       {"UPDATE disclosures SET seq = 100 WHERE seq = 1", "UPDATE disclosures SET seq = 1 WHERE seq = 2",
        "UPDATE disclosures SET seq = 2 WHERE seq = 100"},
       "differs"},
      {"a disclosure deleted with its node and the state rewound",
       {"DELETE FROM disclosures WHERE seq = 4", "DELETE FROM ledger_nodes WHERE log = 'disclosures' AND idx >= 1 AND level > 0",
        "DELETE FROM ledger_nodes WHERE log = 'disclosures' AND level = 0 AND idx = 3"},
       "disclosures"},
      {"a tree head's time edited", {"UPDATE tree_heads SET timestamp = '2020-01-01T00:00:00Z' WHERE log = 'audit'"}, "signature"},
      {"a node edited", {"UPDATE ledger_nodes SET hash = '" + std::string(64, '0') + "' WHERE log = 'audit' AND level = 1 AND idx = 0"}, "node 1/0"},
  };
  for (const Tamper& t : tampers) {
    SCOPED_TRACE(t.what);
    Start();
    History();
    SignBoth();
    auto before = ledgers_->Verify();
    ASSERT_TRUE(before.ok());
    ASSERT_TRUE(before->ok()) << ::testing::PrintToString(before->problems);
    for (const std::string& statement : t.sql) {
      ASSERT_TRUE(instance_->store().ExecuteOutside(statement)) << statement;
    }
    auto after = ledgers_->Verify();
    ASSERT_TRUE(after.ok()) << after.status().message();
    ASSERT_FALSE(after->ok());
    EXPECT_THAT(::testing::PrintToString(after->problems), HasSubstr(t.found));
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgersTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
