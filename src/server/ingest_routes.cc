// Ingest, for services: access-log events and subscriber records, as JSON lines, into the vault.
#include "server/routes.h"

#include "server/answers.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

json ReportJson(const vault::IngestReport& r) {
  json errors = json::array();
  for (const auto& e : r.errors) errors.push_back({{"line", e.line}, {"error", e.error}});
  return {{"accepted", r.accepted}, {"rejected", r.rejected}, {"duplicates", r.duplicates},
          {"errors", errors}};
}

}  // namespace

void AddIngestRoutes(Router& router, const ServerServices& api, const ServerOptions& options) {
  for (const bool events : {true, false}) {
    router.Post(events ? "/api/v1/ingest/events" : "/api/v1/ingest/subscribers", Service(), Lines(options.max_ingest_bytes),
         [api, events](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
           vault::IngestReport report;
           Status s = events ? api.vault.Ingest(req.body, report) : api.vault.IngestSubscribers(req.body, report);
           // Counts only, in the audit log: the lines themselves are the vault's.
           const Status audited = api.workflow.RecordAction(
               {caller.name}, events ? "ingest_events" : "ingest_subscribers",
               json{{"accepted", report.accepted}, {"rejected", report.rejected},
                    {"duplicates", report.duplicates}}.dump());
           if (!s.ok()) return Fail(res, s, {{"report", ReportJson(report)}});
           if (!audited.ok()) return Fail(res, audited, {{"report", ReportJson(report)}});
           if (report.accepted == 0 && report.rejected > 0) {
             return SendProblem(res, {422, "all-rejected", "Every line was rejected",
                                      "No line of the batch was stored.", ""},
                                ReportJson(report));
           }
           Send(res, 200, ReportJson(report));
         });
  }
}

}  // namespace custodian::server
