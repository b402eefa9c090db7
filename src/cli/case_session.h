// What the case commands and the server open: the instance's configuration and master key,
// its vault (for holds), its case store, the standards, and the workflow over them.
#pragma once

#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/database.h"
#include "cases/instance_standards.h"
#include "cases/ledgers.h"
#include "cases/package_store.h"
#include "cases/signing_keys.h"
#include "cases/workflow.h"
#include "cli/instance.h"
#include "cli/instance_config.h"
#include "policy/standards.h"

namespace custodian {

struct CaseSession {
  InstanceConfig config;
  vault::SecretKey master;
  bool demo = false;  // the instance's demo mark (instance.h): staff sign in without TOTP
  std::unique_ptr<vault::Vault> vault;
  std::unique_ptr<cases::Database> db;
  std::unique_ptr<cases::AttachmentStore> attachments;
  std::unique_ptr<cases::PackageStore> packages;  // productions kept for delivery
  std::unique_ptr<cases::InstanceStandards> standards;  // the current ones are in the store
  vault::SecretKey pseudonym_key;  // the disclosure log's case pseudonyms
  std::unique_ptr<cases::Workflow> workflow;
  std::unique_ptr<cases::SigningKeys> signing_keys;
  std::unique_ptr<cases::Ledgers> ledgers;
};

// The vault opened under the current standards' retention; every server keeps its vault's
// up to date (serve's periodic work).
Result<std::unique_ptr<CaseSession>> OpenCaseSession(const InstanceOptions& instance);

// The instance's case store alone (instance_store.h: only the store the instance records);
// `master`, when given, receives the instance's master key.
Result<std::unique_ptr<cases::Database>> OpenCaseStore(const InstanceOptions& instance,
                                                       vault::SecretKey* master = nullptr);
// The instance's current standards (the last installed, or the built-in), from its case store.
Result<cases::InstanceStandards::Shared> CurrentStandards(const InstanceOptions& instance);
// Opens the instance's vault alone, keeping what its current standards say (retention).
Result<std::unique_ptr<vault::Vault>> OpenVaultUnderStandards(const InstanceOptions& instance);

// Appends an entry for an operator's action on the vault (ingest, retention, sealing) to the
// instance's audit log, opening only its case store: every action is in the log, the CLI's
// too. The actor is "operator": whoever holds the data directory and the master key.
Status AuditOperatorAction(const InstanceOptions& instance, const std::string& action,
                           const nlohmann::ordered_json& detail);
// The same, in the case store `db` already open.
Status AuditOperatorAction(cases::Database& db, const std::string& action, const nlohmann::ordered_json& detail);

// Opens the instance's session, runs `action` on it and prints what it returns as JSON;
// returns the exit status (a failure printed as ReportFailure does).
int RunWithCaseSession(const InstanceOptions& instance,
                       const std::function<Result<nlohmann::ordered_json>(CaseSession&)>& action);

}  // namespace custodian
