#include "cases/narrowing.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "policy/targets.h"

namespace custodian::cases {

Result<std::string> NarrowedScope(std::string_view narrowed, const AuthorizedScope& authorized) {
  auto doc = nlohmann::json::parse(narrowed, nullptr, false);
  if (!doc.is_object()) return Status::InvalidArgument("/scope: not a JSON object");
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, value] : doc.items()) {
    if (key != "targets" && key != "categories" && key != "window") {
      return Status::InvalidArgument("/scope/" + key + ": not a scope field (targets, categories, window)");
    }
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
  return out.dump();
}

}  // namespace custodian::cases
