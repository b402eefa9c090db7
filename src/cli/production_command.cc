#include "cli/production_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "production/package_verifier.h"

namespace custodian {
namespace {

struct VerifyFlags {
  std::string package;
  std::string public_key;
  std::string ledger_key;
};

Result<std::array<uint8_t, 32>> KeyFrom(const std::string& path, const char* flag) {
  auto text = ReadInput(path, 4096);
  if (!text.ok()) return Status::InvalidArgument(std::string(flag) + ": " + text.status().message());
  auto key = production::ParsePublicKey(*text);
  if (!key.ok()) return Status::InvalidArgument(std::string(flag) + ": " + key.status().message());
  return key;
}

// Exit 0 when every check holds, 1 when one fails (the first is named), 2 when the file is
// not a zip or an argument is wrong (spec/production.md).
int Verify(const VerifyFlags& f) {
  auto key = KeyFrom(f.public_key, "--public-key");
  if (!key.ok()) return ReportFailure(key.status());
  std::optional<std::array<uint8_t, 32>> ledger_key;
  if (!f.ledger_key.empty()) {
    auto k = KeyFrom(f.ledger_key, "--ledger-key");
    if (!k.ok()) return ReportFailure(k.status());
    ledger_key = *k;
  }
  auto check = production::VerifyPackage(f.package, *key, ledger_key);
  if (!check.ok()) return ReportFailure(check.status());
  nlohmann::ordered_json out = {{"ok", check->ok()}, {"passed", check->passed}};
  if (check->failure) out["failure"] = *check->failure;
  if (!ledger_key) out["note"] = "the ledger proof was not checked (no --ledger-key)";
  std::cout << out.dump(2) << "\n";
  if (check->failure) std::cerr << "custodian: " << *check->failure << "\n";
  return check->ok() ? kExitOk : kExitFailure;
}

}  // namespace

void AddProductionCommands(CLI::App& app, int* exit_code) {
  auto v = std::make_shared<VerifyFlags>();
  auto* verify = app.add_subcommand("verify", "Check a production package offline");
  verify->add_option("PACKAGE", v->package, "The production's zip file")->required();
  verify->add_option("--public-key", v->public_key,
                     "File with the production key (base64, as keys export-public prints it)")
      ->required();
  verify->add_option("--ledger-key", v->ledger_key,
                     "File with the ledger key (keys export-public --ledger): checks ledger.json");
  verify->callback([v, exit_code] { *exit_code = Verify(*v); });
}

}  // namespace custodian
