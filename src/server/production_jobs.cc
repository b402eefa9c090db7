#include "server/production_jobs.h"

#include <iostream>
#include <vector>

namespace custodian::server {

struct ProductionJobs::Running {
  ProductionJob job;
  bool started = false;  // it has an id, or failed before it had one
  bool done = false;
  Status failure = Status::Ok();
};

ProductionJobs::ProductionJobs(cases::Database& db, cases::Workflow& workflow, vault::Vault& vault,
                               cases::SigningKeys& keys, cases::Ledgers& ledgers, Clock& clock,
                               production::ProductionSettings settings)
    : db_(db), workflow_(workflow), vault_(vault), keys_(keys), ledgers_(ledgers), clock_(clock),
      settings_(std::move(settings)) {}

ProductionJobs::~ProductionJobs() {
  std::map<std::string, std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& [id, thread] : threads) thread.join();
}

production::Producer ProductionJobs::MakeProducer(production::ProducerOptions hooks) {
  production::ProducerOptions options = production::MakeProducerOptions(settings_);
  options.phase = std::move(hooks.phase);
  options.progress = std::move(hooks.progress);
  return production::Producer(db_, workflow_, vault_, keys_, ledgers_, clock_, options);
}

Result<ProductionJob> ProductionJobs::Start(const std::string& case_id, const std::string& actor) {
  auto job = std::make_shared<Running>();
  job->job.case_id = case_id;
  std::vector<std::thread> ended;
  std::unique_lock lock(mu_);
  if (auto it = by_case_.find(case_id); it != by_case_.end() && !it->second->done) {
    return Status::FailedPrecondition("case " + case_id + ": its production " + it->second->job.production_id +
                                      " is running");
  }
  // The threads of productions that have ended are joined here, so that none piles up.
  for (auto it = by_case_.begin(); it != by_case_.end();) {
    if (!it->second->done) {
      ++it;
      continue;
    }
    if (auto t = threads_.find(it->first); t != threads_.end()) {
      ended.push_back(std::move(t->second));
      threads_.erase(t);
    }
    it = by_case_.erase(it);
  }
  by_case_[case_id] = job;
  threads_[case_id] = std::thread(&ProductionJobs::Run, this, job, actor);
  changed_.wait(lock, [&] { return job->started; });
  const ProductionJob started = job->job;
  const Status failure = job->failure;
  lock.unlock();
  for (std::thread& t : ended) t.join();
  if (started.production_id.empty()) return failure;  // it never started
  return started;
}

void ProductionJobs::Run(std::shared_ptr<Running> job, std::string actor) {
  production::ProducerOptions hooks;
  hooks.phase = [&](production::ProductionPhase phase, const std::string& production_id) {
    std::lock_guard lock(mu_);
    job->job.phase = production::kProductionPhaseNames[static_cast<size_t>(phase)];
    if (!production_id.empty() && !job->started) {
      job->job.production_id = production_id;
      job->started = true;
      changed_.notify_all();
    }
  };
  hooks.progress = [&](uint64_t events) {
    std::lock_guard lock(mu_);
    job->job.events = events;
  };
  // The package goes to the sealed store; this copy is only the way there.
  const std::string zip = JoinPath(settings_.work_root, job->job.case_id + ".zip");
  PosixFileSystem().Remove(zip).IgnoreError();
  auto outcome = MakeProducer(std::move(hooks)).Produce(job->job.case_id, zip, {actor});
  PosixFileSystem().Remove(zip).IgnoreError();
  std::lock_guard lock(mu_);
  if (outcome.ok()) {
    job->job.outcome = "produced";
    job->job.events = outcome->events;
  } else {
    job->job.outcome = "failed";
    const Status& s = outcome.status();
    // The case's own state or scope can be shown; what the file system or a bug says (paths,
    // the instance's layout) goes to the server's log only.
    const bool safe = s.code() == Status::Code::kFailedPrecondition || s.code() == Status::Code::kNotFound ||
                      s.code() == Status::Code::kInvalidArgument;
    job->failure = s;
    job->job.message = safe ? s.message() : "the production failed; the server's log says why";
    if (!safe) {
      std::cerr << ("custodian: production of " + job->job.case_id + " failed: " + s.message() + "\n") << std::flush;
    }
  }
  job->done = true;
  job->started = true;
  if (!job->job.production_id.empty()) finished_[job->job.production_id] = job->job;
  changed_.notify_all();
}

std::optional<ProductionJob> ProductionJobs::Find(const std::string& production_id) const {
  std::lock_guard lock(mu_);
  for (const auto& [case_id, job] : by_case_) {
    if (job->job.production_id == production_id) return job->job;
  }
  if (auto it = finished_.find(production_id); it != finished_.end()) return it->second;
  return std::nullopt;
}

Result<cases::AbortedProduction> ProductionJobs::Abort(const std::string& case_id,
                                                       const std::string& production_id,
                                                       const std::string& reason, const std::string& actor) {
  {
    std::lock_guard lock(mu_);
    if (auto it = by_case_.find(case_id); it != by_case_.end() && !it->second->done) {
      return Status::FailedPrecondition("case " + case_id + ": its production is running; wait for it to end");
    }
  }
  return MakeProducer({}).Abort(case_id, production_id, reason, {actor});
}

}  // namespace custodian::server
