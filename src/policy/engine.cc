#include "policy/engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/ip_address.h"
#include "core/unicode.h"
#include "policy/point_in_time.h"
#include "policy/targets.h"

namespace custodian {
namespace {

bool IsBlank(const std::optional<std::string>& s) { return !s || TrimmedLength(*s) == 0; }
size_t Length(const std::optional<std::string>& s) { return s ? TrimmedLength(*s) : 0; }

// Fills a message's {placeholders}; the loader has checked that each one is known.
std::string Expand(const std::string& message,
                   const std::map<std::string_view, std::string>& values) {
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    const size_t open = message.find('{', pos);
    if (open == std::string::npos) break;
    const size_t close = message.find('}', open);
    if (close == std::string::npos) break;
    out.append(message, pos, open - pos);
    auto it = values.find(std::string_view(message).substr(open + 1, close - open - 1));
    out += it == values.end() ? message.substr(open, close - open + 1) : it->second;
    pos = close + 1;
  }
  out.append(message, pos);
  // A message is a sentence: "{process} cannot …" starts with a capital.
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

class Evaluation {
 public:
  Evaluation(const Request& r, const Standards& s, const AgencyRegistry& reg)
      : request_(r), standards_(s), registry_(reg), process_(s.process(r.process.type)) {}

  Decision Run();

 private:
  using Values = std::map<std::string_view, std::string>;

  // Records a finding for `rule` unless the rule does not reach preservation requests.
  void Fire(Rule rule, Values values = {}, std::optional<Category> category = std::nullopt) {
    const RuleStandard& rs = standards_.rule(rule);
    if (process_.preserves && !rs.preservation) return;
    values.emplace("process", process_.label);
    findings_.push_back({rule, rs.severity, Expand(rs.message, values), rs.citation, category});
  }

  void CheckProcess();
  void CheckPurpose();
  void CheckTargets();
  void CheckWindow();
  void CheckTimes();
  void CheckRequester();
  void CheckNondisclosure();
  CategorySet CheckCategories();
  Action DecideAction() const;
  Notice DecideNotice(Action action) const;

  const Request& request_;
  const Standards& standards_;
  const AgencyRegistry& registry_;
  const ProcessStandard& process_;
  const Date receipt_ = request_.received_at.UtcDate();
  std::vector<Finding> findings_;
  std::optional<Window> window_;  // the window after clamping and emergency narrowing
  // A scope of instants: those kept, and their intervals after clamping and narrowing.
  std::vector<Timestamp> times_;
  std::vector<Window> intervals_;
};

void Evaluation::CheckProcess() {
  const Process& p = request_.process;
  if (!process_.legal_process) Fire(Rule::kNotLegalProcess);
  if (process_.valid_for_days && p.issued_on &&
      receipt_.days - p.issued_on->days > *process_.valid_for_days) {
    Fire(Rule::kWarrantStale, {{"max_days", std::to_string(*process_.valid_for_days)}});
  }
  if (!p.is_signed && process_.requires_signature) Fire(Rule::kProcessUnsigned);
  if (p.issued_on && *p.issued_on > receipt_) Fire(Rule::kProcessFutureDated);
  if (request_.requester.country != standards_.home_country && !process_.foreign_requesters) {
    Fire(Rule::kForeignRequiresMlat, {{"home_country", standards_.home_country}});
  }
  if (process_.emergency) {
    const auto& e = request_.emergency;
    const bool substantiated = e && e->imminent.value_or(false) &&
                               Length(e->danger) >= static_cast<size_t>(standards_.min_danger_length);
    if (!substantiated) {
      Fire(Rule::kEmergencyNotSubstantiated,
           {{"min_length", std::to_string(standards_.min_danger_length)}});
    }
  }
}

void Evaluation::CheckPurpose() {
  const auto& purpose = request_.purpose;
  if (IsBlank(purpose ? purpose->legal_basis : std::nullopt)) Fire(Rule::kMissingLegalBasis);
  if (Length(purpose ? purpose->factual_basis : std::nullopt) <
      static_cast<size_t>(standards_.min_factual_basis_length)) {
    Fire(Rule::kMissingFactualBasis,
         {{"min_length", std::to_string(standards_.min_factual_basis_length)}});
  }
  if (purpose && purpose->investigation_type && !process_.judicial) {
    const auto& judicial_only = standards_.judicial_only_investigations;
    if (std::find(judicial_only.begin(), judicial_only.end(), *purpose->investigation_type) !=
        judicial_only.end()) {
      Fire(Rule::kCivilImmigrationRequiresJudicialProcess);
    }
  }
}

void Evaluation::CheckTargets() {
  const auto& targets = request_.targets;
  if (targets.empty()) Fire(Rule::kNoTargets);
  const auto& specific = standards_.specific_target_types;
  const bool all_specific = std::all_of(targets.begin(), targets.end(), [&](const Target& t) {
    return std::find(specific.begin(), specific.end(), t.type) != specific.end();
  });
  if (!all_specific) {
    std::string list;
    for (const std::string& s : specific) list += (list.empty() ? "" : ", ") + s;
    Fire(Rule::kTargetNotSpecific, {{"specific_types", list}});
  }
  const size_t distinct = DistinctTargets(targets).size();
  if (distinct > static_cast<size_t>(standards_.max_targets)) {
    Fire(Rule::kTooManyTargets, {{"count", std::to_string(distinct)},
                                 {"max_targets", std::to_string(standards_.max_targets)}});
  }
  const bool reverse = std::any_of(targets.begin(), targets.end(),
                                   [](const Target& t) { return t.type == kIpTargetType; });
  if (reverse) {
    if (!process_.reverse_lookup) Fire(Rule::kReverseLookupRequiresWarrant);
    // Instants are narrow by nature: each reaches only the standards' minutes either side.
    const auto& w = request_.window;
    if (request_.times.empty() &&
        (!w || w->end.micros - w->start.micros >
                   standards_.reverse_lookup_max_window_hours * kMicrosPerHour)) {
      Fire(Rule::kReverseLookupWindowTooBroad,
           {{"max_hours", std::to_string(standards_.reverse_lookup_max_window_hours)}});
    }
  }
}

void Evaluation::CheckWindow() {
  if (!request_.times.empty()) return CheckTimes();
  const auto& w = request_.window;
  if (!w) {
    const bool beyond_subscriber =
        std::any_of(request_.categories.begin(), request_.categories.end(),
                    [](Category c) { return c != Category::kBasicSubscriber; });
    if (beyond_subscriber) Fire(Rule::kWindowMissing);
    return;
  }
  window_ = *w;
  const bool valid = w->end > w->start && w->start < request_.received_at;
  if (!valid) Fire(Rule::kWindowInvalid);
  if (process_.max_window_days &&
      w->end.micros - w->start.micros > *process_.max_window_days * kMicrosPerDay) {
    Fire(Rule::kWindowTooBroad, {{"max_days", std::to_string(*process_.max_window_days)}});
  }
  if (valid && w->end > request_.received_at) {
    window_->end = request_.received_at;
    Fire(Rule::kWindowClampedToReceipt, {{"received_at", FormatDateTime(request_.received_at)}});
  }
  const int64_t emergency_limit = standards_.emergency_max_window_days * kMicrosPerDay;
  if (process_.emergency && window_->end.micros - window_->start.micros > emergency_limit) {
    window_->start = Timestamp{window_->end.micros - emergency_limit};
    Fire(Rule::kEmergencyWindowNarrowed,
         {{"max_days", std::to_string(standards_.emergency_max_window_days)}});
  }
}

// `times` instead of a window: the same edges as a window's, interval by interval.
void Evaluation::CheckTimes() {
  if (request_.window) {
    Fire(Rule::kWindowInvalid);  // a window and instants: which one is meant?
    return;
  }
  const Timestamp received = request_.received_at;
  bool clamped = false;
  for (Timestamp t : request_.times) {
    if (received < t) {
      clamped = true;  // an instant after receipt asks for the future
    } else {
      times_.push_back(t);
    }
  }
  std::sort(times_.begin(), times_.end());
  times_.erase(std::unique(times_.begin(), times_.end()), times_.end());
  if (times_.empty()) {
    Fire(Rule::kWindowInvalid);  // as a window wholly after receipt is
    return;
  }
  intervals_ = IntervalsAround(times_, standards_.point_in_time_minutes);
  if (received < intervals_.back().end) {
    clamped = true;
    intervals_ = Within(intervals_, intervals_.front().start, received);
  }
  if (clamped) Fire(Rule::kWindowClampedToReceipt, {{"received_at", FormatDateTime(received)}});
  // The emergency cut falls where it would on a window from the first start to the last end.
  const int64_t emergency_limit = standards_.emergency_max_window_days * kMicrosPerDay;
  const Timestamp last = intervals_.back().end;
  if (process_.emergency && last.micros - intervals_.front().start.micros > emergency_limit) {
    intervals_ = Within(intervals_, Timestamp{last.micros - emergency_limit}, last);
    Fire(Rule::kEmergencyWindowNarrowed,
         {{"max_days", std::to_string(standards_.emergency_max_window_days)}});
  }
  // An instant whose whole interval was cut away is no longer in the scope.
  const int64_t reach = standards_.point_in_time_minutes * kMicrosPerMinute;
  std::erase_if(times_, [&](Timestamp t) {
    return !Overlaps(intervals_, Timestamp{t.micros - reach}, Timestamp{t.micros + reach});
  });
}

void Evaluation::CheckRequester() {
  const auto& v = request_.verification;
  if (v && v->callback_verified_at) return;
  const Requester& r = request_.requester;
  const std::string domain = EmailDomain(r.email);
  bool unverified = process_.emergency;
  if (r.agency_id) {
    const Agency* agency = registry_.Find(*r.agency_id);
    unverified = unverified || !agency ||
                 std::find(agency->domains.begin(), agency->domains.end(), domain) ==
                     agency->domains.end();
  } else {
    unverified = unverified || !registry_.AnyHasDomain(domain);
  }
  if (unverified) Fire(Rule::kRequesterUnverified);
}

void Evaluation::CheckNondisclosure() {
  const auto& n = request_.nondisclosure;
  if (!n || !n->ordered.value_or(false)) return;
  if (IsBlank(n->authority)) {
    Fire(Rule::kNdoNotBinding);
  } else if (!n->until) {
    Fire(Rule::kNdoWithoutEnd);
  }
}

// Returns the remaining categories (requested ∩ allowed), firing a finding for each
// requested category the process cannot reach.
CategorySet Evaluation::CheckCategories() {
  CategorySet requested;
  for (Category c : request_.categories) requested.Add(c);
  requested.ForEach([&](Category c) {
    if (!process_.categories.Contains(c)) {
      Fire(Rule::kCategoryNotAuthorized, {{"category", std::string(CategoryName(c))}}, c);
    }
  });
  CategorySet remaining = requested.Intersect(process_.categories);
  // The access log over a window would show the user's movements over a period; such a
  // process reaches it only at named instants, and what is derived from it goes with it.
  if (process_.access_log_needs_times && request_.window && request_.times.empty() &&
      remaining.Contains(Category::kAccessLog)) {
    for (Category c : {Category::kAccessLog, Category::kLocation, Category::kDevice}) remaining.Remove(c);
    Fire(Rule::kAccessLogNeedsTimes);
  }
  if (remaining.empty()) Fire(Rule::kNothingAuthorized);
  if (remaining.Contains(Category::kContent)) Fire(Rule::kContentOutsideVault);
  return remaining;
}

Action Evaluation::DecideAction() const {
  const auto any = [&](Severity s) {
    return std::any_of(findings_.begin(), findings_.end(),
                       [&](const Finding& f) { return f.severity == s; });
  };
  if (any(Severity::kReject)) return Action::kReject;
  if (any(Severity::kPushback)) return Action::kPushback;
  if (any(Severity::kVerify)) return Action::kVerifyRequester;
  if (process_.preserves) return Action::kPreserve;
  if (any(Severity::kNarrow)) return Action::kProduceNarrowed;
  return Action::kProduce;
}

Notice Evaluation::DecideNotice(Action action) const {
  if (action != Action::kProduce && action != Action::kProduceNarrowed) return {};
  if (process_.notice == ProcessNotice::kNever) return {};
  const auto& purpose = request_.purpose;
  const auto& withheld = standards_.notice_withheld_for;
  if (purpose && purpose->investigation_type &&
      std::find(withheld.begin(), withheld.end(), *purpose->investigation_type) !=
          withheld.end()) {
    return {};
  }
  const auto& n = request_.nondisclosure;
  if (n && n->ordered.value_or(false) && !IsBlank(n->authority) && n->until &&
      *n->until > receipt_) {
    return {true, NoticeWhen::kAfterNondisclosure, *n->until};
  }
  if (process_.notice == ProcessNotice::kAfterEmergency) {
    return {true, NoticeWhen::kAfterEmergency,
            receipt_.PlusDays(standards_.notice_after_emergency_days)};
  }
  return {true, NoticeWhen::kBeforeProduction, std::nullopt};
}

Decision Evaluation::Run() {
  CheckProcess();
  CheckPurpose();
  CheckTargets();
  CheckWindow();
  CheckRequester();
  CheckNondisclosure();
  const CategorySet remaining = CheckCategories();

  // Strongest first, then by code; CATEGORY_NOT_AUTHORIZED findings keep their canonical
  // category order, which is the order they fired in.
  std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity < b.severity;
    return InfoOf(a.rule).code < InfoOf(b.rule).code;
  });

  Decision d;
  d.action = DecideAction();
  if (d.action == Action::kProduce || d.action == Action::kProduceNarrowed ||
      d.action == Action::kPreserve) {
    AuthorizedScope scope;
    scope.targets = DistinctTargets(request_.targets);
    if (d.action == Action::kPreserve) {
      for (Category c : request_.categories) scope.categories.Add(c);
      if (scope.categories.empty()) scope.categories = standards_.preservation_default_categories;
    } else {
      scope.categories = remaining;
    }
    scope.window = window_;
    if (!times_.empty()) {
      scope.times = times_;
      scope.minutes = standards_.point_in_time_minutes;
      scope.intervals = intervals_;
    }
    d.authorized = std::move(scope);
  }
  d.notice = DecideNotice(d.action);
  d.findings = std::move(findings_);
  d.standards_name = standards_.name;
  d.standards_version = standards_.version;
  d.standards_sha256 = standards_.sha256;
  d.registry_agencies = registry_.agencies().size();
  d.registry_sha256 = registry_.sha256();
  return d;
}

}  // namespace

Decision Evaluate(const Request& request, const Standards& standards,
                  const AgencyRegistry& registry) {
  return Evaluation(request, standards, registry).Run();
}

}  // namespace custodian
