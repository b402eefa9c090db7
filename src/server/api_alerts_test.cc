// The API's alert endpoints against both stores: a staff user's own alerts, newest first
// (GET /api/v1/alerts), and an admin setting where a user's alerts are mailed
// (PUT /api/v1/users/{name}/email).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/alert_outbox.h"
#include "server/api_test_fixture.h"

namespace custodian::server {
namespace {

class ApiAlertsTest : public ApiTest {};

TEST_P(ApiAlertsTest, StaffReadTheirOwnAlertsNewestFirst) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe");
  const std::string id = Submit(ian, Example("emergency-unverified"));  // verifying
  cases::AlertOutbox outbox(*instance_->db, clock_, {});
  ASSERT_EQ(*outbox.Raise(), 1);
  clock_.Set(ParseDateTime("2026-03-12T17:00:00Z").value());
  ASSERT_EQ(*outbox.Raise(), 1);  // overdue now

  auto mine = client_->Get("/api/v1/alerts", Staff(rae));
  ASSERT_TRUE(mine && mine->status == 200) << (mine ? mine->body : "no answer");
  EXPECT_EQ(json::parse(mine->body),
            json::parse(R"([{"id": "A-2026-000002", "kind": "overdue", "case_id": ")" + id +
                        R"(", "hold_id": null, "due_at": "2026-03-12T16:04:05Z", "raised_at": "2026-03-12T17:00:00Z"},
                           {"id": "A-2026-000001", "kind": "emergency", "case_id": ")" + id +
                        R"(", "hold_id": null, "due_at": "2026-03-12T16:04:05Z", "raised_at": "2026-03-12T16:00:00Z"}])"));
  auto one = client_->Get("/api/v1/alerts?limit=1", Staff(ian));
  ASSERT_TRUE(one && one->status == 200);
  EXPECT_EQ(json::parse(one->body).size(), 1u);
  EXPECT_EQ(json::parse(one->body)[0]["kind"], "overdue");
  auto none = client_->Get("/api/v1/alerts", Staff(abe));
  ASSERT_TRUE(none && none->status == 200);
  EXPECT_EQ(json::parse(none->body), json::array()) << "an unverified emergency does not wait on approval";

  auto zero = client_->Get("/api/v1/alerts?limit=0", Staff(rae));
  ASSERT_TRUE(zero && zero->status == 400);
  EXPECT_EQ(json::parse(zero->body)["field"], "/query/limit");
  auto nobody = client_->Get("/api/v1/alerts");
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 401);
  auto service = client_->Get("/api/v1/alerts", Bearer(service_));
  ASSERT_TRUE(service);
  EXPECT_EQ(service->status, 403);
}

TEST_P(ApiAlertsTest, AnAdminSetsWhereAUsersAlertsAreMailed) {
  const Login ada = SignIn("ada"), rae = SignIn("rae");
  auto set = client_->Put("/api/v1/users/rae/email", Staff(ada), R"({"email": "rae@legal.example.org"})",
                          "application/json");
  ASSERT_TRUE(set && set->status == 200) << (set ? set->body : "no answer");
  EXPECT_EQ(json::parse(set->body), json::parse(R"({"name": "rae", "email": "rae@legal.example.org"})"));
  EXPECT_EQ(users_->GetUser("rae")->email, "rae@legal.example.org");

  auto bad = client_->Put("/api/v1/users/rae/email", Staff(ada), R"({"email": "rae@legal.example.org\r\nBcc: x@example.net"})",
                          "application/json");
  ASSERT_TRUE(bad && bad->status == 400);
  EXPECT_EQ(json::parse(bad->body)["field"], "/email");
  EXPECT_THAT(json::parse(bad->body)["detail"].get<std::string>(), ::testing::HasSubstr("not an e-mail address"));
  EXPECT_EQ(users_->GetUser("rae")->email, "rae@legal.example.org") << "left as it was";
  auto missing = client_->Put("/api/v1/users/rae/email", Staff(ada), "{}", "application/json");
  ASSERT_TRUE(missing && missing->status == 400);
  EXPECT_EQ(json::parse(missing->body)["field"], "/email");
  auto unknown = client_->Put("/api/v1/users/nobody/email", Staff(ada), R"({"email": null})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto own = client_->Put("/api/v1/users/rae/email", Staff(rae), R"({"email": null})", "application/json");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 403) << "admins only, even for one's own";

  auto removed = client_->Put("/api/v1/users/rae/email", Staff(ada), R"({"email": null})", "application/json");
  ASSERT_TRUE(removed && removed->status == 200);
  EXPECT_EQ(json::parse(removed->body), json::parse(R"({"name": "rae", "email": null})"));
  EXPECT_EQ(users_->GetUser("rae")->email, std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiAlertsTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
