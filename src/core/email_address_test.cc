#include "core/email_address.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

std::string Check(std::string_view address) {
  Status s = CheckEmailAddress(address, "--email");
  return s.ok() ? "ok" : s.message();
}

TEST(EmailAddressTest, AcceptsOrdinaryAddresses) {
  EXPECT_EQ(Check("ana.perez@legal.example.org"), "ok");
  EXPECT_EQ(Check("on-call+alerts@example.com"), "ok");
  EXPECT_EQ(Check("o'brien@mail-1.example.co.uk"), "ok");
  EXPECT_EQ(Check(std::string(64, 'a') + "@example.org"), "ok");
}

TEST(EmailAddressTest, RefusesWhatCouldNotGoIntoAnEnvelopeOrAHeader) {
  const std::string local = "--email: not an e-mail address (the part before @ may hold letters, digits and "
                            "!#$%&'*+-/=?^_`{|}~, in words separated by single dots)";
  const std::string domain = "--email: not an e-mail address (the domain must be two or more labels of "
                             "letters, digits and hyphens, separated by dots)";
  EXPECT_EQ(Check(""), "--email: not an e-mail address (empty)");
  EXPECT_EQ(Check("ana.example.org"), "--email: not an e-mail address (no @)");
  EXPECT_EQ(Check("@example.org"), "--email: not an e-mail address (the part before @ must be 1 to 64 bytes)");
  EXPECT_EQ(Check(std::string(65, 'a') + "@example.org"),
            "--email: not an e-mail address (the part before @ must be 1 to 64 bytes)");
  EXPECT_EQ(Check("a@" + std::string(250, 'b') + ".org"), "--email: not an e-mail address (more than 254 bytes)");
  EXPECT_EQ(Check("ana@example.org\r\nBcc: x@example.net"), local);
  EXPECT_EQ(Check("ana@example.org\r\n"), domain);
  EXPECT_EQ(Check("ana\n@example.org"), local);
  EXPECT_EQ(Check("ana perez@example.org"), local);
  EXPECT_EQ(Check("\"ana\"@example.org"), local);
  EXPECT_EQ(Check(".ana@example.org"), local);
  EXPECT_EQ(Check("ana..perez@example.org"), local);
  EXPECT_EQ(Check("ana@x@example.org"), local);
  EXPECT_EQ(Check("ana@localhost"), domain);
  EXPECT_EQ(Check("ana@example..org"), domain);
  EXPECT_EQ(Check("ana@-example.org"), domain);
  EXPECT_EQ(Check("ana@[127.0.0.1]"), domain);
  EXPECT_EQ(Check("ana@exämple.org"), domain);
  EXPECT_EQ(Check("ana@" + std::string(64, 'b') + ".org"), domain);
}

}  // namespace
}  // namespace custodian
