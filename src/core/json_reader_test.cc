#include "core/json_reader.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

std::string Error(std::string_view text) {
  JsonDocument doc;
  JsonSyntaxError e;
  if (ParseJson(text, doc, e)) return "ok";
  return DisplayPointer(e.pointer) + " " + std::to_string(e.position.line) + ":" +
         std::to_string(e.position.column) + " " + e.what;
}

TEST(JsonReaderTest, ReadsValues) {
  JsonDocument doc;
  JsonSyntaxError e;
  ASSERT_TRUE(ParseJson(R"({"a": [1, -2, 2.5, 18446744073709551615, true, null, "x\u00e9\ud83d\ude42"]})",
                        doc, e));
  const auto& a = doc.root["a"];
  EXPECT_EQ(a[0].get<uint64_t>(), 1u);
  EXPECT_EQ(a[1].get<int64_t>(), -2);
  EXPECT_DOUBLE_EQ(a[2].get<double>(), 2.5);
  EXPECT_EQ(a[3].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(a[6].get<std::string>(), "xé🙂");
}

TEST(JsonReaderTest, PinsEveryKindOfSyntaxError) {
  EXPECT_EQ(Error(""), "/ 1:1 unexpected end of the document");
  EXPECT_EQ(Error("{\"a\": 1,}"), "/ 1:9 expected a property name in double quotes");
  EXPECT_EQ(Error("{\"a\": 1 \"b\": 2}"), "/ 1:9 expected ',' or '}'");
  EXPECT_EQ(Error("[1 2]"), "/ 1:4 expected ',' or ']'");
  EXPECT_EQ(Error("{\"a\": 1, \"a\": 2}"), "/a 1:13 duplicate property");
  EXPECT_EQ(Error("{\"a\": {\"b\": \"x}}"), "/a/b 1:17 unterminated string");
  EXPECT_EQ(Error("{\"a\":\n  [\"\t\"]}"), "/a/0 2:5 control character in a string (escape it)");
  EXPECT_EQ(Error("\"\\x\""), "/ 1:3 bad escape in a string");
  EXPECT_EQ(Error("\"\\ud800\""), "/ 1:8 unpaired surrogate in a \\u escape");
  EXPECT_EQ(Error("\"\\udc00\""), "/ 1:8 unpaired surrogate in a \\u escape");
  EXPECT_EQ(Error("\"\xC0\xAF\""), "/ 1:2 ill-formed UTF-8 in a string");
  EXPECT_EQ(Error("01"), "/ 1:1 a number may not start with 0");
  EXPECT_EQ(Error("1."), "/ 1:3 expected a digit after '.'");
  EXPECT_EQ(Error("1e"), "/ 1:3 expected a digit in the exponent");
  EXPECT_EQ(Error("1e999"), "/ 1:1 number out of range");
  EXPECT_EQ(Error("+1"), "/ 1:1 unexpected character");
  EXPECT_EQ(Error("tru"), "/ 1:1 unexpected character");
  EXPECT_EQ(Error("NaN"), "/ 1:1 unexpected character");
  EXPECT_EQ(Error("{} x"), "/ 1:4 unexpected data after the document");
  EXPECT_EQ(Error("{\"é\": tru}"), "/é 1:7 unexpected character");  // columns in code points
}

TEST(JsonReaderTest, ParseJsonValueSaysWhereTheTextBroke) {
  EXPECT_EQ(ParseJsonValue(R"({"a": [1, 2)").status().message(),
            "/a: not valid JSON at 1:12: expected ',' or ']'");
  auto value = ParseJsonValue(R"({"a": [1, 2]})");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ((*value)["a"][1], 2);
}

TEST(JsonReaderTest, RefusesDeepNestingWithoutRecursingFurther) {
  EXPECT_EQ(Error(std::string(64, '[') + std::string(64, ']')), "ok");
  EXPECT_EQ(Error(std::string(65, '[') + std::string(65, ']')).substr(0, 2), "/0");
  EXPECT_NE(Error(std::string(500000, '[')).find("nested deeper than 64 levels"), std::string::npos);
}

TEST(JsonReaderTest, SkipsAByteOrderMark) { EXPECT_EQ(Error("\xEF\xBB\xBF{}"), "ok"); }

TEST(JsonReaderTest, RecordsWhereValuesStart) {
  JsonDocument doc;
  JsonSyntaxError e;
  JsonLimits limits;
  limits.record_positions = true;
  ASSERT_TRUE(ParseJson("[\n  {\"id\": \"x\",\n   \"n\": 2}\n]", doc, e, limits));
  EXPECT_EQ(doc.PositionOf("/0").line, 2u);
  EXPECT_EQ(doc.PositionOf("/0").column, 3u);
  EXPECT_EQ(doc.PositionOf("/0/n").line, 3u);
  EXPECT_EQ(doc.PositionOf("/0/n").column, 9u);
}

TEST(JsonReaderTest, PointersAreEscapedAndPrintable) {
  std::string p;
  AppendPointerToken(p, "a/b~c");
  EXPECT_EQ(p, "/a~1b~0c");
  p.clear();
  AppendPointerToken(p, "x\ny");
  EXPECT_EQ(p, "/x\\u000Ay");
  p.clear();
  AppendPointerToken(p, std::string(100, 'k'));
  EXPECT_EQ(p, "/" + std::string(64, 'k') + "…");
}

}  // namespace
}  // namespace custodian
