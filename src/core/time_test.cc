#include "core/time.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

std::string DateTimeError(std::string_view text) {
  auto r = ParseDateTime(text);
  return r.ok() ? "ok" : r.status().message();
}

TEST(TimeTest, ParsesUtcAndConvertsOffsets) {
  auto z = ParseDateTime("2026-03-12T15:04:05Z");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(FormatDateTime(*z), "2026-03-12T15:04:05Z");
  auto plus = ParseDateTime("2026-03-13T01:04:05+10:00");
  ASSERT_TRUE(plus.ok());
  EXPECT_EQ(plus->micros, z->micros);
  auto minus = ParseDateTime("2026-03-11T23:34:05-15:30");
  ASSERT_TRUE(minus.ok());
  EXPECT_EQ(minus->micros, z->micros);
  EXPECT_EQ(ParseDateTime("2026-03-12t15:04:05z")->micros, z->micros);
  EXPECT_EQ(ParseDateTime("2026-03-12T15:04:05-00:00")->micros, z->micros);
}

TEST(TimeTest, UtcDateOfAnOffsetTime) {
  // 23:30 at -05:00 is the next day in UTC.
  EXPECT_EQ(FormatDate(ParseDateTime("2026-03-11T23:30:00-05:00")->UtcDate()), "2026-03-12");
  EXPECT_EQ(FormatDate(ParseDateTime("1969-12-31T23:59:59.999999Z")->UtcDate()), "1969-12-31");
}

TEST(TimeTest, Fractions) {
  auto t = ParseDateTime("2026-02-02T18:22:03.123456Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->micros % kMicrosPerSecond, 123456);
  EXPECT_EQ(FormatDateTime(*t), "2026-02-02T18:22:03.123456Z");
  EXPECT_EQ(FormatDateTime(*ParseDateTime("2026-02-02T18:22:03.5Z")), "2026-02-02T18:22:03.500000Z");
  EXPECT_EQ(FormatDateTimeMicros(*ParseDateTime("2026-02-02T18:22:03Z")),
            "2026-02-02T18:22:03.000000Z");
  EXPECT_EQ(DateTimeError("2026-02-02T18:22:03.1234567Z"), "(more than 6 fractional digits)");
  EXPECT_EQ(DateTimeError("2026-02-02T18:22:03.Z"), "(RFC 3339, e.g. 2026-03-12T15:04:05Z)");
}

TEST(TimeTest, RefusesWhatRfc3339Refuses) {
  const std::string syntax = "(RFC 3339, e.g. 2026-03-12T15:04:05Z)";
  EXPECT_EQ(DateTimeError("2026-03-12T15:04:05"), syntax);  // no offset
  EXPECT_EQ(DateTimeError("2026-03-12 15:04:05Z"), syntax);
  EXPECT_EQ(DateTimeError("2026-3-12T15:04:05Z"), syntax);
  EXPECT_EQ(DateTimeError("2026-03-12T15:04Z"), syntax);
  EXPECT_EQ(DateTimeError("2026-03-12T15:04:05+0100"), syntax);
  EXPECT_EQ(DateTimeError("2026-03-12T15:04:05Z "), syntax);
  EXPECT_EQ(DateTimeError(""), syntax);
  EXPECT_EQ(DateTimeError("2026-13-12T15:04:05Z"), "(no such month)");
  EXPECT_EQ(DateTimeError("2026-02-29T15:04:05Z"), "(no such day in that month)");
  EXPECT_EQ(DateTimeError("2028-02-29T15:04:05Z"), "ok");
  EXPECT_EQ(DateTimeError("2026-03-12T24:00:00Z"), "(hour out of range)");
  EXPECT_EQ(DateTimeError("2026-03-12T23:60:00Z"), "(minute out of range)");
  EXPECT_EQ(DateTimeError("2026-12-31T23:59:60Z"), "(leap seconds are not accepted)");
  EXPECT_EQ(DateTimeError("2026-12-31T23:59:61Z"), "(second out of range)");
  EXPECT_EQ(DateTimeError("2026-12-31T23:59:59+24:00"), "(offset out of range)");
}

TEST(TimeTest, Dates) {
  auto d = ParseDate("2026-03-12");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2026-03-12");
  EXPECT_EQ(FormatDate(d->PlusDays(90)), "2026-06-10");
  EXPECT_EQ(d->days, ParseDateTime("2026-03-12T00:00:00Z")->micros / kMicrosPerDay);
  EXPECT_EQ(ParseDate("2026-03-12T00:00:00Z").status().message(), "(YYYY-MM-DD)");
  EXPECT_EQ(ParseDate("20260312").status().message(), "(YYYY-MM-DD)");
  EXPECT_EQ(ParseDate("2026-00-12").status().message(), "(no such month)");
  EXPECT_EQ(ParseDate("2026-04-31").status().message(), "(no such day in that month)");
  EXPECT_EQ(ParseDate("1900-02-29").status().message(), "(no such day in that month)");
  EXPECT_TRUE(ParseDate("2000-02-29").ok());
}

TEST(TimeTest, RoundTripsAcrossTheCalendar) {
  for (int64_t days = -800000; days <= 800000; days += 997) {
    const std::string text = FormatDate(Date{days});
    if (text[0] == '-') continue;  // years before 0000 have no YYYY form
    auto back = ParseDate(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(back->days, days) << text;
  }
}

}  // namespace
}  // namespace custodian
