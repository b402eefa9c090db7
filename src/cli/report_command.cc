#include "cli/report_command.h"

#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "cli/key_flags.h"
#include "core/file_system.h"
#include "core/json_reader.h"
#include "instance/instance.h"
#include "reports/make_report.h"
#include "reports/report.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"
#include "reports/report_offline_verify.h"
#include "reports/report_verify.h"

namespace custodian {
namespace {

constexpr size_t kMaxReportBytes = 16 << 20;  // a report is a few kilobytes a country

struct ReportFlags {
  InstanceOptions instance;
  std::string from, to, format = "json", out, actor;
  std::string report;  // verify: the published report
  std::string leaves, ledger_key;  // verify offline: the disclosure log's pages, the public keys
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
  auto instance = Instance::Open(f.instance);
  if (!instance.ok()) return ReportFailure(instance.status());
  Instance& s = **instance;
  auto standards = s.standards->Current(*s.db);
  if (!standards.ok()) return ReportFailure(standards.status());
  auto report = reports::MakeReport(*s.db, *s.ledgers, *s.signing_keys, **standards, *from, *to, f.actor);
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

// {"holds", "differences"} on standard output, one line a difference on standard error (`by`
// says what holds the truth: the ledgers, the leaves); 0 when the report holds, 1 otherwise.
int PrintCheck(const reports::ReportCheck& check, const char* by, nlohmann::ordered_json out = {}) {
  nlohmann::ordered_json printed = {{"holds", check.holds()}, {"differences", nlohmann::ordered_json::array()}};
  for (const reports::ReportDifference& d : check.differences) {
    printed["differences"].push_back({{"path", d.path}, {"reported", d.reported}, {"recomputed", d.recomputed}});
    if (d.reported.empty()) {
      std::cerr << d.path << ": " << d.recomputed << "\n";
    } else {
      std::cerr << d.path << ": the report says " << d.reported << "; the " << by << " say " << d.recomputed << "\n";
    }
  }
  for (auto& [key, value] : out.items()) printed[key] = value;
  std::cout << printed.dump(2) << "\n";
  return check.holds() ? kExitOk : kExitDoesNotHold;
}

int RunVerifyWithInstance(const ReportFlags& f, const nlohmann::json& report) {
  auto instance = Instance::Open(f.instance);
  if (!instance.ok()) return ReportFailure(instance.status());
  Instance& s = **instance;
  auto standards = s.standards->Current(*s.db);
  if (!standards.ok()) return ReportFailure(standards.status());
  auto check = reports::VerifyReport(report, *s.db, *s.ledgers, *s.signing_keys, **standards);
  if (!check.ok()) return ReportFailure(check.status().WithContext(f.report + ": "));
  return PrintCheck(*check, "ledgers");
}

// No instance: the public keys, and the leaves from the API or the report itself.
int RunVerifyOffline(const ReportFlags& f, const nlohmann::json& report) {
  auto keys = KeysFrom(f.ledger_key, "--ledger-key", "ledger");
  if (!keys.ok()) return ReportFailure(keys.status());
  std::optional<std::vector<reports::DisclosurePage>> pages;
  if (!f.leaves.empty()) {
    auto text = ReadInput(f.leaves, reports::kMaxDisclosurePagesBytes);
    if (!text.ok()) return ReportFailure(text.status().WithContext("--leaves: "));
    if (text->size() > reports::kMaxDisclosurePagesBytes) {
      return ReportFailure(Status::InvalidArgument("--leaves: " + f.leaves + ": larger than 1 GiB"));
    }
    auto parsed = reports::ParseDisclosurePages(*text);
    if (!parsed.ok()) return ReportFailure(parsed.status().WithContext("--leaves: " + f.leaves + ": "));
    pages = std::move(parsed).value();
  }
  auto check = reports::VerifyReportOffline(report, *keys, pages);
  if (!check.ok()) return ReportFailure(check.status().WithContext(f.report + ": "));
  nlohmann::ordered_json out = {{"leaves", check->leaves},
                                {"recounted", check->recounted},
                                {"not_recounted", {"/national_security"}}};
  return PrintCheck(check->check, "leaves", std::move(out));
}

int RunVerify(const ReportFlags& f) {
  if (f.instance.data_dir.empty() == f.ledger_key.empty()) {
    return ReportFailure(Status::InvalidArgument(
        f.ledger_key.empty() ? "--data: required (or --ledger-key, to check the report without the instance)"
                             : "--ledger-key: not with --data (with the instance, its own keys are used)"));
  }
  if (!f.leaves.empty() && f.ledger_key.empty()) {
    return ReportFailure(Status::InvalidArgument("--leaves: needs --ledger-key"));
  }
  auto report = ReadReport(f.report);
  if (!report.ok()) return ReportFailure(report.status());
  return f.ledger_key.empty() ? RunVerifyWithInstance(f, *report) : RunVerifyOffline(f, *report);
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
      "verify",
      "Check a JSON report's signature and heads and recompute every count: from the instance's "
      "ledgers (--data), or offline from the disclosure leaves (--ledger-key)");
  // --data is not required: an outside auditor checks with the public keys alone.
  verify->add_option("--data", f->instance.data_dir, "The instance's data directory");
  verify->add_option("--key-file", f->instance.key_file,
                     "The master key file (default: CUSTODIAN_KEY_FILE, or the instance's file "
                     "under ~/.config/custodian/keys)");
  verify->add_option("--ledger-key", f->ledger_key,
                     "Check offline with the ledger's public key(s): base64 (keys export-public "
                     "--ledger), a file holding it, or the keys document GET /api/v1/keys serves");
  verify->add_option("--leaves", f->leaves,
                     "With --ledger-key: pages of GET /api/v1/ledger/disclosures/entries, one "
                     "after another (default: the leaves the report publishes)");
  verify->add_option("REPORT", f->report, "The report (JSON; - for standard input)")->required();
  verify->callback([f, exit_code] { *exit_code = RunVerify(*f); });

  report->callback([f, verify, exit_code] {
    if (verify->parsed()) return;
    *exit_code = RunMake(*f);
  });
}

}  // namespace custodian
