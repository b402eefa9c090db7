#include "cli/production_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/case_json.h"
#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "cli/key_flags.h"
#include "cli/progress.h"
#include "cli/staff_actor.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "instance/instance.h"
#include "ledger/public_keys.h"
#include "production/package_verifier.h"
#include "production/producer.h"

namespace custodian {
namespace {

struct ProduceFlags {
  InstanceOptions instance;
  std::string case_id;
  std::string out;
  std::string actor;
  bool resume = false;
  bool abort = false;
  std::string reason;
};

int Produce(const ProduceFlags& f) {
  if (f.abort && (!f.out.empty() || f.resume)) {
    return ReportFailure(Status::InvalidArgument("--abort takes no --out and no --resume"));
  }
  if (f.abort && f.reason.empty()) return ReportFailure(Status::InvalidArgument("--abort needs --reason"));
  if (!f.abort && f.out.empty()) return ReportFailure(Status::InvalidArgument("--out is required"));
  auto instance = Instance::Open(f.instance);
  if (!instance.ok()) return ReportFailure(instance.status());
  Instance& s = **instance;
  auto actor = StaffActor(s, f.actor, {server::Role::kReviewer, server::Role::kApprover});
  if (!actor.ok()) return ReportFailure(actor.status());
  Progress progress("produce", 0);
  production::ProducerOptions options = production::MakeProducerOptions(ProductionSettingsOf(s, f.instance.data_dir));
  options.progress = [&](uint64_t events) { progress.Update(0, events); };
  production::Producer producer(*s.db, *s.workflow, *s.vault, *s.signing_keys, *s.ledgers,
                                SystemClock(), options);
  if (f.abort) {
    auto aborted = producer.Abort(f.case_id, "", f.reason, *actor);
    if (!aborted.ok()) return ReportFailure(aborted.status());
    nlohmann::ordered_json out = {{"case", f.case_id}, {"production", aborted->production_id}, {"state", "aborted"}};
    out["ledger_index"] = aborted->leaf_index ? nlohmann::ordered_json(*aborted->leaf_index) : nullptr;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  auto outcome = f.resume ? producer.Resume(f.case_id, f.out, *actor) : producer.Produce(f.case_id, f.out, *actor);
  progress.Finish();
  if (!outcome.ok()) return ReportFailure(outcome.status());
  nlohmann::ordered_json out = {{"case", outcome->case_id},
                                {"production", outcome->production_id},
                                {"package", f.out},
                                {"manifest_sha256", outcome->manifest_sha256}};
  if (!f.resume) {
    out["accounts"] = outcome->accounts;
    out["accounts_with_data"] = outcome->accounts_with_data;
    out["events"] = outcome->events;
  }
  out["ledger_index"] = outcome->leaf_index ? nlohmann::ordered_json(*outcome->leaf_index) : nullptr;
  out["download"] = outcome->grant ? cases::GrantToJson(*outcome->grant, SystemClock().Now()) : nullptr;
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

struct VerifyFlags {
  std::string package;
  std::string public_key;
  std::string ledger_key;
};

// Exit 0 when every check holds, 1 when one fails (the first is named), 2 when the file is
// not a zip or an argument is wrong (spec/production.md).
int Verify(const VerifyFlags& f) {
  auto keys = KeysFrom(f.public_key, "--public-key", "production");
  if (!keys.ok()) return ReportFailure(keys.status());
  std::optional<std::vector<ledger::TrustedKey>> ledger_keys;
  if (!f.ledger_key.empty()) {
    auto k = KeysFrom(f.ledger_key, "--ledger-key", "ledger");
    if (!k.ok()) return ReportFailure(k.status());
    ledger_keys = std::move(k).value();
  }
  auto check = production::VerifyPackage(
      f.package, *keys,
      ledger_keys ? std::optional<std::span<const ledger::TrustedKey>>(*ledger_keys) : std::nullopt);
  if (!check.ok()) return ReportFailure(check.status());
  nlohmann::ordered_json out = {{"ok", check->ok()}, {"passed", check->passed}};
  if (check->failure) out["failure"] = *check->failure;
  if (!ledger_keys) out["note"] = "the ledger proof was not checked (no --ledger-key)";
  std::cout << out.dump(2) << "\n";
  if (check->failure) std::cerr << "custodian: " << *check->failure << "\n";
  return check->ok() ? kExitOk : kExitFailure;
}

}  // namespace

production::ProductionSettings ProductionSettingsOf(Instance& instance, const std::string& data_dir) {
  production::ProductionSettings settings;
  settings.geo_city_databases = instance.config.geo_city_databases;
  settings.geo_asn_database = instance.config.geo_asn_database;
  production::CertificateText& certificate = settings.certificate;
  if (!instance.config.service_name.empty()) certificate.service_name = instance.config.service_name;
  if (!instance.config.custodian_name.empty()) certificate.custodian_name = instance.config.custodian_name;
  if (!instance.config.custodian_title.empty()) certificate.custodian_title = instance.config.custodian_title;
  if (!instance.config.certificate_text.empty()) certificate.declaration = instance.config.certificate_text;
  settings.work_root = JoinPath(data_dir, "productions");
  settings.packages = instance.packages.get();
  return settings;
}

void AddProductionCommands(CLI::App& app, int* exit_code) {
  auto p = std::make_shared<ProduceFlags>();
  auto* produce = app.add_subcommand("produce", "Write an approved case's business record, signed");
  AddInstanceFlags(produce, p->instance);
  produce->add_option("CASE", p->case_id, "The case")->required();
  produce->add_option("--out", p->out, "The package to write (FILE.zip; must not exist); not with --abort");
  produce->add_option("--actor", p->actor,
                      "The staff user who produces, a reviewer or an approver (recorded)")
      ->required();
  produce->add_flag("--resume", p->resume,
                    "Complete the case's production that was recorded but whose package was not made");
  produce->add_flag("--abort", p->abort,
                    "End the case's production that cannot finish: the case is approved again");
  produce->add_option("--reason", p->reason, "Why the production is aborted (with --abort; recorded)");
  produce->callback([p, exit_code] { *exit_code = Produce(*p); });

  auto v = std::make_shared<VerifyFlags>();
  auto* verify = app.add_subcommand("verify", "Check a production package offline");
  verify->add_option("PACKAGE", v->package, "The production's zip file")->required();
  verify->add_option("--public-key", v->public_key,
                     "The production key: its base64 (as keys export-public prints it), a file "
                     "holding it, or the keys document GET /api/v1/keys serves (file or text)")
      ->required();
  verify->add_option("--ledger-key", v->ledger_key,
                     "The ledger key, in the same forms (keys export-public --ledger): checks "
                     "ledger.json");
  verify->callback([v, exit_code] { *exit_code = Verify(*v); });
}

}  // namespace custodian
