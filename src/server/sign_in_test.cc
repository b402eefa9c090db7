// Sign-in over real HTTP under pressure: sign-ins racing with one TOTP code, and a locked
// user, whose answer must not tell it from an unknown name or a wrong password.
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

class SignInTest : public ApiTest {
 protected:
  httplib::Result SignInAs(const std::string& user, const std::string& password, const std::string& code = "") {
    httplib::Client client("127.0.0.1", server_->port());
    // Eight Argon2 checks at once on a loaded machine (or under the sanitizers) outlast
    // httplib's default of five seconds.
    client.set_read_timeout(60, 0);
    json body = {{"username", user}, {"password", password}};
    if (!code.empty()) body["totp"] = code;
    return client.Post("/api/v1/auth/login", body.dump(), "application/json");
  }
};

TEST_P(SignInTest, EightSignInsAtOnceWithOneCodeOpenOneSession) {
  const std::string secret = users_->EnrollTotp("rae", "setup").value();
  const std::string code = TotpCode(secret, clock_.Now().micros / kMicrosPerSecond / kTotpStepSeconds);
  std::vector<int> statuses(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = SignInAs("rae", kPassword, code);
      statuses[i] = r ? r->status : -1;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1) << ::testing::PrintToString(statuses);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401), 7) << ::testing::PrintToString(statuses);
}

TEST_P(SignInTest, ALockedUserIsAnsweredAsAnUnknownOneOrAWrongPasswordIs) {
  for (int i = 0; i < 5; ++i) users_->Login("ian", "wrong password!", "");
  ASSERT_EQ(users_->Login("ian", kPassword, "").outcome, LoginOutcome::kLocked);
  auto locked = SignInAs("ian", kPassword);
  auto wrong = SignInAs("rae", "wrong password!");
  auto unknown = SignInAs("nobody", kPassword);
  ASSERT_TRUE(locked && wrong && unknown);
  EXPECT_EQ(locked->status, 401);
  EXPECT_EQ(locked->status, wrong->status);
  EXPECT_EQ(locked->status, unknown->status);
  EXPECT_EQ(locked->body, wrong->body);
  EXPECT_EQ(locked->body, unknown->body);
  EXPECT_EQ(locked->get_header_value("Content-Type"), wrong->get_header_value("Content-Type"));
  // The per-address limit still answers 429, whoever is named.
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = SignInAs("nobody", kPassword);
    limited += r && r->status == 429;
  }
  EXPECT_GT(limited, 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, SignInTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
