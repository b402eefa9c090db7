// The vault's status over real HTTP, against both stores: counts, the days held, the
// retention periods and the holds in force, for every staff role and no one else, and no
// personal data in it.
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "vault/holds.h"

namespace custodian::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class VaultStatusTest : public ApiTest {};

TEST_P(VaultStatusTest, EveryStaffRoleReadsTheVaultsCountsAndNothingPersonal) {
  const Login aud = SignIn("aud");
  auto empty = client_->Get("/api/v1/vault/status", Staff(aud));
  ASSERT_TRUE(empty);
  ASSERT_EQ(empty->status, 200) << empty->body;
  const json before = json::parse(empty->body);
  EXPECT_EQ(before["events"], 0);
  EXPECT_EQ(before["oldest_day"], nullptr);
  EXPECT_EQ(before["active_holds"], 0);
  EXPECT_GT(before["access_log_retention_days"].get<int>(), 0);
  EXPECT_GT(before["subscriber_retention_days"].get<int>(), 0);

  vault::IngestReport report;
  ASSERT_TRUE(vault_->Ingest(R"({"account_id": 1000042, "ts": "2026-02-15T08:00:00Z", "kind": "login", "ip": "203.0.113.5"})"
                             "\n"
                             R"({"account_id": 1000043, "ts": "2026-03-01T09:30:00Z", "kind": "login", "ip": "198.51.100.7"})"
                             "\n", report).ok());
  ASSERT_EQ(report.accepted, 2u);
  vault::Hold hold;
  hold.id = "C-2026-000001-H1";
  hold.account = 1000042;
  hold.case_id = "C-2026-000001";
  hold.placed = clock_.Now();
  hold.expires = Timestamp{clock_.Now().micros + 90 * kMicrosPerDay};
  hold.covers_until = clock_.Now();
  ASSERT_TRUE(vault_->PlaceHold(hold).ok());

  for (const std::string role : {"ian", "rae", "abe", "aud", "ada"}) {
    auto r = client_->Get("/api/v1/vault/status", Staff(SignIn(role)));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << role;
    const json status = json::parse(r->body);
    EXPECT_EQ(status["events"], 2);
    EXPECT_EQ(status["accounts"], 2);
    EXPECT_EQ(status["oldest_day"], "2026-02-15");
    EXPECT_EQ(status["newest_day"], "2026-03-01");
    EXPECT_EQ(status["active_holds"], 1);
    for (const char* personal : {"1000042", "1000043", "203.0.113.5", "198.51.100.7"}) {
      EXPECT_THAT(r->body, Not(HasSubstr(personal)));
    }
  }
  // The hold ends: no longer counted.
  clock_.Advance(91 * kMicrosPerDay);
  EXPECT_EQ(json::parse(client_->Get("/api/v1/vault/status", Staff(SignIn("aud")))->body)["active_holds"], 0);

  EXPECT_EQ(client_->Get("/api/v1/vault/status")->status, 401);
  for (const std::string& token : {service_, lcpd_, outside_}) {
    EXPECT_EQ(client_->Get("/api/v1/vault/status", Bearer(token))->status, 403);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, VaultStatusTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
