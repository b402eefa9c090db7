#include "reports/report_html.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/base64.h"
#include "reports/report_counts.h"

namespace custodian::reports {
namespace {

// White paper, dark ink: nothing a printer has to fill. Sections and charts are not split
// across pages.
constexpr std::string_view kStyle = R"css(
body { font-family: "Noto Sans", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b;
       background: #fff; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #bbb; padding-bottom: .15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; }
th, td { text-align: left; padding: .2rem .7rem .2rem 0; border-bottom: 1px solid #ddd; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart { display: block; max-width: 100%; height: auto; margin: .5rem 0; }
svg.chart text { font-size: 12px; fill: #1b1b1b; }
svg.chart .bar { fill: #3d6fa8; }
svg.chart .bar.suppressed { fill: none; stroke: #3d6fa8; stroke-dasharray: 3 2; }
svg.chart .axis { stroke: #777; }
.note { color: #444; font-size: .9rem; }
code { font-size: .85rem; word-break: break-all; }
@page { margin: 18mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  section { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  svg.chart, table { break-inside: avoid; page-break-inside: avoid; }
  svg.chart .bar { fill: #555; }
  svg.chart .bar.suppressed { fill: none; stroke: #555; }
  section.verify { break-before: page; page-break-before: always; }
}
)css";

std::string Esc(std::string_view text) { return EscapeHtml(text); }

// The charts' colours as attributes too, so that a chart copied out of the page keeps them;
// the page's style (and its print rules) take precedence.
const std::string kFill = "fill=\"#3d6fa8\"";
const std::string kOutline = "fill=\"none\" stroke=\"#3d6fa8\" stroke-dasharray=\"3 2\"";
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A bar: what it stands for, the length it is drawn at, and the number written beside it.
struct Bar {
  std::string label;
  int64_t length = 0;
  std::string shown;
  bool suppressed = false;  // drawn as an outline up to the threshold: "fewer than N"
};

// One labelled horizontal bar a row, lengths proportional to the largest.
std::string BarChart(std::string_view id, std::string_view title, const std::vector<Bar>& bars) {
  constexpr int kLabelWidth = 170, kBarArea = 380, kRow = 22, kBarHeight = 14;
  constexpr int kWidth = kLabelWidth + kBarArea + 70;
  const int height = static_cast<int>(bars.size()) * kRow + 8;
  int64_t longest = 1;
  for (const Bar& b : bars) longest = std::max(longest, b.length);
  std::string svg = "<svg class=\"chart\" id=\"" + std::string(id) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " +
                    std::to_string(kWidth) + " " + std::to_string(height) + "\" width=\"" +
                    std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
                    "\"><title>" + Esc(title) + "</title>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int y = 4 + static_cast<int>(i) * kRow;
    const double width = static_cast<double>(b.length) * kBarArea / static_cast<double>(longest);
    svg += "<text x=\"" + std::to_string(kLabelWidth - 8) + "\" y=\"" + std::to_string(y + 13) +
           "\" text-anchor=\"end\">" + Esc(b.label) + "</text>";
    svg += "<rect class=\"bar" + std::string(b.suppressed ? " suppressed\" " + kOutline : "\" " + kFill) +
           " x=\"" +
           std::to_string(kLabelWidth) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
           Num(width) + "\" height=\"" + std::to_string(kBarHeight) + "\"><title>" +
           Esc(b.label) + ": " + Esc(b.shown) + "</title></rect>";
    svg += "<text x=\"" + Num(kLabelWidth + width + 6) + "\" y=\"" + std::to_string(y + 13) +
           "\">" + Esc(b.shown) + "</text>\n";
  }
  return svg + "</svg>\n";
}

// One column a month, its height proportional to the busiest month.
std::string Timeline(const std::vector<MonthCounts>& months) {
  constexpr int kLeft = 40, kPlot = 140, kTop = 16, kArea = 560;
  const int n = std::max<int>(static_cast<int>(months.size()), 1);
  const int column = std::clamp(kArea / n, 6, 80);
  const int label_every = std::max(1, (56 + column - 1) / column);  // a label is ~56px wide
  const int width = kLeft + n * column + 10, height = kTop + kPlot + 24;
  int64_t busiest = 1;
  for (const MonthCounts& m : months) busiest = std::max(busiest, m.requests);
  const int base = kTop + kPlot;
  std::string svg = "<svg class=\"chart\" id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
                    "role=\"img\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(height) + "\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) +
                    "\"><title>Requests received by month</title>\n";
  svg += "<line class=\"axis\" stroke=\"#777\" x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(base) +
         "\" x2=\"" + std::to_string(width - 10) + "\" y2=\"" + std::to_string(base) + "\"/>";
  svg += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + std::to_string(kTop + 4) +
         "\" text-anchor=\"end\">" + std::to_string(busiest) + "</text>\n";
  for (size_t i = 0; i < months.size(); ++i) {
    const MonthCounts& m = months[i];
    const double h = static_cast<double>(m.requests) * kPlot / static_cast<double>(busiest);
    const int x = kLeft + static_cast<int>(i) * column;
    svg += "<rect class=\"bar\" " + kFill + " x=\"" + std::to_string(x + 2) + "\" y=\"" + Num(base - h) +
           "\" width=\"" + std::to_string(std::max(column - 4, 2)) + "\" height=\"" + Num(h) +
           "\"><title>" + Esc(m.month) + ": " + std::to_string(m.requests) + "</title></rect>";
    if (label_every == 1 && m.requests > 0) {
      svg += "<text x=\"" + std::to_string(x + column / 2) + "\" y=\"" + Num(base - h - 4) +
             "\" text-anchor=\"middle\">" + std::to_string(m.requests) + "</text>";
    }
    if (i % label_every == 0) {
      svg += "<text x=\"" + std::to_string(x + column / 2) + "\" y=\"" +
             std::to_string(base + 16) + "\" text-anchor=\"middle\">" + Esc(m.month) + "</text>";
    }
    svg += "\n";
  }
  return svg + "</svg>\n";
}

// A table: a header row, then rows of cells; the cells after the first are numbers.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table><thead><tr>";
  for (size_t i = 0; i < header.size(); ++i) {
    out += (i ? "<th class=\"n\">" : "<th>") + Esc(header[i]) + "</th>";
  }
  out += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      out += (i ? "<td class=\"n\">" : "<td>") + Esc(row[i]) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string FieldRows(std::string_view name,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "<h3>" + Esc(name) + "</h3><table><tbody>\n";
  for (const auto& [field, value] : fields) {
    out += "<tr><th>" + Esc(field) + "</th><td><code>" + Esc(value) + "</code></td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string HeadRows(std::string_view name, const ledger::SignedTreeHead& head) {
  return FieldRows(name, {{"log", head.log},
                          {"size", std::to_string(head.size)},
                          {"root", Base64Encode(std::span<const uint8_t>(head.root))},
                          {"timestamp", head.timestamp},
                          {"key_id", head.key_id},
                          {"signature", Base64Encode(std::span<const uint8_t>(head.signature))}});
}

std::string Section(std::string_view id, std::string_view heading, const std::string& body,
                    std::string_view css_class = "") {
  return "<section id=\"" + std::string(id) + "\"" +
         (css_class.empty() ? "" : " class=\"" + std::string(css_class) + "\"") + ">\n<h2>" +
         Esc(heading) + "</h2>\n" + body + "</section>\n";
}

constexpr std::string_view kLeavesPublished =
    "<p class=\"note\">No count is suppressed in this report: its JSON form publishes every "
    "disclosure leaf up to its head, from which anyone can recount every figure.</p>\n";

const std::string kNoRequests = "<p class=\"note\">No requests were received in this period.</p>\n";

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ReportToHtml(const Report& report) {
  const std::string from = FormatDate(report.period.from);
  const std::string last = FormatDate(report.period.to.PlusDays(-1));
  const int64_t below = report.suppressed_below;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Transparency report, " + Esc(from) + " to " + Esc(last) + "</title>\n<style>" +
      std::string(kStyle) + "</style>\n</head>\n<body>\n<header>\n<h1>Transparency report</h1>\n"
      "<p>Legal requests for user data received from " + Esc(from) + " to " + Esc(last) +
      " (inclusive), counted from the disclosure ledger up to its signed tree head of " +
      std::to_string(report.tree_head.size) + " entries (" + Esc(report.tree_head.timestamp) +
      ").</p>\n" + (report.leaves_published ? std::string(kLeavesPublished) : "") + "</header>\n";

  std::vector<std::vector<std::string>> totals;
  for (const TotalsField& f : kTotalsFields) {
    totals.push_back({std::string(f.label), std::to_string(report.totals.*f.count)});
  }
  html += Section("totals", "Totals", Table({"", "Requests"}, totals));

  std::string by_country = kNoRequests;
  if (!report.by_country.empty()) {
    std::vector<Bar> bars;
    std::vector<std::vector<std::string>> rows;
    for (const CountryCounts& c : report.by_country) {
      const bool suppressed = IsSuppressed(c.requests, below);
      bars.push_back({c.country, suppressed ? below : c.requests,
                      PublishedCount(c.requests, below), suppressed});
      rows.push_back({c.country, PublishedCount(c.requests, below),
                      PublishedCount(c.accounts_specified, below),
                      PublishedCount(c.with_data_produced, below)});
    }
    by_country = BarChart("by-country", "Requests by country", bars) +
                 Table({"Country", "Requests", "Accounts specified", "With data produced"}, rows);
    if (below > 0) {
      by_country += "<p class=\"note\">Counts below " + std::to_string(below) +
                    " are shown as &lt;" + std::to_string(below) +
                    " (and drawn as an outline), so that a small number cannot single anyone "
                    "out. Totals are exact.</p>\n";
    }
  }
  html += Section("by-country", "Requests by country", by_country);

  std::string by_process = kNoRequests;
  if (!report.by_process_type.empty()) {
    std::vector<Bar> bars;
    std::vector<std::vector<std::string>> rows;
    for (const TypeCounts& t : report.by_process_type) {
      bars.push_back({t.type, t.requests, std::to_string(t.requests)});
      rows.push_back({t.type, std::to_string(t.requests), std::to_string(t.with_data_produced)});
    }
    by_process = BarChart("by-process-type", "Requests by process type", bars) +
                 Table({"Process type", "Requests", "With data produced"}, rows);
  }
  html += Section("by-process-type", "Requests by legal process", by_process);

  std::string by_agency = kNoRequests;
  if (!report.by_agency_type.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const TypeCounts& t : report.by_agency_type) {
      rows.push_back({t.type, std::to_string(t.requests), std::to_string(t.with_data_produced)});
    }
    by_agency = Table({"Agency type", "Requests", "With data produced"}, rows);
  }
  html += Section("by-agency-type", "Requests by type of agency", by_agency);

  std::vector<std::vector<std::string>> months;
  for (const MonthCounts& m : report.by_month) months.push_back({m.month, std::to_string(m.requests)});
  html += Section("timeline", "Requests received by month",
                  Timeline(report.by_month) + Table({"Month", "Requests"}, months));

  html += Section(
      "national-security", "National security letters",
      Table({"", "Band"}, {{"Letters received", report.national_security.letters},
                           {"Accounts specified", report.national_security.accounts}}) +
          "<p class=\"note\">The law allows these to be reported only in bands. They are not "
          "part of any other count on this page.</p>\n");

  html += Section(
      "verify", "How to check this report",
      "<p>Every count above is derived from the leaves of the disclosure ledger up to the tree "
      "head below, and the national security bands from the audit ledger up to its own head. "
      "Each head is signed with the service's ledger key (Ed25519) over the text "
      "<code>custodian-tree-head v1\\n{log}\\n{size}\\n{root}\\n{timestamp}\\n</code>. The "
      "JSON form of this report carries the same heads, and a signature of the report itself "
      "with the same key, so that no figure can be changed or disowned; <code>custodian report "
      "verify REPORT.json</code> recomputes every number from the ledger, with the instance or "
      "offline from the disclosure leaves.</p>\n" +
          HeadRows("Disclosure ledger", report.tree_head) +
          HeadRows("Audit ledger", report.audit_tree_head) +
          (report.signature
               ? FieldRows("This report",
                           {{"key_id", report.signature->key_id},
                            {"signature", Base64Encode(std::span<const uint8_t>(report.signature->value))}})
               : ""),
      "verify");
  return html + "</body>\n</html>\n";
}

}  // namespace custodian::reports
