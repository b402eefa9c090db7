// The report's three forms from one hand-made report: the JSON form's shape (spec/report.md)
// and its strict reading, the long CSV form, and the HTML page.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"

namespace custodian::reports {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

ledger::SignedTreeHead Head(std::string log, uint64_t size) {
  ledger::SignedTreeHead head;
  head.log = std::move(log);
  head.size = size;
  head.root = ledger::LeafHash("root of " + head.log);
  head.timestamp = "2026-07-01T00:00:05Z";
  head.key_id = "0123456789abcdef";
  head.signature.fill(7);
  return head;
}

Report Sample() {
  Report r;
  r.period = {ParseDate("2026-01-01").value(), ParseDate("2026-07-01").value()};
  r.totals = {10, 11, 3, 1, 1, 2, 1, 1, 1, 1, 1, 2};
  r.by_country = {{"DE", 2, 2, 0}, {"FR", 3, 4, 1}, {"US", 5, 5, 2}};
  r.by_process_type = {{"court_order", 3, 1}, {"subpoena", 7, 2}};
  r.by_agency_type = {{"foreign", 5, 1}, {"local", 5, 2}};
  r.by_month = {{"2026-01", 1}, {"2026-02", 0}, {"2026-03", 6},
                {"2026-04", 0}, {"2026-05", 2}, {"2026-06", 1}};
  r.national_security = {"0-249", "250-499"};
  r.suppressed_below = 3;
  r.tree_head = Head("disclosures", 25);
  r.audit_tree_head = Head("audit", 140);
  r.signature = ReportSignature{"0123456789abcdef", {}};
  r.signature->value.fill(9);
  return r;
}

// The sample as a report that publishes its leaves: nothing suppressed.
Report Published() {
  Report r = Sample();
  r.suppressed_below = 0;
  r.leaves_published = true;
  r.leaves = {R"({"v":1,"case":"aa"})", "second \"leaf\""};
  return r;
}

std::vector<std::string> Keys(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

TEST(ReportCsvTest, AHostileKeyIsNeutralised) {
  Report r = Sample();
  r.by_country[0].country = "=HYPERLINK(\"http://x\",\"y\")";
  EXPECT_THAT(ReportToCsv(r), HasSubstr("\r\nby_country,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",requests,<3\r\n"));
}

TEST(ReportJsonTest, HasTheSpecsShapeAndOrderWithSmallCountryCountsSuppressed) {
  const nlohmann::ordered_json j = ReportToJson(Sample());
  EXPECT_THAT(Keys(j), ::testing::ElementsAre("period", "totals", "by_country", "by_process_type",
                                              "by_agency_type", "by_month", "national_security",
                                              "suppressed_below", "leaves_published", "tree_head",
                                              "audit_tree_head", "signature"));
  EXPECT_EQ(j["period"].dump(), R"({"from":"2026-01-01","to":"2026-07-01"})");
  EXPECT_EQ(j["totals"].dump(),
            R"({"requests":10,"accounts_specified":11,"with_data_produced":3,"produced_narrowed":1,)"
            R"("no_data":1,"pushed_back":2,"rejected":1,"withdrawn":1,"preservation":1,"emergency":1,)"
            R"("under_nondisclosure":1,"user_notified":2})");
  EXPECT_EQ(j["by_country"].dump(),
            R"([{"country":"DE","requests":"<3","accounts_specified":"<3","with_data_produced":"<3"},)"
            R"({"country":"FR","requests":3,"accounts_specified":4,"with_data_produced":"<3"},)"
            R"({"country":"US","requests":5,"accounts_specified":5,"with_data_produced":"<3"}])");
  EXPECT_EQ(j["by_process_type"].dump(),
            R"([{"type":"court_order","requests":3,"with_data_produced":1},)"
            R"({"type":"subpoena","requests":7,"with_data_produced":2}])")
      << "not suppressed: only by-country rows are";
  EXPECT_EQ(j["by_agency_type"][1].dump(), R"({"type":"local","requests":5,"with_data_produced":2})");
  EXPECT_EQ(j["by_month"][2].dump(), R"({"month":"2026-03","requests":6})");
  EXPECT_EQ(j["national_security"].dump(), R"({"letters":"0-249","accounts":"250-499"})");
  EXPECT_EQ(j["suppressed_below"], 3);
  EXPECT_THAT(Keys(j["tree_head"]),
              ::testing::ElementsAre("log", "size", "root", "timestamp", "key_id", "signature"));
  EXPECT_EQ(j["tree_head"]["size"], 25);
  EXPECT_EQ(j["audit_tree_head"]["log"], "audit");
  EXPECT_EQ(j["leaves_published"], false);
  EXPECT_EQ(j["signature"].dump(),
            R"({"key_id":"0123456789abcdef","value":")" + Base64Encode(std::string(64, '\x09')) + "\"}");
}

TEST(ReportJsonTest, AReportThatPublishesItsLeavesCarriesThemAsTheirBytes) {
  const nlohmann::ordered_json j = ReportToJson(Published());
  EXPECT_THAT(Keys(j), ::testing::ElementsAre("period", "totals", "by_country", "by_process_type",
                                              "by_agency_type", "by_month", "national_security",
                                              "suppressed_below", "leaves_published", "tree_head",
                                              "audit_tree_head", "leaves", "signature"));
  EXPECT_EQ(j["leaves_published"], true);
  EXPECT_EQ(j["suppressed_below"], 0);
  EXPECT_EQ(j["by_country"][0].dump(), R"({"country":"DE","requests":2,"accounts_specified":2,"with_data_produced":0})");
  EXPECT_EQ(j["leaves"].dump(), R"(["{\"v\":1,\"case\":\"aa\"}","second \"leaf\""])");
  auto basis = ParseReport(json::parse(j.dump()));
  ASSERT_TRUE(basis.ok()) << basis.status().message();
  EXPECT_EQ(basis->leaves, Published().leaves);
  EXPECT_TRUE(basis->leaves_published);

  const std::string csv = ReportToCsv(Published());
  EXPECT_THAT(csv, HasSubstr("\r\nsuppressed_below,,value,0\r\nleaves_published,,value,true\r\n"));
  EXPECT_THAT(csv, Not(HasSubstr("<")));
  const std::string html = ReportToHtml(Published());
  EXPECT_THAT(html, HasSubstr("No count is suppressed in this report: its JSON form publishes every "
                              "disclosure leaf up to its head"));
  EXPECT_THAT(html, Not(HasSubstr("&lt;3")));
  EXPECT_THAT(ReportToHtml(Sample()), Not(HasSubstr("No count is suppressed")));

  // The leaves are there exactly when the report says so, and then nothing is suppressed.
  json no_leaves = json::parse(j.dump());
  no_leaves.erase("leaves");
  EXPECT_EQ(ParseReport(no_leaves).status().message(), "/leaves: required");
  json suppressed = json::parse(j.dump());
  suppressed["suppressed_below"] = 3;
  EXPECT_EQ(ParseReport(suppressed).status().message(),
            "/suppressed_below: not 0 in a report that publishes its leaves");
  json not_text = json::parse(j.dump());
  not_text["leaves"][1] = json::object();
  EXPECT_EQ(ParseReport(not_text).status().message(), "/leaves/1: not a string but an object");
}

TEST(ReportJsonTest, ReadsWhatItWritesAndNothingElse) {
  const json good = json::parse(ReportToJson(Sample()).dump());
  auto basis = ParseReport(good);
  ASSERT_TRUE(basis.ok()) << basis.status().message();
  EXPECT_EQ(basis->period.from, ParseDate("2026-01-01").value());
  EXPECT_EQ(basis->tree_head.size, 25u);
  EXPECT_EQ(basis->audit_tree_head.root, Sample().audit_tree_head.root);

  struct Case {
    const char* pointer;
    json value;  // null: the field removed
    const char* message;
  };
  const std::vector<Case> cases = {
      {"/totals", nullptr, "/totals: required"},
      {"/extra", 1, "/extra: not a field here"},
      {"/totals/requests", "10", "/totals/requests: not a count but a string"},
      {"/totals/requests", -1, "/totals/requests: not a count (an integer from 0 to 2^53)"},
      {"/totals/requests", 1.5, "/totals/requests: not a count (an integer from 0 to 2^53)"},
      {"/totals/requests", "<3", "/totals/requests: not a count but a string"},
      {"/totals/produced", 1, "/totals/produced: not a field here"},
      {"/by_country/0/requests", "<x", "/by_country/0/requests: not a count nor \"<N\""},
      {"/by_country/1/country", 7, "/by_country/1/country: not a string but a number"},
      {"/by_country/1/requests", nullptr, "/by_country/1/requests: required"},
      {"/by_process_type/0/requests", "<3", "/by_process_type/0/requests: not a count but a string"},
      {"/by_agency_type", json::object(), "/by_agency_type: not an array but an object"},
      {"/by_month/0/month", "2026-13", "/by_month/0/month: not a month (YYYY-MM)"},
      {"/national_security/letters", "249", "/national_security/letters: not a band (e.g. \"0-249\")"},
      {"/suppressed_below", true, "/suppressed_below: not a count but a boolean"},
      {"/period/from", "2026-1-1", "/period/from: not a date (YYYY-MM-DD)"},
      {"/period/to", "2026-01-01", "/period/to: not after /period/from"},
      {"/tree_head/size", "25", "/tree_head/size: not an unsigned integer but a string"},
      {"/audit_tree_head", json::array(), "/audit_tree_head: not an object but an array"},
      {"/audit_tree_head/key_id", "ABC", "/audit_tree_head/key_id: not 16 lower-case hex digits"},
      {"/leaves_published", "no", "/leaves_published: not true or false but a string"},
      {"/leaves", json::array(), "/leaves: not a field here"},
      {"/signature", nullptr, "/signature: required"},
      {"/signature/key_id", "ABCDEF0123456789", "/signature/key_id: not a key id (16 lowercase hex digits)"},
      {"/signature/value", "AAAA", "/signature/value: not a signature (base64 of 64 bytes)"},
      {"/signature/algorithm", "Ed25519", "/signature/algorithm: not a field here"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pointer);
    json bad = good;
    const json::json_pointer at(c.pointer);
    if (c.value.is_null()) {
      bad[at.parent_pointer()].erase(at.back());
    } else {
      bad[at] = c.value;
    }
    auto parsed = ParseReport(bad);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), c.message);
  }
  EXPECT_EQ(ParseReport(json::array()).status().message(), "/: not an object but an array");
}

TEST(ReportCsvTest, IsOneRowPerDimensionKeyMetricAndValue) {
  const std::string csv = ReportToCsv(Sample());
  std::vector<std::string> rows;
  for (size_t at = 0, end; (end = csv.find("\r\n", at)) != std::string::npos; at = end + 2) {
    rows.push_back(csv.substr(at, end - at));
  }
  ASSERT_GT(rows.size(), 10u);
  EXPECT_EQ(rows[0], "dimension,key,metric,value");
  EXPECT_EQ(rows[1], "period,,from,2026-01-01");
  EXPECT_EQ(rows[2], "period,,to,2026-07-01");
  EXPECT_EQ(rows[3], "totals,,requests,10");
  EXPECT_EQ(rows[10], "totals,,withdrawn,1");
  EXPECT_EQ(rows[14], "totals,,user_notified,2");
  EXPECT_EQ(rows[15], "by_country,DE,requests,<3");
  EXPECT_EQ(rows[18], "by_country,FR,requests,3");
  EXPECT_EQ(rows[19], "by_country,FR,accounts_specified,4");
  EXPECT_EQ(rows[20], "by_country,FR,with_data_produced,<3");
  EXPECT_EQ(rows[24], "by_process_type,court_order,requests,3");
  EXPECT_EQ(rows[28], "by_agency_type,foreign,requests,5");
  EXPECT_EQ(rows[32], "by_month,2026-01,requests,1");
  EXPECT_EQ(rows[38], "national_security,,letters,0-249");
  EXPECT_EQ(rows[39], "national_security,,accounts,250-499");
  EXPECT_EQ(rows[40], "suppressed_below,,value,3");
  EXPECT_EQ(rows[41], "leaves_published,,value,false");
  EXPECT_EQ(rows[42], "tree_head,,log,disclosures");
  EXPECT_EQ(rows[43], "tree_head,,size,25");
  EXPECT_EQ(rows[49], "audit_tree_head,,size,140");
  EXPECT_EQ(rows[54], "signature,,key_id,0123456789abcdef");
  EXPECT_EQ(rows[55], "signature,,value," + Base64Encode(std::string(64, '\x09')));
  EXPECT_EQ(rows.size(), 56u);
  EXPECT_TRUE(csv.ends_with("\r\n"));
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The text of the element that opens with `open` (e.g. `<svg class="chart" id="by-country"`).
std::string Element(const std::string& html, const std::string& open, const std::string& close) {
  const size_t begin = html.find(open);
  if (begin == std::string::npos) return "";
  return html.substr(begin, html.find(close, begin) + close.size() - begin);
}

TEST(ReportHtmlTest, IsOneSelfContainedPrintablePageWithTheNumbersAndCharts) {
  const std::string html = ReportToHtml(Sample());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, HasSubstr("page-break-inside: avoid"));
  // Nothing runs and nothing is fetched.
  for (const char* absent : {"<script", "src=", "href=", "url(", "@import", "<link", "<iframe",
                             "<img", "onload", "javascript:"}) {
    EXPECT_THAT(html, Not(HasSubstr(absent))) << absent;
  }
  EXPECT_EQ(Occurrences(html, "http"), Occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""))
      << "the SVG namespace is a name, not a fetch";
  // No dark backgrounds: the only background is white.
  EXPECT_EQ(Occurrences(html, "background"), 1u);
  EXPECT_THAT(html, HasSubstr("background: #fff;"));

  const std::string countries = Element(html, "<svg class=\"chart\" id=\"by-country\"", "</svg>");
  EXPECT_EQ(Occurrences(countries, "<rect class=\"bar"), 3u) << "one bar a country";
  EXPECT_EQ(Occurrences(countries, "<rect class=\"bar suppressed\""), 1u) << "DE: fewer than 3";
  EXPECT_THAT(countries, HasSubstr("<title>DE: &lt;3</title>"));
  EXPECT_THAT(countries, HasSubstr("<title>US: 5</title>"));
  const std::string processes = Element(html, "<svg class=\"chart\" id=\"by-process-type\"", "</svg>");
  EXPECT_EQ(Occurrences(processes, "<rect class=\"bar\""), 2u);
  EXPECT_THAT(processes, HasSubstr("<title>subpoena: 7</title>"));
  const std::string timeline = Element(html, "<svg class=\"chart\" id=\"timeline\"", "</svg>");
  EXPECT_EQ(Occurrences(timeline, "<rect class=\"bar\""), 6u) << "one column a month";
  EXPECT_THAT(timeline, HasSubstr("<title>2026-03: 6</title>"));

  // The numbers, as published.
  EXPECT_THAT(html, HasSubstr("<td>Requests received</td><td class=\"n\">10</td>"));
  EXPECT_THAT(html, HasSubstr("<td>Requests where the user was notified</td><td class=\"n\">2</td>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>FR</td><td class=\"n\">3</td><td class=\"n\">4</td><td class=\"n\">&lt;3</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>court_order</td><td class=\"n\">3</td><td class=\"n\">1</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><td>Accounts specified</td><td class=\"n\">250-499</td></tr>"));
  EXPECT_THAT(html, HasSubstr("2026-01-01 to 2026-06-30 (inclusive)"));
  EXPECT_THAT(html, HasSubstr("<code>" + Base64Encode(std::span<const uint8_t>(Sample().tree_head.root)) + "</code>"));
  // Every element opened is closed (a rough check of well-formedness).
  for (const char* tag : {"section", "table", "svg", "tr", "td", "th", "title", "text", "rect", "h2", "p"}) {
    EXPECT_EQ(Occurrences(html, std::string("<") + tag + ">") + Occurrences(html, std::string("<") + tag + " "),
              Occurrences(html, std::string("</") + tag + ">"))
        << tag;
  }
}

TEST(ReportHtmlTest, EscapesEveryValueFromTheLedgers) {
  EXPECT_EQ(EscapeHtml("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  Report r = Sample();
  r.by_country[2].country = "<script>alert(1)</script>";
  r.by_process_type[0].type = "\"><img src=x onerror=alert(1)>";
  r.by_month[0].month = "<b>";
  r.tree_head.timestamp = "</p><script>";
  const std::string html = ReportToHtml(r);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

TEST(ReportHtmlTest, AnEmptyPeriodSaysSo) {
  Report r;
  r.period = {ParseDate("2026-01-01").value(), ParseDate("2026-02-01").value()};
  r.by_month = {{"2026-01", 0}};
  r.national_security = {"0-249", "0-249"};
  const std::string html = ReportToHtml(r);
  EXPECT_EQ(Occurrences(html, "No requests were received in this period."), 3u);
  EXPECT_THAT(html, Not(HasSubstr("id=\"by-country\" xmlns")));
  EXPECT_EQ(Occurrences(Element(html, "<svg class=\"chart\" id=\"timeline\"", "</svg>"), "<rect class=\"bar\""), 1u);
}

}  // namespace
}  // namespace custodian::reports
