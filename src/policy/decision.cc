#include "policy/decision.h"

namespace custodian {

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kProduce: return "produce";
    case Action::kProduceNarrowed: return "produce_narrowed";
    case Action::kPushback: return "pushback";
    case Action::kReject: return "reject";
    case Action::kPreserve: return "preserve";
    case Action::kVerifyRequester: return "verify_requester";
  }
  return "?";
}

std::string_view NoticeWhenName(NoticeWhen w) {
  switch (w) {
    case NoticeWhen::kNever: return "never";
    case NoticeWhen::kBeforeProduction: return "before_production";
    case NoticeWhen::kAfterNondisclosure: return "after_nondisclosure";
    case NoticeWhen::kAfterEmergency: return "after_emergency";
  }
  return "?";
}

std::vector<Window> AuthorizedScope::ReadIntervals() const {
  if (!times.empty()) return intervals;
  if (window) return {*window};
  return {};
}

nlohmann::ordered_json WindowToJson(const Window& w) {
  return {{"start", FormatDateTime(w.start)}, {"end", FormatDateTime(w.end)}};
}

void ScopeTimesToJson(const AuthorizedScope& scope, nlohmann::ordered_json& out) {
  nlohmann::ordered_json times = nlohmann::ordered_json::array();
  for (Timestamp t : scope.times) times.push_back(FormatDateTime(t));
  nlohmann::ordered_json intervals = nlohmann::ordered_json::array();
  for (const Window& w : scope.intervals) intervals.push_back(WindowToJson(w));
  out["times"] = std::move(times);
  out["minutes"] = scope.minutes;
  out["intervals"] = std::move(intervals);
}

nlohmann::ordered_json DecisionToJson(const Decision& d) {
  using nlohmann::ordered_json;
  ordered_json out;
  out["action"] = ActionName(d.action);
  ordered_json findings = ordered_json::array();
  for (const Finding& f : d.findings) {
    ordered_json j;
    j["code"] = InfoOf(f.rule).code;
    j["severity"] = SeverityName(f.severity);
    j["message"] = f.message;
    j["citation"] = f.citation;
    if (f.category) j["category"] = CategoryName(*f.category);
    findings.push_back(std::move(j));
  }
  out["findings"] = std::move(findings);
  if (d.authorized) {
    ordered_json a;
    ordered_json targets = ordered_json::array();
    for (const Target& t : d.authorized->targets) {
      targets.push_back(ordered_json{{"type", t.type}, {"value", t.value}});
    }
    a["targets"] = std::move(targets);
    ordered_json categories = ordered_json::array();
    d.authorized->categories.ForEach([&](Category c) { categories.push_back(CategoryName(c)); });
    a["categories"] = std::move(categories);
    if (!d.authorized->times.empty()) {
      ScopeTimesToJson(*d.authorized, a);
    } else if (d.authorized->window) {
      a["window"] = WindowToJson(*d.authorized->window);
    }
    out["authorized"] = std::move(a);
  } else {
    out["authorized"] = nullptr;
  }
  out["notice"] = ordered_json{
      {"required", d.notice.required},
      {"when", NoticeWhenName(d.notice.when)},
      {"not_before", d.notice.not_before ? ordered_json(FormatDate(*d.notice.not_before))
                                         : ordered_json(nullptr)}};
  out["standards"] = ordered_json{
      {"name", d.standards_name}, {"version", d.standards_version}, {"sha256", d.standards_sha256}};
  out["registry"] = ordered_json{
      {"agencies", d.registry_agencies},
      {"sha256", d.registry_sha256 ? ordered_json(*d.registry_sha256) : ordered_json(nullptr)}};
  return out;
}

}  // namespace custodian
