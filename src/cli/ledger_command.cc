#include "cli/ledger_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/ledgers/leaf_proof_json.h"
#include "cases/ledgers/ledger_store.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "cli/ledger_monitor_command.h"
#include "cli/run_with_instance.h"
#include "core/base64.h"
#include "instance/instance.h"

namespace custodian {
namespace {

struct LedgerFlags {
  InstanceOptions instance;
  std::string log = "disclosures";
  std::string actor = "operator";
  uint64_t index = 0;
  uint64_t size = 0;  // 0: the latest signed head
  bool ledger_key = false;
  bool production_key = false;
};

int Verify(const LedgerFlags& f) {
  auto instance = Instance::Open(f.instance);
  if (!instance.ok()) return ReportFailure(instance.status());
  auto report = (*instance)->ledgers->Verify();
  if (!report.ok()) return ReportFailure(report.status());
  nlohmann::ordered_json out = {{"ok", report->ok()},
                                {"audit_leaves", report->audit_leaves},
                                {"disclosure_leaves", report->disclosure_leaves},
                                {"heads_checked", report->heads},
                                {"erased_details", report->erased_details},
                                {"problems", report->problems}};
  std::cout << out.dump(2) << "\n";
  return report->ok() ? kExitOk : kExitFailure;
}

// Which signing key a keys command is about: exactly one of --ledger and --production.
Result<std::string_view> KeyPurpose(const LedgerFlags& f, bool production_by_default) {
  if (f.ledger_key && f.production_key) {
    return Status::InvalidArgument("--ledger and --production: one or the other");
  }
  if (f.ledger_key) return cases::kLedgerKey;
  if (f.production_key || production_by_default) return cases::kProductionKey;
  return Status::InvalidArgument("--ledger or --production: which key");
}

}  // namespace

void AddLedgerCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<LedgerFlags>();
  auto* ledger = app.add_subcommand("ledger", "The audit and disclosure logs (Merkle trees)");
  ledger->require_subcommand(1);
  AddLedgerMonitorCommand(*ledger, exit_code);
  const auto with_log = [f](CLI::App* cmd) {
    cmd->add_option("--log", f->log, "audit or disclosures")
        ->check(CLI::IsMember({"audit", "disclosures"}))
        ->capture_default_str();
  };

  auto* head = ledger->add_subcommand("head", "Sign the log's tree head (when it grew) and print it");
  AddInstanceFlags(head, f->instance);
  with_log(head);
  head->add_option("--actor", f->actor, "Recorded if the ledger key is made now")->capture_default_str();
  head->callback([f, exit_code] {
    *exit_code = RunWithInstance(f->instance, [&](Instance& s) -> Result<nlohmann::ordered_json> {
      auto h = s.ledgers->SignHead(f->log, f->actor);
      if (!h.ok()) return h.status();
      return nlohmann::ordered_json::parse(ledger::TreeHeadToJson(*h).dump());
    });
  });

  auto* prove = ledger->add_subcommand("prove", "A leaf and its inclusion proof in a signed head, in the form of a package's ledger.json");
  AddInstanceFlags(prove, f->instance);
  with_log(prove);
  prove->add_option("--index", f->index, "The leaf's index (0-based; an audit entry's seq - 1)")->required();
  prove->add_option("--size", f->size, "The signed head's size (default: the latest)");
  prove->callback([f, exit_code] {
    *exit_code = RunWithInstance(f->instance, [&](Instance& s) -> Result<nlohmann::ordered_json> {
      auto p = s.ledgers->Prove(f->log, f->index, f->size ? std::optional(f->size) : std::nullopt);
      if (!p.ok()) return p.status();
      return cases::LeafProofToJson(*p);
    });
  });

  auto* verify = ledger->add_subcommand(
      "verify", "Recompute both logs from their rows and check every node, state and signed head");
  AddInstanceFlags(verify, f->instance);
  verify->callback([f, exit_code] { *exit_code = Verify(*f); });

  auto* keys = app.add_subcommand("keys", "The instance's signing keys (Ed25519)");
  keys->require_subcommand(1);
  // spec/production.md: the active key as base64 of its 32 bytes, one line, what `verify`
  // takes. Made on first use: exporting before anything was signed still names the key.
  auto* export_public = keys->add_subcommand(
      "export-public", "The production key's public half, base64 (--ledger: the ledger key's)");
  AddInstanceFlags(export_public, f->instance);
  export_public->add_flag("--ledger", f->ledger_key, "The key that signs the logs' tree heads");
  export_public->callback([f, exit_code] {
    auto instance = Instance::Open(f->instance);
    if (!instance.ok()) {
      *exit_code = ReportFailure(instance.status());
      return;
    }
    auto active = (*instance)->signing_keys->Active(KeyPurpose(*f, true).value(), f->actor);
    if (!active.ok()) {
      *exit_code = ReportFailure(active.status());
      return;
    }
    std::cout << Base64Encode(std::span<const uint8_t>(active->key().public_key)) << "\n";
    *exit_code = kExitOk;
  });
  auto* list = keys->add_subcommand(
      "list", "Every key of the production key's purpose (--ledger: the ledger's), retired too");
  AddInstanceFlags(list, f->instance);
  list->add_flag("--ledger", f->ledger_key, "The key that signs the logs' tree heads");
  list->callback([f, exit_code] {
    *exit_code = RunWithInstance(f->instance, [&](Instance& s) -> Result<nlohmann::ordered_json> {
      auto purpose = KeyPurpose(*f, true);
      if (!purpose.ok()) return purpose.status();
      if (auto active = s.signing_keys->Active(*purpose, f->actor); !active.ok()) return active.status();
      auto all = s.signing_keys->Keys(*purpose);
      if (!all.ok()) return all.status();
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const cases::PublicSigningKey& k : *all) out.push_back(cases::PublicKeyToJson(k));
      return out;
    });
  });
  auto* rotate = keys->add_subcommand(
      "rotate-signing", "Retire the active signing key and make a new one (the old stays for checking)");
  AddInstanceFlags(rotate, f->instance);
  rotate->add_flag("--ledger", f->ledger_key, "The key that signs the logs' tree heads");
  rotate->add_flag("--production", f->production_key, "The key that signs productions");
  rotate->add_option("--actor", f->actor, "Who rotates (recorded)")->required();
  rotate->callback([f, exit_code] {
    *exit_code = RunWithInstance(f->instance, [&](Instance& s) -> Result<nlohmann::ordered_json> {
      auto purpose = KeyPurpose(*f, false);
      if (!purpose.ok()) return purpose.status();
      auto k = s.signing_keys->Rotate(*purpose, f->actor);
      if (!k.ok()) return k.status();
      return cases::PublicKeyToJson(*k);
    });
  });
}

}  // namespace custodian
