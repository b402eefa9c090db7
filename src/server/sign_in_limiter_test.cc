#include "server/sign_in_limiter.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cases/migrations.h"
#include "server/store_testing.h"

namespace custodian::server {
namespace {

using SignInLimiterTest = StoreTest;

bool Admitted(SignInLimiter& limiter, const std::string& address, Timestamp now) {
  auto r = limiter.Admit(address, now);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() && *r;
}

// Two servers of one store: an address that alternates between them gets the limit, not
// twice it; other addresses and the other scope count apart; a minute later it may try again.
TEST_P(SignInLimiterTest, EveryServerOfTheStoreCountsTheSameAttempts) {
  if (Unready()) return;
  auto second_db = store_->Open(cases::Migrations());
  ASSERT_TRUE(second_db);
  SignInLimiter first(*db_, "staff", 3);
  SignInLimiter second(*second_db, "staff", 3);
  const Timestamp now = clock_.Now();
  EXPECT_TRUE(Admitted(first, "198.51.100.7", now));
  EXPECT_TRUE(Admitted(second, "198.51.100.7", now));
  EXPECT_TRUE(Admitted(first, "198.51.100.7", now));
  EXPECT_FALSE(Admitted(second, "198.51.100.7", now));
  EXPECT_FALSE(Admitted(first, "198.51.100.7", now));
  EXPECT_TRUE(Admitted(second, "198.51.100.8", now));
  SignInLimiter requesters(*second_db, "requester", 3);
  EXPECT_TRUE(Admitted(requesters, "198.51.100.7", now));
  const Timestamp later{now.micros + 61 * kMicrosPerSecond};
  EXPECT_TRUE(Admitted(second, "198.51.100.7", later));
  // A minute's attempts are all that is kept: the others were deleted.
  long long rows = 0;
  ASSERT_TRUE(db_->Transaction([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM sign_in_attempts", soci::into(rows);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(rows, 1);
}

// The store keeps keyed tags of addresses, never an address.
TEST_P(SignInLimiterTest, TheStoreHoldsNoAddress) {
  if (Unready()) return;
  SignInLimiter limiter(*db_, "staff", 3);
  ASSERT_TRUE(Admitted(limiter, "2001:db8::51", clock_.Now()));
  for (const char* table : {"sign_in_attempts", "sign_in_addresses"}) {
    const std::string stored = Stored(table);
    EXPECT_FALSE(stored.empty()) << table;
    EXPECT_EQ(stored.find("2001:db8"), std::string::npos) << table;
  }
}

// Servers counting one address at the same moment admit the limit exactly: the address's row
// lock serializes them.
TEST_P(SignInLimiterTest, ConcurrentServersAdmitTheLimitExactly) {
  if (Unready()) return;
  constexpr int kServers = 4, kAttemptsEach = 10, kLimit = 7;
  std::vector<std::unique_ptr<cases::Database>> stores;
  for (int i = 0; i < kServers; ++i) {
    stores.push_back(store_->Open(cases::Migrations()));
    ASSERT_TRUE(stores.back());
  }
  std::atomic<int> admitted{0}, failed{0};
  std::vector<std::thread> servers;
  const Timestamp now = clock_.Now();
  for (int i = 0; i < kServers; ++i) {
    servers.emplace_back([&, i] {
      SignInLimiter limiter(*stores[i], "staff", kLimit);
      for (int n = 0; n < kAttemptsEach; ++n) {
        auto r = limiter.Admit("203.0.113.99", now);
        if (!r.ok()) {
          ++failed;
        } else if (*r) {
          ++admitted;
        }
      }
    });
  }
  for (std::thread& t : servers) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(admitted.load(), kLimit);
}

INSTANTIATE_TEST_SUITE_P(Stores, SignInLimiterTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
