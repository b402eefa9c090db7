// production_bench: the time from an approved case to a signed, verified production package
// for one account with --events events in the window (DESIGN.md, Performance), beside the
// nearest thing each plaintext peer does with the same events: read the account's window and
// write it out as CSV (no signature, no PDF). One run, ratios printed (bench/README.md).
//
// custodian runs as an instance does: a vault, an SQLite case store, the workflow with the
// default standards and the example agency registry, signing keys and ledgers, geolocation
// from the MaxMind test database. Each package must pass VerifyPackage, or the run fails.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "bench/child_process.h"
#include "bench/peers/peers.h"
#include "bench/stats.h"
#include "cases/migrations.h"
#include "cases/store/database.h"
#include "core/clock.h"
#include "geo/geolocator.h"
#include "instance/instance.h"
#include "policy/standards.h"
#include "production/package_verifier.h"
#include "production/producer.h"
#include "production/record_pdf_sink.h"
#include "vault/embedded_vault.h"

namespace custodian::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kTarget = 1000042;  // the account the example request names
constexpr char kRequest[] = "examples/requests/hsi-child-safety-court-order.json";
// Its window, [2026-01-01, 2026-03-01), and a week either side with events that must stay out.
constexpr char kWindowStart[] = "2026-01-01T00:00:00Z";
constexpr char kWindowEnd[] = "2026-03-01T00:00:00Z";
constexpr char kReceived[] = "2026-03-12T16:00:00Z";

struct Options {
  uint64_t events = 10'000;
  uint64_t noise_accounts = 1'000;
  uint64_t noise_events = 50'000;
  int repeat = 3;
  std::string peers = "sqlite,rocksdb,postgres,clickhouse";
  std::string workdir;
  bool keep = false;
};

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A file of the repository, e.g. "spec/agencies.example.json".
std::string ProjectFile(const std::string& path) {
  std::ifstream in(std::string(CUSTODIAN_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The peak resident set since the last ResetPeakRss (Linux: VmHWM), in MiB.
double PeakRssMiB() {
  if (const auto peak = ProcStatusKb("VmHWM:")) return static_cast<double>(*peak) / 1024;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;
}
// Linux resets the peak (VmHWM, ru_maxrss) when "5" is written to clear_refs.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Writes the workload as NDJSON in time order: the target's events spread evenly over the
// window (and 50 in the week before and after it, which no one may export), the noise
// accounts' events spread over the whole span. Returns the bytes written.
uint64_t WriteWorkload(const Options& o, const std::string& path) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  const int64_t start = ParseDateTime(kWindowStart)->micros, end = ParseDateTime(kWindowEnd)->micros;
  const int64_t week = 7 * kMicrosPerDay;
  struct Phase {
    int64_t from, to;
    uint64_t target, noise;
  };
  const uint64_t noise_out = o.noise_events / 10;
  const Phase phases[] = {{start - week, start, 50, noise_out},
                          {start, end, o.events, o.noise_events - 2 * noise_out},
                          {end, end + week, 50, noise_out}};
  static constexpr const char* kKinds[] = {"session_refresh", "login", "session_refresh", "login",
                                           "logout", "session_refresh", "failed_login", "login"};
  static constexpr const char* kAgents[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/121.0.0.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
      "ExampleMail/5.4.1 (Android 14; Pixel 8)"};
  // Home addresses the test database places, then addresses it does not.
  static constexpr const char* kHome[] = {"89.160.20.115", "81.2.69.142", "2001:480::1"};
  uint64_t bytes = 0, line = 0;
  char buffer[512];
  for (const Phase& p : phases) {
    const uint64_t total = p.target + p.noise;
    for (uint64_t i = 0; i < total; ++i, ++line) {
      // Bresenham: the target's events fall evenly among the noise.
      const bool target = (i + 1) * p.target / total > i * p.target / total;
      const uint64_t account = target ? kTarget : 2000000 + (line * 7919) % o.noise_accounts;
      const int64_t ts = p.from + static_cast<int64_t>((p.to - p.from) * static_cast<double>(i) / total);
      std::string ip = line % 5 != 0 ? kHome[(account + line / 97) % 3]
                                     : "203.0.113." + std::to_string(line % 251);
      const int n = std::snprintf(
          buffer, sizeof buffer,
          "{\"account_id\": %llu, \"ts\": \"%s\", \"kind\": \"%s\", \"ip\": \"%s\", "
          "\"port\": %llu, \"user_agent\": \"%s\", \"device_id\": \"%016llx\"}\n",
          static_cast<unsigned long long>(account), FormatDateTimeMicros(Timestamp{ts}).c_str(),
          kKinds[line % 8], ip.c_str(), static_cast<unsigned long long>(1024 + line % 60000),
          kAgents[(account + line / 1000) % 3], static_cast<unsigned long long>(account * 2654435761u % 7));
      std::fwrite(buffer, 1, static_cast<size_t>(n), out);
      bytes += static_cast<uint64_t>(n);
    }
  }
  std::fclose(out);
  return bytes;
}

// The PDF's sink, timed: what the record's PDF costs, and when the record was complete.
class TimedSink : public production::RecordSink {
 public:
  explicit TimedSink(std::unique_ptr<production::RecordSink> inner) : inner_(std::move(inner)) {}
  Status BeginAccount(const production::AccountSection& a) override {
    if (!first_) first_ = Clock::now();
    return Timed([&] { return inner_->BeginAccount(a); });
  }
  Status AddEvent(const production::RecordEvent& e) override {
    return Timed([&] { return inner_->AddEvent(e); });
  }
  Status EndAccount() override { return Timed([&] { return inner_->EndAccount(); }); }
  Status Finish(const std::vector<Target>& not_found) override {
    Status s = Timed([&] { return inner_->Finish(not_found); });
    finished_ = Clock::now();
    return s;
  }
  ~TimedSink() override { *report_ = {seconds_, first_.value_or(Clock::now()), finished_}; }

  struct Report {
    double pdf_seconds = 0;
    Clock::time_point first_account, record_done;
  };
  void ReportTo(Report* report) { report_ = report; }

 private:
  template <typename F>
  Status Timed(F&& f) {
    const auto start = Clock::now();
    Status s = f();
    seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    return s;
  }
  std::unique_ptr<production::RecordSink> inner_;
  double seconds_ = 0;
  std::optional<Clock::time_point> first_;
  Clock::time_point finished_ = Clock::now();
  Report* report_ = nullptr;
};

struct Timing {
  double seconds = 0;
  double setup = 0, record = 0, pdf = 0, seal = 0;  // the parts of `seconds`
  uint64_t events = 0;
  uint64_t zip_bytes = 0;
  double peak_rss_mib = 0;
};

template <typename T>
T Median(std::vector<T> v, double T::*field) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return a.*field < b.*field; });
  return v[v.size() / 2];
}

// A custodian instance in `dir` (wired as every instance is: instance/instance.h), with the
// workload ingested.
class BenchInstance {
 public:
  Status Start(const std::string& dir, const std::string& ndjson_path) {
    fs::create_directories(dir);
    auto db = cases::Database::Open("sqlite:" + dir + "/cases.db", master_, cases::Migrations());
    if (!db.ok()) return db.status();
    InstanceParts parts;
    parts.master = master_;
    parts.db = std::move(db).value();
    parts.files_dir = dir;
    parts.clock = &clock_;
    // The vault keeps the whole workload, however old.
    parts.open_vault = [&](const Standards&) -> Result<std::unique_ptr<vault::Vault>> {
      if (Status s = vault::EmbeddedVault::Create(dir + "/vault", master_); !s.ok()) return s;
      vault::VaultOptions vault_options;
      vault_options.clock = &clock_;
      return vault::EmbeddedVault::Open(dir + "/vault", master_, vault_options);
    };
    if (Status s = instance_.Assemble(std::move(parts)); !s.ok()) return s;
    if (Status s = instance_.workflow->ImportRegistry(ProjectFile("spec/agencies.example.json"), {"setup"});
        !s.ok()) {
      return s;
    }
    std::ifstream in(ndjson_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    vault::IngestReport report;
    if (Status s = instance_.vault->Import(text.str(), report); !s.ok()) return s;
    if (report.rejected > 0) return Status::Internal("the vault rejected workload lines");
    const std::string subscriber =
        "{\"account_id\": 1000042, \"effective_from\": \"2025-06-01T00:00:00Z\", \"username\": "
        "\"kestrel42\", \"name\": \"王小明\", \"emails\": [\"k@example.net\"]}\n";
    if (Status s = instance_.vault->IngestSubscribers(subscriber, report); !s.ok()) return s;
    auto geolocator = geo::Geolocator::Open(
        {std::string(CUSTODIAN_SOURCE_DIR) + "/testdata/mmdb/test-data/GeoIP2-City-Test.mmdb"}, "");
    if (!geolocator.ok()) return geolocator.status();
    geolocator_ = std::move(geolocator).value();
    return Status::Ok();
  }

  // A new case for the example request, reviewed and approved by two people.
  Result<std::string> ApprovedCase() {
    auto v = instance_.workflow->Submit({ProjectFile(kRequest), cases::Entry::kStaff, {"intake-1"}});
    if (!v.ok()) return v.status();
    cases::Review review;
    review.confirm_investigation = true;
    if (auto r = instance_.workflow->ReviewCase(v->record.id, {"reviewer-1"}, review); !r.ok()) return r.status();
    auto approved = instance_.workflow->Approve(v->record.id, {"approver-1"});
    if (!approved.ok()) return approved.status();
    if (approved->record.state != cases::CaseState::kApproved) {
      return Status::Internal("the case was not approved: " + v->record.id);
    }
    return v->record.id;
  }

  // Produces the case into `zip` and verifies the package offline.
  Result<Timing> Produce(const std::string& case_id, const std::string& zip, bool show_progress) {
    TimedSink::Report sink_report;
    production::ProducerOptions options;
    options.locate = [&](const IpAddress& ip) -> std::optional<nlohmann::ordered_json> {
      auto where = geolocator_->Locate(ip);
      if (!where.ok() || !*where) return std::nullopt;
      return geo::LocationToJson(**where);
    };
    options.pdf = [&](const std::string& path, const cases::ProductionStart& start,
                      const std::string& created_at, FileSystem& files)
        -> Result<std::unique_ptr<production::RecordSink>> {
      auto sink = production::MakeRecordPdfSink(
          path, start, production::CertificateText{}, created_at,
          {start.scope.categories.Contains(Category::kLocation),
           start.scope.categories.Contains(Category::kDevice)},
          {"Locations are approximate."}, files);
      if (!sink.ok()) return sink.status();
      auto timed = std::make_unique<TimedSink>(std::move(sink).value());
      timed->ReportTo(&sink_report);
      return std::unique_ptr<production::RecordSink>(std::move(timed));
    };
    const auto start = Clock::now();
    if (show_progress) {
      options.progress = [&](uint64_t events) {
        std::fprintf(stderr, "\r  produced %llu events in %.1f s, peak RSS %.0f MiB   ",
                     static_cast<unsigned long long>(events), Since(start), PeakRssMiB());
      };
    }
    production::Producer producer(*instance_.db, *instance_.workflow, *instance_.vault, *instance_.signing_keys,
                                  *instance_.ledgers, clock_, options);
    ResetPeakRss();
    auto outcome = producer.Produce(case_id, zip, {"producer-1"});
    Timing t;
    t.seconds = Since(start);
    t.peak_rss_mib = PeakRssMiB();
    if (show_progress) std::fputc('\n', stderr);
    if (!outcome.ok()) return outcome.status();
    t.events = outcome->events;
    t.setup = std::chrono::duration<double>(sink_report.first_account - start).count();
    t.record = std::chrono::duration<double>(sink_report.record_done - sink_report.first_account).count();
    t.pdf = sink_report.pdf_seconds;
    t.seal = t.seconds - t.setup - t.record;
    t.zip_bytes = fs::file_size(zip);
    auto check = production::VerifyPackage(zip, Key(cases::kProductionKey), Key(cases::kLedgerKey));
    if (!check.ok()) return check.status();
    if (!check->ok()) return Status::Internal("the package does not verify: " + check->failure.value_or("?"));
    return t;
  }

 private:
  std::array<uint8_t, 32> Key(std::string_view purpose) {
    return instance_.signing_keys->Active(purpose, "bench")->key().public_key;
  }

  ManualClock clock_{ParseDateTime(kReceived).value()};
  const vault::SecretKey master_ = vault::SecretKey::Random();
  Instance instance_;
  std::unique_ptr<geo::Geolocator> geolocator_;
};

struct PeerResult {
  std::string name;
  std::string failure;  // empty: it ran
  bool skipped = false;
  double ingest_seconds = 0;
  double seconds = 0;  // median export
  uint64_t rows = 0;
};

PeerResult RunPeer(const std::string& name, const Options& o, const std::string& workdir,
                   const std::string& ndjson) {
  PeerResult r;
  r.name = name;
  Result<std::unique_ptr<Peer>> peer = Status::NotFound("no such peer");
  if (name == "sqlite") peer = MakeSqlitePeer();
  if (name == "rocksdb") peer = MakeRocksDbPeer();
  if (name == "postgres") peer = MakePostgresPeer();
  if (name == "clickhouse") peer = MakeClickHousePeer();
  if (!peer.ok()) {
    r.skipped = peer.status().code() == Status::Code::kNotFound;
    r.failure = peer.status().message();
    return r;
  }
  const std::string dir = workdir + "/" + name;
  fs::create_directories(dir);
  const auto fail = [&](const std::string& step, const Status& s) {
    r.failure = step + ": " + s.message();
    (*peer)->Stop();
    return r;
  };
  if (Status s = (*peer)->Start(dir); !s.ok()) return fail("start", s);
  auto started = Clock::now();
  auto ingested = (*peer)->Ingest(ndjson);
  if (!ingested.ok()) return fail("ingest", ingested.status());
  r.ingest_seconds = Since(started);
  const int64_t from = ParseDateTime(kWindowStart)->micros, to = ParseDateTime(kWindowEnd)->micros;
  std::vector<double> times;
  for (int i = 0; i < o.repeat; ++i) {
    started = Clock::now();
    auto rows = (*peer)->ExportAccountCsv(kTarget, from, to, workdir + "/" + name + ".csv");
    if (!rows.ok()) return fail("export", rows.status());
    times.push_back(Since(started));
    r.rows = *rows;
  }
  std::sort(times.begin(), times.end());
  r.seconds = times[times.size() / 2];
  (*peer)->Stop();
  if (r.rows != o.events) {
    r.failure = "exported " + std::to_string(r.rows) + " rows, not " + std::to_string(o.events);
  }
  fs::remove_all(dir);
  return r;
}

int Run(const Options& o) {
  const Result<std::string> made = FreshWorkDir(o.workdir, "custodian-production-bench");
  if (!made.ok()) {
    std::cerr << made.status().message() << "\n";
    return 2;
  }
  const std::string workdir = *made;
  const std::string ndjson = workdir + "/events.ndjson";
  auto started = Clock::now();
  const uint64_t bytes = WriteWorkload(o, ndjson);
  std::printf("workload: account %llu with %llu events in [%s, %s) and 100 outside it, %llu noise "
              "events of %llu accounts; %.1f MB of NDJSON in %s (%.1f s)\n",
              static_cast<unsigned long long>(kTarget), static_cast<unsigned long long>(o.events),
              kWindowStart, kWindowEnd, static_cast<unsigned long long>(o.noise_events),
              static_cast<unsigned long long>(o.noise_accounts), bytes / 1e6, workdir.c_str(),
              Since(started));
  std::fflush(stdout);

  int exit_code = 0;
  BenchInstance instance;
  started = Clock::now();
  if (Status s = instance.Start(workdir + "/custodian", ndjson); !s.ok()) {
    std::fprintf(stderr, "custodian: FAILED setting up: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("[custodian] instance ready, workload imported (%.1f s)\n", Since(started));
  std::vector<Timing> runs;
  for (int i = 0; i < o.repeat; ++i) {
    auto id = instance.ApprovedCase();
    if (!id.ok()) {
      std::fprintf(stderr, "custodian: FAILED approving a case: %s\n", id.status().message().c_str());
      return 1;
    }
    const std::string zip = workdir + "/package-" + std::to_string(i) + ".zip";
    auto t = instance.Produce(*id, zip, ::isatty(STDERR_FILENO) && o.events >= 100'000);
    if (!t.ok()) {
      std::fprintf(stderr, "custodian: FAILED producing %s: %s\n", id->c_str(), t.status().message().c_str());
      return 1;
    }
    if (t->events != o.events) {
      std::fprintf(stderr, "custodian: FAILED: %llu events produced, not %llu\n",
                   static_cast<unsigned long long>(t->events), static_cast<unsigned long long>(o.events));
      return 1;
    }
    std::printf("[custodian] %s: %llu events, package %.1f MB, verified; %.3f s (before the record "
                "%.3f, record %.3f of which PDF %.3f, sign+ledger+zip %.3f), peak RSS %.0f MiB\n",
                id->c_str(), static_cast<unsigned long long>(t->events), t->zip_bytes / 1e6,
                t->seconds, t->setup, t->record, t->pdf, t->seal, t->peak_rss_mib);
    std::fflush(stdout);
    fs::remove(zip);
    runs.push_back(*t);
  }
  const Timing custodian = Median(runs, &Timing::seconds);

  std::vector<PeerResult> peers;
  std::stringstream names(o.peers);
  for (std::string name; std::getline(names, name, ',');) {
    if (name.empty()) continue;
    PeerResult r = RunPeer(name, o, workdir, ndjson);
    if (r.skipped) {
      std::printf("[%s] skipped: %s\n", name.c_str(), r.failure.c_str());
    } else if (!r.failure.empty()) {
      std::printf("[%s] FAILED: %s\n", name.c_str(), r.failure.c_str());
      exit_code = 1;
    } else {
      std::printf("[%s] ingested in %.1f s; exported %llu rows to CSV in %.4f s (median of %d)\n",
                  name.c_str(), r.ingest_seconds, static_cast<unsigned long long>(r.rows),
                  r.seconds, o.repeat);
    }
    std::fflush(stdout);
    peers.push_back(r);
  }

  std::printf("\n%-11s %-44s %9s %10s %11s %9s\n", "system", "what", "events", "median s",
              "events/s", "ratio");
  std::printf("%-11s %-44s %9llu %10.4f %11.0f %9.2f\n", "custodian",
              "approved case -> signed, verified package", static_cast<unsigned long long>(custodian.events),
              custodian.seconds, custodian.events / custodian.seconds, 1.0);
  for (const PeerResult& r : peers) {
    if (!r.failure.empty()) continue;
    std::printf("%-11s %-44s %9llu %10.4f %11.0f %9.3f\n", r.name.c_str(),
                "window -> CSV file (no PDF, no signature)", static_cast<unsigned long long>(r.rows),
                r.seconds, r.rows / r.seconds, r.seconds / custodian.seconds);
  }
  std::printf("ratio: the system's time over custodian's (lower is faster)\n");
  std::printf("custodian's median production: %.3f s = before the record %.3f + record %.3f "
              "(PDF %.3f, the rest vault read, geolocation, JSON, CSV) + sign, ledger, zip %.3f; "
              "%.1f us an event; peak RSS while producing %.0f MiB\n",
              custodian.seconds, custodian.setup, custodian.record, custodian.pdf, custodian.seal,
              custodian.seconds * 1e6 / custodian.events, custodian.peak_rss_mib);

  if (!o.keep) fs::remove_all(workdir);
  return exit_code;
}

}  // namespace
}  // namespace custodian::bench

int main(int argc, char** argv) {
  custodian::bench::Options o;
  CLI::App app{"custodian's production against its peers' CSV export (bench/README.md)"};
  app.add_option("--events", o.events, "The target account's events in the window")->check(CLI::Range(1, 100'000'000));
  app.add_option("--noise-events", o.noise_events, "Other accounts' events")->check(CLI::Range(10, 100'000'000));
  app.add_option("--noise-accounts", o.noise_accounts, "How many other accounts")->check(CLI::Range(1, 10'000'000));
  app.add_option("--repeat", o.repeat, "Productions (and exports) per figure; the median is shown")->check(CLI::Range(1, 100));
  app.add_option("--peers", o.peers, "sqlite,rocksdb,postgres,clickhouse or a part of it");
  app.add_option("--workdir", o.workdir, "Where the work directory goes (default $TMPDIR or /tmp)");
  app.add_flag("--keep", o.keep, "Keep the work directory");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return custodian::bench::Run(o);
}
