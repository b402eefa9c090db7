#include "cli/policy_command.h"

#include <iostream>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "policy/agency_registry.h"
#include "policy/engine.h"
#include "policy/request_parser.h"
#include "policy/standards.h"

namespace custodian {
namespace {

constexpr size_t kMaxPolicyFileBytes = 1 << 20;
constexpr size_t kMaxRegistryFileBytes = 16 << 20;

struct CheckOptions {
  std::string request_path;
  std::string policy_path;
  std::string agencies_path;
};

// Loads the standards named by `path`, or the embedded default when it is empty.
Result<Standards> LoadStandardsFrom(const std::string& path) {
  if (path.empty()) return LoadDefaultStandards();
  auto text = ReadInput(path, kMaxPolicyFileBytes);
  if (!text.ok()) return text.status();
  return LoadStandards(*text, path);
}

Result<AgencyRegistry> LoadRegistryFrom(const std::string& path) {
  if (path.empty()) return AgencyRegistry();
  auto text = ReadInput(path, kMaxRegistryFileBytes);
  if (!text.ok()) return text.status();
  return AgencyRegistry::Load(*text, path);
}

int RunCheck(const CheckOptions& o) {
  auto standards = LoadStandardsFrom(o.policy_path);
  if (!standards.ok()) return ReportFailure(standards.status());
  auto registry = LoadRegistryFrom(o.agencies_path);
  if (!registry.ok()) return ReportFailure(registry.status());
  auto document = ReadInput(o.request_path, kMaxRequestBytes);
  if (!document.ok()) return ReportFailure(document.status());
  const ParsedRequest parsed = ParseRequest(*document);
  if (!parsed.ok()) {
    for (const RequestProblem& p : parsed.problems) std::cerr << p.ToString() << "\n";
    return kExitBadInput;
  }
  const Decision decision = Evaluate(parsed.request, *standards, *registry);
  std::cout << DecisionToJson(decision).dump(2) << "\n";
  return kExitOk;
}

int RunValidate(const std::string& path) {
  auto standards = LoadStandardsFrom(path);
  if (!standards.ok()) return ReportFailure(standards.status());
  nlohmann::ordered_json out{{"name", standards->name},
                             {"version", standards->version},
                             {"sha256", standards->sha256}};
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Disclosure standards: check requests against them");
  policy->require_subcommand(1);

  auto check_options = std::make_shared<CheckOptions>();
  CLI::App* check = policy->add_subcommand(
      "check", "Decide what the standards allow for one request; prints the decision document");
  check->add_option("REQUEST", check_options->request_path, "Request document (JSON; - for stdin)")
      ->required();
  check->add_option("--policy", check_options->policy_path,
                    "Standards file (TOML); default: the built-in us-default standards");
  check->add_option("--agencies", check_options->agencies_path,
                    "Agency registry (JSON); default: an empty registry");
  check->callback([check_options, exit_code] { *exit_code = RunCheck(*check_options); });

  auto validate_path = std::make_shared<std::string>();
  CLI::App* validate = policy->add_subcommand(
      "validate", "Check a standards file; prints its name, version and SHA-256");
  validate->add_option("POLICY", *validate_path, "Standards file (TOML); default: built-in");
  validate->callback([validate_path, exit_code] { *exit_code = RunValidate(*validate_path); });
}

}  // namespace custodian
