// Staff users, sessions and API tokens, against both stores.
#include "server/user_store.h"

#include <soci/soci.h>

#include <algorithm>
#include <iostream>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/case_store.h"
#include "cases/store/test_store.h"
#include "server/store_testing.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

using cases::Backend;
using ::testing::HasSubstr;

constexpr char kPassword[] = "correct horse battery staple";

class UserStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (Unready()) return;
    // Password-only sign-in here; TheDefaultWantsASecondFactor covers the default.
    UserStoreOptions options;
    options.require_totp = false;
    users_ = std::make_unique<UserStore>(*db_, key_, clock_, options);
    ASSERT_TRUE(users_->AddUser("ana", {Role::kReviewer}, kPassword, "admin").ok());
  }
  std::unique_ptr<UserStore> users_;
};

TEST_P(UserStoreTest, NamesRolesAndPasswordsAreChecked) {
  EXPECT_THAT(users_->AddUser("ana", {Role::kAdmin}, kPassword, "admin").message(), HasSubstr("exists"));
  EXPECT_FALSE(users_->AddUser("Ana Q", {Role::kAdmin}, kPassword, "admin").ok());
  EXPECT_FALSE(users_->AddUser("bo", {}, kPassword, "admin").ok());
  EXPECT_THAT(users_->AddUser("bo", {Role::kAdmin}, "short", "admin").message(), HasSubstr("at least 12"));
  auto ana = users_->GetUser("ana");
  ASSERT_TRUE(ana.ok());
  EXPECT_EQ(ana->roles, std::set<Role>{Role::kReviewer});
  EXPECT_FALSE(ana->has_totp);
  EXPECT_EQ(Stored("users").find(kPassword), std::string::npos);
  EXPECT_THAT(Stored("users"), HasSubstr("$argon2id$"));
}

TEST_P(UserStoreTest, AUsersEmailAddressIsCheckedSetAndRemoved) {
  EXPECT_EQ(users_->GetUser("ana")->email, std::nullopt);
  ASSERT_TRUE(users_->AddUser("bo", {Role::kApprover}, kPassword, "admin", "bo@legal.example.org").ok());
  EXPECT_EQ(users_->GetUser("bo")->email, "bo@legal.example.org");
  Status bad = users_->AddUser("cy", {Role::kIntake}, kPassword, "admin", "cy@example.org\r\nBcc: x@example.net");
  EXPECT_EQ(bad.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("email: not an e-mail address"));
  EXPECT_FALSE(users_->GetUser("cy").ok()) << "nothing stored";

  ASSERT_TRUE(users_->SetEmail("ana", "ana@legal.example.org", "admin").ok());
  EXPECT_EQ(users_->GetUser("ana")->email, "ana@legal.example.org");
  Status wrong = users_->SetEmail("ana", "ana at legal", "admin");
  EXPECT_EQ(wrong.message(), "email: not an e-mail address (no @)");
  EXPECT_EQ(users_->GetUser("ana")->email, "ana@legal.example.org") << "left as it was";
  EXPECT_TRUE(users_->SetEmail("nobody", "x@example.org", "admin").IsNotFound());
  ASSERT_TRUE(users_->SetEmail("ana", std::nullopt, "admin").ok());
  EXPECT_EQ(users_->GetUser("ana")->email, std::nullopt);
  EXPECT_EQ(users_->Users()[1].email, "bo@legal.example.org");
  const auto actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "set_email"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "remove_email"), 1);
}

TEST_P(UserStoreTest, ALoginOpensASessionThatExpiresAndCanBeRevoked) {
  const LoginResult login = users_->Login("ana", kPassword, "");
  ASSERT_EQ(login.outcome, LoginOutcome::kOk);
  ASSERT_EQ(login.session_id.size(), 64u);
  EXPECT_EQ(Stored("sessions").find(login.session_id), std::string::npos) << "only its hash";
  auto session = users_->SessionOf(login.session_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->user, "ana");
  EXPECT_EQ(session->csrf.size(), 64u);
  EXPECT_FALSE(users_->SessionOf(login.session_id + "0").ok());

  clock_.Set(Timestamp{clock_.Now().micros + 8 * kMicrosPerHour});
  EXPECT_FALSE(users_->SessionOf(login.session_id).ok()) << "expired";

  const LoginResult again = users_->Login("ana", kPassword, "");
  ASSERT_TRUE(users_->Logout(again.session_id).ok());
  EXPECT_FALSE(users_->SessionOf(again.session_id).ok());

  const LoginResult third = users_->Login("ana", kPassword, "");
  ASSERT_TRUE(users_->SetPassword("ana", "another long passphrase", "admin").ok());
  EXPECT_FALSE(users_->SessionOf(third.session_id).ok()) << "a new password ends every session";
  EXPECT_EQ(users_->Login("ana", kPassword, "").outcome, LoginOutcome::kRefused);

  const LoginResult fourth = users_->Login("ana", "another long passphrase", "");
  ASSERT_TRUE(users_->SetDisabled("ana", true, "admin").ok());
  EXPECT_FALSE(users_->SessionOf(fourth.session_id).ok());
  EXPECT_EQ(users_->Login("ana", "another long passphrase", "").outcome, LoginOutcome::kRefused);
}

TEST_P(UserStoreTest, RepeatedFailuresLockTheUserForAWhile) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(users_->Login("ana", "wrong password!", "").outcome, LoginOutcome::kRefused);
  EXPECT_EQ(users_->Login("ana", "wrong password!", "").outcome, LoginOutcome::kLocked);
  EXPECT_EQ(users_->Login("ana", kPassword, "").outcome, LoginOutcome::kLocked) << "even the right one";
  clock_.Set(Timestamp{clock_.Now().micros + 15 * 60 * kMicrosPerSecond});
  EXPECT_EQ(users_->Login("ana", kPassword, "").outcome, LoginOutcome::kOk);
  EXPECT_EQ(users_->Login("nobody", kPassword, "").outcome, LoginOutcome::kRefused);
  const auto actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "login_failed"), 4);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "login_locked"), 1);
}

TEST_P(UserStoreTest, TheDefaultWantsASecondFactor) {
  UserStore strict(*db_, key_, clock_);
  EXPECT_EQ(strict.Login("ana", kPassword, "").outcome, LoginOutcome::kNoSecondFactor);
  EXPECT_EQ(strict.Login("ana", "wrong password!", "").outcome, LoginOutcome::kRefused)
      << "only the right password learns that a factor is missing";
  const auto actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "login_refused_no_totp"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "login"), 0);
  const std::string secret = strict.EnrollTotp("ana", "admin").value();
  const int64_t step = clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds;
  EXPECT_EQ(strict.Login("ana", kPassword, TotpCode(secret, step)).outcome, LoginOutcome::kOk);
}

TEST_P(UserStoreTest, WithTotpACodeIsNeededAndWorksOnce) {
  auto secret = users_->EnrollTotp("ana", "admin");
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(users_->GetUser("ana")->has_totp);
  EXPECT_EQ(Stored("users").find(Base32(*secret)), std::string::npos);
  const int64_t step = clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds;
  EXPECT_EQ(users_->Login("ana", kPassword, "").outcome, LoginOutcome::kRefused);
  EXPECT_EQ(users_->Login("ana", kPassword, TotpCode(*secret, step - 5)).outcome, LoginOutcome::kRefused);
  EXPECT_EQ(users_->Login("ana", kPassword, TotpCode(*secret, step)).outcome, LoginOutcome::kOk);
  EXPECT_EQ(users_->Login("ana", kPassword, TotpCode(*secret, step)).outcome, LoginOutcome::kRefused)
      << "a code works once";
  // Sealed under the instance's key: another key cannot read it.
  UserStore other(*db_, vault::SecretKey::Random(), clock_);
  EXPECT_EQ(other.Login("ana", kPassword, TotpCode(*secret, step + 1)).outcome, LoginOutcome::kRefused);
}

// Sign-ins of one user at once, through two stores on the same database (as two servers
// would, or one server's threads): each reads the user, runs Argon2, then writes.
class ConcurrentSignInTest : public UserStoreTest {
 protected:
  void SetUp() override {
    UserStoreTest::SetUp();
    if (IsSkipped()) return;
    second_db_ = store_->Open(cases::Migrations());
    ASSERT_TRUE(second_db_);
    UserStoreOptions options;
    options.require_totp = false;
    second_ = std::make_unique<UserStore>(*second_db_, key_, clock_, options);
  }
  // `n` sign-ins at once, half through each store; their outcomes.
  std::vector<LoginOutcome> AtOnce(int n, const std::string& password, const std::string& code) {
    std::vector<LoginOutcome> outcomes(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] { outcomes[i] = (i % 2 ? *second_ : *users_).Login("ana", password, code).outcome; });
    }
    for (std::thread& t : threads) t.join();
    return outcomes;
  }
  int Count(const std::string& sql_text) {
    int n = -1;
    EXPECT_TRUE(db_->Transaction([&](soci::session& sql) {
      sql << sql_text, soci::into(n);
      return Status::Ok();
    }).ok());
    return n;
  }

  std::unique_ptr<cases::Database> second_db_;
  std::unique_ptr<UserStore> second_;
};

TEST_P(ConcurrentSignInTest, EightSignInsWithOneCodeOpenOneSession) {
  const std::string secret = users_->EnrollTotp("ana", "admin").value();
  const int64_t step = clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds;
  const auto outcomes = AtOnce(8, kPassword, TotpCode(secret, step));
  const auto ok = std::count(outcomes.begin(), outcomes.end(), LoginOutcome::kOk);
  RecordProperty("sessions_from_one_code", std::to_string(ok));
  std::cout << "8 concurrent sign-ins with one code: " << ok << " session(s)\n";
  EXPECT_EQ(ok, 1) << "a code works once, however many sign-ins race with it";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE action = 'login'"), 1);
  // The losers are failures like any replayed code: counted, and audited.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE action IN ('login_failed', 'login_locked')"), 7);
}

TEST_P(ConcurrentSignInTest, TwentyFourWrongPasswordsAtOnceAreEachCountedAndLock) {
  const auto outcomes = AtOnce(24, "wrong password!", "");
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), LoginOutcome::kOk), 0);
  const int locks = Count("SELECT COUNT(*) FROM audit WHERE action = 'login_locked'");
  const int failures = Count("SELECT COUNT(*) FROM audit WHERE action = 'login_failed'");
  const int refused = Count("SELECT COUNT(*) FROM audit WHERE action = 'login_refused_locked'");
  RecordProperty("locks_after_24_failures", std::to_string(locks));
  std::cout << "24 concurrent wrong passwords: " << failures << " failed, " << locks << " locked, "
            << refused << " refused as locked\n";
  // The fifth failure counted locks the user; attempts after it, against a locked user, are
  // recorded (as failures when they read the user before the lock) but do not extend it.
  EXPECT_EQ(locks, 1);
  EXPECT_EQ(failures + refused, 23);
  EXPECT_GE(failures, 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE name = 'ana' AND locked_until IS NOT NULL"), 1);
  EXPECT_EQ(users_->Login("ana", kPassword, "").outcome, LoginOutcome::kLocked) << "even the right one";
  EXPECT_EQ(second_->Login("ana", kPassword, "").outcome, LoginOutcome::kLocked);
  clock_.Set(Timestamp{clock_.Now().micros + 15 * 60 * kMicrosPerSecond});
  EXPECT_EQ(users_->Login("ana", kPassword, "").outcome, LoginOutcome::kOk);
}

TEST_P(UserStoreTest, TokensAreShownOnceStoredHashedAndRevocable) {
  auto service = users_->CreateToken(TokenKind::kService, "backend", std::nullopt, std::nullopt, "admin");
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE(service->starts_with("cst_"));
  auto token = users_->TokenOf(*service);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->kind, TokenKind::kService);
  EXPECT_EQ(token->name, "backend");
  EXPECT_EQ(Stored("api_tokens").find(service->substr(21)), std::string::npos);
  std::string altered = *service;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(users_->TokenOf(altered).ok());
  EXPECT_FALSE(users_->TokenOf("Bearer " + *service).ok());

  EXPECT_FALSE(users_->CreateToken(TokenKind::kRequester, "lcpd", std::nullopt, std::nullopt, "admin").ok());
  auto requester = users_->CreateToken(TokenKind::kRequester, "lcpd", "us-nm-lcpd", "r.alvarez@las-cruces.org", "admin");
  ASSERT_TRUE(requester.ok());
  EXPECT_EQ(users_->TokenOf(*requester)->agency_id, "us-nm-lcpd");

  ASSERT_TRUE(users_->RevokeToken(token->id, "admin").ok());
  EXPECT_FALSE(users_->TokenOf(*service).ok());
  EXPECT_EQ(users_->RevokeToken(token->id, "admin").code(), Status::Code::kNotFound);
  const auto tokens = users_->Tokens();
  ASSERT_EQ(tokens.size(), 2u);
  for (const Token& t : tokens) EXPECT_EQ(t.revoked, t.id == token->id) << t.name;
}

INSTANTIATE_TEST_SUITE_P(Stores, ConcurrentSignInTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);
INSTANTIATE_TEST_SUITE_P(Stores, UserStoreTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
