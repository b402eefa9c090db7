// What happens to a package after it is made, on both stores: the instance keeps it sealed
// and issues the agency's first download grant; a production recorded but not packaged (the
// disk filled while zipping) is completed by Resume from its working directory, never
// altered; a national security letter's package says, under the manifest's signature, that
// it is not in the disclosure log.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "production/package_verifier.h"
#include "production/producer_test_fixture.h"

namespace custodian::production {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

std::string Bytes(const fs::path& p) { return ReadFile(p.string()); }

std::string Unsealed(cases::PackageStore& store, const std::string& production) {
  auto reader = store.Open(production);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return "";
  std::string all, chunk;
  while (true) {
    auto more = (*reader)->Next(chunk);
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    all += chunk;
  }
  return all;
}

class ProducerDeliveryTest : public ProducerTest {
 protected:
  void SetUp() override {
    ProducerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    packages_ = std::make_unique<cases::PackageStore>((dir_ / "packages").string(), vault::SecretKey::Random());
  }
  ProducerOptions Options() {
    ProducerOptions options;
    options.packages = packages_.get();
    options.work_root = (dir_ / "work").string();
    return options;
  }
  cases::ProductionRecord Production(const std::string& case_id) {
    auto all = instance_->workflow->Productions(case_id, {"auditor-1"});
    EXPECT_TRUE(all.ok() && all->size() == 1u);
    return all.ok() && !all->empty() ? all->back().production : cases::ProductionRecord{};
  }

  std::unique_ptr<cases::PackageStore> packages_;
};

TEST_P(ProducerDeliveryTest, ThePackageIsKeptSealedAndItsAgencyGetsAGrant) {
  const std::string id = Approved(Example("hsi-child-safety-court-order"));
  const fs::path zip = dir_ / "p.zip";
  auto outcome = MakeProducer(Options()).Produce(id, zip.string(), {"producer-1"});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  ASSERT_TRUE(outcome->grant) << "the case's agency gets a download grant";
  EXPECT_EQ(outcome->grant->agency_id, "us-dhs-hsi");
  EXPECT_EQ(outcome->grant->production_id, outcome->production_id);
  EXPECT_EQ(outcome->grant->expires_at.micros - outcome->grant->issued_at.micros, 7 * kMicrosPerDay);

  const cases::ProductionRecord p = Production(id);
  EXPECT_EQ(p.package_sha256, Sha256Hex(Bytes(zip)));
  EXPECT_EQ(p.package_bytes, static_cast<int64_t>(fs::file_size(zip)));
  EXPECT_EQ(Unsealed(*packages_, outcome->production_id), Bytes(zip));
  // Sealed at rest: the stored file is not the zip, and holds none of its text.
  const std::string sealed = Bytes(dir_ / "packages" / (outcome->production_id + ".zip.sealed"));
  EXPECT_EQ(sealed.find("record.json"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "work" / (outcome->production_id + ".work"))) << "the working files are gone";
}

TEST_P(ProducerDeliveryTest, ARecordedProductionWithoutItsPackageIsResumedFromItsWorkingFiles) {
  const std::string id = Approved(Example("hsi-child-safety-court-order"));
  // The zip cannot be written (its directory does not exist): the production is recorded,
  // its leaf appended, and then the last step fails.
  const fs::path nowhere = dir_ / "missing-dir" / "p.zip";
  auto failed = MakeProducer(Options()).Produce(id, nowhere.string(), {"producer-1"});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("--resume"));
  EXPECT_EQ(instance_->workflow->Show(id, {"auditor-1"})->record.state, cases::CaseState::kProduced);
  const cases::ProductionRecord recorded = Production(id);
  EXPECT_FALSE(recorded.package_sha256);
  const fs::path work = dir_ / "work" / (recorded.id + ".work");
  ASSERT_TRUE(fs::exists(work / "manifest.json"));

  // Producing again is refused (the case is produced); resuming into a path that exists too.
  EXPECT_EQ(Produce(id, (dir_ / "again.zip").string()).status().code(), Status::Code::kFailedPrecondition);
  std::ofstream((dir_ / "taken.zip").string()) << "x";
  EXPECT_EQ(MakeProducer(Options()).Resume(id, (dir_ / "taken.zip").string(), {"producer-1"}).status().code(),
            Status::Code::kInvalidArgument);

  // A working file changed since the production was recorded is refused, then restored.
  const std::string record = Bytes(work / "record.json");
  std::ofstream((work / "record.json").string(), std::ios::binary) << record << " ";
  auto altered = MakeProducer(Options()).Resume(id, (dir_ / "r.zip").string(), {"producer-1"});
  EXPECT_EQ(altered.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(altered.status().message(), HasSubstr("record.json"));
  std::ofstream((work / "record.json").string(), std::ios::binary) << record;

  const fs::path zip = dir_ / "r.zip";
  auto resumed = MakeProducer(Options()).Resume(id, zip.string(), {"producer-2"});
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_EQ(resumed->production_id, recorded.id);
  EXPECT_EQ(resumed->manifest_sha256, recorded.manifest_sha256);
  EXPECT_EQ(resumed->leaf_index, std::optional<uint64_t>(*recorded.leaf_index));
  auto check = VerifyPackage(zip.string(), Key(cases::kProductionKey), Key(cases::kLedgerKey));
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok()) << check->failure.value_or("");
  EXPECT_EQ(Production(id).package_sha256, Sha256Hex(Bytes(zip)));
  EXPECT_TRUE(resumed->grant);
  EXPECT_FALSE(fs::exists(work));
  // Nothing is left to resume.
  EXPECT_EQ(MakeProducer(Options()).Resume(id, (dir_ / "r2.zip").string(), {"producer-1"}).status().code(),
            Status::Code::kFailedPrecondition);
}

TEST_P(ProducerDeliveryTest, ANationalSecurityLettersPackageSaysUnderSignatureItIsNotInTheLog) {
  const std::string id = Approved(With(Example("hsi-child-safety-court-order"), "/process/type",
                                              "national_security_letter"));
  const fs::path zip = dir_ / "nsl.zip";
  auto outcome = MakeProducer(Options()).Produce(id, zip.string(), {"producer-1"});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_FALSE(outcome->leaf_index);
  const json manifest = json::parse(Entry(zip.string(), "manifest.json"));
  EXPECT_EQ(manifest["disclosure_log"], false);
  EXPECT_TRUE(json::parse(Entry(zip.string(), "ledger.json"))["leaf"].is_null());
  auto check = VerifyPackage(zip.string(), Key(cases::kProductionKey), Key(cases::kLedgerKey));
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok()) << check->failure.value_or("");
  EXPECT_THAT(check->passed.back(), HasSubstr("not in the disclosure log"));

  // A package of the log whose ledger.json is swapped for the no-leaf form is refused: only
  // the signed manifest can say a production is not in the log.
  const std::string other = Approved(Example("hsi-child-safety-court-order"));
  const fs::path logged = dir_ / "logged.zip";
  ASSERT_TRUE(MakeProducer(Options()).Produce(other, logged.string(), {"producer-1"}).ok());
  const fs::path parts = dir_ / "parts";
  fs::create_directories(parts);
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig", "ledger.json"}) {
    std::ofstream((parts / n).string(), std::ios::binary)
        << (std::string(n) == "ledger.json" ? Entry(zip.string(), n) : Entry(logged.string(), n));
    files.emplace_back(n, (parts / n).string());
  }
  const fs::path swapped = dir_ / "swapped.zip";
  ASSERT_TRUE(WriteZip(swapped.string(), files).ok());
  auto refused = VerifyPackage(swapped.string(), Key(cases::kProductionKey), Key(cases::kLedgerKey));
  ASSERT_TRUE(refused.ok());
  EXPECT_THAT(refused->failure.value_or(""), HasSubstr("ledger.json"));
}

INSTANTIATE_TEST_SUITE_P(Stores, ProducerDeliveryTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::production
