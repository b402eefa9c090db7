// The HTTP interface against a real ClickHouse server: rows of every byte value go in and come
// back exact in RowBinary; an error in the middle of a streamed answer is an error, not rows
// with an error appended; refused queries, unknown tables and an unreachable server each map
// to their status with ClickHouse's code; a URL is parsed strictly and a password never shows.
#include "vault/clickhouse/clickhouse_http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vault/clickhouse/clickhouse_test_server.h"
#include "vault/clickhouse/row_binary.h"

namespace custodian::vault::clickhouse {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ClickHouseEndpointTest, AUrlIsParsedStrictly) {
  auto e = ParseEndpoint("http://custodian:s3cret@ch-1.internal:8124/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "ch-1.internal");
  EXPECT_EQ(e->port, 8124);
  EXPECT_EQ(e->user, "custodian");
  EXPECT_EQ(e->password, "s3cret");
  EXPECT_EQ(e->Name(), "ch-1.internal:8124");
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1")->port, 8123);
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1")->user, "default");
  for (const char* bad : {"https://h:1", "h:8123", "http://h:0", "http://h:99999", "http://h:8a", "http://:1",
                          "http://h:1/db", "http://h:1?user=x", "http://:pw@h:1"}) {
    auto r = ParseEndpoint(bad);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_THAT(ParseEndpoint("http://u:s3cret@h:x").status().message(), Not(HasSubstr("s3cret")));
}

class ClickHouseHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_CLICKHOUSE();
    auto e = ParseEndpoint(TestServerUrl());
    ASSERT_TRUE(e.ok()) << e.status().message();
    http_ = std::make_unique<Http>(*e);
    table_ = "http_test_" + std::to_string(::getpid());
    ASSERT_TRUE(http_->Query("DROP TABLE IF EXISTS " + table_).ok());
  }
  void TearDown() override {
    if (http_) http_->Query("DROP TABLE IF EXISTS " + table_).status().IgnoreError();
  }

  std::unique_ptr<Http> http_;
  std::string table_;
};

TEST_F(ClickHouseHttpTest, EveryByteGoesInAndComesBackExact) {
  ASSERT_TRUE(http_->Query("CREATE TABLE " + table_ +
                           " (day Date, tag FixedString(16), ts UInt64, block String) "
                           "ENGINE = MergeTree PARTITION BY day ORDER BY (tag, ts)")
                  .ok());
  std::string every;
  for (int i = 0; i < 256; ++i) every += static_cast<char>(i);
  RowBinaryWriter rows;
  for (uint64_t i = 0; i < 300; ++i) {
    rows.UInt16(20000 + i % 3);
    rows.Fixed(std::string(15, static_cast<char>(i)) + '\0');
    rows.UInt64(i);
    rows.String(every.substr(i % 256) + std::string(i * 7, '\n'));
  }
  auto inserted = http_->Query("INSERT INTO " + table_ + " FORMAT RowBinary", rows.bytes());
  ASSERT_TRUE(inserted.ok()) << inserted.status().message();

  auto answer = http_->Query("SELECT day, tag, ts, block FROM " + table_ + " ORDER BY ts FORMAT RowBinary");
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  RowBinaryReader r(*answer);
  for (uint64_t i = 0; i < 300; ++i) {
    EXPECT_EQ(*r.UInt(2), 20000 + i % 3);
    EXPECT_EQ(*r.Fixed(16), std::string(15, static_cast<char>(i)) + '\0');
    EXPECT_EQ(*r.UInt(8), i);
    EXPECT_EQ(*r.String(), every.substr(i % 256) + std::string(i * 7, '\n')) << i;
  }
  EXPECT_TRUE(r.done());
  EXPECT_EQ(*http_->Query("SELECT count() FROM " + table_ + " WHERE day = toDate('2024-10-05')"), "100\n");
}

// Without wait_end_of_query, an error after the first rows arrives as HTTP 200 with the error
// appended to them (docs/clickhouse.md, §3): here it is an error.
TEST_F(ClickHouseHttpTest, AnErrorMidAnswerIsAnError) {
  auto r = http_->Query(
      "SELECT number, throwIf(number = 300000) FROM system.numbers LIMIT 400000 "
      "FORMAT RowBinary",
      {}, {{"max_block_size", "1000"}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("throwIf"));
  EXPECT_THAT(r.status().message(), HasSubstr("Code: 395"));
}

TEST_F(ClickHouseHttpTest, RefusalsMapToTheirStatus) {
  auto syntax = http_->Query("SELEKT 1");
  EXPECT_EQ(syntax.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(syntax.status().message(), HasSubstr("Code: 62"));
  EXPECT_THAT(syntax.status().message(), HasSubstr("clickhouse 127.0.0.1:"));
  auto unknown = http_->Query("SELECT * FROM no_such_table_at_all");
  EXPECT_FALSE(unknown.ok());
  EXPECT_EQ(ErrorCode(unknown.status().message()), 60);
  EXPECT_EQ(*http_->Query("SELECT 1"), "1\n");

  Endpoint closed = http_->endpoint();
  closed.port = 1;  // nothing listens on port 1 of loopback
  closed.password = "s3cret";
  auto away = Http(closed).Query("SELECT 1");
  EXPECT_EQ(away.status().code(), Status::Code::kUnavailable);
  EXPECT_THAT(away.status().message(), Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace custodian::vault::clickhouse
