#include "vault/event_parser.h"

#include <gtest/gtest.h>

namespace custodian::vault {
namespace {

// Parses `text` as one line. An event's strings are views into the parser, valid until its
// next Parse: the parser and the line outlive the call.
std::string Parse(const std::string& text, AccessEvent* out = nullptr) {
  static EventParser parser;
  static std::string line;
  line = text + std::string(EventParser::kLinePadding, ' ');
  AccessEvent e;
  Status s = parser.Parse(std::string_view(line).substr(0, text.size()), e);
  if (out) *out = e;
  return s.ok() ? "ok" : s.message();
}

TEST(EventParserTest, ReadsEveryField) {
  AccessEvent e;
  ASSERT_EQ(Parse(R"({"account_id": "18446744073709551615", "ts": "2026-02-02T18:22:03.123456+01:00",
                      "kind": "failed_login", "ip": "2001:DB8::1", "port": 0, "user_agent": "UA",
                      "device_id": "", "event_id": "e"})", &e), "ok");
  EXPECT_EQ(e.account_id, 18446744073709551615ull);
  EXPECT_EQ(FormatDateTime(e.ts), "2026-02-02T17:22:03.123456Z");
  EXPECT_EQ(e.kind, EventKind::kFailedLogin);
  EXPECT_EQ(e.ip.ToString(), "2001:db8::1");
  EXPECT_EQ(e.port, 0);
  EXPECT_EQ(e.user_agent, "UA");
  EXPECT_EQ(e.device_id, "");
  EXPECT_EQ(e.event_id, "e");
}

TEST(EventParserTest, PinsEveryReason) {
  const std::string base = R"("ts": "2026-02-02T18:22:03Z", "kind": "login", "ip": "203.0.113.5")";
  EXPECT_EQ(Parse("{\"account_id\": 1.5, " + base + "}"), "account_id: not an unsigned 64-bit integer");
  EXPECT_EQ(Parse("{\"account_id\": \"007\", " + base + "}"), "account_id: not an unsigned 64-bit integer");
  EXPECT_EQ(Parse("{\"account_id\": \"18446744073709551616\", " + base + "}"),
            "account_id: not an unsigned 64-bit integer");
  EXPECT_EQ(Parse("{\"account_id\": 1, \"account_id\": 2, " + base + "}"), "duplicate field 'account_id'");
  EXPECT_EQ(Parse("{\"account_id\": 1, " + base + ", \"event_id\": \"" + std::string(65, 'e') + "\"}"),
            "event_id: longer than 64 bytes");
  EXPECT_EQ(Parse("{\"account_id\": 1, " + base + ", \"device_id\": 5}"), "device_id: not a string");
  EXPECT_EQ(Parse("{\"account_id\": 1, \"kind\": \"login\", \"ip\": \"1.2.3.4\"}"), "ts: missing");
  EXPECT_EQ(Parse("{\"account_id\": 1, \"ts\": \"2026-02-02T18:22:03Z\", \"kind\": \"login\"}"), "ip: missing");
  EXPECT_EQ(Parse("[1]"), "not a JSON object");
  EXPECT_EQ(Parse("{\"account_id\": 1, " + base + "} {}"), "not valid JSON");
  EXPECT_EQ(Parse("{\"account_id\": 1, " + base), "not valid JSON");
  EXPECT_EQ(Parse(std::string(8193, ' ')), "line longer than 8192 bytes");
  EXPECT_EQ(Parse("{\"account_id\": " + std::string(4000, '[') + std::string(4000, ']') + "}"),
            "nested deeper than 64 levels at 1:79");
  EXPECT_EQ(Parse("{\"a\\nb\": 1}"), "unknown field 'a\\u000Ab'");
}

TEST(EventParserTest, ReasonsNeverRepeatTheValue) {
  for (const char* field : {"ts", "ip", "kind", "port"}) {
    const std::string line = std::string("{\"account_id\": 1, \"ts\": \"2026-02-02T18:22:03Z\", "
                                         "\"kind\": \"login\", \"ip\": \"1.2.3.4\", \"") +
                             field + "\": \"SECRET-VALUE\"}";
    std::string reason = Parse(line);
    if (std::string(field) == "ts" || std::string(field) == "ip" || std::string(field) == "kind") {
      reason = Parse(std::string("{\"account_id\": 1, \"") + field + "\": \"SECRET-VALUE\"}");
    }
    EXPECT_EQ(reason.find("SECRET"), std::string::npos) << reason;
  }
}

}  // namespace
}  // namespace custodian::vault
