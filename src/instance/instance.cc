#include "instance/instance.h"

#include <soci/soci.h>

#include "cases/ledgers/audit_log.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/store_blobs.h"
#include "core/blob_store.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "instance/instance_keys.h"
#include "instance/instance_store.h"
#include "vault/embedded_vault.h"

namespace custodian {

namespace {

vault::VaultOptions VaultOptionsOf(const Standards& standards, const InstanceConfig& config) {
  vault::VaultOptions options;
  options.access_log_retention_days = standards.access_log_retention_days;
  options.subscriber_retention_days = standards.subscriber_retention_days;
  options.lock_wait = std::chrono::seconds(config.vault_lock_wait_seconds);
  options.key_cache_entries = config.vault_key_cache_entries;
  options.index_cache_bytes = config.vault_index_cache_bytes;
  return options;
}

}  // namespace

Result<std::unique_ptr<cases::Database>> OpenCaseStore(const InstanceOptions& options,
                                                       vault::SecretKey* master) {
  auto config = LoadInstanceConfig(options.data_dir);
  if (!config.ok()) return config.status();
  auto instance = OpenInstance(options);
  if (!instance.ok()) return instance.status();
  if (master) *master = instance->master;
  return OpenInstanceCaseStore(*instance, config->case_store);
}

Result<cases::InstanceStandards::Shared> CurrentStandards(const InstanceOptions& instance) {
  auto db = OpenCaseStore(instance);
  if (!db.ok()) return db.status();
  auto standards = cases::InstanceStandards::WithBuiltIn();
  if (!standards.ok()) return standards.status();
  return (*standards)->Current(**db);
}

Result<std::unique_ptr<vault::Vault>> OpenVaultUnderStandards(const InstanceOptions& instance) {
  auto config = LoadInstanceConfig(instance.data_dir);
  if (!config.ok()) return config.status();
  auto standards = CurrentStandards(instance);
  if (!standards.ok()) return standards.status();
  return OpenVault(instance, VaultOptionsOf(**standards, *config));
}

Result<std::unique_ptr<Instance>> Instance::Open(const InstanceOptions& options) {
  auto config = LoadInstanceConfig(options.data_dir);
  if (!config.ok()) return config.status();
  auto opened = OpenInstance(options);
  if (!opened.ok()) return opened.status();
  auto db = OpenInstanceCaseStore(*opened, config->case_store);
  if (!db.ok()) return db.status();
  InstanceParts parts;
  parts.config = *config;
  parts.master = opened->master;
  parts.demo = opened->demo;
  parts.db = std::move(db).value();
  parts.files_dir = options.data_dir;
  parts.open_vault = [&](const Standards& current) {
    return vault::EmbeddedVault::Open(options.data_dir, opened->master, VaultOptionsOf(current, *config));
  };
  auto instance = std::make_unique<Instance>();
  if (Status s = instance->Assemble(std::move(parts)); !s.ok()) return s;
  return instance;
}

Status Instance::Assemble(InstanceParts parts) {
  config = std::move(parts.config);
  clock = parts.clock;
  master = parts.master;
  demo = parts.demo;
  db = std::move(parts.db);
  auto built_in = cases::InstanceStandards::WithBuiltIn();
  if (!built_in.ok()) return built_in.status();
  standards = std::move(built_in).value();
  auto current = standards->Current(*db);
  if (!current.ok()) return current.status();
  auto opened = parts.open_vault(**current);
  if (!opened.ok()) return opened.status();
  vault = std::move(opened).value();
  // The sealed files: rows every server of the store reads, or files of the data directory.
  const auto blobs = [&](const std::string& kind) -> std::unique_ptr<BlobStore> {
    if (config.files_in_case_store) return std::make_unique<cases::StoreBlobs>(*db, kind, *clock);
    return std::make_unique<DirectoryBlobs>(JoinPath(parts.files_dir, kind));
  };
  attachments = std::make_unique<cases::AttachmentStore>(
      blobs("attachments"), DeriveInstanceKey(master, InstanceKey::kAttachments));
  packages = std::make_unique<cases::PackageStore>(
      blobs("packages"), DeriveInstanceKey(master, InstanceKey::kPackages));
  pseudonym_key = DeriveInstanceKey(master, InstanceKey::kPseudonyms);
  MakeWorkflow({.cli_decisions = config.cli_decisions, .download_grant_days = config.download_grant_days});
  signing_keys = std::make_unique<cases::SigningKeys>(
      *db, DeriveInstanceKey(master, InstanceKey::kSigningKeys), *clock);
  ledgers = std::make_unique<cases::Ledgers>(*db, *signing_keys, *clock);
  return Status::Ok();
}

void Instance::MakeWorkflow(cases::WorkflowOptions options) {
  options.pseudonym_key = pseudonym_key;
  workflow = std::make_unique<cases::Workflow>(*db, *standards, *vault, *attachments, *clock, options);
}

std::vector<std::string> Instance::RunDuties(const Outboxes& outboxes) {
  std::vector<std::string> problems;
  const auto problem = [&](const std::string& what, const Status& s) {
    problems.push_back(what + ": " + s.message());
  };
  if (auto current = standards->Current(*db); current.ok()) {
    vault->SetRetention((*current)->access_log_retention_days, (*current)->subscriber_retention_days);
  } else {
    problem("reading the standards", current.status());
  }
  if (outboxes.notices) {
    if (auto r = outboxes.notices->DeliverDue(); !r.ok()) problem("notice outbox", r.status());
  }
  if (outboxes.requester_mail) {
    if (auto r = outboxes.requester_mail->DeliverDue(); !r.ok()) {
      problem("requester mail", r.status());
    } else if (r->failed > 0) {
      problems.push_back("requester mail: " + std::to_string(r->failed) + " messages failed; they are retried");
    }
  }
  if (auto r = workflow->ExpireHolds({"custodian"}); !r.ok()) problem("hold expiry", r.status());
  // Days before yesterday are complete: what ingest journaled of them is sealed into
  // segments, so that neither memory nor a restart's replay grows with the days kept.
  if (Status sealed = vault->Seal(clock->Now().UtcDate().PlusDays(-1)); !sealed.ok()) {
    problem("sealing past days", sealed);
  }
  // A sealed file a server began writing a day ago and never committed was abandoned (it died).
  if (config.files_in_case_store) {
    const Timestamp day_ago{clock->Now().micros - kMicrosPerDay};
    if (auto r = cases::DropAbandonedUploads(*db, day_ago); !r.ok()) problem("abandoned uploads", r.status());
  }
  for (std::string_view log : {cases::kAuditLog, cases::kDisclosureLog}) {
    // Nothing appended since the last head: the same head comes back, nothing is stored.
    if (auto head = ledgers->SignHead(log, "custodian"); !head.ok()) {
      problem("signing the " + std::string(log) + " log's head", head.status());
    }
  }
  return problems;
}

Status AuditOperatorAction(const InstanceOptions& instance, const std::string& action,
                           const nlohmann::ordered_json& detail) {
  auto db = OpenCaseStore(instance);
  if (!db.ok()) return db.status();
  return AuditOperatorAction(**db, action, detail);
}

Status AuditOperatorAction(cases::Database& db, const std::string& action, const nlohmann::ordered_json& detail) {
  return db.Transaction([&](soci::session& sql) {
    return cases::AppendAudit(sql, SystemClock().Now(), "operator", std::nullopt, action, detail.dump())
        .status();
  });
}

}  // namespace custodian
