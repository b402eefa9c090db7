#include "cli/policy_command.h"

#include <iostream>
#include <memory>

#include <soci/soci.h>

#include "cases/case_json.h"
#include "cases/case_store.h"
#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "cli/run_with_instance.h"
#include "instance/instance.h"
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
  InstanceOptions instance;  // --data: the instance's standards and registry
};

struct InstallOptions {
  InstanceOptions instance;
  std::string path;
  std::string actor;
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

// The agency registry an instance's case store holds (empty when none was imported).
Result<AgencyRegistry> InstanceRegistry(const InstanceOptions& instance) {
  auto db = OpenCaseStore(instance);
  if (!db.ok()) return db.status();
  std::optional<cases::RegistryDocument> stored;
  Status s = (*db)->Transaction([&](soci::session& sql) {
    stored = cases::CaseTx(sql).Registry();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!stored) return AgencyRegistry();
  return AgencyRegistry::Load(stored->document, "the instance's agency registry");
}

int RunCheck(const CheckOptions& o) {
  // An explicit file wins over the instance's; without either, the built-in and an empty
  // registry.
  const bool instance = !o.instance.data_dir.empty();
  Result<Standards> standards = Status::Internal("unset");
  if (instance && o.policy_path.empty()) {
    auto current = CurrentStandards(o.instance);
    if (!current.ok()) return ReportFailure(current.status());
    standards = **current;
  } else {
    standards = LoadStandardsFrom(o.policy_path);
  }
  if (!standards.ok()) return ReportFailure(standards.status());
  auto registry = instance && o.agencies_path.empty() ? InstanceRegistry(o.instance)
                                                      : LoadRegistryFrom(o.agencies_path);
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

int RunInstall(const InstallOptions& o) {
  auto text = ReadInput(o.path, kMaxPolicyFileBytes);
  if (!text.ok()) return ReportFailure(text.status());
  return RunWithInstance(o.instance, [&](Instance& s) -> Result<nlohmann::ordered_json> {
    auto installed = s.workflow->InstallStandards(*text, o.path, {o.actor, /*via_cli=*/true});
    if (!installed.ok()) return installed.status();
    return nlohmann::ordered_json{{"installed", cases::StandardsInstallToJson(*installed)}};
  });
}

int RunShow(const InstanceOptions& instance, bool with_document) {
  auto db = OpenCaseStore(instance);
  if (!db.ok()) return ReportFailure(db.status());
  auto standards = cases::InstanceStandards::WithBuiltIn();
  if (!standards.ok()) return ReportFailure(standards.status());
  auto overview = (*standards)->Overview(**db);
  if (!overview.ok()) return ReportFailure(overview.status());
  std::cout << cases::StandardsToJson(*overview, with_document).dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Disclosure standards: check requests against them, install them");
  policy->require_subcommand(1);

  auto check_options = std::make_shared<CheckOptions>();
  CLI::App* check = policy->add_subcommand(
      "check", "Decide what the standards allow for one request; prints the decision document");
  check->add_option("REQUEST", check_options->request_path, "Request document (JSON; - for stdin)")
      ->required();
  check->add_option("--policy", check_options->policy_path,
                    "Standards file (TOML); default: the instance's with --data, else the "
                    "built-in us-default standards");
  check->add_option("--agencies", check_options->agencies_path,
                    "Agency registry (JSON); default: the instance's with --data, else empty");
  check->add_option("--data", check_options->instance.data_dir,
                    "Decide under this instance's current standards and registry");
  check->add_option("--key-file", check_options->instance.key_file,
                    "With --data: the instance's master key file (default: CUSTODIAN_KEY_FILE, "
                    "or the instance's file under ~/.config/custodian/keys)");
  check->callback([check_options, exit_code] { *exit_code = RunCheck(*check_options); });

  auto validate_path = std::make_shared<std::string>();
  CLI::App* validate = policy->add_subcommand(
      "validate", "Check a standards file; prints its name, version and SHA-256");
  validate->add_option("POLICY", *validate_path, "Standards file (TOML); default: built-in");
  validate->callback([validate_path, exit_code] { *exit_code = RunValidate(*validate_path); });

  auto install_options = std::make_shared<InstallOptions>();
  CLI::App* install = policy->add_subcommand(
      "install", "Make a standards file the instance's current standards (every version is kept)");
  AddInstanceFlags(install, install_options->instance);
  install->add_option("POLICY", install_options->path, "Standards file (TOML)")->required();
  install->add_option("--actor", install_options->actor, "Who installs it (the audit log's actor)")
      ->required();
  install->callback([install_options, exit_code] { *exit_code = RunInstall(*install_options); });

  auto show_instance = std::make_shared<InstanceOptions>();
  auto show_document = std::make_shared<bool>(false);
  CLI::App* show = policy->add_subcommand(
      "show", "The instance's current standards and every installation, oldest first");
  AddInstanceFlags(show, *show_instance);
  show->add_flag("--document", *show_document, "With the current standards file's text");
  show->callback([show_instance, show_document, exit_code] {
    *exit_code = RunShow(*show_instance, *show_document);
  });
}

}  // namespace custodian
