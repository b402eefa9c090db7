// What the console's sign-in and admin pages do, over real HTTP on loopback against both
// stores: a second factor enrolled at first sign-in by a ticket, and reset by an admin; staff
// users listed, added, given roles, disabled and enabled (never the last admin); a user's own
// password; API tokens made and revoked. Each refused to the roles it is not for, bad bodies
// answered by the field and changing nothing, and no secret in the audit log.
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "cases/store/sealed_columns.h"
#include "core/sha256.h"
#include "server/api_test_fixture.h"
#include "server/totp.h"
#include "server/totp_testing.h"

namespace custodian::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class StaffAdminTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // A second server on the same store where a second factor is required (the default).
    strict_users_ = std::make_unique<UserStore>(*instance_->db, sealing_key_, clock_);
    ServerOptions options;
    options.port = 0;
    options.login_attempts_per_minute = 1000;
    auto server = ApiServer::Start(Services(*strict_users_), options);
    ASSERT_TRUE(server.ok());
    strict_server_ = std::move(server).value();
    strict_ = std::make_unique<httplib::Client>("127.0.0.1", strict_server_->port());
    strict_->set_read_timeout(60, 0);
  }
  void TearDown() override {
    strict_server_.reset();
    ApiTest::TearDown();
  }

  httplib::Result StrictPost(const std::string& path, const json& body) {
    return strict_->Post(path.c_str(), body.dump(), "application/json");
  }
  httplib::Result StrictLogin(const std::string& user, const std::string& password, const std::string& code = "") {
    json body = {{"username", user}, {"password", password}};
    if (!code.empty()) body["totp"] = code;
    return StrictPost("/api/v1/auth/login", body);
  }
  // The enrolment ticket a right password gets where the user has no second factor.
  std::string Ticket(const std::string& user) {
    auto r = StrictLogin(user, kPassword);
    EXPECT_TRUE(r && r->status == 403) << (r ? r->body : "no answer");
    if (!r || r->status != 403) return "";
    return json::parse(r->body).value("enrolment_ticket", "");
  }
  int64_t Step() const { return clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds; }

  // Every audit entry: action and opened detail.
  std::vector<std::pair<std::string, std::string>> Audit() {
    std::vector<std::pair<std::string, std::string>> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      soci::rowset<soci::row> rows = (sql.prepare << "SELECT a.action, d.detail, a.seq FROM audit a "
                                                     "JOIN audit_details d ON d.seq = a.seq ORDER BY a.seq");
      for (const soci::row& r : rows) {
        out.emplace_back(r.get<std::string>(0), cases::Opened(sql, "audit_details.detail",
                                                              std::to_string(r.get<long long>(2)),
                                                              r.get<std::string>(1)));
      }
      return Status::Ok();
    }).ok());
    return out;
  }
  int Audited(const std::string& action) {
    int n = 0;
    for (const auto& [a, detail] : Audit()) n += a == action;
    return n;
  }
  // No audit detail holds `secret`.
  void ExpectNotAudited(const std::string& secret) {
    ASSERT_FALSE(secret.empty());
    for (const auto& [action, detail] : Audit()) EXPECT_THAT(detail, Not(HasSubstr(secret))) << action;
  }
  int StatusOf(const httplib::Result& r) { return r ? r->status : -1; }
  std::string Field(const httplib::Result& r) {
    if (!r) return "no answer";
    return json::parse(r->body).value("field", "");
  }
  std::string Cookie(const httplib::Result& r) {
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }
  int SessionStatusOf(const std::string& cookie) {
    return StatusOf(client_->Get("/api/v1/auth/session", {{"Cookie", cookie}}));
  }

  std::unique_ptr<UserStore> strict_users_;
  std::unique_ptr<ApiServer> strict_server_;
  std::unique_ptr<httplib::Client> strict_;
};

TEST_P(StaffAdminTest, AUserEnrolsTheSecondFactorAtFirstSignInAndIsSignedIn) {
  auto refused = StrictLogin("ian", kPassword);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 403);
  EXPECT_TRUE(refused->get_header_value("Set-Cookie").empty());
  EXPECT_EQ(refused->get_header_value("Cache-Control"), "no-store");
  const json problem = json::parse(refused->body);
  EXPECT_EQ(problem["type"], "https://custodian.invalid/problems/second-factor-required");
  const std::string ticket = problem["enrolment_ticket"];
  EXPECT_EQ(ticket.size(), 64u);
  EXPECT_EQ(problem["enrolment_expires_at"], "2026-03-12T16:10:00Z");

  // A wrong password gets no ticket, and the answer an unknown name gets.
  auto wrong = StrictLogin("ian", "wrong wrong wrong");
  auto unknown = StrictLogin("nobody", kPassword);
  ASSERT_TRUE(wrong && unknown);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body, unknown->body);
  EXPECT_THAT(wrong->body, Not(HasSubstr("ticket")));

  auto enrolment = StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", ticket}});
  ASSERT_TRUE(enrolment);
  ASSERT_EQ(enrolment->status, 200) << enrolment->body;
  EXPECT_EQ(enrolment->get_header_value("Cache-Control"), "no-store");
  const json pending = json::parse(enrolment->body);
  EXPECT_EQ(pending["user"], "ian");
  const std::string base32 = pending["secret"];
  EXPECT_EQ(pending["otpauth_uri"], "otpauth://totp/custodian:ian?secret=" + base32 +
                                        "&issuer=custodian&algorithm=SHA256&digits=6&period=30");
  const std::string secret = FromBase32(base32);
  ASSERT_EQ(secret.size(), kTotpSecretBytes);
  EXPECT_FALSE(users_->GetUser("ian")->has_totp) << "pending until a code confirms it";

  // A wrong code is a failed sign-in; the right one enrols and signs in as a login does.
  auto bad = StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ticket}, {"totp", TotpCode(secret, Step() - 5)}});
  EXPECT_EQ(StatusOf(bad), 401);
  EXPECT_EQ(json::parse(bad->body)["type"], "https://custodian.invalid/problems/invalid-credentials");
  EXPECT_EQ(Audited("login_failed"), 2);  // the wrong password's, and this
  auto confirmed = StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ticket}, {"totp", TotpCode(secret, Step())}});
  ASSERT_TRUE(confirmed);
  ASSERT_EQ(confirmed->status, 200) << confirmed->body;
  const json session = json::parse(confirmed->body);
  EXPECT_EQ(session["user"], "ian");
  EXPECT_EQ(session["roles"], json::array({"intake"}));
  EXPECT_FALSE(session["csrf"].get<std::string>().empty());
  EXPECT_THAT(confirmed->get_header_value("Set-Cookie"), HasSubstr("HttpOnly; SameSite=Strict"));
  EXPECT_EQ(SessionStatusOf(Cookie(confirmed)), 200);
  EXPECT_TRUE(users_->GetUser("ian")->has_totp);

  // The ticket is spent; the code worked once; the secret is the user's from now on.
  EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ticket}, {"totp", TotpCode(secret, Step())}})), 401);
  auto again = StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", ticket}});
  EXPECT_EQ(StatusOf(again), 401);
  EXPECT_EQ(json::parse(again->body)["type"], "https://custodian.invalid/problems/invalid-ticket");
  EXPECT_EQ(StatusOf(StrictLogin("ian", kPassword, TotpCode(secret, Step()))), 401) << "that step is used";
  clock_.Advance(kTotpStepSeconds * kMicrosPerSecond);
  EXPECT_EQ(StatusOf(StrictLogin("ian", kPassword, TotpCode(secret, Step()))), 200);

  const auto audit = Audit();
  std::vector<std::string> actions;
  for (const auto& [action, detail] : audit) actions.push_back(action);
  EXPECT_THAT(actions, ::testing::IsSupersetOf({"login_refused_no_totp", "start_totp_enrolment", "enroll_totp", "login"}));
  ExpectNotAudited(base32);
  ExpectNotAudited(HexEncode(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
  ExpectNotAudited(ticket);
}

TEST_P(StaffAdminTest, ATicketIsTheUsersOnlyAndNeitherOutlivesItsTimeNorSurvivesLockout) {
  const std::string ians = Ticket("ian"), raes = Ticket("rae");
  ASSERT_FALSE(ians.empty() || raes.empty());
  ASSERT_NE(ians, raes);
  auto ian = StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", ians}});
  auto rae = StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", raes}});
  ASSERT_EQ(StatusOf(ian), 200);
  ASSERT_EQ(StatusOf(rae), 200);
  EXPECT_EQ(json::parse(ian->body)["user"], "ian");
  const std::string rae_secret = FromBase32(json::parse(rae->body)["secret"]);
  // Rae's code does not enrol Ian through Ian's ticket, nor Rae.
  EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ians}, {"totp", TotpCode(rae_secret, Step())}})), 401);
  EXPECT_FALSE(users_->GetUser("ian")->has_totp);
  EXPECT_FALSE(users_->GetUser("rae")->has_totp);
  // Unknown, and malformed, tickets.
  EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", std::string(64, '0')}})), 401);
  auto missing = StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ians}});
  EXPECT_EQ(StatusOf(missing), 400);
  EXPECT_EQ(Field(missing), "/totp");
  EXPECT_EQ(Field(StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", 5}})), "/ticket");

  // Ten minutes on, both are dead.
  clock_.Advance(10 * 60 * kMicrosPerSecond);
  EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", ians}})), 401);
  EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/confirm", {{"ticket", raes}, {"totp", TotpCode(rae_secret, Step())}})), 401);
  EXPECT_FALSE(users_->GetUser("rae")->has_totp);

  // Wrong codes lock the user as wrong passwords do; the ticket dies with it.
  const std::string ticket = Ticket("abe");
  auto started = StrictPost("/api/v1/auth/totp/enrolment", {{"ticket", ticket}});
  ASSERT_EQ(StatusOf(started), 200);
  const std::string secret = FromBase32(json::parse(started->body)["secret"]);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ticket}, {"totp", "000000"}})), 401);
  }
  EXPECT_TRUE(users_->GetUser("abe")->locked);
  EXPECT_EQ(StatusOf(StrictPost("/api/v1/auth/totp/confirm", {{"ticket", ticket}, {"totp", TotpCode(secret, Step())}})), 401);
  EXPECT_FALSE(users_->GetUser("abe")->has_totp);
  EXPECT_EQ(Audited("login_locked"), 1);
}

TEST_P(StaffAdminTest, AnAdminResetsASecondFactorAndTheUserEnrolsAgain) {
  const std::string secret = users_->EnrollTotp("ian", "setup").value();
  auto signed_in = StrictLogin("ian", kPassword, TotpCode(secret, Step()));
  ASSERT_EQ(StatusOf(signed_in), 200);
  const std::string ians = Cookie(signed_in);
  const Login ada = SignIn("ada"), rae = SignIn("rae");
  EXPECT_EQ(StatusOf(Post("/api/v1/users/ian/totp/reset", Staff(rae), "")), 403);
  EXPECT_TRUE(users_->GetUser("ian")->has_totp);
  EXPECT_EQ(StatusOf(Post("/api/v1/users/nobody/totp/reset", Staff(ada), "")), 404);
  auto reset = Post("/api/v1/users/ian/totp/reset", Staff(ada), "");
  ASSERT_EQ(StatusOf(reset), 200) << reset->body;
  EXPECT_EQ(json::parse(reset->body)["totp"], false);
  EXPECT_EQ(SessionStatusOf(ians), 401) << "the user's sessions end";
  EXPECT_FALSE(Ticket("ian").empty()) << "enrols again at the next sign-in";
  EXPECT_EQ(Audited("reset_totp"), 1);
}

TEST_P(StaffAdminTest, AdminsListAndAddUsersWhoEnrolAtFirstSignIn) {
  const Login ada = SignIn("ada");
  auto list = client_->Get("/api/v1/users", Staff(ada));
  ASSERT_EQ(StatusOf(list), 200);
  const json users = json::parse(list->body);
  ASSERT_EQ(users.size(), 5u);
  EXPECT_EQ(users[0], json({{"name", "abe"}, {"roles", {"approver"}}, {"email", nullptr}, {"totp", false},
                            {"disabled", false}, {"locked", false}}));

  auto added = Post("/api/v1/users", Staff(ada), json{{"name", "nia"}, {"roles", {"intake", "reviewer"}},
                                                      {"email", "nia@example.org"}}.dump());
  ASSERT_EQ(StatusOf(added), 201) << added->body;
  EXPECT_EQ(added->get_header_value("Cache-Control"), "no-store");
  const json answer = json::parse(added->body);
  EXPECT_EQ(answer["user"], json({{"name", "nia"}, {"roles", {"intake", "reviewer"}}, {"email", "nia@example.org"},
                                  {"totp", false}, {"disabled", false}, {"locked", false}}));
  const std::string password = answer["password"];
  EXPECT_EQ(password.size(), 24u);
  EXPECT_EQ(users_->Login("nia", password, "").outcome, LoginOutcome::kOk);
  EXPECT_EQ(strict_users_->Login("nia", password, "").outcome, LoginOutcome::kNoSecondFactor);
  ExpectNotAudited(password);
  EXPECT_EQ(Audited("add_user"), 6);

  // Bad bodies: the field named, nothing added.
  const std::vector<std::pair<json, std::string>> bad = {
      {{{"name", "Nia Two"}, {"roles", {"intake"}}}, "/name"},
      {{{"name", "nia"}, {"roles", {"intake"}}}, "/name"},
      {{{"name", "nib"}, {"roles", json::array()}}, "/roles"},
      {{{"name", "nib"}, {"roles", {"intake", "boss"}}}, "/roles/1"},
      {{{"name", "nib"}}, "/roles"},
      {{{"roles", {"intake"}}}, "/name"},
      {{{"name", "nib"}, {"roles", {"intake"}}, {"email", "nib at example"}}, "/email"},
      {{{"name", "nib"}, {"roles", {"intake"}}, {"password", "chosen by the admin"}}, "/password"}};
  for (const auto& [body, field] : bad) {
    auto r = Post("/api/v1/users", Staff(ada), body.dump());
    EXPECT_EQ(StatusOf(r), 400) << body.dump();
    EXPECT_EQ(Field(r), field) << body.dump();
  }
  EXPECT_EQ(users_->Users().size(), 6u);

  for (const std::string role : {"ian", "rae", "abe", "aud"}) {
    const Login l = SignIn(role);
    EXPECT_EQ(StatusOf(client_->Get("/api/v1/users", Staff(l))), 403) << role;
    EXPECT_EQ(StatusOf(Post("/api/v1/users", Staff(l), json{{"name", "nic"}, {"roles", {"admin"}}}.dump())), 403) << role;
  }
  EXPECT_EQ(StatusOf(client_->Get("/api/v1/users")), 401);
  EXPECT_EQ(StatusOf(client_->Get("/api/v1/users", Bearer(service_))), 403);
  EXPECT_EQ(users_->Users().size(), 6u);
}

TEST_P(StaffAdminTest, RolesAndDisablingNeverLeaveTheInstanceWithoutAnEnabledAdmin) {
  const Login ada = SignIn("ada"), abe = SignIn("abe");
  auto roles = client_->Put("/api/v1/users/abe/roles", Staff(ada), json{{"roles", {"approver", "auditor"}}}.dump(),
                            "application/json");
  ASSERT_EQ(StatusOf(roles), 200) << roles->body;
  EXPECT_EQ(json::parse(roles->body)["roles"], json({"approver", "auditor"}));
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"roles", json::array()}}, "/roles"}, {{{"roles", {"chief"}}}, "/roles/0"}, {{{"roles", "admin"}}, "/roles"}}) {
    auto r = client_->Put("/api/v1/users/abe/roles", Staff(ada), body.dump(), "application/json");
    EXPECT_EQ(StatusOf(r), 400);
    EXPECT_EQ(Field(r), field);
  }
  EXPECT_EQ(users_->GetUser("abe")->roles, (std::set<Role>{Role::kApprover, Role::kAuditor}));
  EXPECT_EQ(StatusOf(client_->Put("/api/v1/users/nobody/roles", Staff(ada), json{{"roles", {"intake"}}}.dump(),
                                "application/json")), 404);
  EXPECT_EQ(StatusOf(client_->Put("/api/v1/users/ada/roles", Staff(abe), json{{"roles", {"intake"}}}.dump(),
                                "application/json")), 403);

  // Ada is the only admin: she can neither drop the role nor be disabled.
  auto last = client_->Put("/api/v1/users/ada/roles", Staff(ada), json{{"roles", {"auditor"}}}.dump(), "application/json");
  EXPECT_EQ(StatusOf(last), 409);
  EXPECT_EQ(StatusOf(Post("/api/v1/users/ada/disable", Staff(ada), "")), 409);
  EXPECT_EQ(users_->GetUser("ada")->roles, std::set<Role>{Role::kAdmin});
  EXPECT_FALSE(users_->GetUser("ada")->disabled);

  // Disabling ends the user's sessions and sign-ins; enabling lets them sign in again.
  EXPECT_EQ(StatusOf(Post("/api/v1/users/abe/disable", Staff(abe), "")), 403);
  auto disabled = Post("/api/v1/users/abe/disable", Staff(ada), "");
  ASSERT_EQ(StatusOf(disabled), 200);
  EXPECT_EQ(json::parse(disabled->body)["disabled"], true);
  EXPECT_EQ(SessionStatusOf(abe.cookie), 401);
  EXPECT_NE(users_->Login("abe", kPassword, "").outcome, LoginOutcome::kOk);
  ASSERT_EQ(StatusOf(Post("/api/v1/users/abe/enable", Staff(ada), "")), 200);
  EXPECT_EQ(users_->Login("abe", kPassword, "").outcome, LoginOutcome::kOk);

  // With a second admin, the first may go; then the second is the last.
  ASSERT_EQ(StatusOf(client_->Put("/api/v1/users/abe/roles", Staff(ada), json{{"roles", {"admin"}}}.dump(),
                                "application/json")), 200);
  ASSERT_EQ(StatusOf(Post("/api/v1/users/ada/disable", Staff(ada), "")), 200);
  const Login abe_admin = SignIn("abe");
  EXPECT_EQ(StatusOf(Post("/api/v1/users/abe/disable", Staff(abe_admin), "")), 409);
  EXPECT_EQ(StatusOf(client_->Put("/api/v1/users/abe/roles", Staff(abe_admin), json{{"roles", {"auditor"}}}.dump(),
                                "application/json")), 409);
  EXPECT_EQ(Audited("set_roles"), 2);
  EXPECT_EQ(Audited("disable_user"), 2);
  EXPECT_EQ(Audited("enable_user"), 1);
}

TEST_P(StaffAdminTest, AUserChangesTheirOwnPasswordAndTheirOtherSessionsEnd) {
  const Login here = SignIn("rae"), elsewhere = SignIn("rae");
  const auto change = [&](const json& body, const Login& l) {
    return Post("/api/v1/auth/password", Staff(l), body.dump());
  };
  const std::string fresh = "a new and longer passphrase";
  auto shorter = change({{"current", kPassword}, {"new", "short"}}, here);
  EXPECT_EQ(StatusOf(shorter), 400);
  EXPECT_EQ(Field(shorter), "/new");
  EXPECT_EQ(Field(change({{"current", kPassword}}, here)), "/new");
  auto wrong = change({{"current", "not the password"}, {"new", fresh}}, here);
  EXPECT_EQ(StatusOf(wrong), 400);
  EXPECT_EQ(Field(wrong), "/current");
  EXPECT_EQ(Audited("login_failed"), 1) << "a wrong current password is a failed sign-in";
  EXPECT_EQ(StatusOf(Post("/api/v1/auth/password", {{"Cookie", here.cookie}},
                        json{{"current", kPassword}, {"new", fresh}}.dump())), 403) << "no CSRF token";
  EXPECT_EQ(StatusOf(Post("/api/v1/auth/password", Bearer(service_), json{{"current", kPassword}, {"new", fresh}}.dump())), 403);
  EXPECT_EQ(users_->Login("rae", kPassword, "").outcome, LoginOutcome::kOk) << "unchanged";

  auto changed = change({{"current", kPassword}, {"new", fresh}}, here);
  ASSERT_EQ(StatusOf(changed), 204) << changed->body;
  EXPECT_EQ(SessionStatusOf(here.cookie), 200);
  EXPECT_EQ(SessionStatusOf(elsewhere.cookie), 401);
  EXPECT_NE(users_->Login("rae", kPassword, "").outcome, LoginOutcome::kOk);
  EXPECT_EQ(users_->Login("rae", fresh, "").outcome, LoginOutcome::kOk);
  EXPECT_EQ(Audited("change_password"), 1);
  ExpectNotAudited(fresh);
}

TEST_P(StaffAdminTest, AdminsMakeTokensShownOnceAndRevokeThem) {
  const Login ada = SignIn("ada");
  auto list = client_->Get("/api/v1/tokens", Staff(ada));
  ASSERT_EQ(StatusOf(list), 200);
  const json tokens = json::parse(list->body);
  ASSERT_EQ(tokens.size(), 4u);
  const auto lcpd = std::find_if(tokens.begin(), tokens.end(), [](const json& t) { return t["name"] == "lcpd"; });
  ASSERT_NE(lcpd, tokens.end());
  EXPECT_EQ(*lcpd, json({{"id", lcpd_.substr(4, 16)}, {"kind", "requester"}, {"name", "lcpd"}, {"agency_id", "us-nm-lcpd"},
                         {"revoked", false}, {"created_at", "2026-03-12T16:00:00Z"}}));
  for (const std::string& secret : {service_, lcpd_, fbi_, outside_}) {
    EXPECT_THAT(list->body, Not(HasSubstr(secret.substr(21)))) << "never a secret";
  }

  // A requester's token acts for an active account: its agency and address are the account's.
  const RequesterAccount hsi = requesters_->AddConfirmed("l.whitmore@hsi.dhs.gov", "L. Whitmore", kPassword, "ada").value();
  auto made = Post("/api/v1/tokens", Staff(ada), json{{"kind", "requester"}, {"name", "hsi"}, {"account", hsi.id}}.dump());
  ASSERT_EQ(StatusOf(made), 201) << made->body;
  EXPECT_EQ(made->get_header_value("Cache-Control"), "no-store");
  const json token = json::parse(made->body);
  const std::string secret = token["token"];
  EXPECT_EQ(secret.substr(0, 21), "cst_" + token["id"].get<std::string>() + "_");
  EXPECT_EQ(token["kind"], "requester");
  EXPECT_EQ(token["agency_id"], "us-dhs-hsi");
  EXPECT_EQ(token["account"], hsi.id);
  EXPECT_EQ(token["revoked"], false);
  EXPECT_EQ(StatusOf(client_->Get("/api/v1/portal/requests", Bearer(secret))), 200);
  // While its account is suspended, the token opens nothing.
  ASSERT_TRUE(requesters_->SetSuspended(hsi.id, true, "ada").ok());
  EXPECT_EQ(StatusOf(client_->Get("/api/v1/portal/requests", Bearer(secret))), 401);
  ASSERT_TRUE(requesters_->SetSuspended(hsi.id, false, "ada").ok());
  EXPECT_EQ(StatusOf(client_->Get("/api/v1/portal/requests", Bearer(secret))), 200);
  ExpectNotAudited(secret.substr(21));
  EXPECT_EQ(Audited("create_token"), 5);

  const std::vector<std::pair<json, std::string>> bad = {
      {{{"kind", "robot"}, {"name", "x"}}, "/kind"},
      {{{"name", "x"}}, "/kind"},
      {{{"kind", "service"}}, "/name"},
      {{{"kind", "service"}, {"name", ""}}, "/name"},
      {{{"kind", "service"}, {"name", "x"}, {"account", hsi.id}}, "/account"},
      {{{"kind", "requester"}, {"name", "x"}}, "/account"},
      {{{"kind", "requester"}, {"name", "x"}, {"account", "R-0000000000000000"}}, "/account"},
      {{{"kind", "requester"}, {"name", "x"}, {"agency_id", "us-fbi"}, {"email", "a@fbi.gov"}}, "/agency_id"}};
  for (const auto& [body, field] : bad) {
    auto r = Post("/api/v1/tokens", Staff(ada), body.dump());
    EXPECT_EQ(StatusOf(r), 400) << body.dump();
    EXPECT_EQ(Field(r), field) << body.dump();
  }
  EXPECT_EQ(users_->Tokens().size(), 5u);

  const std::string id = token["id"];
  for (const std::string role : {"ian", "rae", "abe", "aud"}) {
    const Login l = SignIn(role);
    EXPECT_EQ(StatusOf(client_->Get("/api/v1/tokens", Staff(l))), 403) << role;
    EXPECT_EQ(StatusOf(Post("/api/v1/tokens", Staff(l), json{{"kind", "service"}, {"name", "x"}}.dump())), 403) << role;
    EXPECT_EQ(StatusOf(Post("/api/v1/tokens/" + id + "/revoke", Staff(l), "")), 403) << role;
  }
  EXPECT_EQ(StatusOf(Post("/api/v1/tokens/" + id + "/revoke", Bearer(secret), "")), 403);
  auto revoked = Post("/api/v1/tokens/" + id + "/revoke", Staff(ada), "");
  ASSERT_EQ(StatusOf(revoked), 200) << revoked->body;
  EXPECT_EQ(json::parse(revoked->body)["revoked"], true);
  EXPECT_EQ(StatusOf(client_->Get("/api/v1/portal/requests", Bearer(secret))), 401);
  EXPECT_EQ(StatusOf(Post("/api/v1/tokens/" + id + "/revoke", Staff(ada), "")), 404) << "once";
  EXPECT_EQ(StatusOf(Post("/api/v1/tokens/0123456789abcdef/revoke", Staff(ada), "")), 404);
  EXPECT_EQ(Audited("revoke_token"), 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, StaffAdminTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
