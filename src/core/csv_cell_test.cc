#include "core/csv_cell.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

TEST(CsvCellTest, PlainValuesAreLeftAlone) {
  EXPECT_EQ(CsvCell("203.0.113.5"), "203.0.113.5");
  EXPECT_EQ(CsvCell(""), "");
  EXPECT_EQ(CsvCell("Zoë Ångström"), "Zoë Ångström");
  EXPECT_EQ(CsvCell("0-249"), "0-249") << "a report band starts with a digit";
}

TEST(CsvCellTest, FormulasAreNeutralisedAndSeparatorsQuoted) {
  EXPECT_EQ(CsvCell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  EXPECT_EQ(CsvCell("+1-575-555-0100"), "'+1-575-555-0100");
  EXPECT_EQ(CsvCell("-2"), "'-2");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("\tx"), "'\tx");
  EXPECT_EQ(CsvCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvCell("Mozilla/5.0 (X11; Linux, x86_64)"), "\"Mozilla/5.0 (X11; Linux, x86_64)\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("=a,\"b\"\n"), "\"'=a,\"\"b\"\"\n\"");
}

}  // namespace
}  // namespace custodian
