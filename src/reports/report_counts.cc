#include "reports/report_counts.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace custodian::reports {
namespace {

using ledger::DisclosureKind;
using ledger::DisclosureLeaf;

bool InPeriod(Date d, ReportPeriod p) { return p.from <= d && d < p.to; }

// What the leaves of one request say, folded in log order.
struct RequestState {
  const DisclosureLeaf* latest = nullptr;
  std::string_view person_outcome;  // of the latest decision leaf; a recommendation is none
  // Its productions by manifest: whether each had data, and was narrowed. An aborted one is
  // taken out again, as if it had never been (its package never went out).
  struct Made {
    bool data = false;
    bool narrowed = false;
  };
  std::map<std::string, Made> productions;
  bool notified = false;

  bool produced_data() const {
    return std::any_of(productions.begin(), productions.end(), [](const auto& p) { return p.second.data; });
  }
  bool produced_narrowed() const {
    return std::any_of(productions.begin(), productions.end(),
                       [](const auto& p) { return p.second.data && p.second.narrowed; });
  }
};

std::unordered_map<std::string, RequestState> FoldRequests(
    const std::vector<DisclosureLeaf>& leaves) {
  std::unordered_map<std::string, RequestState> requests;
  for (const DisclosureLeaf& leaf : leaves) {
    // Never in this log (disclosure_log.h); were one there, it must still not be counted.
    if (leaf.process_type == kNationalSecurityLetter) continue;
    RequestState& s = requests[leaf.case_pseudonym];
    s.latest = &leaf;
    switch (leaf.kind) {
      case DisclosureKind::kReceived:
        break;
      case DisclosureKind::kDecision:
        // A request withdrawn while its pushback stood still counts as pushed back.
        if (leaf.outcome == ledger::kOutcomeWithdrawn && s.person_outcome == ledger::kOutcomePushedBack) break;
        s.person_outcome = leaf.outcome;
        break;
      case DisclosureKind::kProduction:
        if (leaf.outcome == ledger::kOutcomeAborted) {
          s.productions.erase(leaf.manifest_sha256.value_or(""));
        } else {
          s.productions[leaf.manifest_sha256.value_or("")] = {leaf.accounts_with_data.value_or(0) > 0, leaf.narrowed};
        }
        break;
      case DisclosureKind::kNotice:
        s.notified = true;
        break;
    }
  }
  return requests;
}

// A month as (year, month) from MonthOf's text.
std::pair<long long, int> YearMonth(const std::string& month) {
  return {std::stoll(month.substr(0, month.size() - 3)), std::stoi(month.substr(month.size() - 2))};
}

// Every month the period touches, each with no requests yet.
std::vector<MonthCounts> MonthsOf(ReportPeriod p) {
  std::vector<MonthCounts> out;
  if (!(p.from < p.to)) return out;
  auto [year, month] = YearMonth(MonthOf(p.from));
  const std::pair<long long, int> last = YearMonth(MonthOf(p.to.PlusDays(-1)));
  for (; std::pair(year, month) <= last; month = month % 12 + 1, year += month == 1) {
    char key[32];
    std::snprintf(key, sizeof key, "%04lld-%02d", year, month);
    out.push_back({key, 0});
  }
  return out;
}

NationalSecurityBands CountNationalSecurityLetters(const std::vector<ledger::AuditLeaf>& leaves,
                                                   ReportPeriod period, int64_t band_width) {
  // One "submit" entry a case; its time stands for the letter's receipt (docs/reports.md).
  int64_t letters = 0, accounts = 0;
  for (const ledger::AuditLeaf& leaf : leaves) {
    if (leaf.action != "submit" || leaf.process_type != kNationalSecurityLetter) continue;
    if (!InPeriod(Timestamp{leaf.at_micros}.UtcDate(), period)) continue;
    ++letters;
    accounts += std::max<int64_t>(leaf.targets.value_or(0), 0);
  }
  return {Band(letters, band_width), Band(accounts, band_width)};
}

}  // namespace

std::string MonthOf(Date date) {
  const std::string day = FormatDate(date);
  return day.substr(0, day.size() - 3);
}

std::string Band(int64_t value, int64_t width) {
  width = std::max<int64_t>(width, 1);
  const int64_t low = std::max<int64_t>(value, 0) / width * width;
  return std::to_string(low) + "-" + std::to_string(low + width - 1);
}

bool IsSuppressed(int64_t count, int64_t suppress_below) { return count < suppress_below; }

std::string PublishedCount(int64_t count, int64_t suppress_below) {
  return IsSuppressed(count, suppress_below) ? "<" + std::to_string(suppress_below)
                                             : std::to_string(count);
}

CountSettings CountSettingsOf(const Standards& standards) {
  return {standards.report_nsl_band, standards.report_suppress_below, standards.report_publish_leaves};
}

Report CountReport(const ReportLeaves& leaves, ReportPeriod period, const CountSettings& settings) {
  Report r;
  r.period = period;
  // Whoever holds the leaves can count any row themselves: a threshold would hide nothing.
  r.suppressed_below = settings.publish_leaves ? 0 : settings.suppress_below;
  r.leaves_published = settings.publish_leaves;
  if (settings.publish_leaves) r.leaves = leaves.disclosure_bytes;
  r.by_month = MonthsOf(period);
  std::map<std::string, CountryCounts> countries;
  std::map<std::string, TypeCounts> process_types, agency_types;
  std::map<std::string, int64_t> months;
  for (const auto& [pseudonym, s] : FoldRequests(leaves.disclosures)) {
    const DisclosureLeaf& latest = *s.latest;
    if (!InPeriod(latest.received, period)) continue;
    const int64_t with_data = s.produced_data() ? 1 : 0;
    ReportTotals& t = r.totals;
    ++t.requests;
    t.accounts_specified += latest.targets;
    t.with_data_produced += with_data;
    t.produced_narrowed += s.produced_narrowed() ? 1 : 0;
    t.no_data += s.person_outcome == ledger::kOutcomeApproved && !s.productions.empty() && !s.produced_data();
    t.pushed_back += s.person_outcome == ledger::kOutcomePushedBack;
    t.rejected += s.person_outcome == ledger::kOutcomeRejected;
    t.withdrawn += s.person_outcome == ledger::kOutcomeWithdrawn;
    t.preservation += latest.preservation;
    t.emergency += latest.emergency;
    t.under_nondisclosure += latest.nondisclosure;
    t.user_notified += s.notified;

    CountryCounts& country = countries[latest.country];
    country.country = latest.country;
    ++country.requests;
    country.accounts_specified += latest.targets;
    country.with_data_produced += with_data;
    for (auto [rows, key] : {std::pair{&process_types, &latest.process_type},
                             std::pair{&agency_types, &latest.agency_type}}) {
      TypeCounts& row = (*rows)[*key];
      row.type = *key;
      ++row.requests;
      row.with_data_produced += with_data;
    }
    ++months[MonthOf(latest.received)];
  }
  for (auto& [key, row] : countries) r.by_country.push_back(std::move(row));
  for (auto& [key, row] : process_types) r.by_process_type.push_back(std::move(row));
  for (auto& [key, row] : agency_types) r.by_agency_type.push_back(std::move(row));
  for (MonthCounts& m : r.by_month) m.requests = months[m.month];
  r.national_security =
      CountNationalSecurityLetters(leaves.typed_audit, period, settings.nsl_band);
  return r;
}

}  // namespace custodian::reports
