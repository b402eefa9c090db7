#include "cli/report_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/case_session.h"
#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "core/file_system.h"
#include "core/json_reader.h"
#include "reports/report.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"
#include "reports/report_verify.h"

namespace custodian {
namespace {

constexpr size_t kMaxReportBytes = 16 << 20;  // a report is a few kilobytes a country

struct ReportFlags {
  InstanceOptions instance;
  std::string from, to, format = "json", out, actor;
  std::string report;  // verify: the published report
};

Result<Date> DateFlag(const std::string& name, const std::string& value) {
  if (value.empty()) return Status::InvalidArgument(name + ": required (YYYY-MM-DD)");
  auto date = ParseDate(value);
  if (!date.ok()) return Status::InvalidArgument(name + ": not a date " + date.status().message());
  return date;
}

// `report` without a subcommand: the flags CLI11 could not require (verify does without them).
Status CheckMakeFlags(const ReportFlags& f) {
  if (f.instance.data_dir.empty()) return Status::InvalidArgument("--data: required");
  if (f.actor.empty()) return Status::InvalidArgument("--actor: required");
  return Status::Ok();
}

int RunMake(const ReportFlags& f) {
  if (Status s = CheckMakeFlags(f); !s.ok()) return ReportFailure(s);
  auto from = DateFlag("--from", f.from);
  if (!from.ok()) return ReportFailure(from.status());
  auto to = DateFlag("--to", f.to);
  if (!to.ok()) return ReportFailure(to.status());
  if (!(*from < *to)) return ReportFailure(Status::InvalidArgument("--to: not after --from"));
  auto session = OpenCaseSession(f.instance);
  if (!session.ok()) return ReportFailure(session.status());
  CaseSession& s = **session;
  auto standards = s.standards->Current(*s.db);
  if (!standards.ok()) return ReportFailure(standards.status());
  auto report = reports::MakeReport(*s.db, *s.ledgers, **standards, *from, *to, f.actor);
  if (!report.ok()) return ReportFailure(report.status());
  const std::string text = f.format == "csv"    ? reports::ReportToCsv(*report)
                           : f.format == "html" ? reports::ReportToHtml(*report)
                                                : reports::ReportToJson(*report).dump(2) + "\n";
  if (f.out.empty()) {
    std::cout << text;
    return kExitOk;
  }
  if (Status st = PosixFileSystem().WriteAtomically(f.out, text); !st.ok()) return ReportFailure(st);
  std::cout << nlohmann::ordered_json{{"written", f.out}, {"bytes", text.size()}}.dump(2) << "\n";
  return kExitOk;
}

Result<nlohmann::json> ReadReport(const std::string& path) {
  auto text = ReadInput(path, kMaxReportBytes);
  if (!text.ok()) return text.status();
  if (text->size() > kMaxReportBytes) {
    return Status::InvalidArgument(path + ": larger than 16 MiB; not a report");
  }
  JsonDocument doc;
  JsonSyntaxError syntax;
  if (!ParseJson(*text, doc, syntax)) {
    return Status::InvalidArgument(path + ": " + DisplayPointer(syntax.pointer) +
                                   ": not valid JSON at " + std::to_string(syntax.position.line) +
                                   ":" + std::to_string(syntax.position.column) + ": " + syntax.what);
  }
  return std::move(doc.root);
}

int RunVerify(const ReportFlags& f) {
  auto report = ReadReport(f.report);
  if (!report.ok()) return ReportFailure(report.status());
  auto session = OpenCaseSession(f.instance);
  if (!session.ok()) return ReportFailure(session.status());
  CaseSession& s = **session;
  auto standards = s.standards->Current(*s.db);
  if (!standards.ok()) return ReportFailure(standards.status());
  auto check = reports::VerifyReport(*report, *s.db, *s.ledgers, *s.signing_keys, **standards);
  if (!check.ok()) return ReportFailure(check.status().WithContext(f.report + ": "));
  nlohmann::ordered_json out = {{"holds", check->holds()}, {"differences", nlohmann::ordered_json::array()}};
  for (const reports::ReportDifference& d : check->differences) {
    out["differences"].push_back({{"path", d.path}, {"reported", d.reported}, {"recomputed", d.recomputed}});
    std::cerr << d.path << ": the report says " << d.reported << "; the ledgers say " << d.recomputed << "\n";
  }
  std::cout << out.dump(2) << "\n";
  return check->holds() ? kExitOk : kExitDoesNotHold;
}

}  // namespace

void AddReportCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ReportFlags>();
  auto* report = app.add_subcommand(
      "report", "The transparency report of the requests received in [--from, --to)");
  report->require_subcommand(0, 1);
  // Not required by CLI11, which would then ask them of `report verify` too: checked above.
  report->add_option("--data", f->instance.data_dir, "The instance's data directory (required)");
  report->add_option("--key-file", f->instance.key_file,
                     "The master key file (default: CUSTODIAN_KEY_FILE, or the instance's file "
                     "under ~/.config/custodian/keys)");
  report->add_option("--from", f->from, "The first day counted (YYYY-MM-DD, required)");
  report->add_option("--to", f->to, "The day after the last counted (YYYY-MM-DD, required)");
  report->add_option("--format", f->format, "json (the default, the form to publish and verify), csv or html")
      ->check(CLI::IsMember({"json", "csv", "html"}));
  report->add_option("--out", f->out, "Write the report to FILE (default: standard output)");
  report->add_option("--actor", f->actor, "Who makes it (recorded if the ledger key is made now; required)");

  auto* verify = report->add_subcommand(
      "verify", "Recompute every count of a JSON report from the ledgers and check its heads");
  AddInstanceFlags(verify, f->instance);
  verify->add_option("REPORT", f->report, "The report (JSON; - for standard input)")->required();
  verify->callback([f, exit_code] { *exit_code = RunVerify(*f); });

  report->callback([f, verify, exit_code] {
    if (verify->parsed()) return;
    *exit_code = RunMake(*f);
  });
}

}  // namespace custodian
