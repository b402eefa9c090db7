// The portal's withdrawal and amendment over HTTP, against both stores: a requester withdraws
// or amends its own agency's request only (another agency's is 404, as reading it is), a
// withdrawal takes an optional reason and is refused once production began (409), an
// amendment only after a pushback, with the trust fields set by custodian.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"

namespace custodian::server {
namespace {

class PortalWithdrawalTest : public ApiTest {
 protected:
  std::string FromPortal(const std::string& document, const std::string& token) {
    auto r = Post("/api/v1/portal/requests", Bearer(token), Attested(document));
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    return r && r->status == 201 ? json::parse(r->body)["id"].get<std::string>() : "";
  }
  std::string StateOf(const std::string& id) {
    return json::parse(client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(lcpd_))->body)["state"];
  }
};

TEST_P(PortalWithdrawalTest, ARequesterWithdrawsItsOwnRequestWithOrWithoutAReason) {
  const std::string id = FromPortal(Example("lcpd-subpoena"), lcpd_);
  const std::string path = "/api/v1/portal/requests/" + id + "/withdraw";
  // Another agency's request is not found, as reading it is; staff and service tokens may not.
  auto probe = Post(path, Bearer(fbi_), R"({"reason": "mine"})");
  EXPECT_EQ(probe->status, 404) << probe->body;
  EXPECT_EQ(json::parse(probe->body)["status"], 404);
  EXPECT_EQ(Post(path, Bearer(service_), "")->status, 403);
  EXPECT_EQ(Post(path, Staff(SignIn("rae")), "")->status, 403);
  EXPECT_EQ(Post(path, {}, "")->status, 401);
  // A bad reason: 400 naming it; nothing changes.
  for (const std::string& body : {std::string(R"({"reason": 5})"), std::string(R"({"reason": " "})"),
                                  std::string(R"({"why": "x"})"), std::string("[]")}) {
    auto refused = Post(path, Bearer(lcpd_), body);
    EXPECT_EQ(refused->status, 400) << body << ": " << refused->body;
  }
  EXPECT_EQ(json::parse(Post(path, Bearer(lcpd_), R"({"reason": " "})")->body)["field"], "/reason");
  EXPECT_EQ(StateOf(id), "in_review");

  auto withdrawn = Post(path, Bearer(lcpd_), R"({"reason": "The matter settled."})");
  ASSERT_EQ(withdrawn->status, 200) << withdrawn->body;
  const json view = json::parse(withdrawn->body);
  EXPECT_EQ(view["id"], id);
  EXPECT_EQ(view["state"], "withdrawn");
  EXPECT_EQ(view["withdrawn_at"], "2026-03-12T16:00:00Z");
  EXPECT_EQ(withdrawn->body.find("settled"), std::string::npos) << "the reason is not shown back";
  // Ended: a second withdrawal is a conflict.
  auto again = Post(path, Bearer(lcpd_), "");
  EXPECT_EQ(again->status, 409) << again->body;
  EXPECT_THAT(json::parse(again->body)["detail"].get<std::string>(), ::testing::HasSubstr("cannot withdraw"));
  // Staff see it withdrawn; without a body is a withdrawal without a reason.
  const std::string other = FromPortal(With(Example("lcpd-subpoena"), "/process/reference", "R-2"), lcpd_);
  auto bare = Post("/api/v1/portal/requests/" + other + "/withdraw", Bearer(lcpd_), "");
  ASSERT_EQ(bare->status, 200) << bare->body;
  EXPECT_EQ(json::parse(client_->Get(("/api/v1/cases/" + other).c_str(), Staff(SignIn("aud")))->body)["state"],
            "withdrawn");
}

TEST_P(PortalWithdrawalTest, ARequestInProductionIsNotWithdrawn) {
  // A court order sent by HSI's requester, approved, its production begun.
  const std::string hsi = users_->CreateToken(TokenKind::kRequester, "hsi", "us-dhs-hsi", "l.whitmore@hsi.dhs.gov", "setup").value();
  const std::string id = FromPortal(Example("hsi-child-safety-court-order"), hsi);
  cases::Review review;
  review.confirm_investigation = true;
  ASSERT_TRUE(workflow_->ReviewCase(id, {"rae"}, review).ok());
  ASSERT_TRUE(workflow_->Approve(id, {"abe"}).ok());
  ASSERT_TRUE(workflow_->StartProduction(id, {"rae"}).ok());
  auto refused = Post("/api/v1/portal/requests/" + id + "/withdraw", Bearer(hsi), "");
  EXPECT_EQ(refused->status, 409) << refused->body;
  EXPECT_EQ(json::parse(refused->body)["status"], 409);
  EXPECT_EQ(json::parse(client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(hsi))->body)["state"],
            "producing");
}

TEST_P(PortalWithdrawalTest, ARequesterAmendsItsPushedBackRequestAndCustodianSetsTheTrustFields) {
  const std::string id = FromPortal(Example("vague-subpoena"), lcpd_);
  const std::string path = "/api/v1/portal/requests/" + id + "/amend";
  // Not pushed back yet: 409.
  auto early = Post(path, Bearer(lcpd_), Attested(Example("lcpd-subpoena")));
  EXPECT_EQ(early->status, 409) << early->body;
  ASSERT_TRUE(workflow_->ReviewCase(id, {"rae"}, {cases::ReviewDecision::kPushback, std::nullopt, "Name the account."}).ok());
  // Another agency: 404; not a request: 400 naming the field; nothing changes.
  EXPECT_EQ(Post(path, Bearer(fbi_), Attested(Example("lcpd-subpoena")))->status, 404);
  auto bad = Post(path, Bearer(lcpd_), Attested(R"({"process": 1})"));
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_EQ(StateOf(id), "pushed_back");

  // What the requester may not claim is set by custodian: the agency, the time, the channel.
  std::string doc = With(Example("lcpd-subpoena"), "/requester/agency_id", "us-fbi");
  doc = With(doc, "/received_at", "2020-01-01T00:00:00Z");
  clock_.Set(ParseDateTime("2026-03-13T09:00:00Z").value());
  auto amended = Post(path, Bearer(lcpd_), Attested(doc));
  ASSERT_EQ(amended->status, 200) << amended->body;
  EXPECT_EQ(json::parse(amended->body)["state"], "in_review");
  EXPECT_EQ(json::parse(amended->body)["received_at"], "2026-03-13T09:00:00Z");
  auto staff = workflow_->Show(id, {"aud"});
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(staff->record.version, 2);
  EXPECT_EQ(staff->record.agency_id, "us-nm-lcpd");
  const json stored = json::parse(staff->request.document);
  EXPECT_EQ(stored["requester"]["agency_id"], "us-nm-lcpd");
  EXPECT_EQ(stored["requester"]["email"], "r.alvarez@las-cruces.org");
  EXPECT_EQ(stored["channel"], "api");
  EXPECT_EQ(stored["received_at"], "2026-03-13T09:00:00Z");

  // A request staff entered is amended by staff, not through the portal.
  const std::string entered = Submit(SignIn("ian"), Example("vague-subpoena"));
  ASSERT_TRUE(workflow_->ReviewCase(entered, {"rae"}, {cases::ReviewDecision::kPushback, std::nullopt, "Name it."}).ok());
  EXPECT_EQ(Post("/api/v1/portal/requests/" + entered + "/amend", Bearer(lcpd_), Attested(Example("lcpd-subpoena")))->status, 403);
}

INSTANTIATE_TEST_SUITE_P(Stores, PortalWithdrawalTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
