// gen_workload: writes the benchmark's workload (bench/workload.h) as NDJSON, for feeding
// custodian or a peer by hand. vault_bench generates its own; this is the same generator.
//   gen_workload --scale 0.01 --out events.ndjson
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "bench/workload.h"

int main(int argc, char** argv) {
  using namespace custodian;
  bench::WorkloadOptions options;
  std::string out = "events.ndjson";
  std::string first_day = FormatDate(options.first_day);
  std::string shape = "zipf";
  CLI::App app{"gen_workload: the benchmark's access events (DESIGN.md, Performance) as NDJSON"};
  app.add_option("--workload", shape,
                 "zipf (200k accounts at scale 1) or sparse (2M accounts, most of them quiet)")
      ->capture_default_str()
      ->check(CLI::IsMember({"zipf", "sparse"}));
  app.add_option("--scale", options.scale, "1 = 20M events, 200k accounts (2M sparse), 2M IPs (8M)")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "same seed and scale, same file")->capture_default_str();
  app.add_option("--first-day", first_day, "YYYY-MM-DD; the workload covers 30 days")
      ->capture_default_str();
  app.add_option("--out", out, "where to write the NDJSON")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is a ParseError that exits 0
  }

  const Result<Date> day = ParseDate(first_day);
  if (!day.ok()) {
    std::cerr << "gen_workload: --first-day: not a date " << day.status().message() << "\n";
    return 2;
  }
  options.first_day = *day;
  options.shape = *bench::ParseWorkloadShape(shape);  // CLI11 checked the name
  const auto start = std::chrono::steady_clock::now();
  const Result<bench::Workload> w = bench::GenerateWorkload(options, out);
  if (!w.ok()) {
    std::cerr << "gen_workload: " << w.status().message() << "\n";
    return w.status().IsInvalidArgument() ? 2 : 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %llu events, %llu accounts with events, %llu distinct IPs, %.1f MB, "
              "%d days from %s, %.1f s\n",
              out.c_str(), static_cast<unsigned long long>(w->events),
              static_cast<unsigned long long>(w->accounts_with_events),
              static_cast<unsigned long long>(w->distinct_ips), w->bytes / 1e6, w->days,
              FormatDate(w->first_day).c_str(), seconds);
  std::printf("after the first day: heaviest account %llu (%llu events), a lightest %llu (%llu)\n",
              static_cast<unsigned long long>(w->heavy.account_id),
              static_cast<unsigned long long>(w->heavy.events),
              static_cast<unsigned long long>(w->light.account_id),
              static_cast<unsigned long long>(w->light.events));
  return 0;
}
