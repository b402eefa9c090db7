// The console's queue and case page over HTTP, against both stores: assignment, internal
// comments (never the portal's), the queue's filters and search, and a hold's extension; each
// refused to the roles that may not, each bad input answered 400 naming its field or
// parameter with nothing changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"

namespace custodian::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class CaseQueueApiTest : public ApiTest {
 protected:
  json Get(const std::string& path, const httplib::Headers& h, int status = 200) {
    auto r = client_->Get(path.c_str(), h);
    EXPECT_TRUE(r && r->status == status) << path << ": " << (r ? r->body : "no answer");
    return r && !r->body.empty() ? json::parse(r->body) : json();
  }
  // The field a 400 names.
  std::string FieldOf(const httplib::Result& r) {
    EXPECT_TRUE(r && r->status == 400) << (r ? r->body : "no answer");
    return r && r->status == 400 ? json::parse(r->body).value("field", "") : "";
  }
  // A search: its text in the body, never in the address.
  json Search(const std::string& q, const httplib::Headers& h, const std::string& filters = "") {
    auto r = Post("/api/v1/cases/search" + filters, h, json{{"q", q}}.dump());
    EXPECT_TRUE(r && r->status == 200) << q << ": " << (r ? r->body : "no answer");
    return r && r->status == 200 ? json::parse(r->body) : json();
  }
  std::vector<std::string> Ids(const json& list) {
    std::vector<std::string> out;
    for (const auto& c : list) out.push_back(c["id"]);
    return out;
  }
};

TEST_P(CaseQueueApiTest, IntakeReviewersAndApproversAssignACaseToAStaffUser) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe"), aud = SignIn("aud"),
              ada = SignIn("ada");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  const std::string path = "/api/v1/cases/" + id + "/assign";
  auto assigned = Post(path, Staff(ian), R"({"assignee": "rae"})");
  ASSERT_EQ(assigned->status, 200) << assigned->body;
  EXPECT_EQ(json::parse(assigned->body)["assignee"], "rae");
  EXPECT_EQ(Post(path, Staff(rae), R"({"assignee": "abe"})")->status, 200);
  EXPECT_EQ(Post(path, Staff(abe), R"({"assignee": "abe"})")->status, 200);
  EXPECT_EQ(Post(path, Staff(aud), R"({"assignee": "rae"})")->status, 403);
  EXPECT_EQ(Post(path, Staff(ada), R"({"assignee": "rae"})")->status, 403);
  EXPECT_EQ(Post(path, Bearer(lcpd_), R"({"assignee": "rae"})")->status, 403);

  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"assignee": "nobody"})")), "/assignee");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"assignee": "aud"})")), "/assignee") << "an auditor works no case";
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"assignee": 5})")), "/assignee");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({})")), "/assignee");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"assignee": "rae", "extra": 1})")), "/extra");
  EXPECT_EQ(Get("/api/v1/cases/" + id, Staff(aud))["assignee"], "abe") << "nothing changed";
  EXPECT_EQ(Post("/api/v1/cases/C-2026-999999/assign", Staff(rae), R"({"assignee": "rae"})")->status, 404);

  const json listed = Get("/api/v1/cases?assignee=abe", Staff(aud));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["assignee"], "abe");
  EXPECT_EQ(Get("/api/v1/cases?assignee=", Staff(aud)), json::array());
  EXPECT_EQ(FieldOf(client_->Get("/api/v1/cases?assignee=nobody", Staff(aud))), "/query/assignee");
  auto cleared = Post(path, Staff(rae), R"({"assignee": null})");
  ASSERT_EQ(cleared->status, 200);
  EXPECT_TRUE(json::parse(cleared->body)["assignee"].is_null());
  EXPECT_THAT(Ids(Get("/api/v1/cases?assignee=", Staff(aud))), ElementsAre(id));
}

TEST_P(CaseQueueApiTest, StaffCommentOnACaseAndRequestersNeverSeeTheComments) {
  const Login rae = SignIn("rae"), aud = SignIn("aud");
  auto submitted = Post("/api/v1/portal/requests", Bearer(lcpd_), Attested(Example("lcpd-subpoena")));
  ASSERT_EQ(submitted->status, 201) << submitted->body;
  const std::string id = json::parse(submitted->body)["id"];
  const std::string path = "/api/v1/cases/" + id + "/comments";
  const std::string marker = "Internal-only: the target's sister works at the agency";
  auto added = Post(path, Staff(rae), json{{"text", marker}}.dump());
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_EQ(json::parse(added->body),
            json::parse(R"({"id": 1, "author": "rae", "at": "2026-03-12T16:00:00Z", "text": ")" + marker + "\"}"));
  EXPECT_EQ(Post(path, Staff(aud), R"({"text": "auditors may note too"})")->status, 201);

  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"text": ""})")), "/text");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"text": "   "})")), "/text");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), json{{"text", std::string(4001, 'x')}}.dump())), "/text");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({"text": 7})")), "/text");
  EXPECT_EQ(FieldOf(Post(path, Staff(rae), R"({})")), "/text");
  EXPECT_EQ(Post("/api/v1/cases/C-2026-999999/comments", Staff(rae), R"({"text": "x"})")->status, 404);
  EXPECT_EQ(Post(path, Bearer(lcpd_), R"({"text": "from the portal"})")->status, 403);
  EXPECT_EQ(client_->Get(path.c_str(), Bearer(lcpd_))->status, 403);

  const json all = Get(path, Staff(aud));
  ASSERT_EQ(all.size(), 2u) << "the refused ones stored nothing";
  EXPECT_EQ(all[0]["text"], marker);
  EXPECT_EQ(all[1]["author"], "aud");

  // Everything the portal answers about the case carries no comment.
  for (const std::string& portal : std::vector<std::string>{"/api/v1/portal/requests", "/api/v1/portal/requests/" + id,
                                                           "/api/v1/portal/requests/" + id + "/productions"}) {
    auto r = client_->Get(portal.c_str(), Bearer(lcpd_));
    ASSERT_TRUE(r && r->status == 200) << portal;
    EXPECT_THAT(r->body, Not(HasSubstr("Internal-only"))) << portal;
    EXPECT_THAT(r->body, Not(HasSubstr("comment"))) << portal;
  }
}

TEST_P(CaseQueueApiTest, TheQueueFiltersAndSearchesWithoutShowingOtherTargets) {
  const Login ian = SignIn("ian"), aud = SignIn("aud"), ada = SignIn("ada");
  const std::string lcpd = Submit(ian, Example("lcpd-subpoena"));
  const std::string emergency = Submit(ian, Example("emergency-unverified"));
  const std::string other = Submit(ian, With(Example("hsi-child-safety-court-order"), "/targets",
                                                    json::parse(R"([{"type": "email", "value": "secret.target@example.net"}])")));

  EXPECT_THAT(Ids(Get("/api/v1/cases?process_type=emergency", Staff(aud))), ElementsAre(emergency));
  EXPECT_THAT(Ids(Get("/api/v1/cases?emergency=true", Staff(aud))), ElementsAre(emergency));
  EXPECT_THAT(Ids(Get("/api/v1/cases?agency=us-dhs-hsi", Staff(aud))), ElementsAre(other));
  EXPECT_EQ(Get("/api/v1/cases?overdue=true", Staff(aud)), json::array());
  clock_.Set(ParseDateTime("2026-03-12T17:00:00Z").value());
  EXPECT_THAT(Ids(Get("/api/v1/cases?overdue=true&state=verifying", Staff(ada))), ElementsAre(emergency));

  // A search answers the usual rows of the cases that match, and nothing of other targets.
  const json found = Search("Secret.Target@example.net", Staff(aud));
  EXPECT_THAT(Ids(found), ElementsAre(other));
  EXPECT_EQ(found[0].size(), Get("/api/v1/cases?agency=us-dhs-hsi", Staff(aud))[0].size()) << "the list's row";
  EXPECT_FALSE(found[0].contains("request")) << "the list never carries the request";
  const json by_account = Search("1000042", Staff(aud));
  EXPECT_THAT(Ids(by_account), ::testing::UnorderedElementsAre(lcpd, emergency));
  EXPECT_THAT(by_account.dump(), Not(HasSubstr("secret.target"))) << "another case's target is never shown";
  EXPECT_THAT(Ids(Search("1000042", Staff(aud), "?emergency=true")), ElementsAre(emergency)) << "with a filter";
  EXPECT_THAT(Ids(Search("GJ-2026-0311", Staff(aud))), ElementsAre(lcpd));
  EXPECT_EQ(Search("someone@example.org", Staff(aud)), json::array());
  EXPECT_EQ(Post("/api/v1/cases/search", Bearer(lcpd_), R"({"q": "1000042"})")->status, 403);
  // Never in an address, where proxies and logs keep it.
  EXPECT_EQ(FieldOf(client_->Get("/api/v1/cases?q=1000042", Staff(aud))), "/query/q");
  for (const std::string& body : {std::string(R"({"q": ""})"), std::string(R"({"q": "  "})"),
                                  json{{"q", std::string(257, 'a')}}.dump(), std::string(R"({"q": 5})"),
                                  std::string("{}")}) {
    EXPECT_EQ(FieldOf(Post("/api/v1/cases/search", Staff(aud), body)), "/q") << body;
  }

  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"state=open", "/query/state"}, {"process_type=writ", "/query/process_type"},
           {"agency=us-nowhere", "/query/agency"}, {"emergency=yes", "/query/emergency"},
           {"overdue=1", "/query/overdue"}, {"assignee=nobody", "/query/assignee"}}) {
    EXPECT_EQ(FieldOf(client_->Get(("/api/v1/cases?" + query).c_str(), Staff(aud))), field) << query;
  }
}

TEST_P(CaseQueueApiTest, AReviewerExtendsAnActiveHoldOnceWithinTheStandards) {
  ASSERT_TRUE(instance_->IngestExampleAccount().ok());
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe");
  const std::string id = Submit(ian, Example("preservation"));
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/review", Staff(rae), R"({"decision": "approve"})")->status, 200);
  const std::string path = "/api/v1/holds/" + id + "-H1/extend";
  const json before = Get("/api/v1/holds?case=" + id, Staff(abe))[0];

  EXPECT_EQ(Post(path, Staff(abe), R"({"days": 30})")->status, 403);
  EXPECT_EQ(Post(path, Staff(ian), R"({"days": 30})")->status, 403);
  for (const char* body : {R"({"days": 91})", R"({"days": 0})", R"({"days": "30"})", R"({"days": 1.5})", R"({})"}) {
    EXPECT_EQ(FieldOf(Post(path, Staff(rae), body)), "/days") << body;
  }
  EXPECT_EQ(Get("/api/v1/holds?case=" + id, Staff(abe))[0], before) << "nothing changed";

  auto extended = Post(path, Staff(rae), R"({"days": 90})");
  ASSERT_EQ(extended->status, 200) << extended->body;
  const json hold = json::parse(extended->body);
  EXPECT_EQ(hold["id"], id + "-H1");
  EXPECT_EQ(hold["extensions"], 1);
  EXPECT_EQ(ParseDateTime(hold["expires_at"].get<std::string>())->micros,
            ParseDateTime(before["expires_at"].get<std::string>())->micros + 90 * kMicrosPerDay);
  auto again = Post(path, Staff(rae), R"({"days": 10})");
  EXPECT_EQ(again->status, 409) << "once, as the standards allow";
  EXPECT_EQ(Post("/api/v1/holds/" + id + "-H7/extend", Staff(rae), R"({"days": 10})")->status, 404);
}

INSTANTIATE_TEST_SUITE_P(Stores, CaseQueueApiTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
