#include "policy/standards.h"

#include <algorithm>

#include "core/sha256.h"
#include "policy/toml_reader.h"

namespace custodian {

namespace embedded {
extern const std::string_view us_default_toml;
}

namespace {

constexpr int64_t kMaxDays = 36500;  // a century: anything longer is a typo
constexpr size_t kMaxStandardsBytes = 1 << 20;

std::vector<std::string_view> Names(std::span<const std::string_view> names) {
  return {names.begin(), names.end()};
}

std::vector<std::string_view> CategoryNames() {
  std::vector<std::string_view> out;
  for (Category c : kAllCategories) out.push_back(CategoryName(c));
  return out;
}

CategorySet ToCategories(const std::vector<TomlReader::Item>& items) {
  CategorySet set;
  for (const auto& i : items) set.Add(*ParseCategory(i.value));
  return set;
}

std::vector<InvestigationType> ToInvestigations(const std::vector<TomlReader::Item>& items) {
  std::vector<InvestigationType> out;
  for (const auto& i : items) {
    const auto* it = std::find(kInvestigationTypeNames.begin(), kInvestigationTypeNames.end(),
                               i.value);
    out.push_back(static_cast<InvestigationType>(it - kInvestigationTypeNames.begin()));
  }
  return out;
}

// Checks that `message` uses only the placeholders its rule defines.
void CheckPlaceholders(TomlReader& reader, const toml::node& node, const std::string& name,
                       const RuleInfo& info) {
  const std::string& message = node.as_string()->get();
  for (size_t open = message.find('{'); open != std::string::npos;
       open = message.find('{', open + 1)) {
    const size_t close = message.find('}', open);
    if (close == std::string::npos) {
      reader.Error(node.source(), "unclosed '{' in '" + name + "'");
      return;
    }
    const std::string_view placeholder(message.data() + open + 1, close - open - 1);
    if (std::find(info.placeholders.begin(), info.placeholders.end(), placeholder) ==
        info.placeholders.end()) {
      std::string allowed;
      for (std::string_view p : info.placeholders) {
        allowed += (allowed.empty() ? "" : ", ") + ("{" + std::string(p) + "}");
      }
      reader.Error(node.source(), "unknown placeholder '{" + std::string(placeholder) + "}' in '" +
                                      name + "' (this rule's message may use: " +
                                      (allowed.empty() ? "none" : allowed) + ")");
    }
  }
}

void LoadProcess(TomlReader& reader, const toml::table& table, const std::string& path,
                 ProcessStandard& out) {
  reader.CheckKeys(table, path,
                   {"label", "categories", "max_window_days", "valid_for_days", "legal_process",
                    "preserves", "emergency", "requires_signature", "foreign_requesters",
                    "judicial", "reverse_lookup", "notice", "access_log_needs_times"});
  out.label = reader.String(table, path, "label", true, 200).value_or("");
  out.preserves = reader.Bool(table, path, "preserves").value_or(false);
  if (out.preserves) {
    if (const toml::node* c = table.get("categories")) {
      reader.Error(c->source(), "'" + TomlReader::Join(path, "categories") +
                                    "' must not be set: a preservation discloses nothing");
    }
  } else if (auto c = reader.StringArray(table, path, "categories", true, CategoryNames(),
                                         "category")) {
    out.categories = ToCategories(*c);
  }
  out.max_window_days = reader.Integer(table, path, "max_window_days", false, 1, kMaxDays);
  out.valid_for_days = reader.Integer(table, path, "valid_for_days", false, 0, kMaxDays);
  out.legal_process = reader.Bool(table, path, "legal_process").value_or(true);
  out.emergency = reader.Bool(table, path, "emergency").value_or(false);
  out.requires_signature = reader.Bool(table, path, "requires_signature").value_or(true);
  out.foreign_requesters = reader.Bool(table, path, "foreign_requesters").value_or(false);
  out.judicial = reader.Bool(table, path, "judicial").value_or(false);
  out.reverse_lookup = reader.Bool(table, path, "reverse_lookup").value_or(false);
  out.access_log_needs_times = reader.Bool(table, path, "access_log_needs_times").value_or(false);
  if (auto n = reader.String(table, path, "notice", false, 32)) {
    if (*n == "before_production") {
      out.notice = ProcessNotice::kBeforeProduction;
    } else if (*n == "after_emergency") {
      out.notice = ProcessNotice::kAfterEmergency;
    } else if (*n == "never") {
      out.notice = ProcessNotice::kNever;
    } else {
      reader.Error(table.get("notice")->source(),
                   "'" + path + ".notice' must be one of: before_production, after_emergency, "
                   "never");
    }
  }
}

// The rule's standard when a file leaves it out, for rules added after the first standards
// files were written; null for every rule a file must state.
const RuleStandard* DefaultOfLaterRule(Rule rule) {
  static const RuleStandard kAccessLogNeedsTimes{
      Severity::kNarrow, false,
      "{process} reaches the access log only at the times the request names, not over a window.",
      "The service's published standards"};
  return rule == Rule::kAccessLogNeedsTimes ? &kAccessLogNeedsTimes : nullptr;
}

// The parameters each rule reads from its own table, besides the common keys.
std::vector<std::string_view> RuleParameters(Rule rule) {
  switch (rule) {
    case Rule::kTargetNotSpecific: return {"specific_types"};
    case Rule::kTooManyTargets: return {"max_targets"};
    case Rule::kMissingFactualBasis: return {"min_length"};
    case Rule::kEmergencyNotSubstantiated: return {"min_danger_length"};
    case Rule::kCivilImmigrationRequiresJudicialProcess: return {"investigation_types"};
    case Rule::kReverseLookupWindowTooBroad: return {"max_window_hours"};
    case Rule::kEmergencyWindowNarrowed: return {"max_window_days"};
    default: return {};
  }
}

void LoadRule(TomlReader& reader, const toml::table& table, const std::string& path,
              const RuleInfo& info, Standards& out) {
  std::vector<std::string_view> known = {"severity", "preservation", "message", "citation"};
  for (std::string_view p : RuleParameters(info.rule)) known.push_back(p);
  reader.CheckKeys(table, path, known);

  RuleStandard& rule = out.rules[static_cast<size_t>(info.rule)];
  if (auto s = reader.String(table, path, "severity", true, 16)) {
    if (auto severity = ParseSeverity(*s)) {
      rule.severity = *severity;
    } else {
      reader.Error(table.get("severity")->source(),
                   "'" + TomlReader::Join(path, "severity") +
                       "' must be one of: reject, pushback, verify, narrow, warn, info");
    }
  }
  if (auto p = reader.Bool(table, path, "preservation")) {
    rule.preservation = *p;
  } else if (!table.get("preservation")) {
    reader.Error(table.source(), "missing key '" + TomlReader::Join(path, "preservation") + "'");
  }
  if (auto m = reader.String(table, path, "message", true, 2000)) {
    rule.message = *m;
    CheckPlaceholders(reader, *table.get("message"), TomlReader::Join(path, "message"), info);
  }
  rule.citation = reader.String(table, path, "citation", true, 500).value_or("");

  switch (info.rule) {
    case Rule::kTargetNotSpecific:
      if (auto t = reader.StringArray(table, path, "specific_types", true, {}, "target type")) {
        for (const auto& i : *t) out.specific_target_types.push_back(i.value);
      }
      break;
    case Rule::kTooManyTargets:
      out.max_targets = reader.Integer(table, path, "max_targets", true, 1, 1000).value_or(0);
      break;
    case Rule::kMissingFactualBasis:
      out.min_factual_basis_length =
          reader.Integer(table, path, "min_length", true, 0, 20000).value_or(0);
      break;
    case Rule::kEmergencyNotSubstantiated:
      out.min_danger_length =
          reader.Integer(table, path, "min_danger_length", true, 0, 20000).value_or(0);
      break;
    case Rule::kCivilImmigrationRequiresJudicialProcess:
      if (auto t = reader.StringArray(table, path, "investigation_types", true,
                                      Names(kInvestigationTypeNames), "investigation type")) {
        out.judicial_only_investigations = ToInvestigations(*t);
      }
      break;
    case Rule::kReverseLookupWindowTooBroad:
      out.reverse_lookup_max_window_hours =
          reader.Integer(table, path, "max_window_hours", true, 1, kMaxDays * 24).value_or(0);
      break;
    case Rule::kEmergencyWindowNarrowed:
      out.emergency_max_window_days =
          reader.Integer(table, path, "max_window_days", true, 1, kMaxDays).value_or(0);
      break;
    default: break;
  }
}

}  // namespace

Result<Standards> LoadStandards(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  if (text.size() > kMaxStandardsBytes) {
    return Status::InvalidArgument(source + ": the file is larger than 1 MiB");
  }
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) + ": " +
                                   std::string(e.description()));
  }

  TomlReader reader(source);
  Standards out;
  out.sha256 = Sha256Hex(text);
  reader.CheckKeys(root, "",
                   {"name", "version", "home_country", "process", "rules", "notice", "emergency",
                    "reverse_lookup", "preservation", "reports", "retention", "point_in_time",
                    "attestation"});
  out.name = reader.String(root, "", "name", true, 100).value_or("");
  out.version = reader.String(root, "", "version", true, 100).value_or("");
  if (auto c = reader.String(root, "", "home_country", true, 2)) {
    if (c->size() == 2 && std::all_of(c->begin(), c->end(), [](char ch) {
          return ch >= 'A' && ch <= 'Z';
        })) {
      out.home_country = *c;
    } else {
      reader.Error(root.get("home_country")->source(),
                   "'home_country' must be two capital letters (ISO 3166-1 alpha-2)");
    }
  }

  if (const toml::table* processes = reader.Table(root, "", "process", true)) {
    std::vector<std::string_view> names;
    for (ProcessType t : kAllProcessTypes) names.push_back(ProcessTypeName(t));
    reader.CheckKeys(*processes, "process", names);
    for (ProcessType t : kAllProcessTypes) {
      const std::string path = "process." + std::string(ProcessTypeName(t));
      if (const toml::table* p = reader.Table(*processes, "process", ProcessTypeName(t), true)) {
        LoadProcess(reader, *p, path, out.processes[static_cast<size_t>(t)]);
      }
    }
  }

  if (const toml::table* rules = reader.Table(root, "", "rules", true)) {
    std::vector<std::string_view> codes;
    for (const RuleInfo& r : AllRules()) codes.push_back(r.code);
    reader.CheckKeys(*rules, "rules", codes);
    for (const RuleInfo& r : AllRules()) {
      // A rule added after files were written may be left out of them: it takes its default
      // (an installed file must keep loading, for the decisions that name it).
      const RuleStandard* fallback = DefaultOfLaterRule(r.rule);
      if (const toml::table* t = reader.Table(*rules, "rules", r.code, fallback == nullptr)) {
        LoadRule(reader, *t, "rules." + std::string(r.code), r, out);
      } else if (fallback) {
        out.rules[static_cast<size_t>(r.rule)] = *fallback;
      }
    }
  }

  if (const toml::table* n = reader.Table(root, "", "notice", true)) {
    reader.CheckKeys(*n, "notice", {"wait_days", "after_emergency_days",
                                    "withheld_for_investigations"});
    out.notice_wait_days = reader.Integer(*n, "notice", "wait_days", true, 0, kMaxDays).value_or(0);
    out.notice_after_emergency_days =
        reader.Integer(*n, "notice", "after_emergency_days", true, 0, kMaxDays).value_or(0);
    if (auto w = reader.StringArray(*n, "notice", "withheld_for_investigations", true,
                                    Names(kInvestigationTypeNames), "investigation type")) {
      out.notice_withheld_for = ToInvestigations(*w);
    }
  }
  if (const toml::table* e = reader.Table(root, "", "emergency", true)) {
    reader.CheckKeys(*e, "emergency", {"response_deadline_hours"});
    out.emergency_response_hours =
        reader.Integer(*e, "emergency", "response_deadline_hours", true, 1, 24 * 30).value_or(0);
  }
  if (const toml::table* r = reader.Table(root, "", "reverse_lookup", true)) {
    reader.CheckKeys(*r, "reverse_lookup", {"max_accounts"});
    out.reverse_lookup_max_accounts =
        reader.Integer(*r, "reverse_lookup", "max_accounts", true, 1, 1000000).value_or(0);
  }
  if (const toml::table* p = reader.Table(root, "", "preservation", true)) {
    reader.CheckKeys(*p, "preservation",
                     {"period_days", "extension_days", "max_extensions", "default_categories"});
    out.preservation_period_days =
        reader.Integer(*p, "preservation", "period_days", true, 1, kMaxDays).value_or(0);
    out.preservation_extension_days =
        reader.Integer(*p, "preservation", "extension_days", true, 1, kMaxDays).value_or(0);
    out.preservation_max_extensions =
        reader.Integer(*p, "preservation", "max_extensions", true, 0, 100).value_or(0);
    if (auto c = reader.StringArray(*p, "preservation", "default_categories", true,
                                    CategoryNames(), "category")) {
      out.preservation_default_categories = ToCategories(*c);
    }
  }
  if (const toml::table* r = reader.Table(root, "", "reports", true)) {
    reader.CheckKeys(*r, "reports", {"nsl_band", "suppress_below", "publish_leaves"});
    out.report_nsl_band = reader.Integer(*r, "reports", "nsl_band", true, 1, 1000000).value_or(0);
    out.report_suppress_below =
        reader.Integer(*r, "reports", "suppress_below", true, 0, 1000000).value_or(0);
    out.report_publish_leaves = reader.Bool(*r, "reports", "publish_leaves").value_or(false);
  }
  if (const toml::table* t = reader.Table(root, "", "point_in_time", false)) {
    reader.CheckKeys(*t, "point_in_time", {"minutes"});
    out.point_in_time_minutes = reader.Integer(*t, "point_in_time", "minutes", false, 1, 24 * 60)
                                    .value_or(out.point_in_time_minutes);
  }
  if (const toml::table* r = reader.Table(root, "", "retention", false)) {
    reader.CheckKeys(*r, "retention",
                     {"access_log_days", "subscriber_days", "no_window_lookback_days"});
    const auto days = [&](std::string_view key, int64_t fallback) {
      return reader.Integer(*r, "retention", key, false, 1, kMaxDays).value_or(fallback);
    };
    out.access_log_retention_days = days("access_log_days", out.access_log_retention_days);
    out.subscriber_retention_days = days("subscriber_days", out.subscriber_retention_days);
    out.no_window_lookback_days = days("no_window_lookback_days", out.no_window_lookback_days);
  }

  if (const toml::table* a = reader.Table(root, "", "attestation", false)) {
    reader.CheckKeys(*a, "attestation", {"text"});
    if (auto text = reader.String(*a, "attestation", "text", true, kMaxAttestationLength)) out.attestation = *text;
  }

  if (!reader.errors().empty()) {
    std::string message;
    for (const std::string& e : reader.errors()) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  return out;
}

std::string_view DefaultStandardsText() { return embedded::us_default_toml; }

Result<Standards> LoadDefaultStandards() {
  return LoadStandards(DefaultStandardsText(), kDefaultStandardsName);
}

}  // namespace custodian
