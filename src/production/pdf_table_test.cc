#include "production/pdf_table.h"

#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "production/pdf_test_tools.h"

namespace custodian::production {
namespace {

using ::testing::HasSubstr;

std::string Message(const Status& s) { return s.ok() ? "ok" : s.message(); }

class PdfTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_pdf_table_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/table.pdf";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Open(PdfOptions options = {}) {
    PdfDocumentInfo info{"T", "A", Timestamp{0}, "Running title", "Case C-1    Production P-1"};
    auto page = PdfPage::Open(path_, info, options);
    ASSERT_TRUE(page.ok()) << page.status().message();
    page_ = std::move(page).value();
    table_ = std::make_unique<PdfTable>(*page_);
  }
  Status Finish() {
    table_.reset();
    return page_->Finish();
  }

  std::string dir_, path_;
  std::unique_ptr<PdfPage> page_;
  std::unique_ptr<PdfTable> table_;
};

const std::string kTime = "2026-01-05T10:00:00.123456Z";
const std::string kAddress = "8888:8888:8888:8888:8888:8888:8888:8888";

// A column given its widest value is never narrower than it, whatever its weight, and the
// values of that form print on one line: pdftotext reads each as one word.
TEST_F(PdfTableTest, KeepsFixedFormValuesOnOneLine) {
  Open();
  const std::vector<PdfColumn> columns = {{"Time", 0.1, {kTime}}, {"Address", 0.1, {kAddress}}, {"Notes", 10}};
  auto places = table_->Place(columns, page_->content_width());
  ASSERT_TRUE(places.ok()) << places.status().message();
  EXPECT_GT((*places)[0].width, 100);  // its share by weight would be 5 pt
  EXPECT_GT((*places)[1].width, 150);
  EXPECT_DOUBLE_EQ((*places)[0].x, page_->left());
  EXPECT_DOUBLE_EQ((*places)[1].x, (*places)[0].x + (*places)[0].width);
  EXPECT_NEAR((*places)[0].width + (*places)[1].width + (*places)[2].width, page_->content_width(), 1e-6);
  ASSERT_EQ(Message(table_->Begin(columns, "continued")), "ok");
  ASSERT_EQ(Message(table_->AddRow({kTime, kAddress, "free text that wraps between its words"})), "ok");
  ASSERT_EQ(Message(Finish()), "ok");
  int whole = 0;
  for (const PdfWord& w : PdfWords(path_, 1)) whole += w.text == kTime || w.text == kAddress;
  EXPECT_EQ(whole, 2);
}

// The second line's columns go under the first line's, from the left margin, across the table.
TEST_F(PdfTableTest, PutsSecondLineColumnsUnderTheFirst) {
  Open();
  const std::vector<PdfColumn> columns = {
      {"Time", 1, {kTime}}, {"Port", 1}, {"User agent", 3, {}, true}, {"Device", 1, {}, true}};
  ASSERT_EQ(Message(table_->Begin(columns, "continued")), "ok");
  ASSERT_EQ(Message(table_->AddRow({kTime, "65535", "AGENTWORD", "DEVICEWORD"})), "ok");
  ASSERT_EQ(Message(table_->AddRow({kTime, "1", "", ""})), "ok");  // no second line
  ASSERT_EQ(Message(Finish()), "ok");
  std::map<std::string, PdfWord> at;
  for (const PdfWord& w : PdfWords(path_, 1)) at.emplace(w.text, w);
  ASSERT_TRUE(at.count(kTime) && at.count("AGENTWORD") && at.count("DEVICEWORD") && at.count("1"));
  EXPECT_GT(at["AGENTWORD"].y_min, at[kTime].y_max);  // under the time
  EXPECT_NEAR(at["AGENTWORD"].x_min, page_->left() + 3, 0.5);
  EXPECT_NEAR(at["AGENTWORD"].y_min, at["DEVICEWORD"].y_min, 0.5);
  EXPECT_GT(at["DEVICEWORD"].x_min, page_->left() + page_->content_width() * 3 / 4);
  // The next row starts right under the second line; a row without one takes one line.
  EXPECT_GT(at["1"].y_min, at["AGENTWORD"].y_max);
  EXPECT_LT(at["1"].y_min - at["AGENTWORD"].y_max, 8);
}

TEST_F(PdfTableTest, TellsWhichOrientationFits) {
  Open();
  EXPECT_EQ(table_->OrientationFor({{"Time", 1, {kTime}}, {"Address", 1, {kAddress}}}).value(),
            Orientation::kPortrait);
  // Three addresses side by side need about 540 pt: more than a portrait page's 504.
  EXPECT_EQ(table_->OrientationFor({{"A", 1, {kAddress}}, {"B", 1, {kAddress}}, {"C", 1, {kAddress}}}).value(),
            Orientation::kLandscape);
  auto nowhere = table_->OrientationFor({{"A", 1, {std::string(200, '8')}}});
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(nowhere.status().message(),
              ::testing::MatchesRegex("the columns of a line need [0-9]+\\.[0-9] pt, the page has 684\\.0: "
                                      "move one to the second line or drop one"));
  EXPECT_EQ(table_->OrientationFor({{"A", 0}}).status().message(), "column 'A' needs a positive width");
  ASSERT_EQ(Message(Finish()), "ok");
}

// With max_cell_lines 0 no cell is cut: its last word prints; a row taller than a page is
// refused as an internal failure, never cut.
TEST_F(PdfTableTest, NeverCutsAValueWhenToldNotTo) {
  PdfOptions options;
  options.max_cell_lines = 0;
  Open(options);
  ASSERT_EQ(Message(table_->Begin({{"Value", 1}}, "continued")), "ok");
  std::string long_value;
  for (int i = 0; i < 300; ++i) long_value += "word" + std::to_string(i) + " ";
  ASSERT_EQ(Message(table_->AddRow({long_value + "TAILMARKER"})), "ok");
  const Status too_tall = table_->AddRow({std::string(4096, 'W')});
  EXPECT_EQ(too_tall.code(), Status::Code::kInternal);
  EXPECT_THAT(too_tall.message(), ::testing::MatchesRegex("a table row [0-9.]+ pt tall does not fit on a page"));
  EXPECT_EQ(Message(table_->AddRow({"a", "b"})), "2 cells for 1 columns");
  ASSERT_EQ(Message(Finish()), "ok");
  const std::string text = PdfText(path_);
  EXPECT_THAT(text, HasSubstr("TAILMARKER"));
  EXPECT_THAT(text, HasSubstr("word299"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("…")));
}

}  // namespace
}  // namespace custodian::production
