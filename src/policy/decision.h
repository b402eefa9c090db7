// The decision document (spec/decision.md): the action the standards recommend for a
// request, the findings behind it, the authorized scope, notice, and the hashes of the
// standards and registry it was taken under. Value type: safe to share read-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/category.h"
#include "core/time.h"
#include "policy/request.h"
#include "policy/rule.h"

namespace custodian {

enum class Action { kProduce, kProduceNarrowed, kPushback, kReject, kPreserve, kVerifyRequester };
std::string_view ActionName(Action a);

struct Finding {
  Rule rule;
  Severity severity;
  std::string message;
  std::string citation;
  std::optional<Category> category;  // CATEGORY_NOT_AUTHORIZED only
};

struct AuthorizedScope {
  std::vector<Target> targets;  // distinct, in order of first appearance
  CategorySet categories;
  std::optional<Window> window;
  // A scope of instants instead of a window (point_in_time.h): the instants kept, sorted,
  // each reaching `minutes` either side, and the merged intervals they make (clamped to the
  // receipt, cut as an emergency requires).
  std::vector<Timestamp> times;
  int64_t minutes = 0;
  std::vector<Window> intervals;

  // What a read of the scope covers: its intervals, or its window as one; none without either.
  std::vector<Window> ReadIntervals() const;
};

enum class NoticeWhen { kNever, kBeforeProduction, kAfterNondisclosure, kAfterEmergency };
std::string_view NoticeWhenName(NoticeWhen w);

struct Notice {
  bool required = false;
  NoticeWhen when = NoticeWhen::kNever;
  std::optional<Date> not_before;
};

struct Decision {
  Action action = Action::kPushback;
  std::vector<Finding> findings;  // strongest severity first, then by code
  std::optional<AuthorizedScope> authorized;
  Notice notice;
  std::string standards_name;
  std::string standards_version;
  std::string standards_sha256;
  size_t registry_agencies = 0;
  std::optional<std::string> registry_sha256;
};

// A window as {"start", "end"} (RFC 3339, UTC).
nlohmann::ordered_json WindowToJson(const Window& w);
// A scope of instants as JSON sets it beside targets and categories, instead of "window":
// "times", "minutes" and "intervals" (each a window), on `out`.
void ScopeTimesToJson(const AuthorizedScope& scope, nlohmann::ordered_json& out);

// The decision document as spec/decision.md lays it out, keys in that order.
nlohmann::ordered_json DecisionToJson(const Decision& d);

}  // namespace custodian
