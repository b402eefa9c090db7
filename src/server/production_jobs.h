// Productions run by the server (POST /api/v1/cases/{id}/productions): each on a worker
// thread the jobs own, one per case at a time, with the same producer and settings as
// `custodian produce` (production_setup.h). The package goes to the instance's sealed store;
// the first download grant is issued as `produce` issues it. Its phase, counts and outcome are
// kept for the status endpoint while the server runs. Thread-safe; the destructor waits for
// the productions still running.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cases/store/database.h"
#include "production/production_setup.h"

namespace custodian::server {

// What the server knows of a production it runs (or ran since it started).
struct ProductionJob {
  std::string case_id;
  std::string production_id;  // empty until the production has started
  std::string phase = "starting";
  uint64_t events = 0;
  std::string outcome = "running";  // running, produced, failed
  std::string message;              // when it failed: safe to show (no path, no record data)
};

class ProductionJobs {
 public:
  // The pieces a Producer needs (producer.h); `settings.packages` must be set.
  ProductionJobs(cases::Database& db, cases::Workflow& workflow, vault::Vault& vault,
                 cases::SigningKeys& keys, cases::Ledgers& ledgers, Clock& clock,
                 production::ProductionSettings settings);
  ~ProductionJobs();

  // Starts producing the case as `actor` and returns once its production has an id; the
  // failure of its start otherwise (FailedPrecondition when the case is not approved, or
  // when a production of it is running already).
  Result<ProductionJob> Start(const std::string& case_id, const std::string& actor);
  // The job of that production, if this server ran it.
  std::optional<ProductionJob> Find(const std::string& production_id) const;
  // Aborts the case's unfinished production (Producer::Abort); FailedPrecondition while it runs.
  Result<cases::AbortedProduction> Abort(const std::string& case_id, const std::string& production_id,
                                         const std::string& reason, const std::string& actor);

 private:
  struct Running;
  production::Producer MakeProducer(production::ProducerOptions options);
  void Run(std::shared_ptr<Running> job, std::string actor);

  cases::Database& db_;
  cases::Workflow& workflow_;
  vault::Vault& vault_;
  cases::SigningKeys& keys_;
  cases::Ledgers& ledgers_;
  Clock& clock_;
  const production::ProductionSettings settings_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, std::shared_ptr<Running>> by_case_;      // GUARDED_BY(mu_)
  std::map<std::string, ProductionJob> finished_;                // GUARDED_BY(mu_): by production
  std::map<std::string, std::thread> threads_;                   // GUARDED_BY(mu_): by case
};

}  // namespace custodian::server
