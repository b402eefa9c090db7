#include "core/loopback.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(LoopbackTest, OnlyThisMachinesAddressesAndName) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.255.0.9"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
  EXPECT_FALSE(IsLoopback("128.0.0.1"));
  EXPECT_FALSE(IsLoopback("::2"));
  EXPECT_FALSE(IsLoopback("localhost.example.org"));
  EXPECT_FALSE(IsLoopback(""));
}

}  // namespace
}  // namespace custodian
