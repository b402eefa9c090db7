#include "cli/case_session.h"

#include "core/clock.h"

namespace custodian {

Result<std::unique_ptr<CaseSession>> OpenCaseSession(const InstanceOptions& instance) {
  auto session = std::make_unique<CaseSession>();
  auto config = LoadInstanceConfig(instance.data_dir);
  if (!config.ok()) return config.status();
  session->config = std::move(config).value();
  auto master = LoadMasterKey(instance);
  if (!master.ok()) return master.status();
  session->master = *master;
  auto vault = vault::Vault::Open(instance.data_dir, session->master);
  if (!vault.ok()) return vault.status();
  session->vault = std::move(vault).value();
  auto db = cases::Database::Open(session->config.case_store);
  if (!db.ok()) return db.status();
  session->db = std::move(db).value();
  auto standards = LoadDefaultStandards();
  if (!standards.ok()) return standards.status();
  session->standards = std::move(standards).value();
  session->workflow = std::make_unique<cases::Workflow>(
      *session->db, session->standards, *session->vault, SystemClock(),
      cases::WorkflowOptions{.cli_decisions = session->config.cli_decisions});
  return session;
}

}  // namespace custodian
