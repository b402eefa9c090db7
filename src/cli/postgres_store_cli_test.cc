// An instance whose case store is on PostgreSQL, named by a libpq connection URI
// (postgresql://user@host:port/db) in custodian.toml, through the built binary: the commands
// work, and print none of the server's NOTICE lines; two servers on the store hold one
// sign-in limit. Runs through scripts/with-postgres.sh; skipped without a server, and failed
// under CI.
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "cases/store/test_store.h"
#include "cli/cli_test_harness.h"

namespace custodian {
namespace {

class PostgresStoreCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    CUSTODIAN_REQUIRE_BACKEND(cases::Backend::kPostgres);
    store_.Url();  // makes the database
  }
  // The test server's "host=… port=… user=…" as a URI naming this test's database.
  std::string Uri() const {
    const auto field = [&](const std::string& key) {
      std::smatch m;
      const std::string text = std::getenv("CUSTODIAN_TEST_POSTGRES");
      return std::regex_search(text, m, std::regex("(^| )" + key + "=([^ ]+)")) ? m[2].str() : "";
    };
    return "postgresql://" + field("user") + "@" + field("host") + ":" + field("port") + "/" + store_.database();
  }

  cases::TestStore store_{cases::Backend::kPostgres};
};

TEST_F(PostgresStoreCliTest, AConnectionUriOpensTheStoreAndNoNoticeIsPrinted) {
  // The store is named before init, which creates it there (an instance never changes store
  // but through `cases move`).
  fs::create_directories(data_);
  std::ofstream(data_ + "/custodian.toml") << "[cases]\nstore = \"" << Uri() << "\"\n";
  const Outcome init = Run("init" + Data());
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_FALSE(fs::exists(data_ + "/cases.db"));
  const Outcome imported = Run("agencies import --actor operator " + ProjectPath("spec/agencies.example.json") + Data());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.err, "");
  // Every later open finds the schema in place: CREATE TABLE IF NOT EXISTS, which would NOTICE.
  const Outcome added = Run("user add intake-1 --role intake --actor operator" + Data(),
                            "a staff password, long enough\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.err, "");
  const Outcome submitted = Run("case submit --actor intake-1 " +
                                ProjectPath("examples/requests/lcpd-subpoena.json") + Data());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(submitted.err, "");
  EXPECT_EQ(nlohmann::json::parse(submitted.out)["state"], "in_review");
  // The case is in the database the URI names.
  soci::session store(soci::postgresql, store_.Connection());
  int cases = 0;
  store << "SELECT COUNT(*) FROM cases", soci::into(cases);
  EXPECT_EQ(cases, 1);
}

// Two `custodian serve` of one instance on one PostgreSQL store (as behind a load balancer):
// sign-in attempts from one address, alternating between them, are counted once. Each server
// alone would admit four; together they admit four.
TEST_F(PostgresStoreCliTest, TwoServersOfTheStoreHoldOneSignInLimit) {
  fs::create_directories(data_);
  std::ofstream(data_ + "/custodian.toml") << "[cases]\nstore = \"" << Uri()
                                           << "\"\n[auth]\nsign_in_attempts_per_minute = 4\n";
  ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  const std::string logs[] = {root_ + "/serve-1.err", root_ + "/serve-2.err"};
  int ports[2] = {0, 0};
  pid_t servers[2];
  for (int i = 0; i < 2; ++i) {
    servers[i] = StartServe(logs[i], &ports[i]);
    ASSERT_GT(ports[i], 0) << ReadFile(logs[i]);
  }
  std::vector<int> statuses;
  for (int attempt = 0; attempt < 8; ++attempt) {
    httplib::Client client("127.0.0.1", ports[attempt % 2]);
    auto r = client.Post("/api/v1/auth/login",
                         R"({"username": "nobody", "password": "not the password"})",
                         "application/json");
    statuses.push_back(r ? r->status : -1);
  }
  EXPECT_EQ(statuses, (std::vector<int>{401, 401, 401, 401, 429, 429, 429, 429}));
  for (int i = 0; i < 2; ++i) StopServe(servers[i], logs[i]);
}

}  // namespace
}  // namespace custodian
