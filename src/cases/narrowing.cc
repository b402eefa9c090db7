#include "cases/narrowing.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/json_depth.h"
#include "policy/point_in_time.h"
#include "policy/targets.h"

namespace custodian::cases {

Result<std::string> NarrowedScope(std::string_view narrowed, const AuthorizedScope& authorized) {
  // A reviewer's scope is outside input: its depth is checked before a parser builds it.
  if (Status s = CheckJsonDepth(narrowed, "/scope"); !s.ok()) return s;
  auto doc = nlohmann::json::parse(narrowed, nullptr, false);
  if (!doc.is_object()) return Status::InvalidArgument("/scope: not a JSON object");
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, value] : doc.items()) {
    if (key != "targets" && key != "categories" && key != "window" && key != "times") {
      return Status::InvalidArgument("/scope/" + key +
                                     ": not a scope field (targets, categories, window, times)");
    }
  }
  // A scope of instants narrows by dropping instants; a window's by a narrower window.
  const bool of_times = !authorized.times.empty();
  if (doc.contains(of_times ? "window" : "times")) {
    return Status::InvalidArgument(of_times ? "/scope/window: the authorized scope names instants; narrow it by times"
                                            : "/scope/times: the authorized scope is a window; narrow it by window");
  }
  if (doc.contains("targets")) {
    if (!doc["targets"].is_array()) return Status::InvalidArgument("/scope/targets: not an array");
    out["targets"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < doc["targets"].size(); ++i) {
      const auto& t = doc["targets"][i];
      if (!t.is_object() || !t.contains("type") || !t.contains("value") || !t["type"].is_string() ||
          !t["value"].is_string()) {
        return Status::InvalidArgument("/scope/targets/" + std::to_string(i) + ": not a target");
      }
      const Target target{t["type"].get<std::string>(), t["value"].get<std::string>()};
      const bool authorized_target =
          std::any_of(authorized.targets.begin(), authorized.targets.end(), [&](const Target& a) {
            return a.type == target.type && NormalizedTargetValue(a) == NormalizedTargetValue(target);
          });
      if (!authorized_target) {
        return Status::InvalidArgument("/scope/targets/" + std::to_string(i) +
                                       ": not among the authorized targets (a review narrows, "
                                       "never widens)");
      }
      out["targets"].push_back({{"type", target.type}, {"value", target.value}});
    }
  }
  if (doc.contains("categories")) {
    if (!doc["categories"].is_array()) return Status::InvalidArgument("/scope/categories: not an array");
    out["categories"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < doc["categories"].size(); ++i) {
      const auto& c = doc["categories"][i];
      const auto category = c.is_string() ? ParseCategory(c.get<std::string>()) : std::nullopt;
      if (!category) {
        return Status::InvalidArgument("/scope/categories/" + std::to_string(i) + ": not a category");
      }
      if (!authorized.categories.Contains(*category)) {
        return Status::InvalidArgument("/scope/categories/" + std::to_string(i) +
                                       ": not an authorized category (a review narrows, never "
                                       "widens)");
      }
      out["categories"].push_back(std::string(CategoryName(*category)));
    }
  }
  if (doc.contains("window")) {
    const auto& w = doc["window"];
    const auto field = [&](const char* name) -> Result<Timestamp> {
      if (!w.is_object() || !w.contains(name) || !w[name].is_string()) {
        return Status::InvalidArgument(std::string("/scope/window/") + name + ": missing");
      }
      auto t = ParseDateTime(w[name].get<std::string>());
      if (!t.ok()) return Status::InvalidArgument(std::string("/scope/window/") + name + ": not an RFC 3339 time");
      return *t;
    };
    auto start = field("start");
    if (!start.ok()) return start.status();
    auto end = field("end");
    if (!end.ok()) return end.status();
    if (!(*start < *end)) return Status::InvalidArgument("/scope/window: start is not before end");
    if (authorized.window &&
        (*start < authorized.window->start || authorized.window->end < *end)) {
      return Status::InvalidArgument(
          "/scope/window: outside the authorized window (a review narrows, never widens)");
    }
    out["window"] = {{"start", FormatDateTime(*start)}, {"end", FormatDateTime(*end)}};
  }
  if (doc.contains("times")) {
    if (!doc["times"].is_array() || doc["times"].empty()) {
      return Status::InvalidArgument("/scope/times: not a list of instants");
    }
    AuthorizedScope kept = authorized;
    kept.times.clear();
    for (size_t i = 0; i < doc["times"].size(); ++i) {
      const auto& t = doc["times"][i];
      auto at = t.is_string() ? ParseDateTime(t.get<std::string>()) : Status::InvalidArgument("");
      if (!at.ok()) {
        return Status::InvalidArgument("/scope/times/" + std::to_string(i) + ": not an RFC 3339 time");
      }
      if (std::find(authorized.times.begin(), authorized.times.end(), *at) == authorized.times.end()) {
        return Status::InvalidArgument("/scope/times/" + std::to_string(i) +
                                       ": not among the authorized instants (a review narrows, "
                                       "never widens)");
      }
      kept.times.push_back(*at);
    }
    std::sort(kept.times.begin(), kept.times.end());
    kept.times.erase(std::unique(kept.times.begin(), kept.times.end()), kept.times.end());
    // The instants left reach no further than the authorized intervals did.
    kept.intervals = Intersection(IntervalsAround(kept.times, authorized.minutes), authorized.intervals);
    ScopeTimesToJson(kept, out);
  }
  return out.dump();
}

namespace {

// Reads a scope object ({"targets", "categories", "window"}, any of them) over `scope`.
Status ReadScope(const nlohmann::json& doc, AuthorizedScope& scope) {
  if (!doc.is_object()) return Status::Corruption("case store: a stored scope is not an object");
  if (doc.contains("targets")) {
    scope.targets.clear();
    for (const auto& t : doc["targets"]) {
      scope.targets.push_back({t.at("type").get<std::string>(), t.at("value").get<std::string>()});
    }
  }
  if (doc.contains("categories")) {
    scope.categories = CategorySet();
    for (const auto& c : doc["categories"]) {
      auto category = ParseCategory(c.get<std::string>());
      if (!category) return Status::Corruption("case store: a stored scope names no category");
      scope.categories.Add(*category);
    }
  }
  if (doc.contains("times")) {
    scope.times.clear();
    scope.intervals.clear();
    for (const auto& t : doc["times"]) {
      auto at = ParseDateTime(t.get<std::string>());
      if (!at.ok()) return Status::Corruption("case store: a stored instant is not RFC 3339");
      scope.times.push_back(*at);
    }
    scope.minutes = doc.at("minutes").get<int64_t>();
    for (const auto& w : doc.at("intervals")) {
      auto start = ParseDateTime(w.at("start").get<std::string>());
      auto end = ParseDateTime(w.at("end").get<std::string>());
      if (!start.ok() || !end.ok()) return Status::Corruption("case store: a stored interval is not RFC 3339");
      scope.intervals.push_back({*start, *end});
    }
  }
  if (doc.contains("window") && doc["window"].is_object()) {
    auto start = ParseDateTime(doc["window"].at("start").get<std::string>());
    auto end = ParseDateTime(doc["window"].at("end").get<std::string>());
    if (!start.ok() || !end.ok()) return Status::Corruption("case store: a stored window is not RFC 3339");
    scope.window = Window{*start, *end};
  }
  return Status::Ok();
}

}  // namespace

Result<AuthorizedScope> EffectiveScope(std::string_view decision_document,
                                       const std::optional<std::string>& narrowed) {
  try {
    const auto decision = nlohmann::json::parse(decision_document);
    if (!decision.contains("authorized") || !decision["authorized"].is_object()) {
      return Status::FailedPrecondition("the decision authorizes nothing");
    }
    AuthorizedScope scope;
    if (Status s = ReadScope(decision["authorized"], scope); !s.ok()) return s;
    if (narrowed) {
      if (Status s = ReadScope(nlohmann::json::parse(*narrowed), scope); !s.ok()) return s;
    }
    return scope;
  } catch (const nlohmann::json::exception&) {
    return Status::Corruption("case store: a stored decision or scope is not what custodian wrote");
  }
}

}  // namespace custodian::cases
