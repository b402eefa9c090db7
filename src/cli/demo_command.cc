#include "cli/demo_command.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/demo_cases.h"
#include "cli/demo_service.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "cli/progress.h"
#include "cli/serve_command.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "instance/instance.h"
#include "instance/instance_keys.h"
#include "instance/instance_record.h"
#include "server/requester_store.h"
#include "server/user_store.h"

namespace custodian::embedded {
extern const std::string_view demo_agencies;
}  // namespace custodian::embedded

namespace custodian {
namespace {

// One password for every demo user, printed: this instance is for looking at, never for use.
constexpr char kDemoPassword[] = "demo password, not for use";
// The requester the produced case's package waits for (the example court order's officer).
constexpr char kRequesterAgency[] = "us-dhs-hsi";
constexpr char kRequesterEmail[] = "l.whitmore@hsi.dhs.gov";

struct DemoFlags {
  InstanceOptions instance;
  bool no_serve = false;
  int port = 8080;
  double scale = 1.0;
  uint64_t seed = 20260312;
};

// What the demo made, for the closing words.
struct Made {
  uint64_t accounts = 0, subscriber_versions = 0, events = 0;
  int64_t days = 0;
  demo::DemoCases cases;
  std::string requester_token;
};

std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// A new instance or an empty directory: the demo never mixes its service with anything.
Status RefuseUsedDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  if (!fs::is_directory(dir, ec)) return Status::InvalidArgument("--data " + dir + ": not a directory");
  if (!fs::is_empty(dir, ec) || ec) {
    return Status::InvalidArgument("--data " + dir +
                                   ": not empty; custodian demo builds its service in a new or empty "
                                   "directory (nothing was changed)");
  }
  return Status::Ok();
}

// Stands for the operator's own imports: counted in the audit log as theirs are.
Status Audited(Instance& s, const char* action, const vault::IngestReport& r) {
  return AuditOperatorAction(*s.db, action,
                             {{"accepted", r.accepted}, {"rejected", r.rejected}, {"duplicates", r.duplicates}});
}

Status Build(const DemoFlags& f, Made& made) {
  // The service names itself in its productions' certificates.
  if (Status s = PosixFileSystem().WriteAtomically(JoinPath(f.instance.data_dir, "custodian.toml"),
                                                   "[production]\nservice_name = \"Example Mail (demo)\"\n");
      !s.ok()) {
    return s;
  }
  auto instance = Instance::Open(f.instance);
  if (!instance.ok()) return instance.status();
  Instance& s = **instance;
  const cases::Actor operator_actor{"demo", true};
  if (Status r = s.workflow->ImportRegistry(embedded::demo_agencies, operator_actor); !r.ok()) return r;
  server::UserStore users(*s.db, DeriveInstanceKey(s.master, InstanceKey::kSecondFactors),
                          SystemClock());
  for (const char* role : demo::kStaffRoles) {
    if (Status r = users.AddUser(role, {*server::ParseRole(role)}, kDemoPassword, operator_actor.name); !r.ok()) {
      return r;
    }
  }

  auto standards = s.standards->Current(*s.db);
  if (!standards.ok()) return standards.status();
  // The whole retention period but its oldest day, which retention is about to let go of.
  made.days = std::max<int64_t>(1, (*standards)->access_log_retention_days - 1);
  const demo::ServiceSize size = demo::SizeAt(f.scale);
  demo::SyntheticService service(f.seed, size, SystemClock().Now(), made.days);

  std::cerr << "custodian demo: " << Thousands(size.accounts) << " accounts' subscriber records\n";
  vault::IngestReport subscribers;
  {
    const std::string records = service.SubscriberRecords();
    Progress progress("subscribers", records.size(), "records");
    if (Status r = s.vault->IngestSubscribers(records, subscribers); !r.ok()) return r;
    progress.Update(records.size(), subscribers.accepted);
  }
  if (Status r = Audited(s, "ingest_subscribers", subscribers); !r.ok()) return r;
  if (subscribers.rejected > 0) {
    return Status::Internal("subscriber records refused: " + subscribers.errors.front().error);
  }
  made.accounts = size.accounts;
  made.subscriber_versions = subscribers.accepted;

  std::cerr << "custodian demo: " << Thousands(size.events) << " logins over " << made.days << " days\n";
  vault::IngestReport events;
  Status imported = Status::Ok();
  {
    Progress progress("logins", size.events, "events");
    service.Events(250000, [&](const std::string& run, uint64_t) {
      if (!imported.ok()) return;
      const uint64_t before = events.accepted + events.rejected;
      vault::IngestReport report;
      imported = s.vault->Import(run, report, [&](uint64_t, uint64_t lines) {
        progress.Update(before + lines, before + lines);
      });
      if (imported.ok()) imported = Audited(s, "ingest_events", report);
      events.accepted += report.accepted;
      events.rejected += report.rejected;
      if (report.rejected > 0 && events.errors.empty()) events.errors = report.errors;
    });
  }
  if (!imported.ok()) return imported;
  if (events.rejected > 0) return Status::Internal("logins refused: " + events.errors.front().error);
  made.events = events.accepted;

  // The agency's requester: an account that signs in to the portal with the demo password
  // (and sends its agency's requests there), and a token tied to it, as machine clients have.
  server::RequesterStore requesters(
      *s.db, DeriveInstanceKey(s.master, InstanceKey::kSecondFactors), SystemClock());
  auto account = requesters.AddConfirmed(kRequesterEmail, "L. Whitmore", kDemoPassword, operator_actor.name);
  if (!account.ok()) return account.status();
  std::cerr << "custodian demo: cases\n";
  {
    Progress progress("cases", 0, "cases");
    auto cases = demo::MakeDemoCases(
        s, f.instance.data_dir,
        {demo::kFirstAccount, size.accounts, service.RecycledPhone()},
        {account->id, account->agency_id, account->email},
        [&](size_t done, size_t) { progress.Update(0, done); });
    if (!cases.ok()) return cases.status();
    made.cases = std::move(cases).value();
  }
  auto token = users.CreateToken(server::TokenKind::kRequester, "hsi-demo", account->agency_id,
                                 std::string(kRequesterEmail), operator_actor.name, account->id);
  if (!token.ok()) return token.status();
  made.requester_token = *token;
  return Status::Ok();
}

void PrintService(const DemoFlags& f, const Made& made) {
  std::printf("\nA synthetic service in %s (a demo instance: second factors are off):\n", f.instance.data_dir.c_str());
  std::printf("  %s accounts, %s subscriber record versions, %s logins over %lld days\n",
              Thousands(made.accounts).c_str(), Thousands(made.subscriber_versions).c_str(),
              Thousands(made.events).c_str(), static_cast<long long>(made.days));
  std::printf("  %zu cases:\n", made.cases.cases.size());
  for (const demo::DemoCase& c : made.cases.cases) {
    std::printf("    %-15s %-16s %-18s %s\n", c.id.c_str(), c.state.c_str(), c.action.c_str(), c.example.c_str());
  }
  std::printf("  %s is the administrative subpoena in a civil immigration matter: see what the standards decided.\n",
              made.cases.immigration_case.c_str());
  std::fflush(stdout);
}

void PrintSignIn(const Made& made, const std::string& url) {
  std::printf("\nThe console: %s/\n", url.c_str());
  std::printf("  Sign in as intake, reviewer, approver, auditor or admin (one user per role), password\n");
  std::printf("  \"%s\"; no second factor on this instance.\n", kDemoPassword);
  std::printf("The requester portal: %s/portal/\n", url.c_str());
  std::printf("  Sign in as %s (%s) with the same password.\n", kRequesterEmail, kRequesterAgency);
  if (!made.cases.produced_case.empty()) {
    std::printf("  The package of %s waits there, to be downloaded once; a machine client lists it with the\n"
                "  requester's token:\n", made.cases.produced_case.c_str());
    std::printf("  curl -s -H 'Authorization: Bearer %s' %s/api/v1/portal/requests/%s/productions\n",
                made.requester_token.c_str(), url.c_str(), made.cases.produced_case.c_str());
  }
  std::fflush(stdout);
}

int RunDemo(const DemoFlags& f) {
  if (Status s = RefuseUsedDirectory(f.instance.data_dir); !s.ok()) return ReportFailure(s);
  if (f.scale <= 0 || f.scale > 10) return ReportFailure(Status::InvalidArgument("--scale: between 0 and 10"));
  auto init = InitInstance(f.instance, InstanceKind::kDemo);
  if (!init.ok()) return ReportFailure(init.status());
  std::cerr << "custodian demo: a demo instance in " << f.instance.data_dir << " (its master key: " << init->key_file
            << ")\n";
  Made made;
  if (Status s = Build(f, made); !s.ok()) {
    std::cerr << "custodian: the demo stopped: " << s.message() << "\n";
    return kExitFailure;
  }
  PrintService(f, made);
  if (f.no_serve) {
    PrintSignIn(made, "http://127.0.0.1:" + std::to_string(f.port));
    std::printf("\nServe it: custodian serve --data %s --listen 127.0.0.1:%d\n", f.instance.data_dir.c_str(), f.port);
    return kExitOk;
  }
  ServeSettings serve;
  serve.instance = f.instance;
  serve.listen = "127.0.0.1:" + std::to_string(f.port);
  serve.on_listening = [&made](const std::string& url) {
    PrintSignIn(made, url);
    std::printf("Until Ctrl-C.\n");
    std::fflush(stdout);
  };
  return ServeInstance(serve);
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<DemoFlags>();
  auto* demo = app.add_subcommand(
      "demo", "Build a synthetic service in a new instance (second factors off) and serve its console");
  AddInstanceFlags(demo, f->instance);
  demo->add_flag("--no-serve", f->no_serve, "Build the service, then stop");
  demo->add_option("--port", f->port, "The port on 127.0.0.1 to serve on")->check(CLI::Range(1, 65535))->capture_default_str();
  // For tests: a smaller (or bigger) service; 1 is 20,000 accounts and 2,000,000 logins.
  demo->add_option("--scale", f->scale)->group("");
  demo->add_option("--seed", f->seed)->group("");
  demo->callback([f, exit_code] { *exit_code = RunDemo(*f); });
}

}  // namespace custodian
