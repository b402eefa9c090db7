#include "instance/instance.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cases/ledgers/ledger_store.h"
#include "core/clock.h"
#include "core/time.h"

namespace custodian {
namespace {

class InstanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("custodian_instance_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "keys");
    options_.data_dir = (root_ / "data").string();
    options_.key_file = (root_ / "keys" / "master.key").string();
    ASSERT_TRUE(InitInstance(options_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // One login of account 42 on `day`.
  static std::string LoginOn(Date day) {
    return "{\"account_id\": 42, \"ts\": \"" + FormatDate(day) +
           "T10:00:00Z\", \"kind\": \"login\", \"ip\": \"198.51.100.7\"}\n";
  }

  std::filesystem::path root_;
  InstanceOptions options_;
};

TEST_F(InstanceTest, OpensEveryPartOverTheSameStoreAndKey) {
  auto instance = Instance::Open(options_);
  ASSERT_TRUE(instance.ok()) << instance.status().message();
  Instance& i = **instance;
  EXPECT_TRUE(i.vault && i.db && i.attachments && i.packages && i.standards && i.workflow &&
              i.signing_keys && i.ledgers);
  EXPECT_FALSE(i.demo);
  auto current = i.standards->Current(*i.db);
  ASSERT_TRUE(current.ok());
  auto stats = i.vault->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->access_log_retention_days, (*current)->access_log_retention_days);
}

// What a server runs every 30 seconds: a day before yesterday is sealed, today is not, and
// the logs' heads are signed.
TEST_F(InstanceTest, TheDutiesSealPastDaysAndSignTheLogsHeads) {
  auto instance = Instance::Open(options_);
  ASSERT_TRUE(instance.ok()) << instance.status().message();
  Instance& i = **instance;
  const Date today = SystemClock().Now().UtcDate();
  vault::IngestReport report;
  ASSERT_TRUE(i.vault->Ingest(LoginOn(today.PlusDays(-3)) + LoginOn(today), report).ok());
  ASSERT_EQ(report.accepted, 2u);
  auto before = i.vault->Stats();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->unsealed_events, 2u);
  EXPECT_FALSE(i.ledgers->LatestHead(cases::kAuditLog).ok());

  const std::vector<std::string> problems = i.RunDuties({});
  EXPECT_TRUE(problems.empty()) << problems.front();
  auto after = i.vault->Stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->events, 2u);
  EXPECT_EQ(after->unsealed_events, 1u);  // today's: the day is not over
  EXPECT_EQ(after->segments, 1u);
  EXPECT_TRUE(i.ledgers->LatestHead(cases::kAuditLog).ok());
  EXPECT_TRUE(i.ledgers->LatestHead(cases::kDisclosureLog).ok());
}

}  // namespace
}  // namespace custodian
