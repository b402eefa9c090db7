// An instance of custodian, open: its configuration and master key, its vault, its case
// store, the standards, the workflow over them, the signing keys and the ledgers. What every
// command, the server, the tests and the benchmarks open (instance_record.h opens the data
// directory and the key alone), wired in one place, and the background duties a server runs
// over it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/instance_standards.h"
#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/notice_outbox.h"
#include "cases/package_store.h"
#include "cases/requester_mail.h"
#include "cases/store/database.h"
#include "cases/workflow.h"
#include "core/clock.h"
#include "instance/instance_config.h"
#include "instance/instance_record.h"
#include "policy/standards.h"

namespace custodian {

// What an instance is assembled from. Instance::Open reads them from the data directory and
// its configuration; tests and benchmarks choose their own (a store on either backend, a vault
// in a temporary directory, a manual clock).
struct InstanceParts {
  InstanceConfig config;
  vault::SecretKey master;  // the keys of attachments, packages, pseudonyms and signing keys derive from it
  bool demo = false;
  std::unique_ptr<cases::Database> db;  // migrated
  // Opens the vault under the standards in force (their retention).
  std::function<Result<std::unique_ptr<vault::Vault>>(const Standards& current)> open_vault;
  std::string files_dir;  // attachments/ and packages/ are kept under it
  Clock* clock = &SystemClock();
};

struct Instance {
  // The vault opened under the current standards' retention; every server keeps its vault's
  // up to date (RunDuties).
  static Result<std::unique_ptr<Instance>> Open(const InstanceOptions& options);
  // Wires the standards, the vault, the workflow, the signing keys and the ledgers over
  // `parts`, into this (empty) instance.
  Status Assemble(InstanceParts parts);
  // The workflow over this instance's parts with `options` (Assemble's come from the
  // configuration; a test may want others), keyed by the instance's pseudonym key.
  void MakeWorkflow(cases::WorkflowOptions options);

  // The outboxes a server delivers from, when its configuration names their transports.
  struct Outboxes {
    cases::NoticeOutbox* notices = nullptr;
    cases::RequesterMailOutbox* requester_mail = nullptr;
  };
  // The background duties a server runs at start and every 30 seconds: the retention of the
  // standards in force (another server may have installed new ones), notices due, requesters'
  // messages, holds run out, the days before yesterday sealed, and fresh tree heads, so that
  // the published heads trail the logs by half a minute at most. Each duty runs whatever
  // became of the others; what went wrong comes back, a line each.
  std::vector<std::string> RunDuties(const Outboxes& outboxes);

  InstanceConfig config;
  Clock* clock = &SystemClock();
  vault::SecretKey master;
  bool demo = false;  // the instance's demo mark (instance_record.h): staff sign in without TOTP
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

}  // namespace custodian
