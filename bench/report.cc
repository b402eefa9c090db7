#include "bench/report.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>

#include <nlohmann/json.hpp>

namespace custodian::bench {
namespace {

// The widest of "peer" and the peers' names, and a space.
int NameWidth(const std::vector<PeerResult>& results) {
  size_t widest = std::strlen("peer");
  for (const PeerResult& r : results) widest = std::max(widest, r.name.size());
  return static_cast<int>(widest) + 1;
}

int Width(const FigureInfo& f) { return std::max(static_cast<int>(std::strlen(f.header)) + 2, 10); }

// Figures below 10 get a decimal, so that small latencies stay readable.
std::string FigureCell(std::optional<double> value) {
  if (!value) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", *value < 10 ? 1 : 0, *value);
  return buf;
}

// Ratios keep two significant digits however small they get.
std::string RatioCell(std::optional<double> ratio) {
  if (!ratio) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, *ratio >= 100 ? "%.0f" : *ratio >= 0.1 ? "%.2f" : "%.2g", *ratio);
  return buf;
}

std::optional<double> Ratio(const PeerResult& peer, const PeerResult& reference, size_t f) {
  if (!peer.figures[f] || !reference.figures[f] || *reference.figures[f] == 0) return std::nullopt;
  return *peer.figures[f] / *reference.figures[f];
}

void PrintRows(std::ostream& out, const std::vector<PeerResult>& results,
               const PeerResult* reference) {
  const int name_width = NameWidth(results);
  out << std::left << std::setw(name_width) << "peer" << std::right;
  for (const FigureInfo& f : kFigures) out << std::setw(Width(f)) << f.header;
  out << "\n";
  for (const PeerResult& r : results) {
    if (std::none_of(r.figures.begin(), r.figures.end(), [](auto f) { return f.has_value(); })) {
      continue;  // skipped, or failed before the first figure: listed below the tables
    }
    out << std::left << std::setw(name_width) << r.name << std::right;
    for (size_t f = 0; f < kFigureCount; ++f) {
      out << std::setw(Width(kFigures[f]))
          << (reference ? RatioCell(Ratio(r, *reference, f)) : FigureCell(r.figures[f]));
    }
    out << "\n";
  }
}

}  // namespace

const PeerResult* Reference(const std::vector<PeerResult>& results) {
  const PeerResult* first = nullptr;
  for (const PeerResult& r : results) {
    if (r.outcome == PeerResult::Outcome::kSkipped || !r.figures[kIngestEventsPerSecond]) continue;
    if (r.name == "custodian") return &r;
    if (first == nullptr) first = &r;
  }
  return first;
}

void PrintReport(std::ostream& out, const std::vector<PeerResult>& results) {
  out << "\n";
  PrintRows(out, results, nullptr);
  if (const PeerResult* reference = Reference(results)) {
    out << "\nratios to " << reference->name
        << " (ingest: higher is faster; every other figure: higher is slower or bigger)\n";
    PrintRows(out, results, reference);
  }
  for (const PeerResult& r : results) {
    if (r.outcome == PeerResult::Outcome::kSkipped) {
      out << "\n" << r.name << ": skipped: " << r.reason;
    }
    if (r.outcome == PeerResult::Outcome::kFailed) {
      out << "\n" << r.name << ": FAILED: " << r.reason;
    }
    if (r.account_wrong > 0) {
      out << "\n" << r.name << ": " << r.account_wrong << " of " << r.account_queries
          << " one-account answers differ from the workload's counts";
    }
  }
  const PeerResult* reference = Reference(results);
  for (const PeerResult& r : results) {
    if (reference && &r != reference && r.ip_queries == reference->ip_queries &&
        r.ip_queries > 0 && r.ip_accounts != reference->ip_accounts) {
      out << "\n" << r.name << ": reverse-IP answers sum to " << r.ip_accounts << ", "
          << reference->name << "'s to " << reference->ip_accounts;
    }
  }
  out << "\n";
}

Status WriteJson(const std::string& path, const Workload& workload, std::string_view shape,
                 double scale,
                 const std::vector<PeerResult>& results) {
  using nlohmann::json;
  const PeerResult* reference = Reference(results);
  json peers = json::array();
  for (const PeerResult& r : results) {
    static constexpr const char* kOutcomes[] = {"ok", "skipped", "failed"};
    json figures = json::object(), ratios = json::object();
    for (size_t f = 0; f < kFigureCount; ++f) {
      figures[kFigures[f].key] = r.figures[f] ? json(*r.figures[f]) : json(nullptr);
      const std::optional<double> ratio = reference ? Ratio(r, *reference, f) : std::nullopt;
      ratios[kFigures[f].key] = ratio ? json(*ratio) : json(nullptr);
    }
    peers.push_back({
        {"name", r.name},
        {"outcome", kOutcomes[static_cast<int>(r.outcome)]},
        {"reason", r.reason},
        {"figures", figures},
        {"ratios", ratios},
        {"events_ingested", r.events_ingested},
        {"ingest_seconds", r.ingest_seconds},
        {"bytes_on_disk", r.bytes_on_disk},
        {"account_queries", r.account_queries},
        {"account_rows", r.account_rows},
        {"account_wrong_answers", r.account_wrong},
        {"ip_queries", r.ip_queries},
        {"ip_accounts", r.ip_accounts},
    });
  }
  const json doc = {
      {"workload",
       {{"shape", shape},
        {"scale", scale},
        {"events", workload.events},
        {"accounts_with_events", workload.accounts_with_events},
        {"distinct_ips", workload.distinct_ips},
        {"ndjson_bytes", workload.bytes},
        {"first_day", FormatDate(workload.first_day)},
        {"days", workload.days},
        {"heavy_account_events", workload.heavy.events},
        {"light_account_events", workload.light.events}}},
      {"reference", reference ? json(reference->name) : json(nullptr)},
      {"peers", peers},
  };
  std::ofstream out(path);
  out << doc.dump(2) << "\n";
  out.close();
  return out ? Status::Ok() : Status::IoError("cannot write " + path);
}

}  // namespace custodian::bench
