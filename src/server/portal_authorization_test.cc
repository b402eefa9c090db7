// Who may call each portal endpoint: every GET and POST under /api/v1/portal, as the requester
// who sent the case (agency A), a colleague it is shared with, an officer of the same agency it
// is not shared with, a requester of another agency (B), a suspended account, an unconfirmed
// one, and nobody; each answer's status as expected, and no refusal to those the case is not
// shown names it, agency A or an account's address.
#include <httplib.h>

#include <iostream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "server/router.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

// The callers: sessions' cookies and CSRF tokens ({} for nobody).
enum class Who { kAgencyA, kColleague, kSameAgency, kAgencyB, kSuspended, kUnconfirmed, kNobody };
constexpr std::pair<Who, const char*> kCallers[] = {{Who::kAgencyA, "agency A"},
                                                     {Who::kColleague, "a colleague shared with"},
                                                     {Who::kSameAgency, "agency A, not shared with"},
                                                     {Who::kAgencyB, "agency B"},
                                                     {Who::kSuspended, "suspended"},
                                                     {Who::kUnconfirmed, "unconfirmed"},
                                                     {Who::kNobody, "nobody"}};

class PortalAuthorizationTest : public ApiTest {
 protected:
  ServerOptions Options() const override {
    ServerOptions options = ApiTest::Options();
    options.login_attempts_per_minute = 1000;
    return options;
  }

  // An account an operator added, enrolled, signed in: its session's headers.
  httplib::Headers SignedIn(const std::string& email) {
    requesters_->AddConfirmed(email, "An Officer", kPassword, "ada").value();
    const LoginResult first = requesters_->Login(email, kPassword, "");
    auto enrolment = requesters_->StartTotpEnrolment(first.enrolment_ticket).value();
    auto in = requesters_->ConfirmTotpEnrolment(first.enrolment_ticket,
                                                TotpCode(enrolment.secret, clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds))
                  .value();
    EXPECT_EQ(in.outcome, LoginOutcome::kOk);
    return {{"Cookie", std::string(kPortalCookie) + "=" + in.session_id}, {"X-CSRF-Token", in.session.csrf}};
  }
};

TEST_P(PortalAuthorizationTest, EveryPortalEndpointAnswersEachCallerAsItMay) {
  // Agency A (Las Cruces) submits a request through its session; a production of it is
  // stored with an open download grant. Agency B is the FBI.
  std::map<Who, httplib::Headers> callers;
  callers[Who::kAgencyA] = SignedIn("r.alvarez@las-cruces.org");
  callers[Who::kColleague] = SignedIn("m.ortiz@las-cruces.org");
  callers[Who::kSameAgency] = SignedIn("d.luna@las-cruces.org");
  callers[Who::kAgencyB] = SignedIn("mchen@fbi.gov");
  callers[Who::kSuspended] = SignedIn("s.baca@las-cruces.org");
  ASSERT_TRUE(requesters_->SetSuspended(requesters_->FindByEmail("s.baca@las-cruces.org")->id, true, "ada").ok());
  // Unconfirmed: registered, never confirmed; it has no session, and signs in to nothing.
  ASSERT_TRUE(requesters_->Register("t.chavez@las-cruces.org", "T. Chavez", kPassword).ok());
  EXPECT_EQ(requesters_->Login("t.chavez@las-cruces.org", kPassword, "").outcome, LoginOutcome::kRefused);
  callers[Who::kUnconfirmed] = {};
  callers[Who::kNobody] = {};

  auto submitted = Post("/api/v1/portal/requests", callers[Who::kAgencyA], Attested(Example("lcpd-subpoena")));
  ASSERT_EQ(submitted->status, 201) << submitted->body;
  const std::string id = json::parse(submitted->body)["id"];
  auto shared = Post("/api/v1/portal/requests/" + id + "/shares", callers[Who::kAgencyA],
                     R"({"email": "m.ortiz@las-cruces.org"})");
  ASSERT_EQ(shared->status, 200) << shared->body;
  const std::string unshared = requesters_->FindByEmail("d.luna@las-cruces.org")->id;
  const std::string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

  struct Endpoint {
    std::string method, path, body, type;
    std::map<Who, int> expected;  // by caller; the rest 401
  };
  // Signed in: each account's own answer. Reads: the sender and the colleague; steps: the
  // sender, the colleague refused (403); the rest told the request does not exist (404).
  const auto signed_in = [](int status) {
    return std::map<Who, int>{{Who::kAgencyA, status}, {Who::kColleague, status},
                              {Who::kSameAgency, status}, {Who::kAgencyB, status}};
  };
  const std::map<Who, int> seen = {{Who::kAgencyA, 200}, {Who::kColleague, 200}, {Who::kSameAgency, 404}, {Who::kAgencyB, 404}};
  const auto senders = [](int status) {
    return std::map<Who, int>{{Who::kAgencyA, status}, {Who::kColleague, 403}, {Who::kSameAgency, 404}, {Who::kAgencyB, 404}};
  };
  const auto everyone = [](int status) {
    std::map<Who, int> out;
    for (const auto& [who, name] : kCallers) out[who] = status;
    return out;
  };
  const std::string shares = "/api/v1/portal/requests/" + id + "/shares";
  std::vector<Endpoint> endpoints = {
      {"GET", "/api/v1/portal/requests", "", "", signed_in(200)},
      {"GET", "/api/v1/portal/attestation", "", "", signed_in(200)},
      {"GET", "/api/v1/portal/requests/" + id, "", "", seen},
      {"GET", "/api/v1/portal/requests/" + id + "/productions", "", "", seen},
      {"GET", shares, "", "", seen},
      // Sharing again with the same colleague changes nothing.
      {"POST", shares, R"({"email": "m.ortiz@las-cruces.org"})", "application/json", senders(200)},
      {"POST", shares + "/" + unshared + "/remove", "", "", senders(404)},
      {"POST", "/api/v1/portal/requests/" + id + "/documents", pdf, "application/pdf", senders(201)},
      {"POST", "/api/v1/portal/requests/" + id + "/amend", Attested(Example("lcpd-subpoena")), "application/json",
       senders(409)},
      {"GET", "/api/v1/portal/downloads/D-" + std::string(32, 'a'), "", "", signed_in(404)},
      {"POST", "/api/v1/portal/requests", Attested(Example("fbi-warrant-content")), "application/json",
       signed_in(201)},
      {"GET", "/api/v1/portal/session", "", "", signed_in(200)},
      // Public: everyone is answered alike, the caller's session unread.
      {"POST", "/api/v1/portal/accounts/confirm", json{{"token", std::string(64, '0')}, {"password", kPassword}}.dump(), "application/json",
       everyone(404)},
      {"POST", "/api/v1/portal/totp/enrolment", json{{"ticket", std::string(64, '0')}}.dump(), "application/json",
       everyone(401)},
      {"POST", "/api/v1/portal/totp/confirm", json{{"ticket", std::string(64, '0')}, {"code", "000000"}}.dump(),
       "application/json",
       everyone(401)},
      {"POST", "/api/v1/portal/session", json{{"email", "t.chavez@las-cruces.org"}, {"password", kPassword}}.dump(),
       "application/json",
       everyone(401)},
      // Without [mail] here, registration is unavailable to everyone alike.
      {"POST", "/api/v1/portal/accounts", json{{"email", "u@las-cruces.org"}, {"name", "U"}, {"password", kPassword}}.dump(),
       "application/json",
       everyone(503)},
      // Then: it ends the case.
      {"POST", "/api/v1/portal/requests/" + id + "/withdraw", "", "", senders(200)},
      // Last: it ends the session.
      {"POST", "/api/v1/portal/session/logout", "", "", signed_in(204)},
  };
  int calls = 0;
  for (const Endpoint& e : endpoints) {
    for (const auto& [who, name] : kCallers) {
      auto r = e.method == "GET" ? client_->Get(e.path, callers[who])
                                 : client_->Post(e.path, callers[who], e.body, e.type.empty() ? "application/json" : e.type.c_str());
      ASSERT_TRUE(r) << e.method << " " << e.path << " as " << name;
      ++calls;
      const auto expected = e.expected.find(who);
      EXPECT_EQ(r->status, expected == e.expected.end() ? 401 : expected->second)
          << e.method << " " << e.path << " as " << name << ": " << r->body;
      if (r->status >= 400 && who != Who::kAgencyA && who != Who::kColleague) {
        // A refusal to anyone the case is not shown names nothing of it, its agency or an account.
        for (const std::string& secret : {id, std::string("us-nm-lcpd"), std::string("las-cruces"), std::string("fbi.gov"),
                                          std::string("R-")}) {
          EXPECT_THAT(r->body, ::testing::Not(::testing::HasSubstr(secret))) << e.method << " " << e.path << " as " << name;
        }
      }
    }
  }
  // What agency B lists is none of agency A's.
  auto listed = client_->Get("/api/v1/portal/requests", {{"Authorization", "Bearer " + fbi_}});
  EXPECT_THAT(listed->body, ::testing::Not(::testing::HasSubstr(id)));
  std::cout << "portal authorization matrix: " << endpoints.size() << " endpoints x " << std::size(kCallers)
            << " callers = " << calls << " calls" << std::endl;
}

INSTANTIATE_TEST_SUITE_P(Stores, PortalAuthorizationTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
