#include "core/json_depth.h"

#include <string>

#include <gtest/gtest.h>

#include "core/json_reader.h"

namespace custodian {
namespace {

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonDepthTest, AllowsTheLimitAndRefusesOneLevelMore) {
  EXPECT_TRUE(CheckJsonDepth(Nested(64)).ok());
  EXPECT_EQ(CheckJsonDepth(Nested(65)).message(), "/: nested deeper than 64 levels at 1:65");
  EXPECT_TRUE(CheckJsonDepth(Nested(65)).IsInvalidArgument());
  EXPECT_EQ(CheckJsonDepth(Nested(3), "", 2).message(), "/: nested deeper than 2 levels at 1:3");
  EXPECT_EQ(CheckJsonDepth(Nested(65), "/scope").message(),
            "/scope: nested deeper than 64 levels at 1:65");
}

TEST(JsonDepthTest, MeasuresFiftyThousandLevelsWithoutRecursing) {
  // 100 KB: what took the server down when a JSON library dumped it.
  EXPECT_EQ(CheckJsonDepth(Nested(50000)).message(), "/: nested deeper than 64 levels at 1:65");
  EXPECT_EQ(CheckJsonDepth(std::string(1 << 20, '{')).message(),
            "/: nested deeper than 64 levels at 1:65");
}

TEST(JsonDepthTest, CountsSiblingsOnceAndObjectsAsLevels) {
  std::string wide = "[";
  for (int i = 0; i < 10000; ++i) wide += "[[]],";
  wide += "0]";
  EXPECT_TRUE(CheckJsonDepth(wide).ok());
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  EXPECT_EQ(CheckJsonDepth(objects + "1" + std::string(65, '}')).message(),
            "/: nested deeper than 64 levels at 1:321");
}

TEST(JsonDepthTest, CountsBothKindsOfBracketTogether) {
  // 32 objects inside 32 arrays: at the limit; one more of either kind is past it.
  std::string at_limit, past_limit;
  for (int i = 0; i < 32; ++i) at_limit += "[";
  for (int i = 0; i < 32; ++i) at_limit += "{\"a\":";
  past_limit = at_limit + "{\"a\":";
  EXPECT_TRUE(CheckJsonDepth(at_limit).ok());
  EXPECT_EQ(CheckJsonDepth(past_limit).message(), "/: nested deeper than 64 levels at 1:193");
  EXPECT_EQ(CheckJsonDepth("[" + past_limit.substr(1)).message(),
            "/: nested deeper than 64 levels at 1:193");
}

TEST(JsonDepthTest, IgnoresBracketsInsideStrings) {
  const std::string brackets(1000, '[');
  EXPECT_TRUE(CheckJsonDepth("{\"k\": \"" + brackets + "\"}").ok());
  EXPECT_TRUE(CheckJsonDepth("[\"\\\"" + brackets + "\", \"\\\\\"]").ok());
  // An escaped quote does not end the string; an escaped backslash does not escape the quote.
  EXPECT_EQ(CheckJsonDepth("[\"\\\\\"" + brackets + "]").message(),
            "/: nested deeper than 64 levels at 1:69");
}

TEST(JsonDepthTest, SaysWhereInLinesAndCodePoints) {
  const std::string text = "{\n  \"é\": " + Nested(70);
  EXPECT_EQ(CheckJsonDepth(text).message(), "/: nested deeper than 64 levels at 2:71");
}

TEST(JsonDepthTest, AgreesWithTheReadersLimit) {
  JsonDocument doc;
  JsonSyntaxError error;
  EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth), doc, error));
  EXPECT_FALSE(ParseJson(Nested(kMaxJsonDepth + 1), doc, error));
  EXPECT_EQ(error.what, "nested deeper than 64 levels");
}

}  // namespace
}  // namespace custodian
