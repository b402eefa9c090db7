// vault_bench: custodian's vault and its peers on the same workload, in one run
// (DESIGN.md, Performance; bench/README.md).
//   vault_bench [--workload zipf|sparse] [--scale F] [--peers custodian,clickhouse,...] [--queries N] [--json OUT.json]
//               [--workdir DIR]
// Generates the NDJSON once, then takes each peer in turn through Start, Ingest, BytesOnDisk,
// one-account and reverse-IP queries, DropDay, ShredAccount (a heavy and a light account)
// and Stop, and prints the figures with their ratios to custodian's. Servers listen on
// 127.0.0.1 only; every loop is bounded in count and time; servers never outlive the run.
// This is the program's exception fence: anything thrown is printed as one line, exit 1.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <tuple>

#include <CLI/CLI.hpp>

#include "bench/account_scale.h"
#include "bench/child_process.h"
#include "bench/peer_registry.h"
#include "bench/report.h"
#include "bench/stats.h"
#include "bench/workload.h"

namespace custodian::bench {
namespace {

struct Options {
  std::string workload = "zipf";
  double scale = 1.0;
  std::vector<std::string> peers = DefaultPeerNames();
  size_t queries = 1000;
  double phase_seconds = 60;  // a query phase stops here even if queries remain
  uint64_t seed = 1;
  std::string first_day = FormatDate(WorkloadOptions().first_day);
  std::string json;
  std::string workdir;  // empty: a fresh directory under $TMPDIR, removed at the end
  bool keep = false;
  uint64_t accounts = 0;       // --accounts N: the account-scale mode instead of the peers
  std::string accounts_probe;  // --accounts-probe DIR: that mode's probe (run by it)
};

void Progress(const std::string& peer, const std::string& line) {
  std::cout << "[" << peer << "] " << line << std::endl;
}

std::string Fixed(double v, int decimals) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(decimals);
  s << v;
  return s.str();
}

// The timed pass of a query phase: each query's latency and answer, in target order.
struct Timed {
  std::vector<double> micros;
  std::vector<uint64_t> answers;
};

// Runs `query(i)` (which returns its answer) for each target twice, the first pass untimed
// to warm the caches, the second timed; together they stop at `budget_s`.
template <typename Query>
Result<Timed> TimeQueries(size_t targets, double budget_s, Query query) {
  const Stopwatch phase;
  Timed timed;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < targets && phase.Seconds() < budget_s * (pass + 1) / 2; ++i) {
      const Stopwatch one;
      Result<uint64_t> answer = query(i);
      const double micros = one.Micros();
      if (!answer.ok()) return answer.status();
      if (pass == 1) {
        timed.micros.push_back(micros);
        timed.answers.push_back(*answer);
      }
    }
  }
  return timed;
}

// Takes a started peer through every step, filling `r`; the first failure, with its step.
Status Measure(Peer& peer, const Workload& w, const Options& options, PeerResult& r) {
  const auto step = [](const char* name, const Status& s) {
    return s.ok() ? s : Status::IoError(std::string(name) + ": " + s.message());
  };
  const std::string& name = r.name;

  const Stopwatch ingest;
  Result<uint64_t> events = peer.Ingest(options.workdir + "/events.ndjson");
  r.ingest_seconds = ingest.Seconds();
  if (!events.ok()) return step("ingest", events.status());
  r.events_ingested = *events;
  if (*events != w.events) {
    return Status::IoError("ingest: stored " + std::to_string(*events) + " of " +
                           std::to_string(w.events) + " events");
  }
  r.figures[kIngestEventsPerSecond] = static_cast<double>(*events) / r.ingest_seconds;
  Progress(name, "ingested " + std::to_string(*events) + " events in " +
                     Fixed(r.ingest_seconds, 2) + " s (" +
                     Fixed(*r.figures[kIngestEventsPerSecond], 0) + " events/s)");

  Result<uint64_t> bytes = peer.BytesOnDisk();
  if (!bytes.ok()) return step("bytes on disk", bytes.status());
  r.bytes_on_disk = *bytes;
  r.figures[kBytesPerEvent] = static_cast<double>(*bytes) / static_cast<double>(*events);
  Progress(name, std::to_string(*bytes) + " bytes on disk (" +
                     Fixed(*r.figures[kBytesPerEvent], 1) + " B/event)");

  Result<Timed> account =
      TimeQueries(w.account_targets.size(), options.phase_seconds, [&](size_t i) {
        return peer.QueryAccount(w.account_targets[i].account_id, w.from_us, w.to_us);
      });
  if (!account.ok()) return step("one-account query", account.status());
  r.account_queries = account->answers.size();
  for (size_t i = 0; i < account->answers.size(); ++i) {
    r.account_rows += account->answers[i];
    r.account_wrong += account->answers[i] != w.account_targets[i].events;
  }
  if (r.account_wrong > 0) {
    return step("one-account query",
                Status::Internal(std::to_string(r.account_wrong) +
                                 " answers differ from the workload's own counts"));
  }
  r.figures[kAccountP50] = Percentile(account->micros, 50);
  r.figures[kAccountP99] = Percentile(account->micros, 99);
  Progress(name, std::to_string(r.account_queries) + " one-account 30-day queries: p50 " +
                     Fixed(*r.figures[kAccountP50], 0) + " us, p99 " +
                     Fixed(*r.figures[kAccountP99], 0) + " us");

  Result<Timed> ip = TimeQueries(w.ip_targets.size(), options.phase_seconds, [&](size_t i) {
    const IpTarget& t = w.ip_targets[i];
    return peer.QueryIp(t.ip, t.from_us, t.to_us);
  });
  if (!ip.ok()) return step("reverse-IP query", ip.status());
  r.ip_queries = ip->answers.size();
  for (uint64_t accounts : ip->answers) r.ip_accounts += accounts;
  r.figures[kIpP50] = Percentile(ip->micros, 50);
  r.figures[kIpP99] = Percentile(ip->micros, 99);
  Progress(name, std::to_string(r.ip_queries) + " reverse-IP 24-hour queries: p50 " +
                     Fixed(*r.figures[kIpP50], 0) + " us, p99 " + Fixed(*r.figures[kIpP99], 0) +
                     " us");

  const Stopwatch drop;
  if (Status s = peer.DropDay(w.first_day); !s.ok()) return step("drop a day", s);
  r.figures[kDropDayMs] = drop.Seconds() * 1e3;
  Progress(name, "dropped " + FormatDate(w.first_day) + " in " + Fixed(*r.figures[kDropDayMs], 1) +
                     " ms");

  for (const auto& [target, figure, label] :
       {std::tuple{w.heavy, kShredHeavyMs, "heavy"}, std::tuple{w.light, kShredLightMs, "light"}}) {
    const Stopwatch shred;
    if (Status s = peer.ShredAccount(target.account_id); !s.ok()) return step("shred", s);
    r.figures[figure] = shred.Seconds() * 1e3;
    // What was shredded must be gone: no event of the account may come back.
    Result<uint64_t> left = peer.QueryAccount(target.account_id, w.from_us, w.to_us);
    if (!left.ok() && !left.status().IsNotFound()) return step("query after shred", left.status());
    if (left.ok() && *left != 0) {
      return Status::IoError("shred: " + std::to_string(*left) + " events still readable");
    }
    Progress(name, std::string("shredded the ") + label + " account (events left: " +
                       std::to_string(target.events) + ") in " + Fixed(*r.figures[figure], 1) +
                       " ms");
  }
  return Status::Ok();
}

PeerResult RunPeer(const std::string& name, const Workload& w, const Options& options) {
  PeerResult r;
  r.name = name;
  Result<std::unique_ptr<Peer>> made = MakePeer(name);
  if (!made.ok()) {
    r.outcome = made.status().IsNotFound() ? PeerResult::Outcome::kSkipped
                                           : PeerResult::Outcome::kFailed;
    r.reason = made.status().message();
    Progress(name, (made.status().IsNotFound() ? "skipped: " : "FAILED: ") + r.reason);
    return r;
  }
  std::unique_ptr<Peer> peer = std::move(made).value();
  const std::string dir = options.workdir + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Status status = peer->Start(dir);
  if (status.ok()) {
    Progress(name, "started");
    status = Measure(*peer, w, options, r);
  } else {
    status = Status::IoError("start: " + status.message());
  }
  peer->Stop();
  if (!options.keep) std::filesystem::remove_all(dir);
  if (!status.ok()) {
    r.outcome = PeerResult::Outcome::kFailed;
    r.reason = status.message();
    Progress(name, "FAILED: " + r.reason);
  }
  return r;
}

int Run(Options options) {
  if (!options.accounts_probe.empty()) {
    return RunAccountProbe(options.accounts_probe, options.accounts, options.queries);
  }
  const Result<Date> first_day = ParseDate(options.first_day);
  if (!first_day.ok()) {
    std::cerr << "vault_bench: --first-day: not a date " << first_day.status().message() << "\n";
    return 2;
  }
  bool own_workdir = false;
  if (options.workdir.empty()) {
    const Result<std::string> made = FreshWorkDir("", "custodian-bench");
    if (!made.ok()) {
      std::cerr << "vault_bench: " << made.status().message() << "\n";
      return 1;
    }
    options.workdir = *made;
    own_workdir = true;
  }
  std::filesystem::create_directories(options.workdir);

  if (options.accounts > 0) {
    AccountScaleOptions scale;
    scale.accounts = options.accounts;
    scale.reads = options.queries;
    scale.workdir = options.workdir;
    scale.self = std::filesystem::canonical("/proc/self/exe").string();
    const int code = RunAccountScale(scale);
    if (own_workdir && !options.keep) std::filesystem::remove_all(options.workdir);
    return code;
  }

  const Result<WorkloadShape> shape = ParseWorkloadShape(options.workload);
  if (!shape.ok()) {
    std::cerr << "vault_bench: --workload: " << shape.status().message() << "\n";
    return 2;
  }
  WorkloadOptions wo;
  wo.shape = *shape;
  wo.first_day = *first_day;
  wo.scale = options.scale;
  wo.seed = options.seed;
  wo.account_targets = options.queries;
  wo.ip_targets = options.queries;
  const Stopwatch generation;
  const Result<Workload> w = GenerateWorkload(wo, options.workdir + "/events.ndjson");
  if (!w.ok()) {
    std::cerr << "vault_bench: workload: " << w.status().message() << "\n";
    return w.status().IsInvalidArgument() ? 2 : 1;
  }
  std::cout << "workload: " << options.workload << ", scale " << options.scale << ", " << w->events << " events, "
            << w->accounts_with_events << " accounts with events, " << w->distinct_ips
            << " distinct IPs, " << w->days << " days from " << FormatDate(w->first_day) << ", "
            << Fixed(w->bytes / 1e6, 1) << " MB of NDJSON in " << options.workdir << " ("
            << Fixed(generation.Seconds(), 1) << " s)\n"
            << "accounts to shred after the first day is dropped: a heavy one ("
            << w->heavy.events << " events left), a light one (" << w->light.events << ")\n";

  std::vector<PeerResult> results;
  for (const std::string& name : options.peers) results.push_back(RunPeer(name, *w, options));

  PrintReport(std::cout, results);
  int code = 0;
  if (!options.json.empty()) {
    if (Status s = WriteJson(options.json, *w, options.workload, options.scale, results); !s.ok()) {
      std::cerr << "vault_bench: " << s.message() << "\n";
      code = 1;
    }
  }
  if (own_workdir && !options.keep) std::filesystem::remove_all(options.workdir);
  const PeerResult* reference = nullptr;
  for (const PeerResult& r : results) {
    if (r.outcome == PeerResult::Outcome::kFailed) code = 1;
    if (r.outcome != PeerResult::Outcome::kOk || r.ip_queries == 0) continue;
    if (!reference) {
      reference = &r;
    } else if (r.ip_queries == reference->ip_queries && r.ip_accounts != reference->ip_accounts) {
      code = 1;  // the report says which peers disagree
    }
  }
  return code;
}

}  // namespace
}  // namespace custodian::bench

int main(int argc, char** argv) {
  using custodian::bench::Options;
  Options options;
  CLI::App app{"vault_bench: custodian's vault and its peers on the same workload, in one run"};
  app.add_option("--workload", options.workload,
                 "zipf (200k accounts at scale 1) or sparse (2M accounts, most of them quiet)")
      ->capture_default_str()
      ->check(CLI::IsMember({"zipf", "sparse"}));
  app.add_option("--scale", options.scale, "1 = 20M events, 200k accounts, 2M IPs, 30 days")
      ->capture_default_str()
      ->check(CLI::Range(0.0001, 10.0));
  app.add_option("--peers", options.peers, "which peers, in order")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember(custodian::bench::AllPeerNames()));
  app.add_option("--queries", options.queries, "one-account and reverse-IP queries, each")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--phase-seconds", options.phase_seconds, "time limit of each query phase")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--seed", options.seed, "the workload's seed")->capture_default_str();
  app.add_option("--first-day", options.first_day, "YYYY-MM-DD: the workload's first of 30 days")
      ->capture_default_str();
  app.add_option("--json", options.json, "also write the results here");
  app.add_option("--workdir", options.workdir,
                 "where the NDJSON and the peers' data go (default: a fresh temporary directory)");
  app.add_flag("--keep", options.keep, "keep the peers' data and the NDJSON afterwards");
  app.add_option("--accounts", options.accounts,
                 "account scale instead of the peers: N accounts of two events each, measured at "
                 "a tenth, half and all of them")
      ->check(CLI::Range(uint64_t{10}, uint64_t{1'000'000'000}));
  app.add_option("--accounts-probe", options.accounts_probe)->group("");  // run by --accounts
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is a ParseError that exits 0
  }
  try {
    return custodian::bench::Run(std::move(options));
  } catch (const std::exception& e) {
    std::cerr << "vault_bench: " << e.what() << "\n";
    return 1;
  }
}
