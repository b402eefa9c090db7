#include "core/ip_address.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

std::string Canonical(std::string_view text) {
  auto ip = IpAddress::Parse(text);
  return ip ? ip->ToString() : "invalid";
}

TEST(IpAddressTest, IPv4IsStrictDottedDecimal) {
  EXPECT_EQ(Canonical("203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(Canonical("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(Canonical("255.255.255.255"), "255.255.255.255");
  EXPECT_EQ(Canonical("256.0.0.1"), "invalid");
  EXPECT_EQ(Canonical("203.0.113.05"), "invalid");  // leading zero
  EXPECT_EQ(Canonical("203.0.113"), "invalid");
  EXPECT_EQ(Canonical("203.0.113.5."), "invalid");
  EXPECT_EQ(Canonical(" 203.0.113.5"), "invalid");
  EXPECT_EQ(Canonical("1.2.3.4.5"), "invalid");
  EXPECT_EQ(Canonical(""), "invalid");
}

TEST(IpAddressTest, IPv6FollowsRfc5952) {
  EXPECT_EQ(Canonical("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(Canonical("2001:0db8::0001"), "2001:db8::1");
  EXPECT_EQ(Canonical("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero: no ::
  EXPECT_EQ(Canonical("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");           // the longest run
  EXPECT_EQ(Canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // the first of equals
  EXPECT_EQ(Canonical("::"), "::");
  EXPECT_EQ(Canonical("::1"), "::1");
  EXPECT_EQ(Canonical("1::"), "1::");
  EXPECT_EQ(Canonical("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
  EXPECT_EQ(Canonical("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
}

TEST(IpAddressTest, IPv4MappedIPv6IsIPv4) {
  auto ip = IpAddress::Parse("::ffff:203.0.113.5");
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->is_v4());
  EXPECT_EQ(*ip, *IpAddress::Parse("203.0.113.5"));
  EXPECT_EQ(Canonical("::FFFF:cb00:7105"), "203.0.113.5");
}

TEST(IpAddressTest, RefusesMalformedIPv6) {
  for (const char* bad : {":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                          "12345::", "g::1", ":1", "1:", "1::2:3:4:5:6:7:8", "fe80::1%eth0",
                          "::1.2.3", "::1.2.3.4:5"}) {
    EXPECT_EQ(Canonical(bad), "invalid") << bad;
  }
}

TEST(IpEndpointTest, Ports) {
  auto v4 = IpEndpoint::Parse("203.0.113.7:51234");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->port, 51234);
  EXPECT_EQ(v4->ToString(), "203.0.113.7:51234");
  auto v6 = IpEndpoint::Parse("[2001:DB8::1]:443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ToString(), "[2001:db8::1]:443");
  auto bare = IpEndpoint::Parse("2001:db8::1");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->port);
  for (const char* bad : {"203.0.113.7:", "203.0.113.7:65536", "203.0.113.7:080",
                          "[203.0.113.7]:80", "[2001:db8::1]", "[2001:db8::1]:x", "host:80"}) {
    EXPECT_FALSE(IpEndpoint::Parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace custodian
