// Argon2id passwords and RFC 6238 codes, against the RFCs' own vectors.
#include <gtest/gtest.h>

#include "server/passwords.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

TEST(PasswordsTest, Argon2idHashesVerifyOnlyTheirPassword) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_NE(*HashPassword("correct horse battery staple"), *hash) << "salted";
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse battery staple"));
}

TEST(PasswordsTest, LengthLimitsAreEnforced) {
  EXPECT_EQ(HashPassword("short pass!").status().message(), "password: at least 12 characters");
  EXPECT_TRUE(HashPassword("twelve chars").ok());
  EXPECT_FALSE(HashPassword(std::string(kMaxPasswordLength + 1, 'x')).ok());
}

// RFC 6238, Appendix B: the SHA-256 column, with its 32-byte seed and 8 digits.
TEST(TotpTest, MatchesTheRfc6238Sha256Vectors) {
  const std::string seed = "12345678901234567890123456789012";
  const std::pair<int64_t, const char*> vectors[] = {
      {59, "46119246"},         {1111111109, "68084774"}, {1111111111, "67062674"},
      {1234567890, "91819424"}, {2000000000, "90698825"}, {20000000000, "77737706"},
  };
  for (const auto& [seconds, code] : vectors) {
    EXPECT_EQ(TotpCode(seed, seconds / kTotpStepSeconds, 8), code) << seconds;
  }
}

TEST(TotpTest, ACodeWorksWithinOneStepOfSkewAndOnlyOnce) {
  const std::string secret = NewTotpSecret();
  ASSERT_EQ(secret.size(), kTotpSecretBytes);
  const Timestamp now{1'800'000'000LL * kMicrosPerSecond};
  const int64_t step = 1'800'000'000LL / kTotpStepSeconds;
  EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, step), now, std::nullopt), step);
  EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, step - 1), now, std::nullopt), step - 1);
  EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, step + 1), now, std::nullopt), step + 1);
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, step - 2), now, std::nullopt));
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, step), now, step)) << "replayed";
  EXPECT_FALSE(VerifyTotp(secret, "12345", now, std::nullopt));
  EXPECT_FALSE(VerifyTotp(NewTotpSecret(), TotpCode(secret, step), now, std::nullopt));
}

TEST(TotpTest, Base32AndTheOtpauthUri) {
  // RFC 4648, section 10, without padding.
  EXPECT_EQ(Base32(""), "");
  EXPECT_EQ(Base32("f"), "MY");
  EXPECT_EQ(Base32("fo"), "MZXQ");
  EXPECT_EQ(Base32("foo"), "MZXW6");
  EXPECT_EQ(Base32("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(OtpauthUri("ana", "foobar"),
            "otpauth://totp/custodian:ana?secret=MZXW6YTBOI&issuer=custodian&algorithm=SHA256&"
            "digits=6&period=30");
}

}  // namespace
}  // namespace custodian::server
