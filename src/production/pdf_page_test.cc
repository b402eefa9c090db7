#include "production/pdf_page.h"

#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "production/pdf_test_tools.h"

namespace custodian::production {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PdfPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_pdf_page_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/page.pdf";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<PdfPage> Open(PdfOptions options = {}) {
    PdfDocumentInfo info{"A title", "Example Mail", Timestamp{0}, "Example Mail: business record",
                         "Case C-1    Production P-1"};
    auto page = PdfPage::Open(path_, info, options);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? std::move(page).value() : nullptr;
  }

  std::string dir_, path_;
};

TEST_F(PdfPageTest, TurnsPagesToLandscapeAndBackWithTheirHeaderAndFooter) {
  auto page = Open();
  ASSERT_TRUE(page);
  EXPECT_DOUBLE_EQ(page->content_width(), 504);
  page->Flow("portrait one", PdfPage::Font::kBody);
  page->NewPage(Orientation::kLandscape);
  EXPECT_DOUBLE_EQ(page->content_width(), 684);
  EXPECT_DOUBLE_EQ(page->bottom(), 612 - 54);
  page->Flow("landscape two", PdfPage::Font::kBody);
  page->NewPage();  // stays landscape
  page->NewPage(Orientation::kPortrait);
  ASSERT_TRUE(page->Finish().ok());
  EXPECT_THAT(PdfPageSizes(path_), ElementsAre("612 x 792", "792 x 612", "792 x 612", "612 x 792"));
  for (int n = 1; n <= 4; ++n) {
    const std::string text = PdfText(path_, n);
    EXPECT_THAT(text, HasSubstr("Case C-1")) << n;
    EXPECT_THAT(text, HasSubstr("Production P-1")) << n;
    EXPECT_THAT(text, HasSubstr("Page " + std::to_string(n) + (n == 4 ? " (last page)" : ""))) << n;
  }
  // The footer sits at the foot of the landscape page, not where a portrait one's would be.
  for (const PdfWord& w : PdfWords(path_, 2)) {
    if (w.text == "Page") {
      EXPECT_LT(w.y_max, 612);
    }
  }
}

TEST_F(PdfPageTest, RunsTheContinuationAtTheTopOfEveryNewPage) {
  auto page = Open();
  ASSERT_TRUE(page);
  int runs = 0;
  page->SetContinuation([&] {
    ++runs;
    page->Advance(page->Caption("CONTINUED", page->y()));
  });
  page->NewPage();
  page->NewPage();
  page->SetContinuation(nullptr);
  page->NewPage();
  ASSERT_TRUE(page->Finish().ok());
  EXPECT_EQ(runs, 2);
  EXPECT_THAT(PdfText(path_, 2), HasSubstr("CONTINUED"));
  EXPECT_THAT(PdfText(path_, 4), ::testing::Not(HasSubstr("CONTINUED")));
}

TEST_F(PdfPageTest, FlowsTextAcrossPages) {
  auto page = Open();
  ASSERT_TRUE(page);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "w" + std::to_string(i) + " ";
  page->Flow(text, PdfPage::Font::kBody);
  ASSERT_TRUE(page->Finish().ok());
  EXPECT_GE(page->pages(), 2);
  EXPECT_EQ(PdfPages(path_), page->pages());
  const std::string all = PdfText(path_);
  EXPECT_THAT(all, HasSubstr("w0 "));
  EXPECT_THAT(all, HasSubstr("w1999"));
}

TEST(PrintableTest, ShowsWhatPangoWouldHideAndCutsWhereTold) {
  EXPECT_EQ(Printable(std::string("a\0b", 3)), "a\uFFFDb");
  EXPECT_EQ(Printable("a\r\nb\tc\x85"), "a\nb c\uFFFD");
  EXPECT_EQ(Printable("bad \xff"), "bad \uFFFD");
  EXPECT_EQ(Printable("abcdef", 3), "abc…");
  EXPECT_EQ(Printable("王小明", 2), "王小…");
}

}  // namespace
}  // namespace custodian::production
