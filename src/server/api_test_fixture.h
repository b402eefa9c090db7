// The HTTP API's test fixture: an instance on either store (cases/test_instance.h), its staff
// and tokens, a server on a free loopback port with small body limits, and a client of it.
// The API's tests derive from ApiTest and instantiate it per store.
#pragma once

#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/ledgers/ledger_store.h"
#include "core/base64.h"
#include "instance/test_instance.h"
#include "ledger/proof_json.h"
#include "server/api_server.h"
#include "server/production_jobs.h"

namespace custodian::server {

using json = nlohmann::json;
constexpr char kPassword[] = "correct horse battery staple";

// A signed-in staff member's cookie and CSRF token.
struct Login {
  std::string cookie;
  std::string csrf;
};

class ApiTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    workflow_ = instance_->workflow.get();
    vault_ = instance_->vault.get();
    // Most tests sign in by password alone; RequiresASecondFactorByDefault covers TOTP.
    UserStoreOptions user_options;
    user_options.require_totp = false;
    users_ = std::make_unique<UserStore>(*instance_->db, sealing_key_, clock_, user_options);
    for (const auto& [name, role] : std::vector<std::pair<std::string, Role>>{
             {"ian", Role::kIntake}, {"rae", Role::kReviewer}, {"abe", Role::kApprover},
             {"aud", Role::kAuditor}, {"ada", Role::kAdmin}}) {
      ASSERT_TRUE(users_->AddUser(name, {role}, kPassword, "setup").ok());
    }
    service_ = users_->CreateToken(TokenKind::kService, "backend", {}, {}, "setup").value();
    lcpd_ = users_->CreateToken(TokenKind::kRequester, "lcpd", "us-nm-lcpd", "r.alvarez@las-cruces.org", "setup").value();
    fbi_ = users_->CreateToken(TokenKind::kRequester, "fbi", "us-fbi", "mchen@fbi.gov", "setup").value();
    outside_ = users_->CreateToken(TokenKind::kExternalAuditor, "outside-firm", {}, {}, "setup").value();
    // Requesters enrol a second factor, as in any instance but a demo.
    requesters_ = std::make_unique<RequesterStore>(*instance_->db, sealing_key_, clock_);
    signing_keys_ = std::make_unique<cases::SigningKeys>(*instance_->db, vault::SecretKey::Random(), clock_);
    ledgers_ = std::make_unique<cases::Ledgers>(*instance_->db, *signing_keys_, clock_);
    packages_dir_ = std::filesystem::temp_directory_path() / ("custodian_api_packages_" + std::to_string(::getpid()));
    std::filesystem::remove_all(packages_dir_);
    packages_ = std::make_unique<cases::PackageStore>(packages_dir_.string(), vault::SecretKey::Random());
    production::ProductionSettings settings;
    settings.geo_city_databases = {std::string(CUSTODIAN_SOURCE_DIR) + "/testdata/mmdb/test-data/GeoIP2-City-Test.mmdb"};
    settings.work_root = (packages_dir_ / "productions").string();
    settings.packages = packages_.get();
    productions_ = std::make_unique<ProductionJobs>(*instance_->db, *workflow_, *vault_, *signing_keys_, *ledgers_,
                                                    clock_, settings);
    BeforeServing();
    auto server = ApiServer::Start(Services(*users_), Options());
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    // A sign-in runs Argon2id: under the sanitizers on a busy machine that outlasts httplib's
    // default of five seconds.
    client_->set_read_timeout(60, 0);
  }
  // The server's options: a free port and small body limits. A suite may change them.
  virtual ServerOptions Options() const {
    ServerOptions options;
    options.port = 0;
    options.max_ingest_bytes = 1 << 20;
    options.max_body_bytes = 64 << 10;
    return options;
  }
  // What a suite sets up before the server starts (an SMTP server, mail_).
  virtual void BeforeServing() {}
  void TearDown() override {
    server_.reset();
    productions_.reset();  // waits for the productions still running
    if (!packages_dir_.empty()) std::filesystem::remove_all(packages_dir_);
  }

  Login SignIn(const std::string& user) {
    auto r = client_->Post("/api/v1/auth/login",
                           json{{"username", user}, {"password", kPassword}}.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200) << user;
    if (!r || r->status != 200) return {};
    const std::string set = r->get_header_value("Set-Cookie");
    return {set.substr(0, set.find(';')), json::parse(r->body)["csrf"]};
  }
  ServerServices Services(UserStore& users) {
    return {*workflow_, users, *vault_, *ledgers_, *signing_keys_, clock_, *packages_, productions_.get(),
            requesters_.get(), mail_.get()};
  }
  httplib::Headers Staff(const Login& l) { return {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}}; }
  httplib::Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
  // A request document as a requester sends it: with the attestation the standards ask for.
  static std::string Attested(const std::string& document) {
    return nlohmann::ordered_json{{"request", nlohmann::ordered_json::parse(document)},
                                  {"attestation_sha256", DefaultAttestationSha256()}}.dump();
  }

  httplib::Result Post(const std::string& path, const httplib::Headers& h, const std::string& body,
                       const char* type = "application/json") {
    return client_->Post(path.c_str(), h, body, type);
  }
  std::string Submit(const Login& intake, const std::string& document) {
    auto r = Post("/api/v1/cases", Staff(intake), document);
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    return r && r->status == 201 ? json::parse(r->body)["id"].get<std::string>() : "";
  }

  // HSI's court order, entered by intake, reviewed and approved by two people.
  std::string ApprovedHsiCase() {
    auto v = workflow_->Submit({Example("hsi-child-safety-court-order"), cases::Entry::kStaff, {"ian"}});
    EXPECT_TRUE(v.ok());
    if (!v.ok()) return "";
    cases::Review review;
    review.confirm_investigation = true;
    EXPECT_TRUE(workflow_->ReviewCase(v->record.id, {"rae"}, review).ok());
    EXPECT_TRUE(workflow_->Approve(v->record.id, {"abe"}).ok());
    return v->record.id;
  }

  void SignBoth() {
    ASSERT_TRUE(ledgers_->SignHead(cases::kDisclosureLog, "test").ok());
    ASSERT_TRUE(ledgers_->SignHead(cases::kAuditLog, "test").ok());
  }
  // The latest head of `log`, as anyone fetches it.
  ledger::SignedTreeHead Head(const std::string& log) {
    auto r = client_->Get(("/api/v1/ledger/" + log + "/head").c_str());
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    if (!r || r->status != 200) return {};
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
    auto head = ledger::ParseTreeHead(r->body);
    EXPECT_TRUE(head.ok()) << head.status().message();
    return head.ok() ? *head : ledger::SignedTreeHead{};
  }
  // A proof as the API sends it: base64 hashes.
  static std::vector<ledger::Digest> Hashes(const nlohmann::ordered_json& proof) {
    std::vector<ledger::Digest> out;
    for (const auto& item : proof) {
      const std::string bytes = Base64Decode(item.get<std::string>()).value();
      ledger::Digest d{};
      EXPECT_EQ(bytes.size(), d.size());
      std::copy_n(bytes.begin(), std::min(bytes.size(), d.size()), d.begin());
      out.push_back(d);
    }
    return out;
  }

  const vault::SecretKey sealing_key_ = vault::SecretKey::Random();
  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
  cases::Workflow* workflow_ = nullptr;
  vault::Vault* vault_ = nullptr;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<RequesterStore> requesters_;
  std::unique_ptr<MailTransport> mail_;  // none unless a suite's BeforeServing makes one
  std::unique_ptr<cases::SigningKeys> signing_keys_;
  std::unique_ptr<cases::Ledgers> ledgers_;
  std::filesystem::path packages_dir_;
  std::unique_ptr<cases::PackageStore> packages_;
  std::unique_ptr<ProductionJobs> productions_;
  std::string service_, lcpd_, fbi_;
  std::string outside_;  // an outside auditor's token
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace custodian::server
