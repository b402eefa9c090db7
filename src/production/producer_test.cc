// End to end on both stores: known events ingested, a case approved, the package produced
// with the real PDF writer and a real MMDB, then verified offline — and refused after a byte
// of it changes or with the wrong key.
#include "production/producer.h"

#include <atomic>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "production/package_verifier.h"
#include "production/pdf_test_tools.h"
#include "production/producer_test_fixture.h"
#include "production/production_setup.h"
#include "production/zip_package.h"

namespace custodian::production {
namespace {

using cases::Backend;
using ::testing::HasSubstr;
using json = nlohmann::json;

TEST_P(ProducerTest, ThePackageHoldsExactlyTheWindowAndVerifiesOffline) {
  const std::string id = Approved(Example("hsi-child-safety-court-order"));
  const std::string zip = (dir_ / "p.zip").string();
  auto outcome = Produce(id, zip);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(outcome->events, 2u);
  EXPECT_EQ(outcome->accounts_with_data, 1);
  EXPECT_EQ(instance_->workflow->Show(id, {"auditor-1"})->record.state, cases::CaseState::kProduced);

  const json record = json::parse(Entry(zip, "record.json"));
  EXPECT_EQ(record["case"], id);
  EXPECT_EQ(record["production"], outcome->production_id);
  ASSERT_EQ(record["accounts"].size(), 1u);
  const json& account = record["accounts"][0];
  EXPECT_EQ(account["account_id"], "1000042");
  ASSERT_EQ(account["access_log"].size(), 2u) << "only [start, end): not before, not at the end, not 1000043";
  EXPECT_EQ(account["access_log"][0]["ts"], "2026-01-05T10:00:00.000000Z");
  EXPECT_EQ(account["access_log"][1]["ts"], "2026-02-20T11:30:00.250000Z");
  EXPECT_EQ(account["access_log"][0]["location"]["country"], "SE") << account["access_log"][0].dump();
  EXPECT_EQ(account["access_log"][0]["location"]["approximate"], true);
  EXPECT_TRUE(account["access_log"][1]["location"].is_null()) << "no answer for a documentation address";
  EXPECT_FALSE(account["access_log"][0].contains("user_agent")) << "device is not authorized";
  ASSERT_EQ(account["subscriber"].size(), 1u);
  EXPECT_EQ(account["subscriber"][0]["name"], "王小明");

  const std::string csv = Entry(zip, "access_log.csv");
  EXPECT_THAT(csv, HasSubstr("account_id,ts,kind,ip,port,location_country"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_EQ(Entry(zip, "record.pdf").substr(0, 5), "%PDF-");

  auto check = VerifyPackage(zip, Key(cases::kProductionKey), Key(cases::kLedgerKey));
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok()) << check->failure.value_or("");
  EXPECT_THAT(check->passed, ::testing::ElementsAre("files", "manifest", "hashes", "signature", "ledger"));
  const json ledger_json = json::parse(Entry(zip, "ledger.json"));
  EXPECT_THAT(ledger_json["leaf"].get<std::string>(), HasSubstr(Sha256Hex(Entry(zip, "manifest.json"))));

  // The wrong key; a changed byte of a record file, of the manifest, of ledger.json; a file
  // added or removed.
  EXPECT_THAT(VerifyPackage(zip, Key(cases::kLedgerKey), std::nullopt)->failure.value_or(""), HasSubstr("key"));
  const auto rewritten = [&](const std::string& name, const std::function<void(std::string&)>& change,
                             bool drop = false, bool extra = false) {
    const fs::path work = dir_ / ("w-" + name);
    fs::create_directories(work);
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* n : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig", "ledger.json"}) {
      if (drop && n == name) continue;
      std::string bytes = Entry(zip, n);
      if (n == name) change(bytes);
      std::ofstream((work / n).string(), std::ios::binary) << bytes;
      files.emplace_back(n, (work / n).string());
    }
    if (extra) {
      std::ofstream((work / "extra.txt").string()) << "x";
      files.emplace_back("extra.txt", (work / "extra.txt").string());
    }
    const std::string out = (dir_ / ("t-" + name + (drop ? "-drop" : "") + (extra ? "-extra" : "") + ".zip")).string();
    EXPECT_TRUE(WriteZip(out, files).ok());
    return VerifyPackage(out, Key(cases::kProductionKey), Key(cases::kLedgerKey))->failure.value_or("");
  };
  const auto flip_last = [](std::string& b) { b.back() ^= 1; };
  EXPECT_THAT(rewritten("record.json", flip_last), HasSubstr("record.json"));
  EXPECT_THAT(rewritten("access_log.csv", flip_last), HasSubstr("access_log.csv"));
  EXPECT_THAT(rewritten("record.pdf", flip_last), HasSubstr("record.pdf"));
  EXPECT_THAT(rewritten("manifest.json", [](std::string& b) { b[b.find("\"case\"") + 10] ^= 1; }), HasSubstr("signature"));
  EXPECT_THAT(rewritten("manifest.sig", flip_last), HasSubstr("signature"));
  EXPECT_THAT(rewritten("ledger.json", [](std::string& b) { b.replace(b.find("\"index\": "), 10, "\"index\": 9"); }),
              HasSubstr("ledger.json"));
  EXPECT_THAT(rewritten("record.json", [](std::string&) {}, /*drop=*/true), HasSubstr("missing"));
  EXPECT_THAT(rewritten("record.json", [](std::string&) {}, false, /*extra=*/true), HasSubstr("extra"));
  EXPECT_EQ(VerifyPackage((dir_ / "nowhere.zip").string(), Key(cases::kProductionKey), std::nullopt).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_P(ProducerTest, OnlyAnApprovedCaseIsProducedAndNeverTwice) {
  auto pending = instance_->workflow->Submit({Example("hsi-child-safety-court-order"), cases::Entry::kStaff, {"intake-1"}});
  ASSERT_TRUE(pending.ok());
  auto refused = Produce(pending->record.id, (dir_ / "early.zip").string());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(dir_ / "early.zip"));
  const std::string id = Approved(Example("hsi-child-safety-court-order"));
  ASSERT_TRUE(Produce(id, (dir_ / "once.zip").string()).ok());
  EXPECT_EQ(Produce(id, (dir_ / "twice.zip").string()).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Produce(id, (dir_ / "once.zip").string()).status().code(), Status::Code::kInvalidArgument)
      << "an existing package is never overwritten";
}

// A clock that moves on 37 ms each time it is read: no two readings agree.
class TickingClock : public Clock {
 public:
  explicit TickingClock(Timestamp start) : next_(start.micros) {}
  Timestamp Now() const override { return Timestamp{next_.fetch_add(37000)}; }

 private:
  mutable std::atomic<int64_t> next_;
};

// The cover letter's date is the manifest's created_at, to the microsecond, through the setup
// the CLI and the server use, however often the producer reads its clock.
TEST_P(ProducerTest, TheCoverLetterIsDatedAtTheManifestsInstant) {
  const std::string id = Approved(Example("hsi-child-safety-court-order"));
  const std::string zip = (dir_ / "p.zip").string();
  TickingClock ticking(ParseDateTime("2026-03-12T16:00:00Z").value());
  ProductionSettings settings;
  settings.work_root = (dir_ / "work").string();
  Producer producer(*instance_->db, *instance_->workflow, *instance_->vault, *instance_->signing_keys,
                    *instance_->ledgers, ticking, MakeProducerOptions(settings));
  auto outcome = producer.Produce(id, zip, {"producer-1"});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();

  const std::string created_at = json::parse(Entry(zip, "manifest.json"))["created_at"];
  ASSERT_THAT(created_at, ::testing::StartsWith("2026-03-12T16:00:"));
  const std::string pdf = (dir_ / "record.pdf").string();
  std::ofstream(pdf, std::ios::binary) << Entry(zip, "record.pdf");
  const std::string cover = PdfText(pdf, 1);
  EXPECT_THAT(WithoutSpace(cover), HasSubstr("Date:" + created_at)) << cover;
}

INSTANTIATE_TEST_SUITE_P(Stores, ProducerTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::production
