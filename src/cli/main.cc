// The `custodian` command: one binary, one subcommand per job.
// This is the CLI's exception fence: anything thrown below is printed as one line, exit 1.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/alert_command.h"
#include "cli/case_command.h"
#include "cli/delivery_command.h"
#include "cli/demo_command.h"
#include "cli/exit_codes.h"
#include "cli/ledger_command.h"
#include "cli/notice_command.h"
#include "cli/policy_command.h"
#include "cli/production_command.h"
#include "cli/report_command.h"
#include "cli/serve_command.h"
#include "cli/store_command.h"
#include "cli/user_command.h"
#include "cli/vault_command.h"
#include "vault/writer_lock.h"

int main(int argc, char** argv) {
  CLI::App app{"custodian: keeps the records legal process can reach, and answers that process "
               "with exactly what the law and the service's standards allow"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "custodian 0.1.0");
  int exit_code = custodian::kExitOk;
  custodian::AddPolicyCommands(app, &exit_code);
  custodian::AddVaultCommands(app, &exit_code);
  custodian::AddCaseCommands(app, &exit_code);
  custodian::AddNoticeCommands(app, &exit_code);  // after the case commands: it adds one
  custodian::AddReportCommands(app, &exit_code);
  custodian::AddUserCommands(app, &exit_code);
  custodian::AddServeCommand(app, &exit_code);
  custodian::AddAlertCommands(app, &exit_code);
  custodian::AddLedgerCommands(app, &exit_code);
  custodian::AddProductionCommands(app, &exit_code);
  custodian::AddDeliveryCommands(app, &exit_code);
  custodian::AddStoreCommands(app, &exit_code);
  custodian::AddDemoCommand(app, &exit_code);
  // What this process says of itself in the vault's lock record while it writes ("custodian
  // ingest"): the subcommands' names, never their arguments.
  app.parse_complete_callback([&app] {
    std::string command = "custodian";
    for (const CLI::App* at = &app; !at->get_subcommands().empty();) {
      at = at->get_subcommands().front();
      command += " " + at->get_name();
    }
    custodian::vault::SetLockHolderCommand(command);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return custodian::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "custodian: internal error: " << e.what() << "\n";
    return custodian::kExitFailure;
  }
  return exit_code;
}
