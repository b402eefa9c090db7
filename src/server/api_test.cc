// The HTTP API through real HTTP on loopback, against both stores: sign-in and sessions,
// every role allowed and refused, requesters kept apart, bad bodies, ingest, and the ledgers'
// heads, proofs and keys checked as an outsider would check them.
#include "server/api_test_fixture.h"

#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "cases/case_store.h"
#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/store/sealed_columns.h"
#include "core/base64.h"
#include "core/sha256.h"
#include "instance/test_instance.h"
#include "ledger/proof_json.h"
#include "ledger/public_keys.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

using ::testing::HasSubstr;

TEST_P(ApiTest, TheOpenApiDocumentDescribesTheEndpoints) {
  auto r = client_->Get("/api/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json doc = json::parse(r->body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const char* path : {"/api/v1/reports", "/api/v1/reports/{period}", "/api/v1/cases", "/api/v1/cases/{id}/review", "/api/v1/ingest/events",
                           "/api/v1/portal/requests", "/api/v1/auth/login", "/api/v1/agencies",
                           "/api/v1/cases/{id}/productions", "/api/v1/cases/{id}/productions/{production}/downloads",
                           "/api/v1/downloads/{grant}/revoke", "/api/v1/portal/requests/{id}/productions",
                           "/api/v1/portal/downloads/{grant}", "/api/v1/cases/{id}/assign",
                           "/api/v1/cases/{id}/comments", "/api/v1/holds/{hold}/extend",
                           "/api/v1/portal/requests/{id}/withdraw", "/api/v1/portal/requests/{id}/amend",
                           "/api/v1/portal/attestation", "/api/v1/portal/requests/{id}/shares",
                           "/api/v1/portal/requests/{id}/shares/{account}/remove"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
  // The ledgers' public paths ask for no credentials; the audit log asks for a session.
  for (const char* path : {"/api/v1/ledger/{log}/head", "/api/v1/ledger/{log}/heads",
                           "/api/v1/ledger/{log}/consistency", "/api/v1/keys"}) {
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    EXPECT_EQ(doc["paths"][path]["get"]["security"], json::array()) << path;
    EXPECT_EQ(doc["paths"][path].size(), 1u) << path << ": GET only";
  }
  ASSERT_TRUE(doc["paths"].contains("/api/v1/ledger/audit/entries"));
  EXPECT_EQ(doc["paths"]["/api/v1/ledger/audit/entries"]["get"]["security"], json::parse(R"([{"session": []}])"));
}

TEST_P(ApiTest, SignInSetsAStrictCookieAndChangesNeedTheCsrfToken) {
  auto wrong = client_->Post("/api/v1/auth/login", json{{"username", "ian"}, {"password", "nope nope nope"}}.dump(), "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(json::parse(wrong->body)["type"], "https://custodian.invalid/problems/invalid-credentials");

  auto ok = client_->Post("/api/v1/auth/login", json{{"username", "ian"}, {"password", kPassword}}.dump(), "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200);
  const std::string cookie = ok->get_header_value("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, ::testing::Not(HasSubstr("Secure"))) << "plain HTTP on loopback";
  const Login ian{cookie.substr(0, cookie.find(';')), json::parse(ok->body)["csrf"]};

  EXPECT_EQ(client_->Get("/api/v1/cases", {{"Cookie", ian.cookie}})->status, 200);
  auto no_csrf = Post("/api/v1/cases", {{"Cookie", ian.cookie}}, Example("lcpd-subpoena"));
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(json::parse(no_csrf->body)["type"], "https://custodian.invalid/problems/csrf");
  EXPECT_EQ(Post("/api/v1/cases", Staff(ian), Example("lcpd-subpoena"))->status, 201);

  // The session ends at sign-out, and by itself after eight hours.
  EXPECT_EQ(Post("/api/v1/auth/logout", Staff(ian), "")->status, 204);
  EXPECT_EQ(client_->Get("/api/v1/cases", {{"Cookie", ian.cookie}})->status, 401);
  const Login again = SignIn("ian");
  clock_.Set(Timestamp{clock_.Now().micros + 8 * kMicrosPerHour});
  EXPECT_EQ(client_->Get("/api/v1/cases", {{"Cookie", again.cookie}})->status, 401);
}

TEST_P(ApiTest, StaffNeedASecondFactorByDefault) {
  server_.reset();
  UserStore strict(*instance_->db, sealing_key_, clock_);  // require_totp: the default
  ServerOptions options;
  options.port = 0;
  auto server = ApiServer::Start(Services(strict), options);
  ASSERT_TRUE(server.ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  const auto login = [&](const std::string& password, const std::string& code) {
    return client.Post("/api/v1/auth/login",
                       json{{"username", "ian"}, {"password", password}, {"totp", code}}.dump(),
                       "application/json");
  };
  // Without TOTP enrolled the right password opens nothing (the wrong one is just refused).
  auto missing = login(kPassword, "");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(json::parse(missing->body)["type"], "https://custodian.invalid/problems/second-factor-required");
  EXPECT_TRUE(missing->get_header_value("Set-Cookie").empty());
  EXPECT_EQ(login("wrong wrong wrong", "")->status, 401);

  const std::string secret = strict.EnrollTotp("ian", "setup").value();
  const int64_t step = clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds;
  EXPECT_EQ(login(kPassword, "")->status, 401);
  EXPECT_EQ(login(kPassword, TotpCode(secret, step - 3))->status, 401);
  auto ok = login(kPassword, TotpCode(secret, step));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(login(kPassword, TotpCode(secret, step))->status, 401) << "a code works once";
}

TEST_P(ApiTest, SignInIsRateLimitedPerAddress) {
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = client_->Post("/api/v1/auth/login", json{{"username", "nobody"}, {"password", "whatever whatever"}}.dump(), "application/json");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    limited += r->status == 429;
  }
  EXPECT_EQ(limited, 2);
  clock_.Set(Timestamp{clock_.Now().micros + 61 * kMicrosPerSecond});
  EXPECT_EQ(client_->Post("/api/v1/auth/login", json{{"username", "ian"}, {"password", kPassword}}.dump(), "application/json")->status, 200);
}

// Every endpoint that needs a caller, called by every kind of caller: those allowed get past
// authorization (the step itself may still be refused for the case's state: 404, 409), every
// other gets 403, and nobody at all 401.
TEST_P(ApiTest, EachRoleIsAllowedOnlyItsOwnSteps) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe"), aud = SignIn("aud"), ada = SignIn("ada");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  const std::string review = json{{"decision", "approve"}}.dump();
  const std::string registry = ProjectFile("spec/agencies.example.json");
  const std::string pdf = "%PDF-1.4\nsigned\n%%EOF\n";
  const std::string event = R"({"account_id": 7, "ts": "2026-03-10T08:00:00Z", "kind": "login", "ip": "203.0.113.5"})" "\n";
  const std::string subscriber = R"({"account_id": 7, "effective_from": "2026-01-01T00:00:00Z", "username": "wren"})" "\n";
  const std::string staff_all[] = {"ian", "rae", "abe", "aud", "ada"};
  const std::set<std::string> everyone_staff(std::begin(staff_all), std::end(staff_all));
  struct Call {
    const char* method;
    std::string path, body;
    std::set<std::string> allowed;
    const char* type = "application/json";
  };
  const std::vector<Call> calls = {
      {"GET", "/api/v1/cases", "", everyone_staff},
      {"POST", "/api/v1/cases/search", R"({"q": "1000042"})", everyone_staff},
      {"GET", "/api/v1/cases/" + id, "", everyone_staff},
      {"GET", "/api/v1/cases/" + id + "/decisions", "", everyone_staff},
      {"GET", "/api/v1/cases/" + id + "/documents/" + std::string(64, 'a'), "", everyone_staff},
      {"GET", "/api/v1/holds", "", everyone_staff},
      {"GET", "/api/v1/agencies", "", everyone_staff},
      {"GET", "/api/v1/notices", "", everyone_staff},
      {"GET", "/api/v1/alerts", "", everyone_staff},
      {"GET", "/api/v1/ledger/audit/entries", "", {"aud"}},
      {"GET", "/api/v1/ledger/disclosures/entries", "", {"outside", "aud"}},
      {"POST", "/api/v1/cases", Example("lcpd-subpoena"), {"ian"}},
      {"POST", "/api/v1/cases/" + id + "/documents?name=p.pdf", pdf, {"ian"}, "application/pdf"},
      {"POST", "/api/v1/cases/" + id + "/amend", Example("lcpd-subpoena"), {"ian"}},
      {"POST", "/api/v1/cases/" + id + "/verify-requester", R"({"phone": "+1-575-555-0100"})", {"ian", "rae"}},
      {"POST", "/api/v1/cases/" + id + "/close", "", {"rae", "abe"}},
      {"POST", "/api/v1/cases/" + id + "/nondisclosure", R"({"until": "2026-09-01"})", {"rae"}},
      {"POST", "/api/v1/cases/" + id + "/decisions", "", {"rae"}},
      {"POST", "/api/v1/cases/" + id + "/review", review, {"rae"}},
      {"POST", "/api/v1/cases/" + id + "/approve", "", {"abe"}},
      {"POST", "/api/v1/holds/" + id + "-H1/release", "", {"rae"}},
      {"POST", "/api/v1/holds/" + id + "-H1/extend", R"({"days": 30})", {"rae"}},
      {"POST", "/api/v1/cases/" + id + "/assign", R"({"assignee": "rae"})", {"ian", "rae", "abe"}},
      {"GET", "/api/v1/cases/" + id + "/comments", "", everyone_staff},
      {"POST", "/api/v1/cases/" + id + "/comments", R"({"text": "noted"})", everyone_staff},
      {"PUT", "/api/v1/agencies", registry, {"ada"}},
      {"PUT", "/api/v1/users/rae/email", R"({"email": "rae@legal.example.org"})", {"ada"}},
      {"GET", "/api/v1/standards", "", everyone_staff},
      {"PUT", "/api/v1/standards", std::string(DefaultStandardsText()), {"ada"}, "application/toml"},
      {"POST", "/api/v1/ingest/events", event, {"service"}, "application/x-ndjson"},
      {"POST", "/api/v1/ingest/subscribers", subscriber, {"service"}, "application/x-ndjson"},
      {"GET", "/api/v1/portal/requests", "", {"lcpd"}},
      {"GET", "/api/v1/portal/requests/" + id, "", {"lcpd"}},
      {"POST", "/api/v1/portal/requests", Attested(Example("lcpd-subpoena")), {"lcpd"}},
      {"GET", "/api/v1/portal/attestation", "", {"lcpd"}},
      {"GET", "/api/v1/portal/requests/" + id + "/shares", "", {"lcpd"}},
      {"POST", "/api/v1/portal/requests/" + id + "/shares", R"({"email": "m.ortiz@las-cruces.org"})", {"lcpd"}},
      {"POST", "/api/v1/portal/requests/" + id + "/shares/R-" + std::string(16, '0') + "/remove", "", {"lcpd"}},
      {"POST", "/api/v1/portal/requests/" + id + "/documents", pdf, {"lcpd"}, "application/pdf"},
      // (A missing request: this case goes on to be approved.)
      {"POST", "/api/v1/portal/requests/C-2026-999999/withdraw", "", {"lcpd"}},
      {"POST", "/api/v1/portal/requests/C-2026-999999/amend", Attested(Example("lcpd-subpoena")), {"lcpd"}},
      {"GET", "/api/v1/cases/" + id + "/productions", "", everyone_staff},
      {"POST", "/api/v1/cases/" + id + "/productions/P-2026-000001/downloads", "", {"rae", "abe"}},
      {"POST", "/api/v1/downloads/D-" + std::string(32, '0') + "/revoke", "", {"rae", "abe"}},
      {"GET", "/api/v1/portal/requests/" + id + "/productions", "", {"lcpd"}},
      {"POST", "/api/v1/cases/" + id + "/productions", "", {"rae", "abe"}},
      {"GET", "/api/v1/cases/" + id + "/productions/P-2026-000001", "", everyone_staff},
      {"POST", "/api/v1/cases/" + id + "/productions/P-2026-000001/abort", R"({"reason": "r"})", {"rae", "abe"}},
      {"GET", "/api/v1/portal/downloads/D-" + std::string(32, '0'), "", {"lcpd"}},
  };
  const std::map<std::string, httplib::Headers> who = {
      {"ian", Staff(ian)}, {"rae", Staff(rae)},          {"abe", Staff(abe)},     {"aud", Staff(aud)},
      {"ada", Staff(ada)}, {"service", Bearer(service_)}, {"lcpd", Bearer(lcpd_)},
      {"outside", Bearer(outside_)}};
  const auto call = [&](const Call& c, const httplib::Headers& headers) {
    const std::string method = c.method;
    if (method == "GET") return client_->Get(c.path.c_str(), headers);
    if (method == "PUT") return client_->Put(c.path.c_str(), headers, c.body, c.type);
    return Post(c.path, headers, c.body, c.type);
  };
  for (const Call& c : calls) {
    for (const auto& [name, headers] : who) {
      SCOPED_TRACE(std::string(c.method) + " " + c.path + " as " + name);
      auto r = call(c, headers);
      ASSERT_TRUE(r);
      if (c.allowed.count(name)) {
        EXPECT_NE(r->status, 401) << r->body;
        EXPECT_NE(r->status, 403) << r->body;
        EXPECT_LT(r->status, 500) << r->body;
      } else {
        EXPECT_EQ(r->status, 403) << r->body;
      }
    }
    EXPECT_EQ(call(c, {})->status, 401) << "nobody signed in: " << c.path;
  }
  // Tokens cannot sign out a session; the review and approval above took the case all the way.
  EXPECT_EQ(Post("/api/v1/auth/logout", Bearer(service_), "")->status, 403);
  EXPECT_EQ(Post("/api/v1/auth/logout", Bearer(outside_), "")->status, 403);
  EXPECT_EQ(json::parse(client_->Get(("/api/v1/cases/" + id).c_str(), Staff(aud))->body)["state"], "awaiting_notice");
}

TEST_P(ApiTest, TheAdministratorInstallsStandardsAndAReviewerDecidesACaseAgain) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), ada = SignIn("ada");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  const std::string builtin = Sha256Hex(DefaultStandardsText());
  auto shown = client_->Get("/api/v1/standards", Staff(rae));
  ASSERT_EQ(shown->status, 200) << shown->body;
  EXPECT_EQ(json::parse(shown->body)["current"]["sha256"], builtin);
  EXPECT_EQ(json::parse(shown->body)["current"]["built_in"], true);

  // A bad file: 400 naming its line, and nothing installed.
  std::string text(DefaultStandardsText());
  const std::string broken = text.substr(0, text.find("wait_days = 10")) + "wait_days = -1" +
                             text.substr(text.find("wait_days = 10") + 14);
  auto bad = client_->Put("/api/v1/standards", Staff(ada), broken, "application/toml");
  ASSERT_EQ(bad->status, 400) << bad->body;
  EXPECT_EQ(bad->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_THAT(json::parse(bad->body)["detail"].get<std::string>(),
              ::testing::HasSubstr("standards.toml:"));
  EXPECT_EQ(json::parse(client_->Get("/api/v1/standards", Staff(rae))->body)["current"]["sha256"], builtin);

  const std::string name = "name = \"us-default\"";
  text.replace(text.find(name), name.size(), "name = \"our-service\"");
  auto put = client_->Put("/api/v1/standards", Staff(ada), text, "application/toml");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(json::parse(put->body)["sha256"], Sha256Hex(text));
  EXPECT_EQ(json::parse(put->body)["installed_by"], "ada");
  const json now = json::parse(client_->Get("/api/v1/standards", Staff(rae))->body);
  EXPECT_EQ(now["current"]["name"], "our-service");
  EXPECT_EQ(now["current"]["document"], text);
  EXPECT_EQ(now["installed"].size(), 1u);

  auto again = Post("/api/v1/cases/" + id + "/decisions", Staff(rae), "");
  ASSERT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(json::parse(again->body)["state"], "in_review");
  const json decisions = json::parse(client_->Get(("/api/v1/cases/" + id + "/decisions").c_str(), Staff(rae))->body);
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0]["decision"]["standards"]["sha256"], builtin);
  EXPECT_EQ(decisions[1]["decision"]["standards"]["sha256"], Sha256Hex(text));
  EXPECT_EQ(decisions[1]["reason"], "decided again");
}

TEST_P(ApiTest, AmendmentCallbackHoldReleaseAndClosingOverHttp) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), aud = SignIn("aud");
  const auto get = [&](const std::string& path) {
    auto r = client_->Get(path.c_str(), Staff(aud));
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return json::parse(r->body);
  };
  // Pushed back, amended as version 2, decided again.
  const std::string vague = Submit(ian, Example("vague-subpoena"));
  ASSERT_EQ(Post("/api/v1/cases/" + vague + "/review", Staff(rae), R"({"decision": "pushback", "note": "which account?", "letter": "Name the account."})")->status, 200);
  auto amended = Post("/api/v1/cases/" + vague + "/amend", Staff(ian), Example("lcpd-subpoena"));
  ASSERT_EQ(amended->status, 200) << amended->body;
  EXPECT_EQ(json::parse(amended->body)["state"], "in_review");
  EXPECT_EQ(json::parse(amended->body)["version"], 2);
  const json decisions = get("/api/v1/cases/" + vague + "/decisions");
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[1]["reason"], "amended");
  EXPECT_EQ(decisions[1]["request_version"], 2);
  auto twice = Post("/api/v1/cases/" + vague + "/amend", Staff(ian), Example("lcpd-subpoena"));
  EXPECT_EQ(twice->status, 409) << "only a pushed-back case is amended";

  // An emergency waits for a callback to the registry's number.
  const std::string emergency = Submit(ian, Example("emergency-unverified"));
  EXPECT_EQ(get("/api/v1/cases/" + emergency)["state"], "verifying");
  auto wrong = Post("/api/v1/cases/" + emergency + "/verify-requester", Staff(ian),
                    R"({"phone": "+1-575-555-0999", "agency_id": "us-nm-lcpd"})");
  EXPECT_EQ(wrong->status, 400) << wrong->body;
  EXPECT_EQ(json::parse(wrong->body)["field"], "/phone");
  auto called = Post("/api/v1/cases/" + emergency + "/verify-requester", Staff(ian),
                     R"({"phone": "+1-575-555-0100", "agency_id": "us-nm-lcpd", "note": "duty sergeant"})");
  ASSERT_EQ(called->status, 200) << called->body;
  EXPECT_EQ(json::parse(called->body)["state"], "in_review");
  EXPECT_EQ(json::parse(called->body)["requester_verified"], true);

  // A preservation holds the account until released; then the case closes.
  const std::string preservation = Submit(ian, Example("preservation"));
  auto held = Post("/api/v1/cases/" + preservation + "/review", Staff(rae), R"({"decision": "approve"})");
  ASSERT_EQ(held->status, 200) << held->body;
  EXPECT_EQ(json::parse(held->body)["state"], "holding");
  const json holds = get("/api/v1/holds?case=" + preservation);
  ASSERT_EQ(holds.size(), 1u) << holds.dump();
  const std::string hold = holds[0]["id"];
  EXPECT_EQ(vault_->Holds().size(), 1u) << holds.dump();
  EXPECT_EQ(Post("/api/v1/holds/" + hold + "/release", Staff(rae), "")->status, 200);
  EXPECT_TRUE(vault_->Holds().empty());
  EXPECT_EQ(Post("/api/v1/holds/" + hold + "/release", Staff(rae), "")->status, 409);
  EXPECT_EQ(Post("/api/v1/holds/nowhere/release", Staff(rae), "")->status, 404);
  EXPECT_EQ(get("/api/v1/cases/" + preservation)["state"], "released");
  auto closed = Post("/api/v1/cases/" + preservation + "/close", Staff(rae), R"({"note": "released"})");
  ASSERT_EQ(closed->status, 200) << closed->body;
  EXPECT_EQ(json::parse(closed->body)["state"], "closed");
}

TEST_P(ApiTest, BadBodiesGetProblemsThatNameTheField) {
  const Login ian = SignIn("ian"), rae = SignIn("rae");
  auto invalid = Post("/api/v1/cases", Staff(ian), R"({"received_at": "soon"})");
  ASSERT_EQ(invalid->status, 400);
  const json problem = json::parse(invalid->body);
  EXPECT_EQ(problem["status"], 400);
  EXPECT_THAT(problem["detail"].get<std::string>(), HasSubstr("/received_at"));
  EXPECT_TRUE(problem.contains("field"));
  EXPECT_EQ(Post("/api/v1/cases", Staff(ian), "{")->status, 400);

  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  const std::string path = "/api/v1/cases/" + id + "/review";
  auto maybe = Post(path, Staff(rae), R"({"decision": "maybe"})");
  EXPECT_EQ(maybe->status, 400);
  EXPECT_EQ(json::parse(maybe->body)["field"], "/decision");
  auto extra = Post(path, Staff(rae), R"({"decision": "approve", "accounts": [1]})");
  EXPECT_EQ(extra->status, 400);
  EXPECT_EQ(json::parse(extra->body)["field"], "/accounts");
  EXPECT_EQ(Post(path, Staff(rae), "[1, 2]")->status, 400);
  auto order = Post("/api/v1/cases/" + id + "/nondisclosure", Staff(rae), R"({"until": "2026-02-30"})");
  EXPECT_EQ(order->status, 400);
  EXPECT_EQ(json::parse(order->body)["field"], "/until");
  EXPECT_EQ(Post(path, Staff(rae), std::string(70 << 10, ' '))->status, 413);
  // A step the state does not allow: 409. Nothing was half-applied by the refusals.
  EXPECT_EQ(Post("/api/v1/cases/" + id + "/close", Staff(rae), "")->status, 409);
  EXPECT_EQ(json::parse(client_->Get(("/api/v1/cases/" + id).c_str(), Staff(rae))->body)["state"], "in_review");
  EXPECT_EQ(client_->Get("/api/v1/cases/C-2026-999999", Staff(rae))->status, 404);
  auto nowhere = client_->Get("/api/v1/nowhere", Staff(rae));
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_EQ(json::parse(nowhere->body)["status"], 404);
}

TEST_P(ApiTest, RequestersSeeOnlyTheirOwnAgencysRequests) {
  std::string doc = Example("lcpd-subpoena");
  // The attestation is made with every submission: a bare document, or one attesting another
  // text, is refused naming the field, and nothing is stored.
  auto attestation = client_->Get("/api/v1/portal/attestation", Bearer(lcpd_));
  ASSERT_EQ(attestation->status, 200) << attestation->body;
  EXPECT_EQ(json::parse(attestation->body)["text"], kDefaultAttestation);
  EXPECT_EQ(json::parse(attestation->body)["sha256"], DefaultAttestationSha256());
  auto bare = Post("/api/v1/portal/requests", Bearer(lcpd_), doc);
  EXPECT_EQ(bare->status, 400) << bare->body;
  EXPECT_EQ(json::parse(bare->body)["field"], "/request");
  json other = json::parse(Attested(doc));
  other["attestation_sha256"] = Sha256Hex("another text");
  auto stale = Post("/api/v1/portal/requests", Bearer(lcpd_), other.dump());
  EXPECT_EQ(stale->status, 400) << stale->body;
  EXPECT_EQ(json::parse(stale->body)["field"], "/attestation_sha256");
  const std::string sha = DefaultAttestationSha256();
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"request", "a document"}, {"attestation_sha256", sha}}, "/request"},
           {{{"request", json::parse(doc)}, {"attestation_sha256", "ABC"}}, "/attestation_sha256"},
           {{{"request", json::parse(doc)}, {"attestation_sha256", sha}, {"signed", true}}, "/signed"},
           {{{"attestation_sha256", sha}}, "/request"},
           {{{"request", json::parse(doc)}}, "/attestation_sha256"}}) {
    auto refused = Post("/api/v1/portal/requests", Bearer(lcpd_), body.dump());
    EXPECT_EQ(refused->status, 400) << body.dump().substr(0, 80) << ": " << refused->body;
    EXPECT_EQ(json::parse(refused->body)["field"], field) << refused->body;
  }
  EXPECT_TRUE(json::parse(client_->Get("/api/v1/portal/requests", Bearer(lcpd_))->body).empty());

  auto submitted = Post("/api/v1/portal/requests", Bearer(lcpd_), Attested(doc));
  ASSERT_EQ(submitted->status, 201) << submitted->body;
  const json mine = json::parse(submitted->body);
  const std::string id = mine["id"];
  EXPECT_EQ(mine["received_at"], "2026-03-12T16:00:00Z") << "set by custodian";
  // The request as custodian took it: the requester's own document, its trust fields set.
  EXPECT_EQ(mine["request"]["id"], id);
  EXPECT_EQ(mine["request"]["channel"], "api");
  EXPECT_EQ(mine["request"]["requester"]["agency_id"], "us-nm-lcpd");
  EXPECT_FALSE(mine["request"].contains("verification"));
  EXPECT_EQ(mine["documents"], json::array());
  EXPECT_EQ(json::parse(client_->Get("/api/v1/portal/requests", Bearer(lcpd_))->body).size(), 1u);
  EXPECT_TRUE(json::parse(client_->Get("/api/v1/portal/requests", Bearer(fbi_))->body).empty());
  EXPECT_EQ(client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(lcpd_))->status, 200);
  EXPECT_EQ(client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(fbi_))->status, 404);
  EXPECT_EQ(client_->Get("/api/v1/portal/requests", Bearer(service_))->status, 403);
  EXPECT_EQ(client_->Get("/api/v1/portal/requests")->status, 401);
  EXPECT_EQ(client_->Get("/api/v1/cases", Bearer(lcpd_))->status, 403);
  // Staff see where it came from.
  const json staff_view = json::parse(client_->Get(("/api/v1/cases/" + id).c_str(), Staff(SignIn("aud")))->body);
  EXPECT_EQ(staff_view["entry"], "api");
  EXPECT_EQ(staff_view["agency_id"], "us-nm-lcpd");
  EXPECT_EQ(staff_view["attestation"]["text"], kDefaultAttestation);
  EXPECT_EQ(staff_view["attestation"]["by"], "r.alvarez@las-cruces.org");
  // A revoked token opens nothing.
  ASSERT_TRUE(users_->RevokeToken(lcpd_.substr(4, 16), "setup").ok());
  EXPECT_EQ(client_->Get("/api/v1/portal/requests", Bearer(lcpd_))->status, 401);
}

TEST_P(ApiTest, APushbacksLetterReachesTheRequesterAndTheInternalNoteNever) {
  auto submitted = Post("/api/v1/portal/requests", Bearer(lcpd_), Attested(Example("vague-subpoena")));
  ASSERT_EQ(submitted->status, 201) << submitted->body;
  const std::string id = json::parse(submitted->body)["id"];
  ASSERT_EQ(json::parse(submitted->body)["state"], "in_review");
  EXPECT_TRUE(json::parse(submitted->body)["pushback_letter"].is_null());
  const Login rae = SignIn("rae");
  const std::string path = "/api/v1/cases/" + id + "/review";
  const std::string note = "internal: the sergeant sounded unsure";
  const std::string letter = "Name the account the subpoena is about, and the window.";
  // Required with a pushback, refused with approve and reject: 400 naming /letter, nothing
  // changed.
  for (const std::string& body : std::vector<std::string>{
           R"({"decision": "pushback", "note": "vague"})", R"({"decision": "pushback", "letter": " \n "})",
        R"({"decision": "pushback", "letter": 5})", R"({"decision": "pushback", "letter": ")" + std::string(8001, 'a') + "\"}",
        R"({"decision": "reject", "note": "no", "letter": "x"})", R"({"decision": "approve", "note": "ok", "letter": "x"})"}) {
    auto refused = Post(path, Staff(rae), body);
    EXPECT_EQ(refused->status, 400) << body.substr(0, 80) << ": " << refused->body;
    EXPECT_EQ(json::parse(refused->body)["field"], "/letter") << refused->body;
  }
  EXPECT_EQ(json::parse(client_->Get(("/api/v1/cases/" + id).c_str(), Staff(rae))->body)["state"], "in_review");

  auto pushed = Post(path, Staff(rae), json({{"decision", "pushback"}, {"note", note}, {"letter", letter}}).dump());
  ASSERT_EQ(pushed->status, 200) << pushed->body;
  const json staff_view = json::parse(pushed->body);
  EXPECT_EQ(staff_view["state"], "pushed_back");
  EXPECT_EQ(staff_view["review"]["note"], note);
  EXPECT_EQ(staff_view["review"]["letter"]["text"], letter);
  EXPECT_EQ(staff_view["review"]["letter"]["at"], "2026-03-12T16:00:00Z");

  // The portal shows the letter, in the request and in the list, and nothing else of the review.
  auto shown = client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(lcpd_));
  ASSERT_EQ(shown->status, 200) << shown->body;
  const json portal = json::parse(shown->body);
  EXPECT_EQ(portal["state"], "pushed_back");
  EXPECT_EQ(portal["pushback_letter"], json({{"text", letter}, {"at", "2026-03-12T16:00:00Z"}}));
  EXPECT_FALSE(portal.contains("review"));
  const std::string listed = client_->Get("/api/v1/portal/requests", Bearer(lcpd_))->body;
  EXPECT_NE(listed.find(letter), std::string::npos);
  for (const std::string& body : {shown->body, listed}) {
    EXPECT_EQ(body.find("sergeant"), std::string::npos) << body;
    EXPECT_EQ(body.find("reviewer"), std::string::npos) << "nor who reviewed it: " << body;
  }

  // At rest the letter is sealed: the raw column does not hold its text.
  std::string raw;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    sql << "SELECT pushback_letter FROM cases WHERE id = :id", soci::use(id), soci::into(raw);
    return Status::Ok();
  }).ok());
  EXPECT_FALSE(raw.empty());
  EXPECT_EQ(raw.find("Name the account"), std::string::npos);
}

TEST_P(ApiTest, ARequesterDownloadsItsPackageOnceThroughItsGrant) {
  // A produced case of HSI's, its package stored as the producer stores it.
  const std::string hsi = users_->CreateToken(TokenKind::kRequester, "hsi", "us-dhs-hsi", "l.whitmore@hsi.dhs.gov", "setup").value();
  ASSERT_TRUE(instance_->IngestExampleAccount().ok());
  const std::string id = ApprovedHsiCase();
  ASSERT_FALSE(id.empty());
  auto start = workflow_->StartProduction(id, {"producer"});
  ASSERT_TRUE(start.ok()) << start.status().message();
  ASSERT_TRUE(workflow_->FinishProduction(*start, {"producer"}, {1, std::string(64, 'b')}).ok());
  std::string package(200000, '\0');
  for (size_t i = 0; i < package.size(); ++i) package[i] = static_cast<char>(i * 7 + i / 251);
  const std::string zip = (packages_dir_.parent_path() / ("custodian_api_zip_" + std::to_string(::getpid()))).string();
  std::ofstream(zip, std::ios::binary) << package;
  auto stored = packages_->Put(start->production_id, zip);
  std::filesystem::remove(zip);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  auto first = workflow_->RecordPackage(start->production_id, *stored, {"producer"});
  ASSERT_TRUE(first.ok() && *first);
  const std::string grant = (*first)->id;

  // The portal lists the package and its open download; another agency sees nothing.
  const std::string list_path = "/api/v1/portal/requests/" + id + "/productions";
  auto listed = client_->Get(list_path.c_str(), Bearer(hsi));
  ASSERT_EQ(listed->status, 200) << listed->body;
  const json productions = json::parse(listed->body);
  ASSERT_EQ(productions.size(), 1u);
  EXPECT_EQ(productions[0]["id"], start->production_id);
  EXPECT_EQ(productions[0]["package_sha256"], Sha256Hex(package));
  EXPECT_EQ(productions[0]["package_bytes"], package.size());
  EXPECT_FALSE(productions[0].contains("by")) << "nothing about who made it";
  ASSERT_EQ(productions[0]["downloads"].size(), 1u);
  EXPECT_EQ(productions[0]["downloads"][0]["state"], "open");
  const std::string href = productions[0]["downloads"][0]["href"];
  EXPECT_EQ(href, "/api/v1/portal/downloads/" + grant);
  EXPECT_EQ(client_->Get(list_path.c_str(), Bearer(fbi_))->status, 404);

  // Another agency's token cannot spend it; its own can, once.
  EXPECT_EQ(client_->Get(href.c_str(), Bearer(fbi_))->status, 404);
  auto got = client_->Get(href.c_str(), Bearer(hsi));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body.substr(0, 300);
  EXPECT_EQ(got->body, package);
  EXPECT_EQ(got->get_header_value("Content-Type"), "application/zip");
  EXPECT_EQ(got->get_header_value("Content-Disposition"), "attachment; filename=\"" + start->production_id + ".zip\"");
  const Sha256Digest digest = Sha256(package);
  EXPECT_EQ(got->get_header_value("Repr-Digest"),
            "sha-256=:" + Base64Encode(std::span<const uint8_t>(digest.data(), digest.size())) + ":");
  auto again = client_->Get(href.c_str(), Bearer(hsi));
  EXPECT_EQ(again->status, 410);
  EXPECT_EQ(again->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_THAT(json::parse(again->body)["detail"].get<std::string>(), HasSubstr("used"));

  // Staff issue a new grant and revoke it; a revoked grant is gone too.
  const Login rae = SignIn("rae"), abe = SignIn("abe"), aud = SignIn("aud");
  auto issued = Post("/api/v1/cases/" + id + "/productions/" + start->production_id + "/downloads", Staff(rae), "");
  ASSERT_EQ(issued->status, 201) << issued->body;
  const std::string second = json::parse(issued->body)["id"];
  auto revoked = Post("/api/v1/downloads/" + second + "/revoke", Staff(abe), "");
  ASSERT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_EQ(json::parse(revoked->body)["state"], "revoked");
  EXPECT_EQ(Post("/api/v1/downloads/" + second + "/revoke", Staff(abe), "")->status, 409);
  EXPECT_EQ(client_->Get(("/api/v1/portal/downloads/" + second).c_str(), Bearer(hsi))->status, 410);

  // A package missing from the instance answers 500 and leaves the grant open; one altered
  // at rest is cut short in the middle of the transfer (its later chunk fails to open).
  auto third = Post("/api/v1/cases/" + id + "/productions/" + start->production_id + "/downloads", Staff(rae), "");
  ASSERT_EQ(third->status, 201);
  const std::string third_href = "/api/v1/portal/downloads/" + json::parse(third->body)["id"].get<std::string>();
  const auto sealed = packages_dir_ / (start->production_id + ".zip.sealed");
  std::filesystem::rename(sealed, packages_dir_ / "aside");
  EXPECT_EQ(client_->Get(third_href.c_str(), Bearer(hsi))->status, 500);
  std::filesystem::rename(packages_dir_ / "aside", sealed);
  std::string bytes = ReadFile(sealed.string());
  bytes[bytes.size() - 100] ^= 1;
  std::ofstream(sealed.string(), std::ios::binary | std::ios::trunc) << bytes;
  auto broken = client_->Get(third_href.c_str(), Bearer(hsi));
  EXPECT_FALSE(broken && broken->body == package) << "never the whole package";

  // Staff see every grant and its end; the download is in the audit log.
  const json staff = json::parse(client_->Get(("/api/v1/cases/" + id + "/productions").c_str(), Staff(aud))->body);
  ASSERT_EQ(staff[0]["downloads"].size(), 3u);
  EXPECT_EQ(staff[0]["downloads"][2]["state"], "used") << "spent by the transfer that was cut short";
  EXPECT_EQ(staff[0]["downloads"][0]["state"], "used");
  EXPECT_EQ(staff[0]["downloads"][0]["ended_by"], "requester:hsi");
  EXPECT_EQ(staff[0]["downloads"][1]["state"], "revoked");
  EXPECT_EQ(staff[0]["downloads"][1]["ended_by"], "abe");
  std::vector<std::string> actions;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    for (const auto& e : cases::CaseTx(sql).AuditOf(id)) actions.push_back(e.actor + " " + e.action);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "requester:hsi download"), 2) << "the first, and the one cut short";
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "rae issue_download"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "abe revoke_download"), 1);
}

// Staff answer a case without a shell: a reviewer starts its production, watches it until it
// is produced, and its agency downloads the package through the first grant.
TEST_P(ApiTest, AProductionRunsInTheServerAndItsPackageIsDownloaded) {
  const std::string hsi = users_->CreateToken(TokenKind::kRequester, "hsi", "us-dhs-hsi", "l.whitmore@hsi.dhs.gov", "setup").value();
  vault::IngestReport report;  // one event in the order's window
  ASSERT_TRUE(vault_->Ingest(R"({"account_id": 1000042, "ts": "2026-02-15T08:00:00Z", "kind": "login", "ip": "203.0.113.5"})"
                             "\n", report).ok());
  ASSERT_EQ(report.accepted, 1u);
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe"), aud = SignIn("aud");
  const std::string id = Submit(ian, Example("hsi-child-safety-court-order"));
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/review", Staff(rae), R"({"decision": "approve", "confirm_investigation": true})")->status, 200);
  EXPECT_EQ(Post("/api/v1/cases/" + id + "/productions", Staff(rae), "")->status, 409) << "not approved yet";
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/approve", Staff(abe), "")->status, 200);

  auto started = Post("/api/v1/cases/" + id + "/productions", Staff(rae), "");
  ASSERT_EQ(started->status, 202) << started->body;
  const json job = json::parse(started->body);
  const std::string production = job["production"];
  EXPECT_EQ(job["case"], id);
  EXPECT_THAT(production, ::testing::MatchesRegex("P-2026-[0-9]{6}"));
  const std::string status_path = "/api/v1/cases/" + id + "/productions/" + production;
  EXPECT_EQ(started->get_header_value("Location"), status_path);
  json status;
  for (int polls = 0; polls < 600; ++polls) {  // a bounded wait, not a timing threshold
    auto r = client_->Get(status_path.c_str(), Staff(aud));
    ASSERT_EQ(r->status, 200) << r->body;
    status = json::parse(r->body);
    if (status["outcome"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["outcome"], "produced") << status.dump();
  EXPECT_EQ(status["state"], "produced");
  EXPECT_EQ(status["phase"], "storing");
  EXPECT_EQ(status["events"], 1);
  EXPECT_EQ(status["accounts_with_data"], 1);
  ASSERT_EQ(status["downloads"].size(), 1u) << "the first grant, as produce issues it";
  EXPECT_EQ(Post("/api/v1/cases/" + id + "/productions/" + production + "/abort", Staff(rae),
                 R"({"reason": "too late"})")->status, 409) << "its package was made";

  const std::string href = "/api/v1/portal/downloads/" + status["downloads"][0]["id"].get<std::string>();
  auto got = client_->Get(href.c_str(), Bearer(hsi));
  ASSERT_EQ(got->status, 200);
  EXPECT_EQ(Sha256Hex(got->body), status["package_sha256"]);
  EXPECT_EQ(got->body.substr(0, 2), "PK");
  EXPECT_EQ(Post("/api/v1/cases/" + id + "/productions", Staff(abe), "")->status, 409) << "produced already";
  EXPECT_EQ(client_->Get(("/api/v1/cases/" + id + "/productions/P-2026-999999").c_str(), Staff(aud))->status, 404);
}

// A production left unfinished (its producer stopped before recording it) is aborted over
// HTTP: the case is approved again and the production shows why it ended.
TEST_P(ApiTest, AnUnfinishedProductionIsAbortedOverHttp) {
  const std::string id = ApprovedHsiCase();
  ASSERT_FALSE(id.empty());
  auto start = workflow_->StartProduction(id, {"producer"});
  ASSERT_TRUE(start.ok()) << start.status().message();
  const Login rae = SignIn("rae"), aud = SignIn("aud");
  const std::string path = "/api/v1/cases/" + id + "/productions/" + start->production_id;
  EXPECT_EQ(json::parse(client_->Get(path.c_str(), Staff(aud))->body)["outcome"], "unfinished");
  auto no_reason = Post(path + "/abort", Staff(rae), "{}");
  EXPECT_EQ(no_reason->status, 400) << no_reason->body;
  auto aborted = Post(path + "/abort", Staff(rae), R"({"reason": "the producer's machine died"})");
  ASSERT_EQ(aborted->status, 200) << aborted->body;
  EXPECT_EQ(json::parse(aborted->body),
            (json{{"case", id}, {"production", start->production_id}, {"state", "aborted"}, {"ledger_index", nullptr}}));
  const json shown = json::parse(client_->Get(path.c_str(), Staff(aud))->body);
  EXPECT_EQ(shown["outcome"], "aborted");
  EXPECT_EQ(shown["reason"], "the producer's machine died");
  EXPECT_EQ(workflow_->Show(id, {"aud"})->record.state, cases::CaseState::kApproved);
  EXPECT_EQ(Post(path + "/abort", Staff(rae), R"({"reason": "again"})")->status, 409);
}

TEST_P(ApiTest, SignedDocumentsAreUploadedByIntakeOrTheirRequesterAndReadByStaff) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), aud = SignIn("aud");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  const std::string pdf = "%PDF-1.4\nsigned subpoena\n%%EOF\n";
  EXPECT_EQ(Post("/api/v1/cases/" + id + "/documents?name=subpoena.pdf", Staff(rae), pdf, "application/pdf")->status, 403);
  EXPECT_EQ(Post("/api/v1/cases/" + id + "/documents", Staff(ian), "not a pdf", "application/pdf")->status, 400);
  auto up = Post("/api/v1/cases/" + id + "/documents?name=subpoena.pdf", Staff(ian), pdf, "application/pdf");
  ASSERT_EQ(up->status, 201) << up->body;
  const std::string sha = json::parse(up->body)["documents"][0]["sha256"];
  auto down = client_->Get(("/api/v1/cases/" + id + "/documents/" + sha).c_str(), Staff(aud));
  ASSERT_EQ(down->status, 200);
  EXPECT_EQ(down->body, pdf);
  EXPECT_EQ(down->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(client_->Get(("/api/v1/cases/" + id + "/documents/" + sha).c_str(), Bearer(lcpd_))->status, 403);

  auto mine = Post("/api/v1/portal/requests", Bearer(lcpd_), Attested(Example("lcpd-subpoena")));
  const std::string portal_id = json::parse(mine->body)["id"];
  EXPECT_EQ(Post("/api/v1/portal/requests/" + portal_id + "/documents", Bearer(fbi_), pdf, "application/pdf")->status, 404);
  EXPECT_EQ(Post("/api/v1/portal/requests/" + portal_id + "/documents", Bearer(lcpd_), pdf, "application/pdf")->status, 201);
}

TEST_P(ApiTest, ARequestersProbesOfAnotherAgencysCasesAreRecordedAsRefused) {
  auto mine = Post("/api/v1/portal/requests", Bearer(lcpd_), Attested(Example("lcpd-subpoena")));
  ASSERT_EQ(mine->status, 201);
  const std::string id = json::parse(mine->body)["id"];
  const std::string pdf = "%PDF-1.4\nsigned subpoena\n%%EOF\n";
  // Another agency's case and a case that does not exist answer alike.
  EXPECT_EQ(client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(fbi_))->status, 404);
  EXPECT_EQ(client_->Get("/api/v1/portal/requests/C-2026-999999", Bearer(fbi_))->status, 404);
  EXPECT_EQ(client_->Get(("/api/v1/portal/requests/" + id + "/productions").c_str(), Bearer(fbi_))->status, 404);
  EXPECT_EQ(Post("/api/v1/portal/requests/" + id + "/documents", Bearer(fbi_), pdf, "application/pdf")->status, 404);
  EXPECT_EQ(client_->Get(("/api/v1/portal/downloads/D-" + std::string(32, '0')).c_str(), Bearer(fbi_))->status, 404);
  // Each probe is in the audit log as a refused access, none as a read.
  std::vector<std::string> actions, cases, details;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT a.action, a.case_id, d.detail, a.seq FROM audit a "
                                                   "JOIN audit_details d ON d.seq = a.seq "
                                                   "WHERE a.actor = 'requester:fbi' ORDER BY a.seq");
    for (const soci::row& r : rows) {
      actions.push_back(r.get<std::string>(0));
      cases.push_back(r.get_indicator(1) == soci::i_ok ? r.get<std::string>(1) : "");
      details.push_back(cases::Opened(sql, "audit_details.detail", std::to_string(r.get<long long>(3)),
                                      r.get<std::string>(2)));
    }
    return Status::Ok();
  }).ok());
  EXPECT_EQ(actions, std::vector<std::string>(5, "refused_access"));
  EXPECT_EQ(cases, (std::vector<std::string>{id, "", id, id, ""}));
  EXPECT_EQ(details[0], R"({"action":"view_case","resource":")" + id + R"("})");
  EXPECT_EQ(details[2], R"({"action":"list_productions","resource":")" + id + R"("})");
  EXPECT_EQ(details[4], R"({"action":"download","resource":"D-)" + std::string(32, '0') + R"("})");
  // The agency's own reads are reads.
  ASSERT_EQ(client_->Get(("/api/v1/portal/requests/" + id).c_str(), Bearer(lcpd_))->status, 200);
}

TEST_P(ApiTest, AnUploadToACaseThatDoesNotExistLeavesNoFile) {
  const Login ian = SignIn("ian");
  const std::string pdf = "%PDF-1.4\nsigned subpoena\n%%EOF\n";
  auto up = Post("/api/v1/cases/C-2026-999999/documents?name=subpoena.pdf", Staff(ian), pdf, "application/pdf");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 404);
  const auto dir = instance_->attachments_dir();
  EXPECT_TRUE(!std::filesystem::exists(dir) || std::filesystem::is_empty(dir)) << "a sealed file for no case";
  // A case that exists gets its document, sealed, once.
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/documents", Staff(ian), pdf, "application/pdf")->status, 201);
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/documents", Staff(ian), pdf, "application/pdf")->status, 201);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

TEST_P(ApiTest, ServicesIngestEventsAndSubscribers) {
  const std::string good = "{\"account_id\": 1000042, \"ts\": \"2026-03-10T08:00:00Z\", \"kind\": \"login\", \"ip\": \"203.0.113.5\"}\n";
  const std::string bad = "{\"account_id\": 1000042, \"ts\": \"2026-03-10T08:00:00Z\", \"kind\": \"bogus\", \"ip\": \"203.0.113.5\"}\n";
  auto r = Post("/api/v1/ingest/events", Bearer(service_), good + bad, "application/x-ndjson");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["accepted"], 1);
  EXPECT_EQ(json::parse(r->body)["errors"][0]["line"], 2);
  auto all_bad = Post("/api/v1/ingest/events", Bearer(service_), bad, "application/x-ndjson");
  ASSERT_EQ(all_bad->status, 422);
  EXPECT_EQ(json::parse(all_bad->body)["rejected"], 1);
  EXPECT_EQ(Post("/api/v1/ingest/events", Bearer(service_), "", "application/x-ndjson")->status, 200);
  auto subscribers = Post("/api/v1/ingest/subscribers", Bearer(service_),
                          R"({"account_id": 1000042, "effective_from": "2026-01-01T00:00:00Z", "username": "kestrel42"})" "\n",
                          "application/x-ndjson");
  EXPECT_EQ(subscribers->status, 200) << subscribers->body;
  EXPECT_EQ(Post("/api/v1/ingest/events", Bearer(lcpd_), good, "application/x-ndjson")->status, 403);
  EXPECT_EQ(Post("/api/v1/ingest/events", {}, good, "application/x-ndjson")->status, 401);
  auto huge = Post("/api/v1/ingest/events", Bearer(service_), std::string((1 << 20) + 10, '\n'), "application/x-ndjson");
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(vault_->Stats()->events, 1u);
  // Every batch is in the audit log, by the service that sent it, counts only.
  int audited = 0;
  ASSERT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM audit WHERE actor = 'service:backend' AND action LIKE 'ingest_%'",
        soci::into(audited);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(audited, 4) << "three batches of events and one of subscribers; the one too large never reached the vault";
}

// The ledgers as an outsider sees them: no credentials, heads that verify with the published
// key, and proofs that each later head extends the earlier ones.
TEST_P(ApiTest, TheLedgersAreOpenToAnyoneAndProveTheyOnlyGrow) {
  auto none = client_->Get("/api/v1/ledger/disclosures/head");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(none->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(json::parse(none->body)["detail"], "no tree head of log {log} has been signed yet");
  auto elsewhere = client_->Get("/api/v1/ledger/cases/head");
  EXPECT_EQ(elsewhere->status, 404);
  EXPECT_EQ(json::parse(elsewhere->body)["detail"], "No such log: the logs are audit and disclosures.");
  auto posted = client_->Post("/api/v1/ledger/disclosures/head", "", "application/json");
  EXPECT_EQ(posted->status, 405) << "GET only";
  EXPECT_EQ(posted->get_header_value("Allow"), "GET, HEAD");

  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  SignBoth();
  const ledger::SignedTreeHead disclosures1 = Head("disclosures"), audit1 = Head("audit");
  EXPECT_EQ(disclosures1.size, 1u) << "the request's receipt";
  EXPECT_EQ(disclosures1.timestamp, "2026-03-12T16:00:00Z");

  auto keys = client_->Get("/api/v1/keys");
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->status, 200) << keys->body;
  const json exported = json::parse(keys->body);
  ASSERT_EQ(exported["ledger"].size(), 1u);
  EXPECT_EQ(exported["ledger"][0]["key_id"], disclosures1.key_id);
  EXPECT_EQ(exported["ledger"][0]["algorithm"], "Ed25519");
  EXPECT_EQ(exported["production"], json::array()) << "no production signed yet";
  const auto trusted = ledger::ParseLedgerPublicKeys(keys->body);
  ASSERT_TRUE(trusted.ok()) << trusted.status().message();
  EXPECT_TRUE(ledger::VerifyWithTrustedKeys(disclosures1, *trusted).ok());
  EXPECT_TRUE(ledger::VerifyWithTrustedKeys(audit1, *trusted).ok());

  clock_.Set(Timestamp{clock_.Now().micros + kMicrosPerHour});
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/review", Staff(rae), R"({"decision": "approve"})")->status, 200);
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/approve", Staff(abe), "")->status, 200);
  SignBoth();
  const ledger::SignedTreeHead disclosures2 = Head("disclosures"), audit2 = Head("audit");
  EXPECT_EQ(disclosures2.timestamp, "2026-03-12T17:00:00Z");
  ASSERT_GT(disclosures2.size, disclosures1.size);
  ASSERT_GT(audit2.size, audit1.size);
  for (const auto& [older, newer] : {std::pair{disclosures1, disclosures2}, std::pair{audit1, audit2},
                                     std::pair{disclosures2, disclosures2}}) {
    SCOPED_TRACE(older.log + " " + std::to_string(older.size) + " to " + std::to_string(newer.size));
    EXPECT_TRUE(ledger::VerifyWithTrustedKeys(newer, *trusted).ok());
    auto r = client_->Get(("/api/v1/ledger/" + older.log + "/consistency?first=" +
                           std::to_string(older.size) + "&second=" + std::to_string(newer.size)).c_str());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto answer = ledger::ParseConsistencyAnswer(r->body);
    ASSERT_TRUE(answer.ok()) << answer.status().message();
    EXPECT_EQ(answer->first, older.size);
    EXPECT_EQ(answer->second, newer.size);
    EXPECT_TRUE(ledger::VerifyConsistency(older.size, newer.size, older.root, newer.root, answer->proof).ok());
  }
  auto unsigned_size = client_->Get(("/api/v1/ledger/disclosures/consistency?first=1&second=" +
                                     std::to_string(disclosures2.size + 1)).c_str());
  EXPECT_EQ(unsigned_size->status, 404);
  EXPECT_EQ(json::parse(unsigned_size->body)["detail"], "no signed head of log {log} at size {second}")
      << "no detail repeats what the request said";

  // A monitor walks the heads from where it stopped.
  auto heads = client_->Get("/api/v1/ledger/disclosures/heads");
  ASSERT_EQ(heads->status, 200);
  EXPECT_EQ(heads->get_header_value("Cache-Control"), "no-store");
  const json all = json::parse(heads->body)["heads"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(ledger::TreeHeadFromJson(all[0]).value().signature, disclosures1.signature);
  EXPECT_EQ(ledger::TreeHeadFromJson(all[1]).value().signature, disclosures2.signature);
  const json later = json::parse(client_->Get(("/api/v1/ledger/disclosures/heads?from=" +
                                               std::to_string(disclosures1.size + 1)).c_str())->body);
  ASSERT_EQ(later["heads"].size(), 1u);
  EXPECT_EQ(later["heads"][0]["size"], disclosures2.size);
}

TEST_P(ApiTest, BadLedgerParametersGetProblemsThatNameThem) {
  const Login aud = SignIn("aud");
  struct Case {
    std::string path, field, detail;
  };
  const std::vector<Case> cases = {
      {"/api/v1/ledger/audit/consistency?second=2", "/query/first", "/query/first: required"},
      {"/api/v1/ledger/audit/consistency?first=1", "/query/second", "/query/second: required"},
      {"/api/v1/ledger/audit/consistency?first=one&second=2", "/query/first", "/query/first: not a whole number in decimal"},
      {"/api/v1/ledger/audit/consistency?first=1&second=-2", "/query/second", "/query/second: not a whole number in decimal"},
      {"/api/v1/ledger/audit/consistency?first=01&second=2", "/query/first", "/query/first: not a whole number in decimal"},
      {"/api/v1/ledger/audit/consistency?first=1.5&second=2", "/query/first", "/query/first: not a whole number in decimal"},
      {"/api/v1/ledger/audit/consistency?first=0&second=2", "/query/first", "/query/first: at least 1"},
      {"/api/v1/ledger/audit/consistency?first=3&second=2", "/query/first", "/query/first: larger than second"},
      {"/api/v1/ledger/disclosures/consistency?first=1&second=99999999999999999999999", "/query/second",
       "/query/second: at most 4611686018427387904"},
      {"/api/v1/ledger/disclosures/heads?from=", "/query/from", "/query/from: not a whole number in decimal"},
      {"/api/v1/ledger/audit/entries?start=x", "/query/start", "/query/start: not a whole number in decimal"},
      {"/api/v1/ledger/audit/entries?count=501", "/query/count", "/query/count: at most 500"},
      {"/api/v1/ledger/audit/entries?count=0", "/query/count", "/query/count: at least 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    auto r = client_->Get(c.path.c_str(), Staff(aud));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
    const json problem = json::parse(r->body);
    EXPECT_EQ(problem["status"], 400);
    EXPECT_EQ(problem["field"], c.field);
    EXPECT_EQ(problem["detail"], c.detail);
  }
}

// The audit log is for auditors: each entry comes with its detail (unless erased) and a proof
// against the head it is read under, and reading it is itself an entry.
TEST_P(ApiTest, AuditorsReadTheAuditLogWithAProofForEachEntry) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe"), aud = SignIn("aud"), ada = SignIn("ada");
  auto early = client_->Get("/api/v1/ledger/audit/entries", Staff(aud));
  EXPECT_EQ(early->status, 404) << "no head signed yet";
  vault::IngestReport report;
  ASSERT_TRUE(vault_->Ingest(R"({"account_id": 1000042, "ts": "2026-03-10T08:00:00Z", "kind": "login", "ip": "203.0.113.5"})" "\n",
                             report).ok());
  const std::string id = Submit(ian, Example("preservation"));
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/review", Staff(rae), R"({"decision": "approve"})")->status, 200);
  // The account is deleted: the details that concern it go, their entries stay.
  ASSERT_TRUE(instance_->db->Transaction([](soci::session& sql) {
    return cases::EraseAuditDetails(sql, "1000042").status();
  }).ok());
  const ledger::SignedTreeHead head = ledgers_->SignHead(cases::kAuditLog, "test").value();
  const std::string all = "/api/v1/ledger/audit/entries?start=0&count=500";

  for (const auto& [who, headers] : std::vector<std::pair<std::string, httplib::Headers>>{
           {"ian", Staff(ian)}, {"rae", Staff(rae)}, {"abe", Staff(abe)}, {"ada", Staff(ada)},
           {"service", Bearer(service_)}, {"lcpd", Bearer(lcpd_)}, {"outside", Bearer(outside_)}}) {
    EXPECT_EQ(client_->Get(all.c_str(), headers)->status, 403) << who;
  }
  EXPECT_EQ(client_->Get(all.c_str())->status, 401);

  auto r = client_->Get(all.c_str(), Staff(aud));
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  // Read keeping the keys' order, as the details' bytes have it.
  const auto page = nlohmann::ordered_json::parse(r->body);
  const auto page_head = ledger::ParseTreeHead(page["tree_head"].dump());
  ASSERT_TRUE(page_head.ok()) << page_head.status().message();
  EXPECT_EQ(page_head->signature, head.signature);
  const auto trusted = ledger::ParseLedgerPublicKeys(client_->Get("/api/v1/keys")->body).value();
  EXPECT_TRUE(ledger::VerifyWithTrustedKeys(*page_head, trusted).ok());
  ASSERT_EQ(page["entries"].size(), head.size);
  int erased = 0;
  for (size_t i = 0; i < page["entries"].size(); ++i) {
    const auto& entry = page["entries"][i];
    SCOPED_TRACE(entry.dump());
    EXPECT_EQ(entry["index"], i);
    // The leaf's exact bytes, as a package's ledger.json and `ledger prove` give them.
    const std::string leaf = entry["leaf"].get<std::string>();
    const json fields = json::parse(leaf);
    EXPECT_TRUE(ledger::VerifyInclusion(i, head.size, ledger::LeafHash(leaf), head.root, Hashes(entry["proof"])).ok());
    if (entry["detail"].is_null()) {
      ++erased;
      EXPECT_EQ(fields["action"], "place_hold");
    } else {
      EXPECT_EQ(Sha256Hex(entry["detail"].dump()), fields["detail_sha256"]);
    }
  }
  EXPECT_EQ(erased, 1);

  const auto window = nlohmann::ordered_json::parse(
      client_->Get("/api/v1/ledger/audit/entries?start=2&count=3", Staff(aud))->body);
  ASSERT_EQ(window["entries"].size(), 3u);
  EXPECT_EQ(window["entries"][0]["index"], 2);
  EXPECT_EQ(window["entries"][2]["index"], 4);
  const auto past = json::parse(client_->Get(("/api/v1/ledger/audit/entries?start=" +
                                              std::to_string(head.size)).c_str(), Staff(aud))->body);
  EXPECT_EQ(past["entries"], json::array());

  // The first read is the entry right after the head it was read under.
  const ledger::SignedTreeHead next = ledgers_->SignHead(cases::kAuditLog, "test").value();
  EXPECT_EQ(next.size, head.size + 3) << "three reads";
  const auto reads = nlohmann::ordered_json::parse(client_->Get(("/api/v1/ledger/audit/entries?start=" +
                                                                 std::to_string(head.size)).c_str(), Staff(aud))->body);
  ASSERT_EQ(reads["entries"].size(), 3u);
  const json read = json::parse(reads["entries"][0]["leaf"].get<std::string>());
  EXPECT_EQ(read["actor"], "aud");
  EXPECT_EQ(read["action"], "read_audit_log");
  EXPECT_EQ(reads["entries"][0]["detail"].dump(),
            R"({"start":0,"end":)" + std::to_string(head.size) + R"(,"head_size":)" + std::to_string(head.size) + "}");
}

TEST_P(ApiTest, HalfYearReportsArePublishedOnceTheHalfYearHasEnded) {
  const Login ian = SignIn("ian");
  Submit(ian, Example("lcpd-subpoena"));  // received 2026-03-12: the first half of 2026
  // Before July the half-year is not over: nothing of 2026 is published yet.
  const json early = json::parse(client_->Get("/api/v1/reports")->body);
  for (const json& r : early["reports"]) EXPECT_NE(r["period"], "2026-H1");
  auto not_yet = client_->Get("/api/v1/reports/2026-H1");
  EXPECT_EQ(not_yet->status, 404);
  clock_.Set(ParseDateTime("2026-07-01T00:00:00Z").value());
  const json listed = json::parse(client_->Get("/api/v1/reports")->body);
  ASSERT_FALSE(listed["reports"].empty());
  EXPECT_EQ(listed["reports"][0]["period"], "2026-H1");
  EXPECT_EQ(listed["reports"][0]["to"], "2026-07-01");
  // Anyone may read it, in each form; the JSON carries the signed head it was counted from.
  auto report = client_->Get("/api/v1/reports/2026-H1");
  ASSERT_EQ(report->status, 200) << report->body;
  const json r = json::parse(report->body);
  EXPECT_EQ(r["period"]["from"], "2026-01-01");
  EXPECT_EQ(r["totals"]["requests"], 1);
  EXPECT_EQ(r["tree_head"]["log"], "disclosures");
  const auto keys = signing_keys_->Keys(cases::kLedgerKey).value();
  EXPECT_TRUE(ledger::Verify(ledger::TreeHeadFromJson(r["tree_head"]).value(), keys[0].public_key).ok());
  auto csv = client_->Get("/api/v1/reports/2026-H1?format=csv");
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_THAT(csv->body, HasSubstr("totals,,requests,1"));
  auto html = client_->Get("/api/v1/reports/2026-H1?format=html");
  EXPECT_THAT(html->body, HasSubstr("<svg"));
  auto bad = client_->Get("/api/v1/reports/2026-H1?format=xml");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["field"], "/query/format");
  EXPECT_EQ(client_->Get("/api/v1/reports/2026-H3")->status, 404);
}

TEST_P(ApiTest, ListeningBeyondLoopbackNeedsTls) {
  ServerOptions options;
  options.host = "0.0.0.0";
  options.port = 0;
  auto refused = ApiServer::Start(Services(*users_), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("TLS"));
  options.tls_certificate = "/nonexistent.pem";
  options.tls_private_key = "/nonexistent.key";
  EXPECT_FALSE(ApiServer::Start(Services(*users_), options).ok());
}

// A second server on a port one already serves is refused (httplib's default would share the
// port, SO_REUSEPORT, and the kernel would split the clients between the two servers).
TEST_P(ApiTest, APortInUseIsRefusedNotShared) {
  ServerOptions options;
  options.port = server_->port();
  auto second = ApiServer::Start(Services(*users_), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kIoError);
  EXPECT_THAT(second.status().message(), HasSubstr("cannot listen there"));
  EXPECT_EQ(client_->Get("/api/v1/keys")->status, 200) << "the first still serves";
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
