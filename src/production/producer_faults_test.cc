// A production that fails stops nothing: a failure at any write or sync of its files leaves
// the case producible — produced again, resumed when it was recorded, or aborted — never
// stuck; an aborted production is recorded with its reason, its working files gone, and the
// disclosure log says so when it held the production's leaf.
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "cases/case_store.h"
#include "cases/package_store.h"
#include "core/testing/faulty_file_system.h"
#include "ledger/disclosure_leaf.h"
#include "production/package_verifier.h"
#include "production/producer_test_fixture.h"

namespace custodian::production {
namespace {

class ProducerFaultsTest : public ProducerTest {
 protected:
  void SetUp() override {
    ProducerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    packages_ = std::make_unique<cases::PackageStore>((dir_ / "packages").string(), vault::SecretKey::Random(), fs_);
  }
  Producer Faulty(std::function<void(ProductionPhase)> on_phase = {}) {
    ProducerOptions options;
    options.fs = &fs_;
    options.work_root = (dir_ / "work").string();
    options.packages = packages_.get();
    if (on_phase) options.phase = [on_phase](ProductionPhase p, const std::string&) { on_phase(p); };
    return MakeProducer(options);
  }
  std::string Document() { return Example("hsi-child-safety-court-order"); }
  cases::CaseRecord Case(const std::string& id) {
    auto view = instance_->workflow->Show(id, {"reader"});
    EXPECT_TRUE(view.ok());
    return view->record;
  }
  std::vector<cases::ProductionRecord> Productions(const std::string& id) {
    std::vector<cases::ProductionRecord> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      out = cases::CaseTx(sql).Productions(id);
      return Status::Ok();
    }).ok());
    return out;
  }
  std::vector<ledger::DisclosureLeaf> Leaves() {
    std::vector<ledger::DisclosureLeaf> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      soci::rowset<std::string> rows = sql.prepare << "SELECT leaf FROM disclosures ORDER BY seq";
      for (const std::string& leaf : rows) out.push_back(ledger::ParseDisclosureLeaf(leaf).value());
      return Status::Ok();
    }).ok());
    return out;
  }
  bool WorkDirsLeft() {
    std::error_code ignored;
    return fs::exists(dir_ / "work") && !fs::is_empty(dir_ / "work", ignored);
  }

  testing::FaultyFileSystem fs_;
  std::unique_ptr<cases::PackageStore> packages_;
};

// Under AddressSanitizer a production is many times slower: there every fifth write (and every
// sync) is failed, so that the failure paths still run under it; the release suite fails each.
#if defined(CUSTODIAN_ASAN)
constexpr int kWriteStride = 5;
#else
constexpr int kWriteStride = 1;
#endif

// Every write and every sync of a production, failed in turn: the production fails with the
// file system's error, and then the case is completed (resumed when it was recorded,
// produced again otherwise) into a package that verifies.
TEST_P(ProducerFaultsTest, AFailureAtAnyWriteOrSyncLeavesTheCaseProducible) {
  const int appends_before = fs_.appends(), syncs_before = fs_.syncs();
  auto clean = Faulty().Produce(Approved(Document()), (dir_ / "clean.zip").string(), {"p"});
  ASSERT_TRUE(clean.ok()) << clean.status().message();
  const int appends = fs_.appends() - appends_before, syncs = fs_.syncs() - syncs_before;
  ASSERT_GT(appends, 10);  // the record files, the PDF, the manifest, ledger.json, the zip, the sealed copy
  ASSERT_GT(syncs, 5);
  int resumed = 0, produced_again = 0;
  for (const bool sync : {false, true}) {
    for (int n = 0; n < (sync ? syncs : appends); n += sync ? 1 : kWriteStride) {
      SCOPED_TRACE((sync ? "sync " : "write ") + std::to_string(n));
      const std::string id = Approved(Document());
      const std::string zip = (dir_ / (id + ".zip")).string();
      if (sync) fs_.FailSyncAfter(n);
      else fs_.FailAppendAfter(n, /*disk_full=*/true);
      auto failed = Faulty().Produce(id, zip, {"p"});
      fs_.Heal();
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), Status::Code::kIoError) << failed.status().message();
      EXPECT_FALSE(fs::exists(zip + ".partial"));
      Result<ProductionOutcome> done = Status::Internal("unset");
      if (Case(id).state == cases::CaseState::kProduced) {
        EXPECT_THAT(failed.status().message(), ::testing::HasSubstr("`produce --resume` completes it"));
        EXPECT_TRUE(WorkDirsLeft());
        if (fs::exists(zip)) fs::remove(zip);  // a package made whose sealed copy failed
        done = Faulty().Resume(id, zip, {"p"});
        ++resumed;
      } else {
        EXPECT_EQ(Case(id).state, cases::CaseState::kProducing);
        EXPECT_FALSE(WorkDirsLeft());
        done = Faulty().Produce(id, zip, {"p"});
        ++produced_again;
      }
      ASSERT_TRUE(done.ok()) << done.status().message();
      EXPECT_EQ(Case(id).state, cases::CaseState::kProduced);
      for (const cases::ProductionRecord& p : Productions(id)) {
        EXPECT_NE(p.state, cases::ProductionState::kProducing) << p.id << ": no attempt is left behind";
      }
      auto check = VerifyPackage(zip, Key(cases::kProductionKey), Key(cases::kLedgerKey));
      EXPECT_TRUE(check.ok() && check->ok());
      EXPECT_FALSE(WorkDirsLeft());
    }
  }
  EXPECT_GT(resumed, 0);
  EXPECT_GT(produced_again, 0);
}

TEST_P(ProducerFaultsTest, AbortEndsAProductionThatFailedBeforeItWasRecorded) {
  const std::string id = Approved(Document());
  const size_t leaves = Leaves().size();
  auto failed = Faulty([&](ProductionPhase p) {
                  if (p == ProductionPhase::kSigning) fs_.FailAppendAfter(0, true);
                }).Produce(id, (dir_ / "a.zip").string(), {"p"});
  fs_.Heal();
  ASSERT_FALSE(failed.ok());
  ASSERT_EQ(Case(id).state, cases::CaseState::kProducing);
  // A second attempt that failed too leaves a second production row; abort ends both.
  ASSERT_FALSE(Faulty([&](ProductionPhase p) {
                 if (p == ProductionPhase::kSigning) fs_.FailSyncAfter(0);
               }).Produce(id, (dir_ / "a.zip").string(), {"p"}).ok());
  fs_.Heal();

  EXPECT_EQ(Faulty().Abort(id, "", "", {"reviewer-1"}).status().message(),
            "reason: missing (why the production is aborted)");
  auto aborted = Faulty().Abort(id, "", "the disk failed; produce again", {"reviewer-1"});
  ASSERT_TRUE(aborted.ok()) << aborted.status().message();
  EXPECT_FALSE(aborted->leaf_index) << "the log never held it";
  EXPECT_EQ(Case(id).state, cases::CaseState::kApproved);
  const auto productions = Productions(id);
  ASSERT_EQ(productions.size(), 2u);
  EXPECT_EQ(productions[0].state, cases::ProductionState::kAborted) << "ended when the second started";
  EXPECT_EQ(productions[0].reason, "failed before it was recorded; " + productions[1].id + " started in its place");
  EXPECT_EQ(productions[1].state, cases::ProductionState::kAborted);
  EXPECT_EQ(productions[1].reason, "the disk failed; produce again");
  EXPECT_EQ(aborted->production_id, productions.back().id);
  EXPECT_EQ(Leaves().size(), leaves);
  EXPECT_FALSE(WorkDirsLeft());
  bool audited = false;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    for (const cases::AuditEntry& e : cases::CaseTx(sql).AuditOf(id)) {
      audited = audited || (e.action == "abort_production" && e.actor == "reviewer-1" &&
                            e.detail.find("the disk failed") != std::string::npos);
    }
    return Status::Ok();
  }).ok());
  EXPECT_TRUE(audited);
  EXPECT_EQ(Faulty().Abort(id, "", "again", {"reviewer-1"}).status().message(),
            "case " + id + " has no unfinished production");
  // Approved again: produced as any approved case.
  ASSERT_TRUE(Faulty().Produce(id, (dir_ / "a.zip").string(), {"p"}).ok());
  EXPECT_EQ(Faulty().Abort(id, productions.back().id, "late", {"reviewer-1"}).status().message(),
            "production " + productions.back().id + " is not unfinished (it is aborted)");
}

TEST_P(ProducerFaultsTest, AbortOfARecordedProductionSaysSoInTheDisclosureLog) {
  const std::string id = Approved(Document());
  auto failed = Faulty([&](ProductionPhase p) {
                  if (p == ProductionPhase::kPackaging) fs_.FailAppendAfter(0, true);
                }).Produce(id, (dir_ / "b.zip").string(), {"p"});
  fs_.Heal();
  ASSERT_FALSE(failed.ok());
  ASSERT_EQ(Case(id).state, cases::CaseState::kProduced);
  const cases::ProductionRecord recorded = Productions(id).back();
  ASSERT_TRUE(recorded.leaf_index);

  auto aborted = Faulty().Abort(id, recorded.id, "the package cannot be made", {"approver-1"});
  ASSERT_TRUE(aborted.ok()) << aborted.status().message();
  ASSERT_TRUE(aborted->leaf_index);
  const auto leaves = Leaves();
  const ledger::DisclosureLeaf& produced = leaves[static_cast<size_t>(*recorded.leaf_index)];
  const ledger::DisclosureLeaf& ended = leaves[*aborted->leaf_index];
  EXPECT_EQ(produced.outcome, ledger::kOutcomeProduced);
  EXPECT_EQ(ended.kind, ledger::DisclosureKind::kProduction);
  EXPECT_EQ(ended.outcome, ledger::kOutcomeAborted);
  EXPECT_EQ(ended.manifest_sha256, recorded.manifest_sha256);
  EXPECT_EQ(ended.case_pseudonym, produced.case_pseudonym);
  EXPECT_EQ(Case(id).state, cases::CaseState::kApproved);
  EXPECT_EQ(Productions(id).back().state, cases::ProductionState::kAborted);
  EXPECT_FALSE(WorkDirsLeft()) << "the recorded production's files go with it";
  EXPECT_EQ(Faulty().Resume(id, (dir_ / "b.zip").string(), {"p"}).status().message(),
            "case " + id + " has no recorded production without its package");
  ASSERT_TRUE(Faulty().Produce(id, (dir_ / "b2.zip").string(), {"p"}).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, ProducerFaultsTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::production
