// Requester accounts: registration, the confirmation link, the second factor, sign-in,
// lockout and suspension, against both stores.
#include "server/requester_store.h"

#include <soci/soci.h>

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/case_store.h"
#include "cases/store/test_store.h"
#include "instance/test_instance.h"
#include "server/store_testing.h"
#include "server/totp.h"
#include "server/user_store.h"

namespace custodian::server {
namespace {

using cases::Backend;
using ::testing::HasSubstr;

constexpr char kPassword[] = "correct horse battery staple";

class RequesterStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (Unready()) return;
    requesters_ = std::make_unique<RequesterStore>(*db_, key_, clock_);
    // The example registry: las-cruces.org is the Las Cruces police's, fbi.gov the FBI's.
    ASSERT_TRUE(db_->Transaction([](soci::session& sql) {
      return cases::CaseTx(sql).SetRegistry({ProjectFile("spec/agencies.example.json"), "", Timestamp{}, "setup"});
    }).ok());
  }
  int64_t Step() const { return clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds; }
  void Advance(int64_t micros) { clock_.Set(Timestamp{clock_.Now().micros + micros}); }

  // Registered, confirmed and enrolled: the account's id and its TOTP secret.
  std::pair<std::string, std::string> Enrolled(RequesterStore& store, const std::string& email) {
    auto r = store.Register(email, "Rosa Alvarez", kPassword);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {};
    auto confirmed = store.Confirm(r->token, kPassword);
    EXPECT_TRUE(confirmed.ok());
    if (!confirmed.ok()) return {};
    auto enrolment = store.StartTotpEnrolment(confirmed->enrolment_ticket);
    EXPECT_TRUE(enrolment.ok());
    if (!enrolment.ok()) return {};
    auto in = store.ConfirmTotpEnrolment(confirmed->enrolment_ticket, TotpCode(enrolment->secret, Step()));
    EXPECT_TRUE(in.ok() && in->outcome == LoginOutcome::kOk);
    return {r->account_id, enrolment->secret};
  }

  std::unique_ptr<RequesterStore> requesters_;
};

TEST_P(RequesterStoreTest, RegistrationIsConfirmedOnceThenTheSecondFactorEnrolledAndSignedInWith) {
  auto r = requesters_->Register("R.Alvarez@Las-Cruces.org", "Rosa Alvarez", kPassword);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->exists);
  EXPECT_THAT(r->account_id, ::testing::MatchesRegex("R-[0-9a-f]{16}"));
  EXPECT_EQ(r->token.size(), 64u);
  EXPECT_EQ(FormatDateTime(r->expires_at), "2026-11-30T12:00:00Z");
  EXPECT_EQ(Stored("requester_confirmations").find(r->token), std::string::npos) << "only its hash";
  const auto account = requesters_->Get(r->account_id);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->state, RequesterState::kUnconfirmed);
  EXPECT_EQ(account->agency_id, "us-nm-lcpd");
  EXPECT_EQ(account->email, "R.Alvarez@Las-Cruces.org");
  // Unconfirmed: refused as a wrong password is.
  EXPECT_EQ(requesters_->Login("r.alvarez@las-cruces.org", kPassword, "").outcome, LoginOutcome::kRefused);

  EXPECT_EQ(requesters_->Confirm(r->token, "not the registered password").status().code(), Status::Code::kNotFound)
      << "a link confirms with the password registered with it";
  auto confirmed = requesters_->Confirm(r->token, kPassword);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().message();
  EXPECT_EQ(confirmed->outcome, LoginOutcome::kNoSecondFactor);
  EXPECT_FALSE(confirmed->enrolment_ticket.empty());
  EXPECT_EQ(requesters_->Confirm(r->token, kPassword).status().code(), Status::Code::kNotFound) << "a link works once";
  EXPECT_EQ(requesters_->Get(r->account_id)->state, RequesterState::kActive);
  // Confirmed without a factor: the password learns that one is to be enrolled.
  const LoginResult missing = requesters_->Login("r.alvarez@las-cruces.org", kPassword, "");
  EXPECT_EQ(missing.outcome, LoginOutcome::kNoSecondFactor);

  auto enrolment = requesters_->StartTotpEnrolment(confirmed->enrolment_ticket);
  ASSERT_TRUE(enrolment.ok());
  EXPECT_EQ(enrolment->user, r->account_id);
  auto in = requesters_->ConfirmTotpEnrolment(confirmed->enrolment_ticket, TotpCode(enrolment->secret, Step()));
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->outcome, LoginOutcome::kOk);
  EXPECT_EQ(in->session.user, r->account_id);
  EXPECT_TRUE(requesters_->SessionOf(in->session_id).ok());
  EXPECT_EQ(Stored("requesters").find(Base32(enrolment->secret)), std::string::npos) << "sealed";
  EXPECT_TRUE(requesters_->Get(r->account_id)->has_totp);

  Advance(kTotpStepSeconds * kMicrosPerSecond);
  EXPECT_EQ(requesters_->Login("R.ALVAREZ@las-cruces.org", kPassword, "").outcome, LoginOutcome::kRefused);
  const LoginResult again = requesters_->Login("R.ALVAREZ@las-cruces.org", kPassword, TotpCode(enrolment->secret, Step()));
  ASSERT_EQ(again.outcome, LoginOutcome::kOk) << "any case of the address";
  // A staff user's store does not know a requester's session.
  EXPECT_FALSE(UserStore(*db_, key_, clock_).SessionOf(again.session_id).ok());
  EXPECT_TRUE(requesters_->Logout(again.session_id).ok());
  EXPECT_FALSE(requesters_->SessionOf(again.session_id).ok());
  const auto actions = AuditActions();
  for (const char* action : {"register_requester", "confirm_requester", "issue_enrolment_ticket",
                             "start_totp_enrolment", "enroll_totp", "login", "login_failed", "logout"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
  }
}

TEST_P(RequesterStoreTest, OneAccountPerAddressWhateverItsCaseAndItsExistenceIsNotChanged) {
  auto first = requesters_->Register("mchen@fbi.gov", "M. Chen", kPassword);
  ASSERT_TRUE(first.ok());
  // Unconfirmed, registered again: a new link (the old one stops working) and the new password,
  // which that link alone confirms with: whoever registered again cannot set the password of
  // the address's owner, who holds the mailbox the link goes to.
  auto second = requesters_->Register("MChen@FBI.gov", "Mei Chen", "another good passphrase");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->exists);
  EXPECT_EQ(second->account_id, first->account_id);
  EXPECT_EQ(requesters_->Confirm(first->token, kPassword).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(requesters_->Confirm(second->token, kPassword).status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(requesters_->Confirm(second->token, "another good passphrase").ok());
  EXPECT_EQ(requesters_->Get(first->account_id)->name, "Mei Chen");
  // Confirmed: a registration changes nothing and makes no link.
  auto third = requesters_->Register("mchen@fbi.gov", "Impostor", "a third good passphrase");
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->exists);
  EXPECT_TRUE(third->token.empty());
  EXPECT_EQ(requesters_->Get(first->account_id)->name, "Mei Chen");
  EXPECT_EQ(requesters_->Login("mchen@fbi.gov", "a third good passphrase", "").outcome, LoginOutcome::kRefused);
  EXPECT_EQ(requesters_->Accounts().size(), 1u);
  EXPECT_TRUE(requesters_->FindByEmail("MCHEN@fbi.gov").ok());
}

TEST_P(RequesterStoreTest, AnOperatorAddsAnAccountActiveAtOnceAtAnAgencysDomainOnly) {
  auto added = requesters_->AddConfirmed("l.whitmore@hsi.dhs.gov", "L. Whitmore", kPassword, "ada");
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(added->state, RequesterState::kActive);
  EXPECT_EQ(added->agency_id, "us-dhs-hsi");
  EXPECT_EQ(requesters_->Login("l.whitmore@hsi.dhs.gov", kPassword, "").outcome, LoginOutcome::kNoSecondFactor);
  EXPECT_THAT(requesters_->AddConfirmed("L.Whitmore@hsi.dhs.gov", "X", kPassword, "ada").status().message(),
              HasSubstr("email: an account has this address"));
  EXPECT_THAT(requesters_->AddConfirmed("someone@example.com", "X", kPassword, "ada").status().message(),
              HasSubstr("email: no agency"));
  const auto actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "add_requester"), 1);
}

TEST_P(RequesterStoreTest, BadInputIsNamedAndNothingIsStored) {
  EXPECT_THAT(requesters_->Register("someone@example.com", "A", kPassword).status().message(),
              HasSubstr("email: no agency in the registry"));
  EXPECT_THAT(requesters_->Register("not an address", "A", kPassword).status().message(),
              HasSubstr("email:"));
  EXPECT_THAT(requesters_->Register("a@fbi.gov", "  ", kPassword).status().message(), HasSubstr("name:"));
  EXPECT_THAT(requesters_->Register("a@fbi.gov", "A\nB", kPassword).status().message(), HasSubstr("name:"));
  EXPECT_THAT(requesters_->Register("a@fbi.gov", "A", "short").status().message(), HasSubstr("password:"));
  EXPECT_TRUE(requesters_->Accounts().empty());
}

TEST_P(RequesterStoreTest, ALinkExpiresAfterADay) {
  auto r = requesters_->Register("a@fbi.gov", "A", kPassword);
  ASSERT_TRUE(r.ok());
  Advance(24 * kMicrosPerHour);
  EXPECT_EQ(requesters_->Confirm(r->token, kPassword).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(requesters_->Confirm("0123", kPassword).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(requesters_->Get(r->account_id)->state, RequesterState::kUnconfirmed);
}

TEST_P(RequesterStoreTest, RepeatedFailuresLockTheAccount) {
  const auto [id, secret] = Enrolled(*requesters_, "a@fbi.gov");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(requesters_->Login("a@fbi.gov", "wrong password!", "").outcome, LoginOutcome::kRefused);
  EXPECT_EQ(requesters_->Login("a@fbi.gov", "wrong password!", "").outcome, LoginOutcome::kLocked);
  Advance(kTotpStepSeconds * kMicrosPerSecond);
  EXPECT_EQ(requesters_->Login("a@fbi.gov", kPassword, TotpCode(secret, Step())).outcome, LoginOutcome::kLocked);
  Advance(15 * 60 * kMicrosPerSecond);
  EXPECT_EQ(requesters_->Login("a@fbi.gov", kPassword, TotpCode(secret, Step())).outcome, LoginOutcome::kOk);
}

TEST_P(RequesterStoreTest, SuspensionEndsSessionsAndSignInsUntilReinstated) {
  const auto [id, secret] = Enrolled(*requesters_, "a@fbi.gov");
  Advance(kTotpStepSeconds * kMicrosPerSecond);
  const LoginResult in = requesters_->Login("a@fbi.gov", kPassword, TotpCode(secret, Step()));
  ASSERT_EQ(in.outcome, LoginOutcome::kOk);
  auto suspended = requesters_->SetSuspended(id, true, "ada");
  ASSERT_TRUE(suspended.ok());
  EXPECT_EQ(suspended->state, RequesterState::kSuspended);
  EXPECT_FALSE(requesters_->SessionOf(in.session_id).ok());
  Advance(kTotpStepSeconds * kMicrosPerSecond);
  EXPECT_EQ(requesters_->Login("a@fbi.gov", kPassword, TotpCode(secret, Step())).outcome, LoginOutcome::kRefused);
  ASSERT_TRUE(requesters_->SetSuspended(id, false, "ada").ok());
  Advance(kTotpStepSeconds * kMicrosPerSecond);
  EXPECT_EQ(requesters_->Login("a@fbi.gov", kPassword, TotpCode(secret, Step())).outcome, LoginOutcome::kOk);
  EXPECT_FALSE(requesters_->SessionOf(in.session_id).ok()) << "an ended session stays ended";
  // An unconfirmed account is neither suspended nor reinstated; an unknown one is not found.
  auto pending = requesters_->Register("b@fbi.gov", "B", kPassword);
  EXPECT_EQ(requesters_->SetSuspended(pending->account_id, true, "ada").status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(requesters_->SetSuspended("R-0000000000000000", true, "ada").status().code(), Status::Code::kNotFound);
  const auto actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "suspend_requester"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "reinstate_requester"), 1);
}

TEST_P(RequesterStoreTest, WithoutRequiredSecondFactorsTheConfirmedPasswordSuffices) {
  RequesterStoreOptions options;
  options.sign_in.require_totp = false;
  RequesterStore relaxed(*db_, key_, clock_, options);
  auto r = relaxed.Register("a@fbi.gov", "A", kPassword);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(relaxed.Confirm(r->token, kPassword).ok());
  EXPECT_EQ(relaxed.Login("a@fbi.gov", kPassword, "").outcome, LoginOutcome::kOk);
  EXPECT_EQ(requesters_->Login("a@fbi.gov", kPassword, "").outcome, LoginOutcome::kNoSecondFactor)
      << "the default requires one";
}

INSTANTIATE_TEST_SUITE_P(Stores, RequesterStoreTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
