// End-to-end tests of `custodian init`, `ingest`, `subscribers import`, `vault stats`,
// `retention run` and `account delete` through the built binary.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"

namespace custodian {
namespace {

using nlohmann::json;

using VaultCliTest = CliTest;

TEST_F(VaultCliTest, InitIngestStats) {
  Outcome init = Run("init" + Data());
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(json::parse(init.out)["key_file"], key_);
  struct stat st;
  ASSERT_EQ(::stat(key_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Run("init" + Data()).exit_code, 2) << "an instance is never initialized twice";

  const std::string events =
      "{\"account_id\": 1000042, \"ts\": \"" + At(-9 * kDay, "%Y-%m-%d") + "T18:22:03.123456Z\", \"kind\": \"login\", \"ip\": \"203.0.113.5\"}\n"
      "{\"account_id\": 1000042, \"ts\": \"" + At(-8 * kDay, "%Y-%m-%d") + "T18:22:03Z\", \"kind\": \"bogus\", \"ip\": \"203.0.113.5\"}\n"
      "{\"account_id\": \"7\", \"ts\": \"" + At(-7 * kDay, "%Y-%m-%d") + "T01:00:00+02:00\", \"kind\": \"logout\", \"ip\": \"2001:db8::1\"}\n";
  Outcome ingest = Run("ingest" + Data(), events);
  EXPECT_EQ(ingest.exit_code, 2) << "a rejected line makes the exit status 2";
  const json report = json::parse(ingest.out);
  EXPECT_EQ(report["accepted"], 2);
  EXPECT_EQ(report["rejected"], 1);
  EXPECT_EQ(report["errors"][0]["line"], 2);
  EXPECT_EQ(report["errors"][0]["error"],
            "kind: must be one of: login, logout, session_refresh, failed_login, password_change, recovery");

  // A file, with every line good, exits 0; the same events again (no event_id) add to them.
  std::ofstream(root_ + "/more.ndjson") << "{\"account_id\": 9, \"ts\": \"" + At(-6 * kDay, "%Y-%m-%d") + "T00:00:00Z\", \"kind\": \"login\", \"ip\": \"198.51.100.1\", \"event_id\": \"x\"}\n";
  EXPECT_EQ(Run("ingest" + Data() + " " + root_ + "/more.ndjson").exit_code, 0);
  const json again = json::parse(Run("ingest" + Data() + " " + root_ + "/more.ndjson").out);
  EXPECT_EQ(again["duplicates"], 1);

  Outcome stats = Run("vault stats" + Data());
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const json s = json::parse(stats.out);
  EXPECT_EQ(s["events"], 3);
  EXPECT_EQ(s["accounts"], 3);
  EXPECT_GT(s["bytes_on_disk"].get<uint64_t>(), 0u);
  for (const char* key : {"events", "accounts", "partitions", "bytes_on_disk"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  EXPECT_EQ(stats.out.find("1000042"), std::string::npos) << "counts only";
}

// `serve` seals days before yesterday as a duty (at start, then every 30 seconds): events
// that came over HTTP do not stay in journals, and in memory, for as long as they are kept.
TEST_F(VaultCliTest, ServeSealsThePastDaysThatIngestJournaled) {
  ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  const json token = json::parse(Run("user token create --service backend --actor operator" + Data()).out);
  const auto unsealed = [&] { return json::parse(Run("vault stats" + Data()).out)["unsealed_events"].get<int>(); };

  const std::string first_log = root_ + "/serve-1.err";
  int port = 0;
  const pid_t first = StartServe(first_log, &port);
  ASSERT_GT(port, 0) << ReadFile(first_log);
  httplib::Client client("127.0.0.1", port);
  // The server's duties at start have run once it publishes the disclosure log's head, their
  // last step: what is posted after waits for their next run, 30 seconds on.
  auto head = client.Get("/api/v1/ledger/disclosures/head");
  for (int i = 0; i < 1200 && head && head->status == 404; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    head = client.Get("/api/v1/ledger/disclosures/head");
  }
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 200) << head->body;
  std::string events;
  for (int day : {-3, -1, 0}) {
    events += "{\"account_id\": 7, \"ts\": \"" + At(day * kDay, "%Y-%m-%d") +
              "T00:00:01Z\", \"kind\": \"login\", \"ip\": \"203.0.113.5\"}\n";
  }
  auto posted = client.Post("/api/v1/ingest/events", {{"Authorization", "Bearer " + token["token"].get<std::string>()}},
                            events, "application/x-ndjson");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  EXPECT_EQ(unsealed(), 3) << "journaled, the duty not run again yet";
  StopServe(first, first_log);

  // The next server's duties at start seal the day three days ago; yesterday and today stay
  // journaled (events of them may still come).
  const std::string second_log = root_ + "/serve-2.err";
  const pid_t second = StartServe(second_log);
  for (int i = 0; i < 1200 && unsealed() != 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(unsealed(), 2);
  StopServe(second, second_log);
  EXPECT_EQ(json::parse(Run("vault stats" + Data()).out)["events"], 3);
}

TEST_F(VaultCliTest, SubscribersDeletionAndRetention) {
  ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  Outcome import = Run("subscribers import" + Data(),
                       "{\"account_id\": 5, \"effective_from\": \"2025-11-02T09:00:00Z\", \"username\": \"kestrel42\"}\n"
                       "{\"account_id\": 5, \"effective_from\": \"soon\"}\n");
  EXPECT_EQ(import.exit_code, 2);
  EXPECT_EQ(json::parse(import.out)["accepted"], 1);
  Outcome del = Run("account delete" + Data() + " 5");
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(json::parse(del.out)["outcome"], "deleted");
  EXPECT_EQ(Run("account delete" + Data() + " 6").exit_code, 2);
  EXPECT_EQ(Run("account delete" + Data() + " x6").exit_code, 2);
  EXPECT_EQ(json::parse(Run("vault stats" + Data()).out)["deleted_accounts"], 1);
  Outcome retention = Run("retention run" + Data());
  ASSERT_EQ(retention.exit_code, 0) << retention.err;
  EXPECT_EQ(json::parse(retention.out)["partitions_deleted"], 0);
}

TEST_F(VaultCliTest, TheKeyFileIsCheckedBeforeAnythingOpens) {
  EXPECT_EQ(Run("init --data " + data_ + " --key-file " + data_ + "/inside.key").exit_code, 2);
  ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  ::chmod(key_.c_str(), 0644);
  Outcome open = Run("vault stats" + Data());
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_EQ(open.err, key_ + ": the master key file may be read by others (mode 0644); run chmod 600 on it\n");
  ::chmod(key_.c_str(), 0600);
  const std::string other = root_ + "/other.key";
  ASSERT_EQ(Run("init --data " + root_ + "/other --key-file " + other).exit_code, 0);
  Outcome wrong = Run("vault stats --data " + data_ + " --key-file " + other);
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(wrong.err, other + ": not the master key of the instance in " + data_ + "\n");
  Outcome none = Run("vault stats --data " + root_ + "/nothing --key-file " + key_);
  EXPECT_EQ(none.exit_code, 2);
}

}  // namespace
}  // namespace custodian
