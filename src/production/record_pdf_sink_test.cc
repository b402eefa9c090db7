// record.pdf as a production writes it: the widest access log (location and device) with the
// longest values each column can hold, read back with pdftotext.
#include "production/record_pdf_sink.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time.h"
#include "production/pdf_test_tools.h"
#include "vault/access_event.h"

namespace custodian::production {
namespace {

using ::testing::HasSubstr;

// A user agent of the vault's longest (kMaxUserAgentBytes), in words as agents are.
std::string LongestAgent() {
  std::string agent = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) ";
  for (int i = 0; agent.size() < vault::kMaxUserAgentBytes - 12; ++i) agent += "Ext/" + std::to_string(i) + " ";
  agent.resize(vault::kMaxUserAgentBytes - 10, 'x');
  return agent + "AGENTTAIL!";
}

class RecordPdfSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_pdf_sink_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/record.pdf";
    start_.record.id = "C-2026-000001";
    start_.record.process_type = "search_warrant";
    start_.production_id = "P-2026-000001";
    start_.request.requester.agency = "Agency";
    for (Category c : {Category::kAccessLog, Category::kLocation, Category::kDevice}) start_.scope.categories.Add(c);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<RecordSink> Sink() {
    auto sink = MakeRecordPdfSink(path_, start_, CertificateText{}, "2026-03-12T16:00:00Z", {true, true}, {});
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    return sink.ok() ? std::move(sink).value() : nullptr;
  }

  std::string dir_, path_;
  cases::ProductionStart start_;
};

TEST_F(RecordPdfSinkTest, PrintsTheWidestAccessLogWithEveryValueWhole) {
  auto sink = Sink();
  ASSERT_TRUE(sink);
  AccountSection section{1000042, {{"ip", "[8888:8888:8888:8888:8888:8888:8888:8888]:65535"}}, std::nullopt, true};
  ASSERT_TRUE(sink->BeginAccount(section).ok());
  const std::string agent = LongestAgent();
  const std::string device(vault::kMaxDeviceIdBytes, 'W');  // the widest letter, unbroken
  vault::AccessRecord r;
  r.account_id = 1000042;
  r.ts = ParseDateTime("2026-01-05T10:00:00.123456Z").value();
  r.kind = vault::EventKind::kPasswordChange;
  r.ip = *IpAddress::Parse("8888:8888:8888:8888:8888:8888:8888:8888");
  r.port = 65535;
  r.user_agent = agent;
  r.device_id = device;
  const std::optional<nlohmann::ordered_json> where = nlohmann::ordered_json{
      {"country", "EG"}, {"region", "محافظة القاهرة"}, {"city", "Новосибирск 北京市"}, {"accuracy_km", 1000}};
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(sink->AddEvent({r, where}).ok());
  ASSERT_TRUE(sink->EndAccount().ok());
  ASSERT_TRUE(sink->Finish({}).ok());

  // Fixed forms never wrap: each is one word on its line.
  int times = 0, addresses = 0, ports = 0, kinds = 0;
  for (int page = 3; page <= PdfPages(path_); ++page) {
    for (const PdfWord& w : PdfWords(path_, page)) {
      times += w.text == "2026-01-05T10:00:00.123456Z";
      addresses += w.text == "8888:8888:8888:8888:8888:8888:8888:8888";
      ports += w.text == "65535";
      kinds += w.text == "password_change";
    }
  }
  EXPECT_EQ(times, 60);
  EXPECT_EQ(addresses, 60);
  EXPECT_EQ(ports, 60);
  EXPECT_EQ(kinds, 60);
  // Free text wraps, between words where it has them, and is all there.
  const std::string text = WithoutSpace(PdfText(path_));
  EXPECT_THAT(text, HasSubstr(WithoutSpace(agent)));
  EXPECT_THAT(text, HasSubstr(device));
  // The place wraps between its words; pdftotext marks the Arabic run's direction.
  for (const char* part : {"Новосибирск 北京市,", "محافظة القاهرة", ", EG", "(±1000 km)"}) {
    EXPECT_THAT(PdfText(path_, 3), HasSubstr(part)) << part;
  }
  EXPECT_EQ(PdfText(path_).find("…"), std::string::npos);
}

// The words pdftotext extracts from a PDF, in its reading order.
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// pdftotext, as anyone would run it, finds every value of every event whole, whichever
// columns the scope has: a fixed form (time, kind, address, port) never wraps, free text
// wraps between its words only, and a word wider than its column breaks between characters.
TEST_F(RecordPdfSinkTest, PdftotextFindsEveryValueWhole) {
  const std::string agent =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
  const std::string device = "android-" + std::string(300, 'W');  // one word wider than its column
  for (const RecordColumns columns : {RecordColumns{false, false}, RecordColumns{true, false},
                                      RecordColumns{false, true}, RecordColumns{true, true}}) {
    SCOPED_TRACE("location " + std::to_string(columns.location) + ", device " + std::to_string(columns.device));
    auto made = MakeRecordPdfSink(path_, start_, CertificateText{}, "2026-03-12T16:00:00Z", columns, {});
    ASSERT_TRUE(made.ok()) << made.status().message();
    std::unique_ptr<RecordSink> sink = std::move(made).value();
    ASSERT_TRUE(sink->BeginAccount({1000042, {{"email", "a@example.net"}}, std::nullopt, true}).ok());
    const std::optional<nlohmann::ordered_json> where = nlohmann::ordered_json{
        {"country", "US"}, {"region", "New Mexico"}, {"city", "Las Cruces"}, {"accuracy_km", 20}};
    std::vector<std::string> values;
    for (size_t k = 0; k < vault::kEventKindNames.size(); ++k) {
      for (const char* ip : {"203.0.113.77", "2001:db8:85a3:8d3:1319:8a2e:370:7348"}) {
        vault::AccessRecord r;
        r.account_id = 1000042;
        r.ts = Timestamp{ParseDateTime("2026-01-05T10:00:00Z").value().micros + static_cast<int64_t>(k) * 1000001};
        r.kind = static_cast<vault::EventKind>(k);
        r.ip = *IpAddress::Parse(ip);
        r.port = 40000 + static_cast<int>(k);
        r.user_agent = agent;
        r.device_id = device;
        ASSERT_TRUE(sink->AddEvent({r, where}).ok());
        for (const std::string& v : {FormatDateTimeMicros(r.ts), std::string(vault::kEventKindNames[k]),
                                     std::string(ip), std::to_string(*r.port)}) {
          values.push_back(v);
        }
      }
    }
    ASSERT_TRUE(sink->EndAccount().ok());
    ASSERT_TRUE(sink->Finish({}).ok());
    sink.reset();

    const std::string text = PdfText(path_);
    const std::vector<std::string> tokens = Tokens(text);
    const auto count = [&](const std::string& v) { return std::count(tokens.begin(), tokens.end(), v); };
    for (const std::string& v : values) {
      EXPECT_GE(count(v), 1) << v << " is not a word of the text";
    }
    const int events = static_cast<int>(vault::kEventKindNames.size()) * 2;
    if (columns.location) {
      EXPECT_EQ(count("Cruces,"), events);
      EXPECT_EQ(count("(±20"), events);
    }
    if (columns.device) {
      for (const std::string& word : Tokens(agent)) EXPECT_EQ(count(word), events) << word;
      EXPECT_EQ(count("android-"), 0) << "the device id breaks between characters, not after its hyphen";
      // Its lines, wherever pdftotext puts them, hold every character of it.
      size_t ws = 0, starts = 0;
      for (const std::string& t : tokens) {
        if (t.find_first_not_of('W', t.rfind("android-", 0) == 0 ? 8 : 0) != std::string::npos) continue;
        starts += t.rfind("android-W", 0) == 0;
        ws += std::count(t.begin(), t.end(), 'W');
      }
      EXPECT_EQ(starts, static_cast<size_t>(events));
      EXPECT_EQ(ws, static_cast<size_t>(events) * 300);
    }
  }
}

// A row that no page can hold (no vault value is that long) fails as custodian's failure,
// which the CLI reports with exit 1, never as the caller's input.
TEST_F(RecordPdfSinkTest, ReportsALayoutItCannotMakeAsInternal) {
  auto sink = Sink();
  ASSERT_TRUE(sink);
  ASSERT_TRUE(sink->BeginAccount({1, {}, std::nullopt, true}).ok());
  vault::AccessRecord r;
  r.ip = *IpAddress::Parse("192.0.2.1");
  r.device_id = std::string(4096, 'W');
  const std::optional<nlohmann::ordered_json> nowhere;
  const Status s = sink->AddEvent({r, nowhere});
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_THAT(s.message(), ::testing::MatchesRegex("AddEvent: a table row [0-9.]+ pt tall does not fit on a page"));
}

}  // namespace
}  // namespace custodian::production
