// Published transparency reports: every half-year that has ended, counted from the disclosure
// log as of its current signed head (docs/reports.md).
#include "server/routes.h"

#include "reports/make_report.h"
#include "reports/report.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"
#include "server/answers.h"
#include "server/query_parameters.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

// The first day of half-year `half` (1: January, 2: July) of `year`.
Date HalfYearStart(int year, int half) { return Date{DaysFromCivil(year, half == 1 ? 1 : 7, 1)}; }

}  // namespace

void AddReportRoutes(Router& router, const ServerServices& api) {
  // disclosure log as of its current signed head (docs/reports.md).
  router.Get("/api/v1/reports", Public(), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    const Date today = api.clock.Now().UtcDate();
    const int year = std::stoi(FormatDate(today).substr(0, 4));
    json out = json::array();
    // The last three years' half-years that have ended, newest first.
    for (int y = year; y > year - 3; --y) {
      for (int half : {2, 1}) {
        const Date to = half == 1 ? HalfYearStart(y, 2) : HalfYearStart(y + 1, 1);
        if (today < to) continue;
        const std::string period = std::to_string(y) + "-H" + std::to_string(half);
        out.push_back({{"period", period},
                       {"from", FormatDate(HalfYearStart(y, half))},
                       {"to", FormatDate(to)},
                       {"json", "/api/v1/reports/" + period},
                       {"csv", "/api/v1/reports/" + period + "?format=csv"},
                       {"html", "/api/v1/reports/" + period + "?format=html"}});
      }
    }
    Send(res, 200, {{"reports", out}});
  });
  router.Get("/api/v1/reports/{period}", Public(), [api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const std::string period = req.matches[1];
    const int year = std::stoi(period.substr(0, 4));
    const int half = period[6] - '0';
    const Date from = HalfYearStart(year, half);
    const Date to = half == 1 ? HalfYearStart(year, 2) : HalfYearStart(year + 1, 1);
    const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
    if (format != "json" && format != "csv" && format != "html") {
      return SendProblem(res, ParameterProblem("format", "json, csv or html"));
    }
    if (api.clock.Now().UtcDate() < to) {
      return SendProblem(res, {404, "not-found", "Not published",
                               "A half-year's report is published once the half-year has ended.", ""});
    }
    auto standards = api.workflow.standards().Current(api.workflow.database());
    if (!standards.ok()) return Fail(res, standards.status());
    auto report = reports::MakeReport(api.workflow.database(), api.ledgers, api.signing_keys, **standards, from, to, "server");
    if (!report.ok()) return Fail(res, report.status());
    if (format == "csv") return res.set_content(reports::ReportToCsv(*report), "text/csv; charset=utf-8");
    if (format == "html") return res.set_content(reports::ReportToHtml(*report), "text/html; charset=utf-8");
    Send(res, 200, json::parse(reports::ReportToJson(*report).dump()));
  });
}

}  // namespace custodian::server
