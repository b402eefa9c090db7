#include "production/record_pdf.h"

#include <cairo.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/faulty_file_system.h"
#include "core/testing/run_tool.h"
#include "production/pdf_test_tools.h"

namespace custodian::production {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHostile[] = "<b>&amp;</b> %PDF =cmd|' /C calc'!A0";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using testing::RunTool;

// Renders one page at 50 dpi and counts the pixels that are not white.
int64_t InkedPixels(const std::string& pdf, int page) {
  const std::string prefix = pdf + ".page";
  RunTool("pdftoppm -png -r 50 -f " + std::to_string(page) + " -l " + std::to_string(page) +
      " -singlefile '" + pdf + "' '" + prefix + "'");
  cairo_surface_t* image = cairo_image_surface_create_from_png((prefix + ".png").c_str());
  int64_t inked = -1;
  if (cairo_surface_status(image) == CAIRO_STATUS_SUCCESS) {
    cairo_surface_flush(image);
    const unsigned char* data = cairo_image_surface_get_data(image);
    const int stride = cairo_image_surface_get_stride(image);
    inked = 0;
    for (int y = 0; y < cairo_image_surface_get_height(image); ++y) {
      const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
      for (int x = 0; x < cairo_image_surface_get_width(image); ++x) {
        if ((row[x] & 0xffffff) != 0xffffff) ++inked;
      }
    }
  }
  cairo_surface_destroy(image);
  return inked;
}

// The page of two PDFs rendered at 100 dpi: how many of its pixels are far apart (by more
// than 96 of 255 in a channel), or -1 when they cannot be compared. The renderer snaps each
// glyph to whole pixels, so a glyph a thousandth of a point off may move by one: close is
// what can be asked, and a glyph drawn wrong, or missing, is far.
int64_t PixelsApart(const std::string& a, const std::string& b, int page) {
  std::vector<cairo_surface_t*> images;
  for (const std::string& pdf : {a, b}) {
    const std::string prefix = pdf + ".render";
    RunTool("pdftoppm -png -r 100 -f " + std::to_string(page) + " -l " + std::to_string(page) +
            " -singlefile '" + pdf + "' '" + prefix + "'");
    images.push_back(cairo_image_surface_create_from_png((prefix + ".png").c_str()));
  }
  int64_t apart = -1;
  const int width = cairo_image_surface_get_width(images[0]);
  const int height = cairo_image_surface_get_height(images[0]);
  if (cairo_surface_status(images[0]) == CAIRO_STATUS_SUCCESS &&
      cairo_surface_status(images[1]) == CAIRO_STATUS_SUCCESS &&
      width == cairo_image_surface_get_width(images[1]) &&
      height == cairo_image_surface_get_height(images[1])) {
    apart = 0;
    for (int y = 0; y < height; ++y) {
      const auto row = [&](cairo_surface_t* image) {
        return cairo_image_surface_get_data(image) + y * cairo_image_surface_get_stride(image);
      };
      const unsigned char* ra = row(images[0]);
      const unsigned char* rb = row(images[1]);
      for (int x = 0; x < width * 4; x += 4) {
        for (int c = 0; c < 3; ++c) {
          if (std::abs(ra[x + c] - rb[x + c]) > 96) {
            ++apart;
            break;
          }
        }
      }
    }
  }
  for (cairo_surface_t* image : images) cairo_surface_destroy(image);
  return apart;
}

PdfCover Cover() {
  PdfCover cover;
  cover.service_name = "Example Mail";
  cover.case_id = "C-2026-000123";
  cover.production_id = "P-2026-000077";
  cover.created_at = "2026-03-12T15:04:05.123456Z";
  cover.process_summary = "Subpoena (reference 2026-GJ-0417), issued by the grand jury of the "
                          "District of New Mexico on 2026-02-20";
  cover.requester = "Federal Bureau of Investigation, Special Agent Dana Whitlock";
  cover.scope_lines = {"Targets: email ana@example.net; username 王小明",
                       "Categories: basic subscriber information, access log, location",
                       "Window: 2026-01-01T00:00:00Z to 2026-02-01T00:00:00Z"};
  cover.certificate_text =
      "I, Sam Rivera, certify that I am the custodian of records of Example Mail.\n"
      "The records attached were made at or near the time of the events they record, were "
      "kept in the course of regularly conducted activity, and were made as a regular practice.";
  cover.custodian_name = "Sam Rivera";
  cover.custodian_title = "Custodian of records";
  cover.notes = {"Locations are approximate: they come from the IP address (dbip-city-lite "
                 "2026-06, demo-grade)."};
  return cover;
}

std::vector<PdfColumn> LogColumns() {
  return {{"Time (UTC)", 2.2}, {"Kind", 0.8}, {"IP address", 1.3}, {"Port", 0.7},
          {"Location", 1.4},   {"Device", 2.4}};
}

std::vector<std::string> Event(int i, std::string device = "Mozilla/5.0 (X11; Linux x86_64)") {
  char ts[64];
  std::snprintf(ts, sizeof ts, "2026-01-%02dT%02d:%02d:00.000000Z", 1 + i % 28, i / 60 % 24,
                i % 60);
  return {ts, "login", "203.0.113." + std::to_string(i % 250), std::to_string(50000 + i),
          "Las Cruces, NM, US", std::move(device)};
}

PdfAccount AccountWithNames() {
  PdfAccount account;
  account.account_id = "1000042";
  account.matched_by = {"email ana@example.net", "username 王小明"};
  PdfSubscriberVersion v1;
  v1.heading = "In force from 2025-11-02T09:00:00.000000Z";
  v1.fields = {{"Username", "ana.perez"},
               {"Name", "Ana Pérez Ñúñez"},
               {"Name (Arabic)", "محمد"},
               {"Name (Chinese)", "王小明"},
               {"Name (Hebrew)", "דוד כהן"},
               {"Name (Hindi)", "अनीता"},
               {"Display name", kHostile},
               {"Emails", "ana@example.net\nana.perez@example.org"},
               {"Status", "active"}};
  account.subscriber = std::vector<PdfSubscriberVersion>{v1};
  account.access_log_columns = LogColumns();
  account.access_log_notes = {"Locations are approximate."};
  return account;
}

class RecordPdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_pdf_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/record.pdf";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<RecordPdfWriter> Create(PdfOptions options = {}) {
    auto writer = RecordPdfWriter::Create(path_, Cover(), std::move(options));
    EXPECT_TRUE(writer.ok()) << writer.status().message();
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  std::string dir_, path_;
};

std::string Message(const Status& s) { return s.ok() ? "ok" : s.message(); }

TEST_F(RecordPdfTest, PrintsEveryScriptAndEveryValueLiterally) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
  const std::string long_agent = "Mozilla/5.0 " + std::string(2048, 'A') + " TAILMARKER";
  ASSERT_EQ(Message(writer->AddEvent(Event(0))), "ok");
  ASSERT_EQ(Message(writer->AddEvent(Event(1, long_agent))), "ok");
  ASSERT_EQ(Message(writer->AddEvent(Event(2, kHostile))), "ok");
  PdfAccount second;
  second.account_id = "1000043";
  second.matched_by = {"ip 203.0.113.5"};
  second.subscriber = std::vector<PdfSubscriberVersion>{};
  second.access_log_columns = LogColumns();
  ASSERT_EQ(Message(writer->BeginAccount(second)), "ok");
  ASSERT_EQ(Message(writer->Finish()), "ok");
  EXPECT_EQ(writer->missing_glyphs(), 0);
  EXPECT_EQ(writer->pages(), 4);  // cover, certificate, one page per account
  EXPECT_EQ(PdfPages(path_), 4);

  const std::string text = PdfText(path_);
  EXPECT_THAT(text, HasSubstr("C-2026-000123"));
  EXPECT_THAT(text, HasSubstr("P-2026-000077"));
  EXPECT_THAT(text, HasSubstr("Page 1"));
  EXPECT_THAT(text, HasSubstr("Page 2"));
  EXPECT_THAT(text, HasSubstr("Page 4 (last page)"));
  EXPECT_THAT(text, HasSubstr(kHostile));  // markup and formula characters as they came
  EXPECT_THAT(text, HasSubstr("Ana Pérez Ñúñez"));
  EXPECT_THAT(text, HasSubstr("王小明"));
  EXPECT_THAT(text, HasSubstr("محمد"));
  EXPECT_THAT(text, HasSubstr("דוד כהן"));
  EXPECT_THAT(text, HasSubstr("Subpoena (reference 2026-GJ-0417)"));
  EXPECT_THAT(text, HasSubstr("custodian of records of Example Mail"));
  EXPECT_THAT(text, HasSubstr("Sam Rivera"));
  EXPECT_THAT(text, HasSubstr("End of the access log of account 1000042: 3 events."));
  EXPECT_THAT(text, HasSubstr("No subscriber record was in force during the window."));
  EXPECT_THAT(text, HasSubstr("No events in the window."));
  // The 2 kB user agent prints its first lines and an ellipsis, never its end.
  EXPECT_THAT(text, HasSubstr("…"));
  EXPECT_THAT(text, Not(HasSubstr("TAILMARKER")));

  // The cover and the names page are drawn, not blank: at 50 dpi the running header and
  // footer with a title ink about 3,000 pixels, the full cover about 11,000 and the page of
  // names and rows about 30,000.
  EXPECT_GT(InkedPixels(path_, 1), 8000);
  EXPECT_GT(InkedPixels(path_, 3), 20000);
  // Every script's font is embedded (and subset), not a fallback.
  const std::string fonts = RunTool("pdffonts '" + path_ + "'");
  for (const char* family : {"NotoSans-Regular", "NotoSans-Bold", "NotoSansCJKsc-Regular",
                             "NotoSansArabic-Regular", "NotoSansHebrew-Regular",
                             "NotoSansDevanagari-Regular"}) {
    EXPECT_THAT(fonts, HasSubstr(family));
  }
  EXPECT_THAT(fonts, Not(HasSubstr("DejaVu")));
}

TEST_F(RecordPdfTest, CountsCharactersNoFontHas) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  PdfAccount account;
  account.account_id = "1";
  account.subscriber = std::vector<PdfSubscriberVersion>{
      {"In force", {{"Name", "\U0010FFFD\U0010FFFD"}}}};  // private use: no font has it
  ASSERT_EQ(Message(writer->BeginAccount(account)), "ok");
  EXPECT_EQ(writer->missing_glyphs(), 2);
  ASSERT_EQ(Message(writer->Finish()), "ok");
}

TEST_F(RecordPdfTest, ShowsControlCharactersInsteadOfStoppingAtThem) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  PdfAccount account;
  account.account_id = "1";
  account.access_log_columns = {{"Device", 1}};
  ASSERT_EQ(Message(writer->BeginAccount(account)), "ok");
  ASSERT_EQ(Message(writer->AddEvent({std::string("before\0after", 12)})), "ok");
  ASSERT_EQ(Message(writer->AddEvent({"bad \xff byte\x1b[31m"})), "ok");
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const std::string text = PdfText(path_);
  EXPECT_THAT(text, HasSubstr("before\uFFFDafter"));
  EXPECT_THAT(text, HasSubstr("bad \uFFFD byte\uFFFD[31m"));
}

TEST_F(RecordPdfTest, RepeatsTheHeaderRowAndTheIdsOnEveryPage) {
  constexpr int kEvents = 300;
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(Message(writer->AddEvent(Event(i, "agent-" + std::to_string(10000 + i)))), "ok");
  }
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const int pages = writer->pages();
  ASSERT_GE(pages, 6);
  ASSERT_EQ(PdfPages(path_), pages);

  for (int page = 1; page <= pages; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    const std::string text = PdfText(path_, page, /*layout=*/true);
    EXPECT_THAT(text, HasSubstr("Case C-2026-000123"));
    EXPECT_THAT(text, HasSubstr("Production P-2026-000077"));
    EXPECT_THAT(text, HasSubstr("Example Mail: business record"));
    EXPECT_THAT(text, HasSubstr("Page " + std::to_string(page) +
                                (page == pages ? " (last page)" : "\n")));
    if (page > 3) {  // the access log goes on from page 3
      EXPECT_THAT(text, HasSubstr("Account 1000042: access log (continued)"));
      EXPECT_THAT(text, HasSubstr("Time (UTC)"));
      EXPECT_THAT(text, HasSubstr("Device"));
    }
  }
  // No row is lost or doubled at a page break.
  const std::string text = PdfText(path_);
  for (int i = 0; i < kEvents; ++i) {
    const std::string agent = "agent-" + std::to_string(10000 + i);
    const size_t at = text.find(agent);
    ASSERT_NE(at, std::string::npos) << agent;
    EXPECT_EQ(text.find(agent, at + 1), std::string::npos) << agent;
  }
  EXPECT_THAT(text, HasSubstr("End of the access log of account 1000042: 300 events."));
}

// pdftotext -bbox gives each word's box: no word of a long cell reaches the next column.
TEST_F(RecordPdfTest, KeepsLongCellsInsideTheirColumn) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  PdfAccount account;
  account.account_id = "1";
  account.access_log_columns = {{"A", 1}, {"B", 1}, {"C", 1}};  // 168 pt each on US Letter
  ASSERT_EQ(Message(writer->BeginAccount(account)), "ok");
  ASSERT_EQ(Message(writer->AddEvent({"left", std::string(3000, 'x'), "right"})), "ok");
  ASSERT_EQ(Message(writer->AddEvent({"left", "yyyyyyyy yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy "
                                              "yyyyyyyyyyyyyyyyyyyyyyyy yyyyyyyyyyyyyyyyyyyyyy "
                                              "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy yyyyyyyyyyyy",
                                      "right"})),
            "ok");
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const std::string boxes = RunTool("pdftotext -bbox -f 3 -l 3 '" + path_ + "' -");
  const std::regex word("<word xMin=\"([0-9.]+)\" yMin=\"[0-9.]+\" xMax=\"([0-9.]+)\"[^>]*>([^<]*)<");
  int words = 0, lines_of_x = 0;
  for (std::sregex_iterator it(boxes.begin(), boxes.end(), word), end; it != end; ++it) {
    const std::string w = (*it)[3];
    if (w.find("xxx") == std::string::npos && w.find("yyy") == std::string::npos) continue;
    ++words;
    if (w.find("xxx") != std::string::npos) ++lines_of_x;
    EXPECT_GE(std::stod((*it)[1]), 222.0) << w;
    EXPECT_LE(std::stod((*it)[2]), 390.0) << w;
  }
  EXPECT_GE(words, 6);
  EXPECT_EQ(lines_of_x, 4);  // max_cell_lines
}

TEST_F(RecordPdfTest, FinishesARecordWithNoAccounts) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->Finish()), "ok");
  EXPECT_EQ(writer->pages(), 2);
  const std::string text = PdfText(path_);
  EXPECT_THAT(text, HasSubstr("Production of business records"));
  EXPECT_THAT(text, HasSubstr("Certificate of the custodian of records"));
  EXPECT_THAT(text, HasSubstr("End of the record."));
  EXPECT_THAT(text, HasSubstr("Page 2 (last page)"));
  EXPECT_THAT(RunTool("pdfinfo '" + path_ + "'"), HasSubstr("612 x 792 pts (letter)"));
  EXPECT_EQ(Message(writer->Finish()), "the PDF is finished");
  EXPECT_EQ(Message(writer->BeginAccount(AccountWithNames())), "the PDF is finished");
  EXPECT_EQ(Message(writer->AddEvent({})), "the PDF is finished");
}

TEST_F(RecordPdfTest, OutlinesTheCoverTheCertificateAndEachAccount) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
  PdfAccount second;
  second.account_id = "1000043";
  ASSERT_EQ(Message(writer->BeginAccount(second)), "ok");
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const std::string pdf = ReadFile(path_);
  for (const char* title : {"/Title (Cover letter)", "/Title (Certificate)",
                            "/Title (Account 1000042)", "/Title (Account 1000043)"}) {
    EXPECT_THAT(pdf, HasSubstr(title));
  }
  EXPECT_THAT(pdf, HasSubstr("/CreationDate (20260312150405Z)"));  // created_at, not the clock
}

// A writer dropped before Finish (its caller failed elsewhere) must not leave a file that
// passes for a whole record.
TEST_F(RecordPdfTest, LeavesNoValidPdfWithoutFinish) {
  {
    auto writer = Create();
    ASSERT_TRUE(writer);
    ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
    for (int i = 0; i < 200; ++i) ASSERT_EQ(Message(writer->AddEvent(Event(i))), "ok");
  }
  ASSERT_TRUE(std::filesystem::exists(path_));
  EXPECT_NE(std::system(("pdfinfo '" + path_ + "' > /dev/null 2>&1").c_str()), 0);
  EXPECT_THAT(ReadFile(path_), Not(HasSubstr("%%EOF")));
}

TEST_F(RecordPdfTest, PrintsOnA4) {
  PdfOptions options;
  options.paper = PaperSize::kA4;
  auto writer = Create(options);
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const std::string info = RunTool("pdfinfo '" + path_ + "'");
  EXPECT_THAT(info, HasSubstr("595.276 x 841.89 pts (A4)"));
  EXPECT_THAT(info, HasSubstr("Title:           Business record, case C-2026-000123, "
                              "production P-2026-000077"));
  EXPECT_THAT(info, HasSubstr("Creator:         custodian"));
}

TEST_F(RecordPdfTest, WritesTheSameBytesForTheSameRecord) {
  std::string first;
  for (int run = 0; run < 2; ++run) {
    auto writer = Create();
    ASSERT_TRUE(writer);
    ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
    ASSERT_EQ(Message(writer->AddEvent(Event(0))), "ok");
    ASSERT_EQ(Message(writer->Finish()), "ok");
    if (run == 0) first = ReadFile(path_);
  }
  EXPECT_EQ(ReadFile(path_), first);
}

TEST_F(RecordPdfTest, RefusesMisuse) {
  auto writer = Create();
  ASSERT_TRUE(writer);
  EXPECT_EQ(Message(writer->AddEvent({"a"})), "AddEvent: no account begun");
  PdfAccount account;
  account.account_id = "1";
  account.access_log_columns = {{"Time", 1}, {"Port", 0}};
  EXPECT_EQ(Message(writer->BeginAccount(account)),
            "BeginAccount: column 'Port' needs a positive width");
  account.access_log_columns = {{"Time", 1, {std::string(200, '8')}}};
  EXPECT_THAT(Message(writer->BeginAccount(account)),
              ::testing::MatchesRegex("BeginAccount: the columns of a line need [0-9]+\\.[0-9] pt, the page has "
                                      "684\\.0: move one to the second line or drop one"));
  account.access_log_columns = {{"Time", 1}, {"Port", 1}};
  ASSERT_EQ(Message(writer->BeginAccount(account)), "ok");
  EXPECT_EQ(Message(writer->AddEvent({"a"})), "AddEvent: 1 cells for 2 columns");
  account.access_log_columns.clear();
  ASSERT_EQ(Message(writer->BeginAccount(account)), "ok");
  EXPECT_EQ(Message(writer->AddEvent({"a"})), "AddEvent: the account has no access-log columns");
  EXPECT_EQ(Message(writer->Finish()), "ok");
}

TEST_F(RecordPdfTest, SaysWhyItCannotStart) {
  auto missing_dir = RecordPdfWriter::Create(dir_ + "/no/such/dir/record.pdf", Cover());
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.status().code(), Status::Code::kIoError);
  EXPECT_EQ(missing_dir.status().message(),
            "cannot create the PDF: " + dir_ + "/no/such/dir/record.pdf: No such file or directory");

  PdfOptions options;
  options.font_families.push_back("Noto Sans Klingon");
  auto no_font = RecordPdfWriter::Create(path_, Cover(), options);
  ASSERT_FALSE(no_font.ok());
  EXPECT_EQ(no_font.status().message(),
            "font family 'Noto Sans Klingon' is not installed (fc-list lists those that are)");
  EXPECT_FALSE(std::filesystem::exists(path_));

  PdfCover cover = Cover();
  cover.created_at = "2026-03-12 15:04";
  auto bad_time = RecordPdfWriter::Create(path_, cover);
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(bad_time.status().message(), "created_at: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)");

  options = PdfOptions();
  options.max_cell_lines = 21;
  EXPECT_EQ(RecordPdfWriter::Create(path_, Cover(), options).status().message(),
            "max_cell_lines must be between 0 and 20");
}

TEST_F(RecordPdfTest, ReportsAFullDiskAndKeepsReportingIt) {
  testing::FaultyFileSystem fs;
  fs.FailAppendAfter(0, /*disk_full=*/true);  // the first 64 KiB the writer hands over
  PdfOptions options;
  options.fs = &fs;
  auto writer = Create(options);
  ASSERT_TRUE(writer);
  PdfAccount account;
  account.account_id = "1";
  account.access_log_columns = {{"Device", 1}};
  Status status = writer->BeginAccount(account);
  // Long rows that compress badly fill 64 KiB in a few pages.
  std::string cell;
  for (int i = 0; status.ok() && i < 10000; ++i) {
    cell.clear();
    for (int j = 0; j < 40; ++j) cell += std::to_string(i * 7919 + j * 104729) + ' ';
    status = writer->AddEvent({cell});
  }
  const std::string expected = "writing the PDF: " + path_ + ": No space left on device (disk full)";
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_EQ(Message(status), expected);
  EXPECT_EQ(Message(writer->AddEvent({"more"})), expected);
  EXPECT_EQ(Message(writer->Finish()), expected);
}

// A word as pdftotext -bbox places it: its page, text and box.
struct Word {
  int page;
  std::string text;
  double x_min, y_min, x_max, y_max;
};

std::vector<Word> Words(const std::string& pdf) {
  const std::string boxes = RunTool("pdftotext -bbox '" + pdf + "' -");
  const std::regex token("<page |<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" "
                         "yMax=\"([0-9.]+)\">([^<]*)</word>");
  std::vector<Word> words;
  int page = 0;
  for (std::sregex_iterator it(boxes.begin(), boxes.end(), token), end; it != end; ++it) {
    if (!(*it)[1].matched) {
      ++page;
      continue;
    }
    words.push_back({page, (*it)[5], std::stod((*it)[1]), std::stod((*it)[2]),
                     std::stod((*it)[3]), std::stod((*it)[4])});
  }
  return words;
}

// Rows whose cells exercise every way a cell is drawn: the fast path (times, ports,
// addresses), the cache (repeated places and kinds), values Pango must draw (right to left,
// a glyph no font has, a cut with "…", a cluster wider than its column), pairs that kern
// ("AT", "Ta"), text that wraps at spaces, and the header row's text in a row.
void WriteVariedRecord(RecordPdfWriter& writer) {
  ASSERT_EQ(Message(writer.BeginAccount(AccountWithNames())), "ok");
  const std::vector<std::string> places = {"Las Cruces, NM, US", "Tallinn, EE", "AT&T Dallas",
                                           "القاهرة، مصر", "東京都, JP", ""};
  const std::vector<std::string> agents = {
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
      "okhttp/4.12.0", "Ta AT To 2026-01-01T00:00:00Z", std::string(600, 'w'), "\uFDFD\uFDFD\uFDFD",
      "\U0010FFFD private use", kHostile};
  for (int i = 0; i < 400; ++i) {
    std::vector<std::string> row = Event(i, agents[i % agents.size()]);
    row[1] = i % 3 == 0 ? "login" : "session_refresh";
    if (i % 4 == 0) row[2] = "2001:db8:" + std::to_string(i % 7) + "::" + std::to_string(i);
    if (i % 5 == 0) row[3] = "";
    row[4] = places[i % places.size()];
    if (i % 50 == 7) row[1] = "Kind", row[4] = "Location";  // as the bold header row reads
    ASSERT_EQ(Message(writer.AddEvent(row)), "ok");
  }
  ASSERT_EQ(Message(writer.Finish()), "ok");
}

// Cells laid out once and drawn a page at a time print exactly what laying out and drawing
// each cell with Pango prints: every word, at the same place, and the same pixels.
TEST_F(RecordPdfTest, DrawsCachedCellsAsPangoDrawsThem) {
  PdfOptions plain;
  plain.shaped_cell_cache = 0;
  const std::string plain_path = dir_ + "/plain.pdf";
  int64_t plain_missing = 0;
  {
    auto writer = RecordPdfWriter::Create(plain_path, Cover(), plain);
    ASSERT_TRUE(writer.ok());
    WriteVariedRecord(**writer);
    plain_missing = (*writer)->missing_glyphs();
  }
  EXPECT_EQ(plain_missing, 57);  // the private-use character, in every seventh row
  auto writer = Create();
  ASSERT_TRUE(writer);
  WriteVariedRecord(*writer);
  EXPECT_EQ(writer->missing_glyphs(), plain_missing);
  ASSERT_EQ(writer->pages(), PdfPages(plain_path));

  // pdftotext lists words in the order they are drawn, which batching changes: each word
  // must have its twin, on the same page, with the same text, within 0.01 pt.
  std::map<std::pair<int, std::string>, std::vector<Word>> unmatched;
  const std::vector<Word> expected = Words(plain_path);
  ASSERT_GT(expected.size(), 4000u);
  for (const Word& w : expected) unmatched[{w.page, w.text}].push_back(w);
  const std::vector<Word> words = Words(path_);
  EXPECT_EQ(words.size(), expected.size());
  for (const Word& w : words) {
    std::vector<Word>& twins = unmatched[{w.page, w.text}];
    const auto twin = std::find_if(twins.begin(), twins.end(), [&](const Word& t) {
      return std::abs(t.x_min - w.x_min) < 0.01 && std::abs(t.y_min - w.y_min) < 0.01 &&
             std::abs(t.x_max - w.x_max) < 0.01 && std::abs(t.y_max - w.y_max) < 0.01;
    });
    if (twin == twins.end()) {
      ADD_FAILURE() << "page " << w.page << ": '" << w.text << "' at " << w.x_min << ", " << w.y_min;
      continue;
    }
    twins.erase(twin);
  }
  // The same glyphs, not only the same text: at 100 dpi a page inks about 90,000 pixels,
  // and one wrong glyph puts dozens far apart.
  for (int page : {3, 4, writer->pages() / 2, writer->pages()}) {
    EXPECT_LE(PixelsApart(path_, plain_path, page), 20) << "page " << page;
  }
}

// A small cache that starts over many times never hands one value's glyphs to another.
TEST_F(RecordPdfTest, KeepsDistinctValuesApartInASmallCache) {
  PdfOptions options;
  options.shaped_cell_cache = 3;
  auto writer = Create(options);
  ASSERT_TRUE(writer);
  PdfAccount account;
  account.account_id = "1";
  account.access_log_columns = {{"Row", 1}, {"Place", 3}};
  ASSERT_EQ(Message(writer->BeginAccount(account)), "ok");
  const std::vector<std::string> places = {"Oslo", "Bergen", "Tromsø", "Bodø", "Ålesund"};
  for (int i = 0; i < 200; ++i) {
    // The same value twice in a row, then the others in turn: hits, misses, evictions.
    const std::string& place = places[(i / 2 * 3) % places.size()];
    ASSERT_EQ(Message(writer->AddEvent({"row" + std::to_string(i), place})), "ok");
  }
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const std::string text = PdfText(path_, 0, /*layout=*/true);
  for (int i = 0; i < 200; ++i) {
    const std::string& place = places[(i / 2 * 3) % places.size()];
    const std::regex row("\\brow" + std::to_string(i) + " +" + place + "\n");
    EXPECT_TRUE(std::regex_search(text, row)) << "row " << i << " should read " << place;
  }
}

int64_t PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The resident set now (VmRSS), in KiB.
int64_t RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

// Streams: the memory an account's log takes does not grow with its pages. The resident set
// after 2,000 rows (fonts loaded, a few pages written) and after 30,000 (about 1,000 pages)
// differ by little; a writer that kept pages, or a layout per row, adds megabytes.
// Sanitizers change how memory is kept, so they skip it.
TEST_F(RecordPdfTest, KeepsMemoryBoundedAsPagesGrow) {
#if defined(CUSTODIAN_ASAN)
  GTEST_SKIP() << "memory is not measured under AddressSanitizer";
#endif
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
  int64_t after_warm_up = 0;
  for (int i = 0; i < 30000; ++i) {
    ASSERT_EQ(Message(writer->AddEvent(Event(i))), "ok");
    if (i == 2000) after_warm_up = RssKiB();
  }
  const int64_t after_all = RssKiB();
  ASSERT_EQ(Message(writer->Finish()), "ok");
  EXPECT_LT(after_all - after_warm_up, 8 * 1024) << "KiB";
}

// The cache of laid-out cells is bounded too: 20,000 distinct user agents would keep some
// 70 MB of glyphs if it were not.
TEST_F(RecordPdfTest, KeepsTheCellCacheBoundedWhenEveryValueIsNew) {
#if defined(CUSTODIAN_ASAN)
  GTEST_SKIP() << "memory is not measured under AddressSanitizer";
#endif
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
  int64_t after_warm_up = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                              "Chrome/" + std::to_string(100000 + i) + ".0 Safari/537.36";
    ASSERT_EQ(Message(writer->AddEvent(Event(i, agent))), "ok");
    if (i == 2000) after_warm_up = RssKiB();
  }
  const int64_t after_all = RssKiB();
  ASSERT_EQ(Message(writer->Finish()), "ok");
  EXPECT_LT(after_all - after_warm_up, 16 * 1024) << "KiB";
}

// A manual benchmark: CUSTODIAN_PDF_EVENTS (default 1,000,000) events in one account, run as
//   /usr/bin/time -v build/src/production/production_test
//       --gtest_also_run_disabled_tests --gtest_filter='*MillionEvents*'
TEST_F(RecordPdfTest, DISABLED_MillionEvents) {
  const char* env = std::getenv("CUSTODIAN_PDF_EVENTS");
  const int64_t events = env ? std::atoll(env) : 1'000'000;
  const auto start = std::chrono::steady_clock::now();
  auto writer = Create();
  ASSERT_TRUE(writer);
  ASSERT_EQ(Message(writer->BeginAccount(AccountWithNames())), "ok");
  const std::string agent =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/121.0.0.0 Safari/537.36";
  for (int64_t i = 0; i < events; ++i) {
    ASSERT_EQ(Message(writer->AddEvent(Event(static_cast<int>(i % 1000000), agent))), "ok");
    if ((i + 1) % 100000 == 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("%lld events, %d pages, %.1f s, RSS %lld KiB, peak RSS %lld KiB\n",
                  static_cast<long long>(i + 1), writer->pages(), seconds,
                  static_cast<long long>(RssKiB()), static_cast<long long>(PeakRssKiB()));
      std::fflush(stdout);
    }
  }
  ASSERT_EQ(Message(writer->Finish()), "ok");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("finished: %d pages, %llu bytes, %.1f s, peak RSS %lld KiB\n", writer->pages(),
              static_cast<unsigned long long>(std::filesystem::file_size(path_)), seconds,
              static_cast<long long>(PeakRssKiB()));
}

}  // namespace
}  // namespace custodian::production
