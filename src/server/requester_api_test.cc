// Requester accounts over the API: registration answered alike for new and known addresses,
// the confirmation link as the real SMTP sink received it, the second factor's enrolment,
// sign-in refused alike for every failure, the portal session and its CSRF token.
#include <httplib.h>

#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "server/smtp_sink_testing.h"
#include "server/totp.h"
#include "server/totp_testing.h"

namespace custodian::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAddress[] = "R.Alvarez@las-cruces.org";

class RequesterApiTest : public ApiTest {
 protected:
  void BeforeServing() override {
    sink_ = std::make_unique<testing::SmtpSink>();
    MailSettings settings{sink_->Server(), "custodian@example.net"};
    settings.console_url = "https://custodian.example.org/console/#/cases";
    mail_ = MailTransport::Create(std::move(settings), clock_).value();
  }
  void TearDown() override {
    ApiTest::TearDown();
    sink_.reset();
  }
  // Sign-ins are limited per client address; these tests make many from one.
  ServerOptions Options() const override {
    ServerOptions options = ApiTest::Options();
    options.login_attempts_per_minute = 1000;
    return options;
  }

  httplib::Result PostJson(const std::string& path, const json& body, const httplib::Headers& h = {}) {
    return Post(path, h, body.dump());
  }
  httplib::Result Register(const std::string& email, const std::string& password = kPassword) {
    return PostJson("/api/v1/portal/accounts", {{"email", email}, {"name", "Rosa Alvarez"}, {"password", password}});
  }
  httplib::Result SignIn(const std::string& email, const std::string& password, const std::string& code = "") {
    return PostJson("/api/v1/portal/session", {{"email", email}, {"password", password}, {"totp", code}});
  }
  // The confirmation token of the sink's latest message (none: it has no link).
  std::string LinkToken() {
    const auto messages = sink_->Messages();
    if (messages.empty()) return "";
    const std::string body = testing::SmtpSink::Body(messages.back());
    std::smatch m;
    if (!std::regex_search(body, m, std::regex("https://custodian\\.example\\.org/portal/#/confirm/([0-9a-f]{64})"))) {
      return "";
    }
    return m[1];
  }
  int64_t Step() const { return clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds; }
  void NextStep() { clock_.Set(Timestamp{clock_.Now().micros + kTotpStepSeconds * kMicrosPerSecond}); }

  // Registered, confirmed and enrolled through the API: the TOTP secret, and the session
  // the enrolment opened (its cookie and CSRF token).
  std::string Enrolled(const std::string& email, Login* session = nullptr) {
    auto registered = Register(email);
    EXPECT_TRUE(registered && registered->status == 202);
    auto confirmed = PostJson("/api/v1/portal/accounts/confirm", {{"token", LinkToken()}, {"password", kPassword}});
    EXPECT_TRUE(confirmed && confirmed->status == 200);
    if (!confirmed || confirmed->status != 200) return "";
    const std::string ticket = json::parse(confirmed->body)["enrolment_ticket"];
    auto enrolment = PostJson("/api/v1/portal/totp/enrolment", {{"ticket", ticket}});
    EXPECT_TRUE(enrolment && enrolment->status == 200);
    if (!enrolment || enrolment->status != 200) return "";
    const std::string secret = FromBase32(json::parse(enrolment->body)["secret"]);
    auto in = PostJson("/api/v1/portal/totp/confirm", {{"ticket", ticket}, {"code", TotpCode(secret, Step())}});
    EXPECT_TRUE(in && in->status == 200) << (in ? in->body : "");
    if (session && in && in->status == 200) {
      const std::string set = in->get_header_value("Set-Cookie");
      *session = {set.substr(0, set.find(';')), json::parse(in->body)["csrf"]};
    }
    return secret;
  }

  std::unique_ptr<testing::SmtpSink> sink_;
};

TEST_P(RequesterApiTest, ARequesterRegistersConfirmsByMailEnrolsAndSignsIn) {
  auto registered = Register(kAddress);
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 202) << registered->body;
  EXPECT_EQ(json::parse(registered->body), json({{"status", "confirmation_sent"}}));
  const auto messages = sink_->Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["to"], json::array({kAddress}));
  EXPECT_EQ(testing::SmtpSink::Header(messages[0], "Subject"), "Confirm your address for the portal");
  const std::string token = LinkToken();
  ASSERT_EQ(token.size(), 64u) << testing::SmtpSink::Body(messages[0]);
  EXPECT_THAT(testing::SmtpSink::Body(messages[0]), Not(HasSubstr("/console/"))) << "the console URL's origin only";

  // Unconfirmed: refused as anyone is.
  EXPECT_EQ(SignIn(kAddress, kPassword)->status, 401);

  // The link and the password registered with it; a missing or other password confirms nothing.
  auto bare = PostJson("/api/v1/portal/accounts/confirm", {{"token", token}});
  EXPECT_EQ(bare->status, 400) << bare->body;
  EXPECT_EQ(json::parse(bare->body)["field"], "/password");
  EXPECT_EQ(PostJson("/api/v1/portal/accounts/confirm", {{"token", token}, {"password", "another passphrase"}})->status, 404);
  auto confirmed = PostJson("/api/v1/portal/accounts/confirm", {{"token", token}, {"password", kPassword}});
  ASSERT_TRUE(confirmed);
  ASSERT_EQ(confirmed->status, 200) << confirmed->body;
  const json ticket_answer = json::parse(confirmed->body);
  EXPECT_EQ(ticket_answer["expires_at"], "2026-03-12T16:10:00Z");
  auto again = PostJson("/api/v1/portal/accounts/confirm", {{"token", token}, {"password", kPassword}});
  EXPECT_EQ(again->status, 404) << "a link works once";
  EXPECT_EQ(again->get_header_value("Content-Type"), "application/problem+json");

  // Confirmed without a factor: the password gets a ticket to enrol one, as staff's does.
  auto missing = SignIn("r.alvarez@LAS-CRUCES.org", kPassword);
  ASSERT_EQ(missing->status, 403);
  const json problem = json::parse(missing->body);
  EXPECT_EQ(problem["type"], "https://custodian.invalid/problems/totp-enrolment-required");
  const std::string ticket = problem["enrolment_ticket"];

  auto enrolment = PostJson("/api/v1/portal/totp/enrolment", {{"ticket", ticket}});
  ASSERT_EQ(enrolment->status, 200) << enrolment->body;
  const json pending = json::parse(enrolment->body);
  EXPECT_EQ(pending["algorithm"], "SHA256");
  EXPECT_EQ(pending["digits"], 6);
  EXPECT_EQ(pending["period"], 30);
  EXPECT_EQ(pending["otpauth_uri"], "otpauth://totp/custodian:R.Alvarez@las-cruces.org?secret=" +
                                        pending["secret"].get<std::string>() +
                                        "&issuer=custodian&algorithm=SHA256&digits=6&period=30");
  const std::string secret = FromBase32(pending["secret"]);
  auto wrong = PostJson("/api/v1/portal/totp/confirm", {{"ticket", ticket}, {"code", TotpCode(secret, Step() - 5)}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(PostJson("/api/v1/portal/totp/confirm", {{"ticket", ticket}, {"code", "1"}, {"totp", "1"}})->status, 400);
  // "totp", as staff's confirmation names the code, is taken too.
  auto in = PostJson("/api/v1/portal/totp/confirm", {{"ticket", ticket}, {"totp", TotpCode(secret, Step())}});
  ASSERT_EQ(in->status, 200) << in->body;
  const json session = json::parse(in->body);
  EXPECT_FALSE(session["csrf"].get<std::string>().empty());
  EXPECT_EQ(session["account"]["email"], kAddress);
  EXPECT_EQ(session["account"]["name"], "Rosa Alvarez");
  EXPECT_EQ(session["account"]["agency_id"], "us-nm-lcpd");
  EXPECT_THAT(session["account"]["id"].get<std::string>(), ::testing::MatchesRegex("R-[0-9a-f]{16}"));
  const std::string set = in->get_header_value("Set-Cookie");
  EXPECT_THAT(set, HasSubstr("custodian_portal="));
  EXPECT_THAT(set, HasSubstr("; Path=/api/v1/portal; HttpOnly; SameSite=Strict"));
  EXPECT_THAT(set, Not(HasSubstr("Secure"))) << "no TLS here";

  // Signed in by address, password and code, later.
  NextStep();
  auto later = SignIn(kAddress, kPassword, TotpCode(secret, Step()));
  ASSERT_EQ(later->status, 200) << later->body;
  const std::string cookie = later->get_header_value("Set-Cookie").substr(0, later->get_header_value("Set-Cookie").find(';'));
  const std::string csrf = json::parse(later->body)["csrf"];
  auto current = client_->Get("/api/v1/portal/session", {{"Cookie", cookie}});
  ASSERT_EQ(current->status, 200);
  EXPECT_EQ(json::parse(current->body), json::parse(later->body));
  // The session opens the portal as a requester token does.
  auto list = client_->Get("/api/v1/portal/requests", {{"Cookie", cookie}});
  EXPECT_EQ(list->status, 200) << list->body;
  // A change from the session carries its CSRF token.
  auto forged = Post("/api/v1/portal/session/logout", {{"Cookie", cookie}}, "");
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(json::parse(forged->body)["type"], "https://custodian.invalid/problems/csrf");
  auto out = Post("/api/v1/portal/session/logout", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, "");
  EXPECT_EQ(out->status, 204);
  EXPECT_THAT(out->get_header_value("Set-Cookie"), HasSubstr("custodian_portal=; Path=/api/v1/portal"));
  EXPECT_EQ(client_->Get("/api/v1/portal/session", {{"Cookie", cookie}})->status, 401);
  // A bearer token's caller has no session to show.
  EXPECT_EQ(client_->Get("/api/v1/portal/session", Bearer(lcpd_))->status, 401);
}

TEST_P(RequesterApiTest, RegistrationAnswersAlikeWhetherTheAddressHasAnAccount) {
  const std::string secret = Enrolled(kAddress);
  const size_t before = sink_->Messages().size();
  auto known = Register("r.alvarez@las-cruces.org", "a different passphrase");
  auto fresh = Register("s.baca@las-cruces.org");
  ASSERT_TRUE(known && fresh);
  EXPECT_EQ(known->status, 202);
  EXPECT_EQ(known->body, fresh->body);
  const auto messages = sink_->Messages();
  ASSERT_EQ(messages.size(), before + 2);
  const std::string told = testing::SmtpSink::Body(messages[before]);
  EXPECT_THAT(told, HasSubstr("already has an"));
  EXPECT_THAT(told, Not(HasSubstr("#/confirm/")));
  EXPECT_THAT(testing::SmtpSink::Body(messages[before + 1]), HasSubstr("#/confirm/"));
  // Nothing changed: the old password still works, the new one does not.
  NextStep();
  EXPECT_EQ(SignIn(kAddress, "a different passphrase", TotpCode(secret, Step()))->status, 401);
  EXPECT_EQ(SignIn(kAddress, kPassword, TotpCode(secret, Step()))->status, 200);
}

TEST_P(RequesterApiTest, AnAddressNoAgencyHasAndAWeakPasswordAreNamed) {
  auto stranger = Register("someone@example.com");
  ASSERT_EQ(stranger->status, 422) << stranger->body;
  json problem = json::parse(stranger->body);
  EXPECT_EQ(problem["field"], "/email");
  EXPECT_EQ(problem["status"], 422);
  auto weak = Register("s.baca@las-cruces.org", "short");
  ASSERT_EQ(weak->status, 422);
  EXPECT_EQ(json::parse(weak->body)["field"], "/password");
  auto not_an_address = Register("s.baca");
  ASSERT_EQ(not_an_address->status, 422);
  EXPECT_EQ(json::parse(not_an_address->body)["field"], "/email");
  auto no_name = PostJson("/api/v1/portal/accounts", {{"email", "s.baca@las-cruces.org"}, {"password", kPassword}});
  ASSERT_EQ(no_name->status, 400);
  EXPECT_EQ(json::parse(no_name->body)["field"], "/name");
  EXPECT_TRUE(sink_->Messages().empty());
  EXPECT_TRUE(requesters_->Accounts().empty());
}

TEST_P(RequesterApiTest, EverySignInFailureIsAnsweredAlike) {
  const std::string secret = Enrolled(kAddress);
  Enrolled("s.baca@las-cruces.org");
  ASSERT_TRUE(requesters_->SetSuspended(requesters_->FindByEmail("s.baca@las-cruces.org")->id, true, "ada").ok());
  Register("t.chavez@las-cruces.org");  // unconfirmed
  NextStep();
  const std::string code = TotpCode(secret, Step());
  std::vector<httplib::Result> refused;
  refused.push_back(SignIn(kAddress, "wrong wrong wrong", code));
  refused.push_back(SignIn("nobody@las-cruces.org", kPassword, code));
  refused.push_back(SignIn("s.baca@las-cruces.org", kPassword, code));
  refused.push_back(SignIn("t.chavez@las-cruces.org", kPassword, ""));
  refused.push_back(SignIn(kAddress, kPassword, "000000"));
  for (int i = 0; i < 4; ++i) SignIn(kAddress, "wrong wrong wrong", code);  // locked now
  refused.push_back(SignIn(kAddress, kPassword, code));
  for (const auto& r : refused) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->body, refused[0]->body);
    EXPECT_THAT(r->body, Not(HasSubstr("ticket")));
  }
}

TEST_P(RequesterApiTest, SuspensionEndsTheSessionAtOnce) {
  Login session;
  Enrolled(kAddress, &session);
  ASSERT_EQ(client_->Get("/api/v1/portal/requests", {{"Cookie", session.cookie}})->status, 200);
  ASSERT_TRUE(requesters_->SetSuspended(requesters_->FindByEmail(kAddress)->id, true, "ada").ok());
  EXPECT_EQ(client_->Get("/api/v1/portal/requests", {{"Cookie", session.cookie}})->status, 401);
  EXPECT_EQ(client_->Get("/api/v1/portal/session", {{"Cookie", session.cookie}})->status, 401);
}

TEST_P(RequesterApiTest, StaffListSuspendAndReinstateAccounts) {
  Login session;
  Enrolled(kAddress, &session);
  Register("t.chavez@las-cruces.org");  // unconfirmed
  const Login ada = ApiTest::SignIn("ada"), ian = ApiTest::SignIn("ian"), rae = ApiTest::SignIn("rae");
  auto listed = client_->Get("/api/v1/requesters", Staff(ian));
  ASSERT_EQ(listed->status, 200) << listed->body;
  const json accounts = json::parse(listed->body);
  ASSERT_EQ(accounts.size(), 2u);
  // Made at one instant: in no order of their addresses.
  const json active = accounts[0]["email"] == kAddress ? accounts[0] : accounts[1];
  const json unconfirmed = accounts[0]["email"] == kAddress ? accounts[1] : accounts[0];
  EXPECT_EQ(active["email"], kAddress);
  EXPECT_EQ(active["state"], "active");
  EXPECT_EQ(active["agency_id"], "us-nm-lcpd");
  EXPECT_EQ(active["created_at"], "2026-03-12T16:00:00Z");
  EXPECT_EQ(unconfirmed["state"], "unconfirmed");
  EXPECT_EQ(client_->Get("/api/v1/requesters", Staff(rae))->status, 403);
  EXPECT_EQ(client_->Get("/api/v1/requesters", Bearer(lcpd_))->status, 403);

  const std::string id = active["id"];
  EXPECT_EQ(Post("/api/v1/requesters/" + id + "/suspend", Staff(ian), "")->status, 403) << "admins only";
  auto suspended = Post("/api/v1/requesters/" + id + "/suspend", Staff(ada), "");
  ASSERT_EQ(suspended->status, 200) << suspended->body;
  EXPECT_EQ(json::parse(suspended->body)["state"], "suspended");
  EXPECT_EQ(client_->Get("/api/v1/portal/requests", {{"Cookie", session.cookie}})->status, 401) << "its session ended";
  auto reinstated = Post("/api/v1/requesters/" + id + "/reinstate", Staff(ada), "");
  ASSERT_EQ(reinstated->status, 200);
  EXPECT_EQ(json::parse(reinstated->body)["state"], "active");
  EXPECT_EQ(Post("/api/v1/requesters/" + unconfirmed["id"].get<std::string>() + "/suspend", Staff(ada), "")->status, 409);
  EXPECT_EQ(Post("/api/v1/requesters/R-0000000000000000/suspend", Staff(ada), "")->status, 404);
}

TEST_P(RequesterApiTest, WithoutMailRegistrationIsUnavailable) {
  server_.reset();
  mail_.reset();
  auto server = ApiServer::Start(Services(*users_), Options());
  ASSERT_TRUE(server.ok());
  server_ = std::move(server).value();
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  auto r = Register(kAddress);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(requesters_->Accounts().empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, RequesterApiTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
