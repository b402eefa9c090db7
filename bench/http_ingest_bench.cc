// http_ingest_bench: a service pushing access events to `custodian serve` through
// `POST /api/v1/ingest/events`, beside ClickHouse's HTTP insert of the same batches with the
// same concurrency (bench/README.md, "http_ingest_bench").
//   http_ingest_bench [--workload sparse|zipf] [--scale F] [--clients 8] [--batch 1000]
//                     [--seconds 60] [--kill-seconds 6] [--peers custodian,clickhouse]
//                     [--workdir DIR] [--keep]
// Each client keeps one connection and posts the next batch as soon as the last is answered;
// the batches are the workload's lines in order, taken round-robin (and again from the start
// when they run out). Then custodian is killed with SIGKILL while the clients post, started
// again, and its vault must hold every event it acknowledged.
// This is the program's exception fence: anything thrown is printed as one line, exit 1.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "bench/child_process.h"
#include "bench/peers/peers.h"
#include "bench/stats.h"
#include "bench/workload.h"
#include "core/clock.h"

namespace custodian::bench {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string workload = "sparse";
  double scale = 0.1;
  int clients = 8;
  size_t batch = 1000;
  double seconds = 60;
  double kill_seconds = 6;  // custodian's durability check: posting, killed halfway
  std::vector<std::string> peers = {"custodian", "clickhouse"};
  std::string workdir;
  bool keep = false;
  std::string custodian = CUSTODIAN_BINARY;  // the program under test
};

// The workload's lines cut into batches of `size` lines.
struct Batches {
  std::string text;
  std::vector<std::string_view> bodies;
  std::vector<uint64_t> lines;
};

Batches Cut(std::string text, size_t size) {
  Batches b;
  b.text = std::move(text);
  size_t start = 0, count = 0;
  for (size_t i = 0; i < b.text.size(); ++i) {
    if (b.text[i] != '\n' || ++count < size) continue;
    b.bodies.push_back(std::string_view(b.text).substr(start, i + 1 - start));
    b.lines.push_back(count);
    start = i + 1;
    count = 0;
  }
  if (start < b.text.size()) {
    b.bodies.push_back(std::string_view(b.text).substr(start));
    b.lines.push_back(count + 1);
  }
  return b;
}

// What the clients saw: acknowledged events and batches, failures, each batch's latency.
struct Drive {
  uint64_t events = 0;
  uint64_t batches = 0;
  uint64_t errors = 0;
  std::string first_error;
  std::vector<double> micros;
  double seconds = 0;
};

// `clients` threads post batches to 127.0.0.1:`port``path` until `seconds` pass or `stop`
// is set; a batch counts once answered 200 (and, when `check` says so, accepted whole).
Drive Post(const Options& o, const Batches& batches, std::atomic<size_t>& next, int port,
           const std::string& path, const httplib::Headers& headers, double seconds,
           const std::atomic<bool>& stop, bool check_accepted) {
  Drive total;
  std::mutex mu;
  const Stopwatch clock;
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_connection_timeout(5);
      client.set_read_timeout(120);
      Drive mine;
      while (!stop && clock.Seconds() < seconds) {
        const size_t i = next++ % batches.bodies.size();
        const Stopwatch one;
        auto res = client.Post(path, headers, batches.bodies[i].data(), batches.bodies[i].size(),
                               "application/x-ndjson");
        const double micros = one.Micros();
        std::string error;
        if (!res) {
          error = "no answer: " + httplib::to_string(res.error());
        } else if (res->status != 200) {
          error = "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200);
        } else if (check_accepted) {
          const auto answer = nlohmann::json::parse(res->body, nullptr, false);
          if (!answer.is_object() || answer.value("accepted", uint64_t{0}) != batches.lines[i]) {
            error = "not every line accepted: " + res->body.substr(0, 200);
          }
        }
        if (!error.empty()) {
          if (mine.errors++ == 0) mine.first_error = error;
          if (stop) break;
          continue;
        }
        mine.events += batches.lines[i];
        ++mine.batches;
        mine.micros.push_back(micros);
      }
      std::lock_guard lock(mu);
      total.events += mine.events;
      total.batches += mine.batches;
      total.errors += mine.errors;
      if (total.first_error.empty()) total.first_error = mine.first_error;
      total.micros.insert(total.micros.end(), mine.micros.begin(), mine.micros.end());
    });
  }
  for (auto& t : threads) t.join();
  total.seconds = clock.Seconds();
  return total;
}

void Print(const std::string& name, const Drive& d, const Options& o) {
  std::printf("%-11s %9.0f %9.2f %9.2f %10llu %8llu  %d clients x %zu-event batches, %.0f s\n",
              name.c_str(), static_cast<double>(d.events) / d.seconds,
              d.micros.empty() ? 0 : Percentile(d.micros, 50) / 1e3,
              d.micros.empty() ? 0 : Percentile(d.micros, 99) / 1e3,
              static_cast<unsigned long long>(d.batches), static_cast<unsigned long long>(d.errors),
              o.clients, o.batch, d.seconds);
  if (!d.first_error.empty()) std::printf("  %s: first error: %s\n", name.c_str(), d.first_error.c_str());
  std::fflush(stdout);
}

// Runs the custodian CLI to the end; its standard output, or why it failed.
Result<std::string> Cli(const Options& o, const std::vector<std::string>& args) {
  std::string command = "'" + o.custodian + "'";
  for (const std::string& a : args) command += " '" + a + "'";
  return RunCapturing(command + " 2>&1");
}

// custodian serve on a free loopback port, ready for requests.
Status StartServe(const Options& o, ChildProcess& server, const std::string& data,
                  const std::string& key, int port) {
  if (Status s = server.Start({o.custodian, "serve", "--data", data, "--key-file", key,
                               "--listen", "127.0.0.1:" + std::to_string(port)},
                              ServiceUser{}, data + "/..", data + "/../serve.log");
      !s.ok()) {
    return s;
  }
  httplib::Client probe("127.0.0.1", port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto res = probe.Get("/api/openapi.json"); res && res->status == 200) return Status::Ok();
    if (!server.Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("custodian serve did not start: " + LogTail(data + "/../serve.log"));
}

Result<uint64_t> StoredEvents(const Options& o, const std::string& data, const std::string& key) {
  auto out = Cli(o, {"vault", "stats", "--data", data, "--key-file", key});
  if (!out.ok()) return out.status();
  const auto stats = nlohmann::json::parse(*out, nullptr, false);
  if (!stats.is_object() || !stats.contains("events")) {
    return Status::Internal("vault stats said: " + out->substr(0, 200));
  }
  return stats["events"].get<uint64_t>();
}

// custodian: the timed run, then the kill -9 check. False when a check failed.
Result<bool> RunCustodian(const Options& o, const Batches& batches) {
  const std::string dir = o.workdir + "/custodian", data = dir + "/data", key = dir + "/master.key";
  fs::create_directories(dir);
  if (auto r = Cli(o, {"init", "--data", data, "--key-file", key}); !r.ok()) return r.status();
  auto created = Cli(o, {"user", "token", "create", "--data", data, "--key-file", key, "--actor",
                      "bench", "--service", "bench-service"});
  if (!created.ok()) return created.status();
  const auto answer = nlohmann::json::parse(*created, nullptr, false);
  if (!answer.is_object() || !answer.contains("token") || !answer["token"].is_string()) {
    return Status::Internal("no token in: " + *created);
  }
  const std::string token = answer["token"].get<std::string>();
  const Result<int> port = FreeLoopbackPort();
  if (!port.ok()) return port.status();

  ChildProcess server;
  if (Status s = StartServe(o, server, data, key, *port); !s.ok()) return s;
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const Drive timed = Post(o, batches, next, *port, "/api/v1/ingest/events", auth, o.seconds, stop, true);
  Print("custodian", timed, o);

  // Killed while the clients post: every event acknowledged, before or during, must be
  // stored after a restart; at most the batches in flight may be stored unacknowledged.
  Drive during;
  std::thread clients([&] {
    during = Post(o, batches, next, *port, "/api/v1/ingest/events", auth, o.kill_seconds * 2, stop, true);
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(o.kill_seconds));
  server.Stop(SIGKILL, std::chrono::milliseconds(0));
  stop = true;
  clients.join();
  if (Status s = StartServe(o, server, data, key, *port); !s.ok()) return s;  // recovers the journals
  server.Stop(SIGTERM, std::chrono::seconds(60));
  const Result<uint64_t> stored = StoredEvents(o, data, key);
  if (!stored.ok()) return stored.status();
  const uint64_t acknowledged = timed.events + during.events;
  const uint64_t in_flight = static_cast<uint64_t>(o.clients) * o.batch;
  // Posting must have gone on up to the kill, or the check proves nothing.
  const bool held = during.events > 0 && *stored >= acknowledged && *stored <= acknowledged + in_flight;
  std::printf("custodian   kill -9 after %.1f s of posting: %llu events acknowledged in all, %llu "
              "stored after the restart (at most %llu more may be, in flight): %s\n",
              o.kill_seconds, static_cast<unsigned long long>(acknowledged),
              static_cast<unsigned long long>(*stored), static_cast<unsigned long long>(in_flight),
              held ? "none lost" : "FAILED");
  return held && timed.errors == 0;
}

Result<bool> RunClickHouse(const Options& o, const Batches& batches) {
  auto peer = MakeClickHousePeer();
  if (!peer.ok()) return peer.status();
  const std::string dir = o.workdir + "/clickhouse";
  fs::create_directories(dir);
  if (Status s = (*peer)->Start(dir); !s.ok()) return s;
  const auto target = (*peer)->HttpInsertTarget();
  if (!target) return Status::Internal("clickhouse has no HTTP insert target");
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const Drive d = Post(o, batches, next, target->port, target->path, {}, o.seconds, stop, false);
  Print("clickhouse", d, o);
  (*peer)->Stop();
  return d.errors == 0;
}

int Run(Options o) {
  if (std::find(o.peers.begin(), o.peers.end(), "custodian") != o.peers.end() &&
      !fs::exists(o.custodian)) {
    std::cerr << "http_ingest_bench: no custodian program at " << o.custodian
              << ": build the custodian target, or give --custodian PATH\n";
    return 2;
  }
  o.custodian = fs::absolute(o.custodian).string();  // a child's program is named absolutely
  bool own = false;
  if (o.workdir.empty()) {
    const Result<std::string> made = FreshWorkDir("", "custodian-http-bench");
    if (!made.ok()) {
      std::cerr << "http_ingest_bench: " << made.status().message() << "\n";
      return 1;
    }
    o.workdir = *made;
    own = true;
  }
  fs::create_directories(o.workdir);
  WorkloadOptions wo;
  wo.shape = *ParseWorkloadShape(o.workload);  // CLI11 checked the name
  wo.scale = o.scale;
  // The last 30 days: what custodian serve admits (its retention, no future beyond a day).
  wo.first_day = SystemClock().Now().UtcDate().PlusDays(-30);
  const std::string path = o.workdir + "/events.ndjson";
  const Result<Workload> w = GenerateWorkload(wo, path);
  if (!w.ok()) {
    std::cerr << "http_ingest_bench: workload: " << w.status().message() << "\n";
    return 1;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const Batches batches = Cut(text.str(), o.batch);
  std::cout << "workload: " << o.workload << ", scale " << o.scale << ", " << w->events
            << " events from " << FormatDate(w->first_day) << " in " << batches.bodies.size()
            << " batches, posted round-robin; work directory " << o.workdir << "\n"
            << "peer        events/s  p50 ms    p99 ms    batches    errors" << std::endl;
  int code = 0;
  for (const std::string& name : o.peers) {
    const Result<bool> ok = name == "custodian" ? RunCustodian(o, batches) : RunClickHouse(o, batches);
    if (!ok.ok()) std::printf("%-11s FAILED: %s\n", name.c_str(), ok.status().message().c_str());
    if (!ok.ok() || !*ok) code = 1;
  }
  if (own && !o.keep) fs::remove_all(o.workdir);
  return code;
}

}  // namespace
}  // namespace custodian::bench

int main(int argc, char** argv) {
  // A server killed mid-request must be an error on that request, not the end of the run.
  std::signal(SIGPIPE, SIG_IGN);
  custodian::bench::Options o;
  CLI::App app{"http_ingest_bench: concurrent HTTP ingest into custodian serve and ClickHouse"};
  app.add_option("--workload", o.workload, "sparse or zipf")
      ->capture_default_str()
      ->check(CLI::IsMember({"zipf", "sparse"}));
  app.add_option("--scale", o.scale, "of the workload posted round-robin")
      ->capture_default_str()
      ->check(CLI::Range(0.0001, 10.0));
  app.add_option("--clients", o.clients, "concurrent clients")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--batch", o.batch, "events per request")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--seconds", o.seconds, "how long each peer is posted to")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--kill-seconds", o.kill_seconds, "custodian's kill -9 check: posting this long, then the kill")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 600.0));
  app.add_option("--peers", o.peers, "custodian, clickhouse")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember({"custodian", "clickhouse"}));
  app.add_option("--workdir", o.workdir, "where everything goes (default: a fresh temporary directory)");
  app.add_flag("--keep", o.keep, "keep the work directory");
  app.add_option("--custodian", o.custodian, "the custodian program to serve")
      ->capture_default_str()
      ->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return custodian::bench::Run(std::move(o));
  } catch (const std::exception& e) {
    std::cerr << "http_ingest_bench: " << e.what() << "\n";
    return 1;
  }
}
