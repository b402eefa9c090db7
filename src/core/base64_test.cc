#include "core/base64.h"

#include <utility>

#include <gtest/gtest.h>

namespace custodian {
namespace {

std::string Decoded(std::string_view text) {
  auto bytes = Base64Decode(text);
  return bytes.ok() ? *bytes : "error: " + bytes.status().message();
}

TEST(Base64Test, CodesTheRfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(Base64Encode(bytes), text);
    EXPECT_EQ(Decoded(text), bytes);
  }
  const uint8_t high[] = {0xfb, 0xff, 0xbf};  // the two characters URL-safe base64 replaces
  EXPECT_EQ(Base64Encode(std::span<const uint8_t>(high)), "+/+/");
}

TEST(Base64Test, DecodesWhatItEncodes) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (size_t n = 0; n <= all.size(); n += 37) {
    EXPECT_EQ(Decoded(Base64Encode(all.substr(0, n))), all.substr(0, n)) << n;
  }
}

TEST(Base64Test, RefusesEveryOtherSpelling) {
  for (const char* text : {"Zg", "Zg=", "Zg===", "Zm8", "Zh==", "Zm9=", "Zm9v YmFy", "Zm9v\n",
                           " Zm9v", "-_-_", "Zm9v=", "Zm9vY", "=Zm9", "Zg==Zg==", "Zm9v!"}) {
    EXPECT_EQ(Decoded(text), "error: not padded standard base64") << text;
  }
}

}  // namespace
}  // namespace custodian
